// Journal record framing: the in-place path the writer's queue uses (JournalFile::FrameTick)
// against the plain one (kind byte + AppendTick into a scratch string, then log::Writer).
#include "storage/journal.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "storage/log_writer.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

namespace ibstream::storage::journal_test {
namespace {

constexpr uint64_t kSalt = 0x0123456789abcdefULL;

std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// The framing as it was done before in-place encoding: the reference for byte identity.
void FrameViaScratch(const Tick& tick, log::Writer& framer, std::string* out) {
  std::string record(1, static_cast<char>(JournalRecordKind::kTick));
  AppendTick(tick, &record);
  framer.AddRecord(record, out);
}

TEST(JournalFrameTest, GoldenBytesOfATickRecord) {
  Tick t;
  t.contract_id = 711280073;
  t.type = TickType::kLast;
  t.source = TickSource::kBackfill;
  t.attributes = kAttrUnreported;
  t.exchange_time = FromUnixSeconds(1755784800);
  t.receive_time = FromUnixNanos(1755784800123456789);
  t.sequence = 42;
  t.price = 23261.25;
  t.size = Decimal::FromParts(35, 1);
  t.exchange = "CME";
  t.special_conditions = "T";
  log::Writer framer(kSalt);
  ByteBuffer out;
  JournalFile::FrameTick(t, framer, &out);
  EXPECT_EQ(Hex(out.view()),
            // crc32c(salt ‖ length ‖ type ‖ payload), computed once with an independent bitwise
            // implementation; length 97, FULL, kind 1 (TICK)
            "8069f8b5"
            "6100"
            "01"
            "01"
            // the tick record of TickCodecTest.GoldenBytesOfATrade
            "c945652a00000000"
            "00c0071af9cc5d18"
            "158d6321f9cc5d18"
            "2a00000000000000"
            "0000000050b7d640"
            "0000000000000000"
            "0000000000000000"
            "2300000000000000"
            "0000000000000000"
            "0000000000000000"
            "0201020101000000"
            "03000100"
            "434d4554");
}

TEST(JournalFrameTest, InPlaceFramingIsByteIdenticalToScratchFraming) {
  const uint64_t seed = 4242;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  log::Writer in_place(kSalt);
  log::Writer by_copy(kSalt);
  ByteBuffer actual;
  std::string expected;
  for (uint64_t i = 1; i <= 20000; ++i) {
    Tick t = testing::MakeTick(711280073, rng() % 2 ? TickType::kBidAsk : TickType::kLast,
                               testing::kHour0, i);
    // Now and then a record longer than a block (split FIRST/MIDDLE/LAST, framed from the
    // spill) or one that lands across a block boundary.
    if (rng() % 500 == 0) t.special_conditions.assign(40000 + rng() % 20000, 'C');
    if (rng() % 50 == 0) t.exchange.assign(rng() % 200, 'E');
    JournalFile::FrameTick(t, in_place, &actual);
    FrameViaScratch(t, by_copy, &expected);
    ASSERT_EQ(actual.size(), expected.size()) << "tick " << i;
  }
  EXPECT_GT(expected.size(), 50 * log::kBlockSize);
  EXPECT_TRUE(actual.view() == expected) << "framed bytes differ";
  EXPECT_EQ(in_place.area_offset(), by_copy.area_offset());
}

}  // namespace
}  // namespace ibstream::storage::journal_test
