#include "http/deadline_timer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ibstream::http::deadline_timer_test {
namespace {

using namespace std::chrono_literals;

// Polls `done` (real time, 10 s at most).
bool Eventually(const std::function<bool()>& done) {
  const auto end = SteadyClock::Real().Now() + 10s;
  while (!done()) {
    if (SteadyClock::Real().Now() > end) return done();
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

class DeadlineTimerTest : public ::testing::Test {
 protected:
  std::vector<int> Fired() {
    std::lock_guard lock(mu_);
    return fired_;
  }
  std::function<void()> Record(int id) {
    return [this, id] {
      std::lock_guard lock(mu_);
      fired_.push_back(id);
    };
  }

  ManualSteadyClock clock_;
  std::mutex mu_;
  std::vector<int> fired_;
};

TEST_F(DeadlineTimerTest, FiresEachCallbackOnceItsDeadlineIsReachedInDeadlineOrder) {
  DeadlineTimer timer(clock_);
  timer.At(clock_.Now() + 20s, Record(2));
  timer.At(clock_.Now() + 10s, Record(1));
  timer.At(clock_.Now() + 30s, Record(3));
  // The clock does not move: nothing fires (the timer looks at it every 100 ms).
  std::this_thread::sleep_for(250ms);
  EXPECT_TRUE(Fired().empty());
  // An injected clock moves without waking the timer: it still notices.
  clock_.Advance(20s);
  ASSERT_TRUE(Eventually([&] { return Fired().size() == 2; }));
  EXPECT_EQ(Fired(), (std::vector<int>{1, 2}));
  clock_.Advance(10s);
  ASSERT_TRUE(Eventually([&] { return Fired().size() == 3; }));
  EXPECT_EQ(Fired(), (std::vector<int>{1, 2, 3}));
}

TEST_F(DeadlineTimerTest, AnEarlierDeadlineAddedLaterFiresFirst) {
  DeadlineTimer timer(clock_);
  timer.At(clock_.Now() + 60s, Record(2));
  std::this_thread::sleep_for(50ms);  // the timer waits for the 60 s deadline
  timer.At(clock_.Now() + 5s, Record(1));
  clock_.Advance(5s);
  ASSERT_TRUE(Eventually([&] { return Fired().size() == 1; }));
  EXPECT_EQ(Fired(), (std::vector<int>{1}));
}

TEST_F(DeadlineTimerTest, StopDropsWhatHasNotFiredAndRefusesNewDeadlines) {
  DeadlineTimer timer(clock_);
  timer.At(clock_.Now() + 1s, Record(1));
  timer.At(clock_.Now() + 100s, Record(2));
  clock_.Advance(1s);
  ASSERT_TRUE(Eventually([&] { return Fired().size() == 1; }));
  timer.Stop();
  timer.At(clock_.Now(), Record(3));
  clock_.Advance(200s);
  std::this_thread::sleep_for(250ms);
  EXPECT_EQ(Fired(), (std::vector<int>{1}));
}

TEST_F(DeadlineTimerTest, ACallbackMayAddAnotherDeadline) {
  DeadlineTimer timer(clock_);
  timer.At(clock_.Now() + 1s, [&] {
    Record(1)();
    timer.At(clock_.Now(), Record(2));
  });
  clock_.Advance(1s);
  ASSERT_TRUE(Eventually([&] { return Fired().size() == 2; }));
  EXPECT_EQ(Fired(), (std::vector<int>{1, 2}));
}

}  // namespace
}  // namespace ibstream::http::deadline_timer_test
