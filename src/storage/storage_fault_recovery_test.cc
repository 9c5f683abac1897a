// Storage after a fault: the gap ledger writes again by itself once a full disk has room (a new
// generation, nothing acknowledged lost), and a sealed hour with a damaged frame still gives
// every tick of its other frames.
#include <gtest/gtest.h>

#include <string>

#include "common/clock.h"
#include "fs/fault_file_system.h"
#include "storage/closed_file.h"
#include "storage/gap_ledger.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

namespace ibstream::storage::storage_fault_recovery_test {
namespace {

using fs::FaultFileSystem;
using testing::kHour0;

constexpr int64_t kLedgerRecoveryMnq = 711280073;
const std::string kLedgerRecoveryRoot = "/store";

GapRecord LedgerRecoveryGap(int64_t first, std::string cause) {
  GapRecord gap;
  gap.stream = {kLedgerRecoveryMnq, TickType::kBidAsk};
  gap.start = FromUnixSeconds(first);
  gap.end = FromUnixSeconds(first + 30);
  gap.cause = std::move(cause);
  return gap;
}

TEST(GapLedgerRecoveryTest, WritesAgainOnceTheDiskHasRoom) {
  FaultFileSystem fs;
  auto ledger = GapLedger::Open(&fs, kLedgerRecoveryRoot, FromUnixSeconds(kHour0));
  ASSERT_TRUE(ledger.ok());
  auto first = (*ledger)->Add(LedgerRecoveryGap(kHour0, "disconnect"));
  ASSERT_TRUE(first.ok());

  fs.SetNoSpace(true);
  auto refused = (*ledger)->Add(LedgerRecoveryGap(kHour0 + 100, "storage_error"));
  EXPECT_FALSE(refused.ok());
  EXPECT_FALSE(
      (*ledger)->Update(*first, BackfillState::kFilled, "", FromUnixSeconds(kHour0 + 101)).ok())
      << "still full: the new generation cannot be written either";

  fs.SetNoSpace(false);
  auto second = (*ledger)->Add(LedgerRecoveryGap(kHour0 + 100, "storage_error"));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(*second, *first);
  ASSERT_TRUE(
      (*ledger)->Update(*first, BackfillState::kFilled, "", FromUnixSeconds(kHour0 + 200)).ok());

  // Durable: a crash now and a reopen find both, the update included.
  ledger->reset();
  fs.Crash(7);
  auto reopened = GapLedger::Open(&fs, kLedgerRecoveryRoot, FromUnixSeconds(kHour0));
  ASSERT_TRUE(reopened.ok());
  const auto all = (*reopened)->List();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, *first);
  EXPECT_EQ(all[0].state, BackfillState::kFilled);
  EXPECT_EQ(all[1].id, *second);
  EXPECT_EQ(all[1].cause, "storage_error");
  EXPECT_EQ(all[1].state, BackfillState::kPending);
  LedgerDamage damage;
  ASSERT_TRUE(GapLedger::ReadAllReporting(&fs, kLedgerRecoveryRoot, &damage).ok());
  EXPECT_TRUE(damage.clean()) << "the torn generation was replaced, never read back";
}

TEST(ClosedFileDamageTest, ADamagedFrameIsSkippedAndTheFramesAfterItAreRead) {
  FaultFileSystem fs;
  std::vector<std::string> bodies;
  for (uint64_t i = 0; i < 10000; ++i) {
    bodies.emplace_back();
    AppendTick(testing::MakeTick(kLedgerRecoveryMnq, TickType::kBidAsk,
                                 kHour0 + static_cast<int64_t>(i / 3), i),
               &bodies.back());
  }
  std::vector<std::string_view> records(bodies.begin(), bodies.end());
  ClosedFileHeader header;
  header.stream = {kLedgerRecoveryMnq, TickType::kBidAsk};
  header.hour = FromUnixSeconds(kHour0);
  auto file = BuildClosedFile(header, records);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(fs.WriteRaw("/c/good.tks.zst", *file).ok());
  auto good = ClosedFileReader::Open(&fs, "/c/good.tks.zst");
  ASSERT_TRUE(good.ok());
  const auto& frames = (*good)->frames();
  ASSERT_EQ(frames.size(), 3u);

  // The middle frame damaged: the first and the last are still read, in order, and of the
  // middle one the records before the damaged one (each checked by its CRC32C).
  std::string damaged = *file;
  damaged[frames[1].offset + 100] ^= 0x40;
  ASSERT_TRUE(fs.WriteRaw("/c/bad.tks.zst", damaged).ok());
  auto bad = ClosedFileReader::Open(&fs, "/c/bad.tks.zst");
  ASSERT_TRUE(bad.ok());
  std::vector<uint64_t> sequences;
  const Status status = (*bad)->ReadRange(FromUnixSeconds(kHour0), FromUnixSeconds(kHour0 + 3600),
                                          [&](const Tick& t) { sequences.push_back(t.sequence); });
  EXPECT_EQ(status.code(), StatusCode::kCorruption) << "the damage is reported";
  ASSERT_GE(sequences.size(), 10000u - frames[1].tick_count);
  ASSERT_LT(sequences.size(), 10000u);
  // What is missing is the rest of the middle frame from its damaged record on.
  const size_t kept_of_middle = sequences.size() - (10000u - frames[1].tick_count);
  for (size_t i = 0; i < frames[0].tick_count + kept_of_middle; ++i) {
    ASSERT_EQ(sequences[i], i);
  }
  const size_t after = frames[0].tick_count + kept_of_middle;
  EXPECT_EQ(sequences[after], frames[0].tick_count + frames[1].tick_count)
      << "the frame after the damaged one follows";
  EXPECT_EQ(sequences.back(), 9999u);
}

}  // namespace
}  // namespace ibstream::storage::storage_fault_recovery_test
