// The gap ledger's FILL records (FORMAT.md §3.4): how a filled gap was filled, kept beside the
// snapshot that marked it filled, read back by every reader, skipped by readers that predate
// them, and absent from ledgers written before them.
#include <gtest/gtest.h>

#include <string>

#include "common/clock.h"
#include "fs/fault_file_system.h"
#include "storage/gap_ledger.h"
#include "storage/generation_log.h"
#include "storage/layout.h"
#include "storage/log_format.h"
#include "storage/log_writer.h"

namespace ibstream::storage::gap_fill_record_test {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kMnq = 711280073;
constexpr int64_t kT0 = 1755784800;  // 2025-08-21T14:00:00Z
const std::string kRoot = "/store";

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

GapRecord SomeGap() {
  GapRecord gap;
  gap.stream = {kMnq, TickType::kBidAsk};
  gap.start = FromUnixSeconds(kT0);
  gap.end = FromUnixSeconds(kT0 + 60);
  gap.cause = "disconnect";
  return gap;
}

GapFill SomeFill() {
  GapFill fill;
  fill.queued_at = FromUnixSeconds(kT0 + 61);
  fill.filled_at = FromUnixSeconds(kT0 + 95);
  fill.requests = 12;
  fill.requests_needed = 11;
  fill.pacing_minimum = 4s;
  fill.round_trip = 250ms;
  return fill;
}

TEST(GapFillRecordTest, GoldenBytes) {
  GapFill fill;
  fill.queued_at = FromUnixNanos(1);
  fill.filled_at = FromUnixNanos(2);
  fill.requests = 3;
  fill.requests_needed = 4;
  fill.pacing_minimum = Duration(5);
  fill.round_trip = Duration(6);
  const std::string bytes = EncodeGapFillRecord(7, fill);
  EXPECT_EQ(Hex(bytes),
            "01"
            "00000000000000"
            "0700000000000000"
            "0100000000000000"
            "0200000000000000"
            "03000000"
            "04000000"
            "0500000000000000"
            "0600000000000000");
  auto back = DecodeGapFillRecord(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->first, 7u);
  EXPECT_EQ(back->second, fill);
  // A later version's longer record: the known fields are read, the rest ignored.
  auto longer = DecodeGapFillRecord(bytes + "later");
  ASSERT_TRUE(longer.ok());
  EXPECT_EQ(longer->second, fill);
  EXPECT_FALSE(DecodeGapFillRecord(bytes.substr(0, 55)).ok());
  std::string version_zero = bytes;
  version_zero[0] = 0;
  EXPECT_FALSE(DecodeGapFillRecord(version_zero).ok());
}

TEST(GapFillRecordTest, TheFillSurvivesReopeningAndIsClearedByALaterSnapshot) {
  fs::FaultFileSystem fs;
  auto ledger = GapLedger::Open(&fs, kRoot, FromUnixSeconds(kT0));
  ASSERT_TRUE(ledger.ok());
  auto filled = (*ledger)->Add(SomeGap());
  auto other = (*ledger)->Add(SomeGap());
  ASSERT_TRUE(filled.ok() && other.ok());
  ASSERT_TRUE((*ledger)
                  ->Update(*filled, BackfillState::kFilled, "", FromUnixSeconds(kT0 + 95),
                           std::nullopt, SomeFill())
                  .ok());
  ASSERT_TRUE(
      (*ledger)
          ->Update(*other, BackfillState::kFailed, "no permission", FromUnixSeconds(kT0 + 9))
          .ok());
  EXPECT_EQ((*ledger)->List()[0].fill, SomeFill());

  // Read back offline, and after two compactions (each reopen writes a new generation).
  LedgerDamage damage;
  auto offline = GapLedger::ReadAllReporting(&fs, kRoot, &damage);
  ASSERT_TRUE(offline.ok());
  EXPECT_TRUE(damage.clean());
  ASSERT_EQ(offline->size(), 2u);
  EXPECT_EQ((*offline)[0].fill, SomeFill());
  EXPECT_EQ((*offline)[1].fill, std::nullopt);
  for (int reopen = 0; reopen < 2; ++reopen) {
    ledger->reset();
    fs.Crash(reopen);  // everything acknowledged was synced
    ledger = GapLedger::Open(&fs, kRoot, FromUnixSeconds(kT0 + 100), &damage);
    ASSERT_TRUE(ledger.ok());
    EXPECT_TRUE(damage.clean());
    const auto all = (*ledger)->List();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].state, BackfillState::kFilled);
    EXPECT_EQ(all[0].fill, SomeFill());
    EXPECT_EQ(all[1].fill, std::nullopt);
  }

  // Retried by an operator: pending again, the old fill no longer describes it.
  ASSERT_TRUE(
      (*ledger)->Update(*filled, BackfillState::kPending, "", FromUnixSeconds(kT0 + 200)).ok());
  auto after = GapLedger::ReadAll(&fs, kRoot, nullptr);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)[0].state, BackfillState::kPending);
  EXPECT_EQ((*after)[0].fill, std::nullopt);
}

