#include "cluster/wire.h"

#include <gtest/gtest.h>

#include <random>

#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

namespace ibstream::cluster::wire_test {
namespace {

using storage::testing::MakeTick;

std::string Hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string Record(const Tick& tick) {
  std::string out;
  storage::AppendTick(tick, &out);
  return out;
}

TEST(WireSubjectsTest, NameRecorderContractAndKind) {
  const struct {
    StreamKey stream;
    const char* subject;
  } cases[] = {
      {{711280073, TickType::kBidAsk}, "ibs.rec-a.711280073.bid_ask"},
      {{711280073, TickType::kLast}, "ibs.rec-a.711280073.last"},
      {{265598, TickType::kAllLast}, "ibs.rec-a.265598.all_last"},
      {{265598, TickType::kMidPoint}, "ibs.rec-a.265598.mid_point"},
      {{12087792, TickType::kQuote}, "ibs.rec-a.12087792.quote"},
      {{12087792, TickType::kTrade}, "ibs.rec-a.12087792.trade"},
      {{711280073, TickType::kDepth}, "ibs.rec-a.711280073.depth"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(TickSubject("ibs", "rec-a", c.stream), c.subject);
    auto parsed = ParseSubject("ibs", c.subject);
    ASSERT_TRUE(parsed.ok()) << c.subject << ": " << parsed.status().ToString();
    EXPECT_EQ(parsed->kind, MessageKind::kTick);
    EXPECT_EQ(parsed->recorder_id, "rec-a");
    EXPECT_EQ(parsed->stream, c.stream);
  }
  EXPECT_EQ(GapsSubject("a.b", "r1"), "a.b.r1.gaps");
  EXPECT_EQ(EventsSubject("a.b", "r1"), "a.b.r1.events");
  EXPECT_EQ(StreamSubjects("a.b"), "a.b.>");
  EXPECT_EQ(ParseSubject("a.b", "a.b.r1.gaps")->kind, MessageKind::kGap);
  EXPECT_EQ(ParseSubject("a.b", "a.b.r1.events")->kind, MessageKind::kEvent);
}

TEST(WireSubjectsTest, RejectsSubjectsItDidNotMake) {
  for (const char* subject :
       {"other.r1.1.bid_ask", "ibs", "ibs.", "ibs.r1", "ibs.r1.1", "ibs.r1.x.bid_ask",
        "ibs.r1.0.bid_ask", "ibs.r1.-5.last", "ibs.r1.5.BidAsk", "ibs.r1.5.book", "ibs.r 1.5.last",
        "ibsx.r1.5.last", "ibs.r1.5.last.extra"}) {
    EXPECT_FALSE(ParseSubject("ibs", subject).ok()) << subject;
  }
}

TEST(WireSubjectsTest, ValidatesPrefixAndRecorderId) {
  EXPECT_TRUE(ValidSubjectPrefix("ibstream"));
  EXPECT_TRUE(ValidSubjectPrefix("md.ib-stream_1"));
  EXPECT_TRUE(ValidRecorderId("gw-1_paper"));
  for (const char* bad : {"", ".", "a.", ".a", "a..b", "a b", "a.*", "a.>", "é"}) {
    EXPECT_FALSE(ValidSubjectPrefix(bad)) << bad;
  }
  for (const char* bad : {"", "a.b", "a b", "*", ">", "a\n"}) {
    EXPECT_FALSE(ValidRecorderId(bad)) << bad;
  }
  EXPECT_FALSE(ValidRecorderId(std::string(65, 'a')));
  EXPECT_TRUE(ValidRecorderId(std::string(64, 'a')));
}

TEST(WireIdsTest, AreDeterministicFunctionsOfTheJournalPosition) {
  EXPECT_EQ(TickMessageId("rec-a", {1755784800000000000, 3, false, 17}),
            "rec-a.t.1755784800000000000.3.17");
  EXPECT_EQ(TickMessageId("rec-a", {1755784800000000000, 3, true, 0}),
            "rec-a.t.1755784800000000000.3s.0");
  EXPECT_NE(TickMessageId("rec-a", {1, 1, false, 1}), TickMessageId("rec-b", {1, 1, false, 1}));
  storage::GapRecord gap;
  gap.id = 42;
  gap.updated_at = FromUnixNanos(1755784801000000000);
  gap.state = storage::BackfillState::kFilled;
  EXPECT_EQ(GapMessageId("r", gap), "r.g.42.1755784801000000000.filled");
  EXPECT_EQ(EventMessageId("r", 99, 7), "r.e.99.7");
}

TEST(WireTickTest, GoldenBytes) {
  Tick tick = MakeTick(711280073, TickType::kLast, storage::testing::kHour0, 3);
  const std::string record = Record(tick);
  const JournalPosition position{0x0102030405060708, 0x0a0b0c0d, true, 0x1112131415161718};
  const std::string body = EncodeTickBody(position, record);
  ASSERT_EQ(body.size(), kTickPreambleSize + record.size());
  EXPECT_EQ(Hex(body.substr(0, kTickPreambleSize)),
            "0101000000000000"                        // version 1, kind tick, reserved
            "0807060504030201"                        // hour ns
            "0d0c0b0a01000000"                        // generation, flags (salvaged), reserved
            "1817161514131211");                      // record index
  EXPECT_EQ(body.substr(kTickPreambleSize), record);  // the stored record, byte for byte
}

TEST(WireTickTest, RoundTripsEveryStoredFieldOfEveryKind) {
  const TickType types[] = {TickType::kBidAsk,   TickType::kLast,  TickType::kAllLast,
                            TickType::kMidPoint, TickType::kQuote, TickType::kTrade};
  for (TickType type : types) {
    for (uint64_t seq : {0u, 1u, 3u, 11u, 1000u}) {
      Tick tick = MakeTick(265598, type, storage::testing::kHour0 + 5, seq,
                           seq % 2 == 0 ? TickSource::kLive : TickSource::kBackfill);
      const JournalPosition position{storage::testing::kHour0 * 1000000000LL, 2, false, seq};
      auto decoded = DecodeTickBody(EncodeTickBody(position, Record(tick)));
      ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
      EXPECT_EQ(decoded->position, position);
      EXPECT_TRUE(storage::SameStoredTick(decoded->tick, tick)) << TickTypeName(type) << seq;
    }
  }
}

TEST(WireTickTest, BadBytesAreErrorsNeverCrashes) {
  Tick tick = MakeTick(1, TickType::kLast, storage::testing::kHour0, 3);
  const std::string good = EncodeTickBody({1, 1, false, 1}, Record(tick));
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(DecodeTickBody(good.substr(0, n)).ok()) << "cut at " << n;
  }
  const struct {
    size_t offset;
    char value;
    const char* what;
  } flips[] = {{0, 2, "version"},         {1, 2, "kind gap"},           {1, 9, "unknown kind"},
               {5, 1, "reserved header"}, {20, 2, "unknown flag"},      {21, 1, "reserved flag"},
               {32 + 80, 9, "tick type"}, {32 + 87, 1, "tick reserved"}};
  for (const auto& f : flips) {
    std::string bad = good;
    bad[f.offset] = f.value;
    EXPECT_FALSE(DecodeTickBody(bad).ok()) << f.what;
  }
  EXPECT_FALSE(DecodeTickBody(good + "x").ok()) << "trailing byte";
  // Random bytes, seeded: every call returns (an error or a tick), none crashes.
  const uint32_t seed = 20250821;
  std::mt19937 rng(seed);
  for (int i = 0; i < 2000; ++i) {
    std::string bytes = good;
    for (int k = 0; k < 3; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    bytes.resize(rng() % (bytes.size() + 1));
    (void)DecodeTickBody(bytes);
    (void)DecodeGapBody(bytes);
    (void)DecodeEventBody(bytes);
  }
  SUCCEED() << "seed " << seed;
}

TEST(WireGapTest, GoldenBytesAndRoundTrip) {
  storage::GapRecord gap;
  gap.id = 7;
  gap.stream = StreamKey{711280073, TickType::kBidAsk};
  gap.start = FromUnixSeconds(storage::testing::kHour0);
  gap.end = FromUnixSeconds(storage::testing::kHour0 + 180);
  gap.cause = "disconnect";
  gap.state = storage::BackfillState::kPartial;
  gap.reason = "pacing";
  gap.updated_at = FromUnixSeconds(storage::testing::kHour0 + 600);
  const std::string body = EncodeGapBody(gap);
  EXPECT_EQ(Hex(body.substr(0, kWireHeaderSize)), "0102000000000000");
  EXPECT_EQ(body.substr(kWireHeaderSize), storage::EncodeGapRecord(gap));
  auto decoded = DecodeGapBody(body);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, gap);
  EXPECT_FALSE(DecodeGapBody(body.substr(0, body.size() - 1)).ok());
  EXPECT_FALSE(DecodeTickBody(body).ok()) << "a gap is not a tick";
  EXPECT_EQ(*PeekKind(body), MessageKind::kGap);
}

TEST(WireEventTest, GoldenBytesAndRoundTrip) {
  Event event;
  event.time = FromUnixNanos(0x0102030405060708);
  event.sequence = 5;
  event.has_contract = true;
  event.contract_id = 265598;
  event.category = EventCategory::kAlert;
  event.severity = 2;
  event.state = EventState::kResolved;
  event.name = "gw";
  event.summary = "up";
  const std::string body = EncodeEventBody(event);
  EXPECT_EQ(Hex(body),
            "0103000000000000"  // header
            "0807060504030201"  // time
            "0500000000000000"  // sequence
            "7e0d040000000000"  // contract 265598
            "01010201"          // has contract, alert, critical, resolved
            "02000000"          // name length 2, reserved
            "0200000000000000"  // summary length 2, reserved
            "6777"
            "7570");
  auto decoded = DecodeEventBody(body);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, event);
  for (size_t n = 0; n < body.size(); ++n) EXPECT_FALSE(DecodeEventBody(body.substr(0, n)).ok());
  const struct {
    size_t offset;
    char value;
  } flips[] = {{8 + 24, 2}, {8 + 25, 3}, {8 + 26, 3}, {8 + 27, 3}, {8 + 30, 1}, {8 + 36, 1}};
  for (const auto& f : flips) {
    std::string bad = body;
    bad[f.offset] = f.value;
    EXPECT_FALSE(DecodeEventBody(bad).ok()) << f.offset;
  }
  Event none;
  none.category = EventCategory::kHealth;
  auto plain = DecodeEventBody(EncodeEventBody(none));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, none);
}

}  // namespace
}  // namespace ibstream::cluster::wire_test
