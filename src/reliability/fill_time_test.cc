#include "reliability/fill_time.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace ibstream::reliability::fill_time_test {

using std::chrono::minutes;
using std::chrono::seconds;

struct MinimumCase {
  std::string name;
  int requests;
  bool bid_ask;
  Duration expected;
};

TEST(MinimumPacedDurationTest, DefaultLimitsTable) {
  const HistoricalPacingLimits limits;
  const MinimumCase cases[] = {
      {"none", 0, false, seconds(0)},
      {"one", 1, false, seconds(0)},
      {"one burst", 5, false, seconds(0)},
      {"sixth waits for the burst window", 6, false, seconds(2)},
      {"two bursts", 10, false, seconds(2)},
      {"eleventh", 11, false, seconds(4)},
      {"the whole window's budget", 60, false, seconds(22)},
      {"61st waits for the first to leave the window", 61, false, minutes(10)},
      {"a burst after the window", 65, false, minutes(10)},
      {"then the burst rule again", 66, false, minutes(10) + seconds(2)},
      {"two windows", 121, false, minutes(20)},
      {"bid_ask: one burst", 5, true, seconds(0)},
      {"bid_ask: half the budget", 30, true, seconds(10)},
      {"bid_ask: 31st waits a window", 31, true, minutes(10)},
      {"bid_ask: 61 requests", 61, true, minutes(20)},
  };
  for (const MinimumCase& c : cases) {
    EXPECT_EQ(MinimumPacedDuration(limits, c.requests, c.bid_ask), c.expected) << c.name;
  }
}

TEST(MinimumPacedDurationTest, BidAskCountsOnceWhenTheLimitsSaySo) {
  HistoricalPacingLimits limits;
  limits.bid_ask_counts_double = false;
  EXPECT_EQ(MinimumPacedDuration(limits, 31, true), seconds(12));
  EXPECT_EQ(MinimumPacedDuration(limits, 61, true), minutes(10));
}

TEST(MinimumPacedDurationTest, OtherLimits) {
  HistoricalPacingLimits limits;
  limits.max_per_window = 3;
  limits.window = seconds(60);
  limits.max_per_contract_burst = 2;
  limits.burst_window = seconds(5);
  // Sent at 0, 0, 5 (burst), 60, 60 (the window), 65 (burst and window), 120.
  EXPECT_EQ(MinimumPacedDuration(limits, 2, false), seconds(0));
  EXPECT_EQ(MinimumPacedDuration(limits, 3, false), seconds(5));
  EXPECT_EQ(MinimumPacedDuration(limits, 4, false), seconds(60));
  EXPECT_EQ(MinimumPacedDuration(limits, 5, false), seconds(60));
  EXPECT_EQ(MinimumPacedDuration(limits, 6, false), seconds(65));
  EXPECT_EQ(MinimumPacedDuration(limits, 7, false), seconds(120));
  // A request heavier than the whole window goes alone, one per window.
  limits.max_per_window = 1;
  EXPECT_EQ(MinimumPacedDuration(limits, 3, true), seconds(120));
}

TEST(MinimumPacedDurationTest, GrowsWithTheRequestsAndIsNeverNegative) {
  const HistoricalPacingLimits limits;
  for (bool bid_ask : {false, true}) {
    Duration previous{0};
    for (int n = -1; n <= 400; ++n) {
      const Duration d = MinimumPacedDuration(limits, n, bid_ask);
      EXPECT_GE(d, previous) << n;
      previous = d;
    }
    // Over many windows the sustained rate rules: 60 requests (30 BID_ASK) per 10 minutes.
    const int per_window = bid_ask ? 30 : 60;
    EXPECT_EQ(MinimumPacedDuration(limits, 5 * per_window + 1, bid_ask), minutes(50));
  }
}

TEST(GapFillTimingTest, RatioToTheMinimum) {
  GapFillTiming fill;
  fill.queued_at = TimePoint{} + seconds(100);
  fill.filled_at = TimePoint{} + seconds(160);
  EXPECT_EQ(fill.time_to_fill(), seconds(60));
  EXPECT_FALSE(fill.ratio_to_minimum().has_value()) << "no wait imposed: no ratio";
  fill.pacing_minimum = seconds(20);
  ASSERT_TRUE(fill.ratio_to_minimum().has_value());
  EXPECT_DOUBLE_EQ(*fill.ratio_to_minimum(), 3.0);
}

TEST(GapFillTimingTest, TheLeastTimeCountsOneRoundTripPerPage) {
  struct Case {
    const char* name;
    int requests_needed;
    Duration pacing_minimum;
    Duration round_trip;
    Duration least;
  };
  using std::chrono::milliseconds;
  const Case cases[] = {
      {"nothing measured", 0, seconds(0), seconds(0), seconds(0)},
      {"pacing alone when no round trip was measured", 11, seconds(4), seconds(0), seconds(4)},
      {"one page: its round trip", 1, seconds(0), milliseconds(250), milliseconds(250)},
      {"five pages, no pacing wait: five round trips", 5, seconds(0), milliseconds(500),
       milliseconds(2500)},
      {"six pages: the round trips outlast the burst wait", 6, seconds(2), milliseconds(500),
       seconds(3)},
      {"pacing rules: the last page's wait plus its round trip", 61, seconds(600), seconds(1),
       seconds(601)},
      {"no page answered yet one measured: at least one round trip", 0, seconds(0),
       milliseconds(300), milliseconds(300)},
  };
  for (const Case& c : cases) {
    GapFillTiming fill;
    fill.requests_needed = c.requests_needed;
    fill.pacing_minimum = c.pacing_minimum;
    fill.round_trip = c.round_trip;
    EXPECT_EQ(fill.least_time(), c.least) << c.name;
  }
}

TEST(GapFillTimingTest, AGapOfFewPagesHasARatioAgainstItsRoundTrips) {
  GapFillTiming fill;
  fill.queued_at = TimePoint{} + seconds(100);
  fill.filled_at = TimePoint{} + seconds(106);
  fill.requests = 3;
  fill.requests_needed = 3;
  fill.pacing_minimum = MinimumPacedDuration(HistoricalPacingLimits{}, 3, false);
  ASSERT_EQ(fill.pacing_minimum, seconds(0));
  fill.round_trip = std::chrono::milliseconds(500);
  ASSERT_TRUE(fill.ratio_to_minimum().has_value());
  EXPECT_DOUBLE_EQ(*fill.ratio_to_minimum(), 4.0);  // 6 s against 3 x 0.5 s
}

TEST(FillHistogramTest, CumulativeBuckets) {
  FillHistogram h({1, 10});
  h.Observe(0.5);
  h.Observe(1);
  h.Observe(5);
  h.Observe(50);
  EXPECT_EQ(h.counts, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(h.count, 4u);
  EXPECT_DOUBLE_EQ(h.sum, 56.5);
}

TEST(FillTimeStatsTest, RatioOnlyWhenThereIsALeastTime) {
  FillTimeStats stats;
  GapFillTiming quick;
  quick.filled_at = quick.queued_at + seconds(3);
  stats.Observe(quick);
  GapFillTiming paced;
  paced.filled_at = paced.queued_at + seconds(1200);
  paced.pacing_minimum = seconds(600);
  stats.Observe(paced);
  EXPECT_EQ(stats.seconds.count, 2u);
  EXPECT_DOUBLE_EQ(stats.seconds.sum, 1203);
  EXPECT_EQ(stats.ratio.count, 1u);
  EXPECT_DOUBLE_EQ(stats.ratio.sum, 2.0);
}

}  // namespace ibstream::reliability::fill_time_test
