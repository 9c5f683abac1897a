// The recorder's history as a running recorder publishes it: every view carries it, and its
// ticks per minute add up to the live ticks each stream stored, with nothing during the CME halt.
#include <gtest/gtest.h>

#include <numeric>

#include "common/sanitizers.h"
#include "recorder/recorder_sim_fixture.h"

namespace ibstream::recorder::recorder_history_sim_test {
namespace {

using namespace std::chrono_literals;
using testing::RecorderSimTest;

constexpr double kSpeed = ReducedUnderSanitizers(600.0, 200.0);

TEST_F(RecorderSimTest, ViewsCarryTicksPerMinuteThatAddUpToTheStoredLiveTicks) {
  StartAll("2025-08-11T15:58:00-05:00", kSpeed);
  RunUntil("2025-08-11T17:03:00-05:00");
  auto view = recorder_->View();
  ASSERT_NE(view->history, nullptr);
  ASSERT_EQ(view->contracts.size(), 1u);
  ASSERT_FALSE(view->contracts[0].streams.empty());
  const TimePoint halt = *ParseIsoTime("2025-08-11T16:00:00-05:00");
  const TimePoint open = *ParseIsoTime("2025-08-11T17:00:00-05:00");
  for (const StreamView& s : view->contracts[0].streams) {
    const StreamActivity* activity = nullptr;
    for (const auto& a : view->history->streams) {
      if (a.key == s.key) activity = &a;
    }
    ASSERT_NE(activity, nullptr) << ToString(s.key);
    const uint64_t sum =
        std::accumulate(activity->per_minute.begin(), activity->per_minute.end(), uint64_t{0});
    EXPECT_EQ(sum, s.ticks) << ToString(s.key);
    uint64_t before = 0, during = 0, after = 0;
    for (size_t i = 0; i < activity->per_minute.size(); ++i) {
      const TimePoint minute = activity->first_minute + std::chrono::minutes(i);
      // A tick of the halt's first minute may be counted by the first view after it.
      if (minute < halt) before += activity->per_minute[i];
      if (minute >= halt + 1min && minute < open) during += activity->per_minute[i];
      if (minute >= open) after += activity->per_minute[i];
    }
    EXPECT_GT(before, 0u) << ToString(s.key);
    EXPECT_EQ(during, 0u) << ToString(s.key);
    EXPECT_GT(after, 0u) << ToString(s.key);
  }
  EXPECT_TRUE(view->history->connections.empty());
}

}  // namespace
}  // namespace ibstream::recorder::recorder_history_sim_test
