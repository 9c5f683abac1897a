// Health follows the storage writer: the recorder on a fault-injecting file system whose disk
// fills up or runs low. While writing is suspended the recorder is not ready and the critical
// storage_error alert keeps firing; disk_low fires from the volume's real totals; the available
// bytes shown are the latest reading.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "common/sanitizers.h"
#include "fs/fault_file_system.h"
#include "recorder/recorder_sim_fixture.h"

namespace ibstream::recorder::recorder_storage_health_test {
namespace {

using namespace std::chrono_literals;

constexpr double kSpeed = ReducedUnderSanitizers(600.0, 200.0);

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kGiB = 1ull << 30;

bool Firing(const RecorderView& view, std::string_view rule) {
  return std::any_of(view.alerts.begin(), view.alerts.end(),
                     [&](const Alert& a) { return a.rule == rule; });
}

class RecorderStorageHealthTest : public testing::RecorderSimTest {
 protected:
  void SetUp() override {
    fs_ = &fault_fs_;
    fault_fs_.SetSpace({100 * kGiB, 200 * kGiB});
  }
  int Resolved(std::string_view rule) {
    std::lock_guard lock(sink_.mutex);
    return static_cast<int>(std::count_if(sink_.alerts.begin(), sink_.alerts.end(), [&](auto& a) {
      return a.rule == rule && a.state == AlertState::kResolved;
    }));
  }

  fs::FaultFileSystem fault_fs_;  // outlives the recorder (stopped in TearDown)
};

TEST_F(RecorderStorageHealthTest, SuspendedWritingIsNotReadyAndKeepsStorageErrorFiring) {
  StartAll("2025-08-12T10:00:00-05:00", kSpeed);
  WaitUntilRecording();
  ASSERT_TRUE(WaitFor([&] { return recorder_->View()->ready; }));

  fault_fs_.SetNoSpace(true);
  std::shared_ptr<const RecorderView> view;
  ASSERT_TRUE(WaitFor([&] {
    view = recorder_->View();
    return view->storage.suspended && Firing(*view, "storage_error");
  })) << "suspended="
      << view->storage.suspended;
  EXPECT_FALSE(view->ready) << "ready while storage refuses writes";
  EXPECT_TRUE(view->storage_open()) << "stored data can still be read";

  // Far past the 5 minutes an error event holds: still suspended, still firing.
  RunUntil(clock_->Now() + 12min);
  view = recorder_->View();
  ASSERT_TRUE(view->storage.suspended);
  EXPECT_FALSE(view->ready);
  EXPECT_TRUE(Firing(*view, "storage_error")) << testing::Describe(view->alerts);
  EXPECT_EQ(Resolved("storage_error"), 0);

  fault_fs_.SetNoSpace(false);
  ASSERT_TRUE(WaitFor([&] {
    view = recorder_->View();
    return view->ready && !Firing(*view, "storage_error");
  })) << "ready="
      << view->ready << "\n"
      << testing::Describe(view->alerts);
  EXPECT_EQ(Resolved("storage_error"), 1);
}

// The journal's volume fills up while the gap ledger can still be written: the gaps of the lost
// ticks are backfilled at once, storage refuses those ticks, and the gaps stay pending (not
// filled) until storage takes writes again; then they are filled and their ticks are stored.
TEST_F(RecorderStorageHealthTest, GapWhoseBackfilledTicksWereRefusedIsFilledAfterStorageRecovers) {
  StartAll("2025-08-12T10:00:00-05:00", kSpeed);
  WaitUntilRecording();
  ASSERT_TRUE(WaitFor([&] { return recorder_->View()->ready; }));

  fault_fs_.SetNoSpaceOnly("/journal/");
  fault_fs_.SetNoSpace(true);
  std::shared_ptr<const RecorderView> view;
  ASSERT_TRUE(WaitFor([&] {
    view = recorder_->View();
    return view->storage.suspended && view->counters.backfill_ticks_refused > 0;
  })) << "suspended="
      << view->storage.suspended << " refused=" << view->counters.backfill_ticks_refused
      << " gaps=" << view->gaps.size();
  // Long enough for every queued backfill to have been answered several times over.
  RunUntil(clock_->Now() + 5min);
  view = recorder_->View();
  ASSERT_TRUE(view->storage.suspended);
  ASSERT_FALSE(view->gaps.empty());
  for (const storage::GapRecord& gap : view->gaps) {
    EXPECT_NE(gap.state, storage::BackfillState::kFilled)
        << "gap " << gap.id << " filled while storage refused its ticks";
  }
  std::set<uint64_t> refused;  // the gaps waiting for storage
  for (const storage::GapRecord& gap : view->gaps) {
    if (gap.state == storage::BackfillState::kPending &&
        gap.reason.find("storage refused") != std::string::npos) {
      refused.insert(gap.id);
    }
  }
  ASSERT_FALSE(refused.empty()) << "no gap waits for storage";

  fault_fs_.SetNoSpace(false);
  auto refused_filled = [&] {
    view = recorder_->View();
    for (const storage::GapRecord& gap : view->gaps) {
      if (refused.count(gap.id) && gap.state != storage::BackfillState::kFilled) return false;
    }
    return view->ready;
  };
  ASSERT_TRUE(WaitFor(refused_filled)) << "ready=" << view->ready;
  // Their ticks are stored now, marked as backfill (the writer makes them readable shortly).
  for (const storage::GapRecord& gap : view->gaps) {
    if (!refused.count(gap.id)) continue;
    EXPECT_TRUE(WaitFor([&] {
      const std::vector<Tick> stored = Stored(gap.stream);
      return std::any_of(stored.begin(), stored.end(), [&](const Tick& t) {
        return t.source == TickSource::kBackfill && t.exchange_time >= gap.start &&
               t.exchange_time < gap.end;
      });
    })) << "gap "
        << gap.id << " " << ToString(gap.stream);
  }
}

TEST_F(RecorderStorageHealthTest, DiskLowFiresFromTheVolumeTotalsAndAvailableBytesAreCurrent) {
  fault_fs_.SetSpace({512 * kMiB, 100 * kGiB});
  StartAll("2025-08-12T10:00:00-05:00", kSpeed);
  std::shared_ptr<const RecorderView> view;
  ASSERT_TRUE(WaitFor([&] {
    view = recorder_->View();
    return Firing(*view, "disk_low");
  })) << testing::Describe(view->alerts);
  EXPECT_EQ(view->storage.available_bytes, 512 * kMiB);

  // Still low: no threshold is crossed, yet the reading shown follows the disk.
  fault_fs_.SetSpace({700 * kMiB, 100 * kGiB});
  ASSERT_TRUE(WaitFor([&] {
    view = recorder_->View();
    return view->storage.available_bytes == 700 * kMiB;
  })) << view->storage.available_bytes;
  EXPECT_TRUE(Firing(*view, "disk_low"));

  fault_fs_.SetSpace({60 * kGiB, 100 * kGiB});
  ASSERT_TRUE(WaitFor([&] {
    view = recorder_->View();
    return view->storage.available_bytes == 60 * kGiB && !Firing(*view, "disk_low");
  })) << testing::Describe(view->alerts);
}

}  // namespace
}  // namespace ibstream::recorder::recorder_storage_health_test