// A ledger written before FILL records existed: header and GAP records only.
TEST(GapFillRecordTest, ALedgerWithoutFillRecordsIsReadAsBefore) {
  fs::FaultFileSystem fs;
  log::FileHeader header;
  header.magic = "IBSGAPS1";
  header.content_version = 1;
  header.salt = 0x1234;
  header.generation = 1;
  std::string bytes = log::EncodeFileHeader(header);
  log::Writer writer(header.salt);
  GapRecord gap = SomeGap();
  gap.id = 1;
  gap.state = BackfillState::kFilled;
  writer.AddRecord(std::string(1, '\x10') + EncodeGapRecord(gap), &bytes);
  ASSERT_TRUE(fs.WriteRaw(fs::JoinPath(GapsRoot(kRoot), "ledger.1.log"), bytes).ok());

  LedgerDamage damage;
  auto ledger = GapLedger::Open(&fs, kRoot, FromUnixSeconds(kT0), &damage);
  ASSERT_TRUE(ledger.ok());
  EXPECT_TRUE(damage.clean());
  EXPECT_TRUE(damage.quarantined.empty());
  ASSERT_EQ((*ledger)->List().size(), 1u);
  EXPECT_EQ((*ledger)->List()[0], gap);
  EXPECT_EQ((*ledger)->List()[0].fill, std::nullopt);
}

// A reader that knows only GAP records (every earlier version: it asks for kind 16 alone and
// skips other kinds) reads a ledger with FILL records whole, without reporting damage.
TEST(GapFillRecordTest, AReaderOfGapRecordsAloneSkipsFillRecordsWithoutDamage) {
  fs::FaultFileSystem fs;
  {
    auto ledger = GapLedger::Open(&fs, kRoot, FromUnixSeconds(kT0));
    ASSERT_TRUE(ledger.ok());
    for (int i = 0; i < 3; ++i) {
      auto id = (*ledger)->Add(SomeGap());
      ASSERT_TRUE(id.ok());
      ASSERT_TRUE((*ledger)
                      ->Update(*id, BackfillState::kFilled, "", FromUnixSeconds(kT0 + 95),
                               std::nullopt, SomeFill())
                      .ok());
    }
  }
  auto generations = log::ListGenerations(&fs, GapsRoot(kRoot), "ledger");
  ASSERT_TRUE(generations.ok());
  ASSERT_EQ(generations->size(), 1u);
  const std::string name = generations->front().second;
  std::vector<GapRecord> read;
  log::LogDamage damage;
  ASSERT_TRUE(log::ReadGenerationFile(
                  &fs, fs::JoinPath(GapsRoot(kRoot), name), name, {"IBSGAPS1", {16}, {}},
                  [&read](uint8_t, std::string_view payload) {
                    auto gap = DecodeGapRecord(payload);
                    if (!gap.ok()) return gap.status();
                    read.push_back(*gap);
                    return Status::Ok();
                  },
                  &damage)
                  .ok());
  EXPECT_TRUE(damage.clean());
  ASSERT_EQ(read.size(), 6u);  // three adds, three updates
  EXPECT_EQ(read.back().state, BackfillState::kFilled);
}

TEST(GapFillRecordTest, AFillRecordThatDoesNotDecodeIsDamageAndOneWithoutItsGapIsIgnored) {
  fs::FaultFileSystem fs;
  log::FileHeader header;
  header.magic = "IBSGAPS1";
  header.content_version = 1;
  header.salt = 0x99;
  header.generation = 1;
  std::string bytes = log::EncodeFileHeader(header);
  log::Writer writer(header.salt);
  GapRecord gap = SomeGap();
  gap.id = 1;
  writer.AddRecord(std::string(1, '\x10') + EncodeGapRecord(gap), &bytes);
  writer.AddRecord(std::string(1, '\x11') + "short", &bytes);
  writer.AddRecord(std::string(1, '\x11') + EncodeGapFillRecord(5, SomeFill()), &bytes);
  ASSERT_TRUE(fs.WriteRaw(fs::JoinPath(GapsRoot(kRoot), "ledger.1.log"), bytes).ok());

  LedgerDamage damage;
  auto gaps = GapLedger::ReadAllReporting(&fs, kRoot, &damage);
  ASSERT_TRUE(gaps.ok());
  EXPECT_EQ(damage.corrupt_bytes, 6u);
  ASSERT_EQ(gaps->size(), 1u);
  EXPECT_EQ((*gaps)[0], gap);
}

}  // namespace
}  // namespace ibstream::storage::gap_fill_record_test
