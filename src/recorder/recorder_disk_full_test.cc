// The disk fills up mid-session and is freed: the gaps over the refused window, which the gap
// ledger could not take while the disk was full, are recorded once it has room and backfilled.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "common/sanitizers.h"
#include "fs/fault_file_system.h"
#include "recorder/recorder_sim_fixture.h"

namespace ibstream::recorder::recorder_disk_full_test {
namespace {

using namespace std::chrono_literals;

constexpr double kDiskFullSpeed = ReducedUnderSanitizers(600.0, 60.0);
// Around the instants the disk fills and is freed, so that the recorder's next write (a few real
// milliseconds later, more on a loaded machine) lands within the 2 s the test allows: at 600x,
// 2 s of virtual time is 3 ms of real time.
constexpr double kEdgeSpeed = 10;

class RecorderDiskFullTest : public testing::RecorderSimTest {
 protected:
  void SetUp() override { fs_ = &disk_full_fs_; }

  fs::FaultFileSystem disk_full_fs_;  // outlives the recorder (stopped in TearDown)
};

bool StorageCause(const storage::GapRecord& g) { return g.cause.rfind("storage_", 0) == 0; }

TEST_F(RecorderDiskFullTest, GapsOfTheRefusedWindowAreRecordedOnceTheDiskHasRoomAndFilled) {
  StartAll("2025-08-12T10:00:00-05:00", kDiskFullSpeed);
  WaitUntilRecording();
  ASSERT_TRUE(WaitFor([&] { return recorder_->View()->ready; }));
  const StreamKey bid_ask{MnqId(), TickType::kBidAsk};

  clock_->SetSpeed(kEdgeSpeed);
  const TimePoint full_at = clock_->Now();
  disk_full_fs_.SetNoSpace(true);
  ASSERT_TRUE(WaitFor([&] { return recorder_->View()->storage.suspended; }));
  clock_->SetSpeed(kDiskFullSpeed);
  RunUntil(full_at + 2min);
  clock_->SetSpeed(kEdgeSpeed);
  EXPECT_TRUE(
      std::none_of(recorder_->View()->gaps.begin(), recorder_->View()->gaps.end(), StorageCause))
      << "the ledger cannot take a gap while the disk is full";
  const TimePoint freed_at = clock_->Now();
  disk_full_fs_.SetNoSpace(false);
  ASSERT_TRUE(WaitFor([&] { return !recorder_->View()->storage.suspended; }));
  clock_->SetSpeed(kDiskFullSpeed);

  std::shared_ptr<const RecorderView> view;
  const auto settled = [&] {
    view = recorder_->View();
    bool any = false;
    for (const storage::GapRecord& g : view->gaps) {
      if (!StorageCause(g)) continue;
      any = true;
      if (g.state != storage::BackfillState::kFilled) return false;
    }
    return any && !view->storage.suspended;
  };
  ASSERT_TRUE(WaitFor(settled, 90s)) << [&] {
    std::string out;
    for (const auto& g : view->gaps) {
      out += ToString(g.stream) + " " + FormatIsoUtc(g.start) + ".." + FormatIsoUtc(g.end) + " " +
             g.cause + " " + std::string(storage::BackfillStateName(g.state)) + " " + g.reason +
             "\n";
    }
    return out;
  }();
  // The bid/ask gaps cover the refused window (the first refused tick to the first stored one):
  // the gap of the ticks lost at the first failed write was refused by the ledger then, and
  // recorded only when it was added again.
  TimePoint first = TimePoint::max(), last = TimePoint::min();
  for (const storage::GapRecord& g : view->gaps) {
    if (!StorageCause(g) || g.stream != bid_ask) continue;
    first = std::min(first, g.start);
    last = std::max(last, g.end);
  }
  EXPECT_LE(first, full_at + 2s) << FormatIsoUtc(first);
  EXPECT_GE(last, freed_at - 2s) << FormatIsoUtc(last);
  // Each refusal is counted (ibstream_gap_ledger_adds_refused_total).
  EXPECT_GE(view->counters.gap_ledger_adds_refused, 1u);
  // And the window holds backfilled ticks.
  const auto stored = Stored(bid_ask);
  EXPECT_TRUE(std::any_of(stored.begin(), stored.end(), [&](const Tick& t) {
    return t.source == TickSource::kBackfill && t.exchange_time > full_at + 10s &&
           t.exchange_time < freed_at - 10s;
  }));
}

}  // namespace
}  // namespace ibstream::recorder::recorder_disk_full_test
