// The writer reads the volume's free and total bytes once per space_check_interval of its clock
// and reports every reading, so what health shows follows the disk.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "fs/fault_file_system.h"
#include "storage/test_ticks.h"
#include "storage/tick_writer.h"

namespace ibstream::storage::space_events_test {
namespace {

using namespace std::chrono_literals;
using testing::kHour0;

class SpaceEventsTest : public ::testing::Test {
 protected:
  WriterOptions Options() {
    WriterOptions options;
    options.root = "/store";
    options.free_space_warning_bytes = 1000;
    options.space_check_interval = 10s;
    options.on_event = [this](const StorageEvent& e) {
      std::lock_guard lock(mu_);
      events_.push_back(e);
    };
    return options;
  }
  // The readings (kSpace events) reported so far.
  std::vector<StorageEvent> Readings() {
    std::lock_guard lock(mu_);
    std::vector<StorageEvent> out;
    for (const StorageEvent& e : events_) {
      if (e.kind == StorageEvent::Kind::kSpace) out.push_back(e);
    }
    return out;
  }
  size_t Count(StorageEvent::Kind kind) {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const StorageEvent& e : events_) n += e.kind == kind ? 1 : 0;
    return n;
  }
  // Waits (real time, with a deadline) for `n` readings.
  bool WaitForReadings(size_t n) {
    const auto end = SteadyClock::Real().Now() + 10s;
    while (SteadyClock::Real().Now() < end) {
      if (Readings().size() >= n) return true;
      std::this_thread::yield();
    }
    return Readings().size() >= n;
  }

  fs::FaultFileSystem fs_;
  ManualClock clock_{FromUnixSeconds(kHour0 + 10)};
  std::mutex mu_;
  std::vector<StorageEvent> events_;
};

TEST_F(SpaceEventsTest, EveryReadingIsReportedWithTheTotal) {
  fs_.SetSpace({50000, 1000000});
  TickWriter writer(&fs_, clock_, Options());
  ASSERT_TRUE(WaitForReadings(1));
  EXPECT_EQ(Readings()[0].available_bytes, 50000u);
  EXPECT_EQ(Readings()[0].total_bytes, 1000000u);

  // The next reading comes once the interval has passed on the writer's clock.
  fs_.SetSpace({40000, 1000000});
  clock_.Advance(10s);
  ASSERT_TRUE(WaitForReadings(2));
  EXPECT_EQ(Readings()[1].available_bytes, 40000u) << "the reading is current";
  EXPECT_EQ(Count(StorageEvent::Kind::kLowSpace), 0u);

  // Crossing the threshold still raises the transition, which carries the total as well.
  fs_.SetSpace({500, 1000000});
  clock_.Advance(10s);
  ASSERT_TRUE(WaitForReadings(3));
  EXPECT_EQ(Readings()[2].available_bytes, 500u);
  std::lock_guard lock(mu_);
  bool low = false;
  for (const StorageEvent& e : events_) {
    if (e.kind != StorageEvent::Kind::kLowSpace) continue;
    low = true;
    EXPECT_EQ(e.available_bytes, 500u);
    EXPECT_EQ(e.total_bytes, 1000000u);
  }
  EXPECT_TRUE(low);
}

}  // namespace
}  // namespace ibstream::storage::space_events_test
