// The pacing minimum of reliability/fill_time.h agrees with the historical pacer the recorder
// sends by: sending a gap's pages as early as the pacer allows takes exactly that long.
#include <gtest/gtest.h>

#include <string>

#include "recorder/historical_pacer.h"
#include "reliability/fill_time.h"

namespace ibstream::recorder::fill_time_pacer_test {
namespace {

using namespace std::chrono_literals;

// Sends `requests` pages of one gap (distinct start times) through a fresh pacer, each as early
// as it allows; returns the time from the first send to the last.
Duration PacedSpan(const HistoricalPacingLimits& limits, int requests,
                   const std::string& what_to_show) {
  HistoricalPacer pacer(limits);
  const TimePoint start = TimePoint{} + std::chrono::hours(1000);
  TimePoint now = start;
  for (int i = 0; i < requests; ++i) {
    const HistoricalRequestKey key{711280073, what_to_show, "20250812-15:00:" + std::to_string(i),
                                   "", 1000};
    now = pacer.EarliestSend(key, now);
    pacer.RecordSent(key, now);
  }
  return now - start;
}

TEST(FillTimePacerTest, TheMinimumIsWhatThePacerTakes) {
  for (const std::string what : {"TRADES", "BID_ASK", "MIDPOINT"}) {
    for (int n = 1; n <= 200; ++n) {
      EXPECT_EQ(PacedSpan({}, n, what), reliability::MinimumPacedDuration({}, n, what == "BID_ASK"))
          << what << " " << n;
    }
  }
}

TEST(FillTimePacerTest, AndUnderOtherLimits) {
  HistoricalPacingLimits limits;
  limits.max_per_window = 7;
  limits.window = 30s;
  limits.max_per_contract_burst = 3;
  limits.burst_window = 4s;
  for (int n = 1; n <= 40; ++n) {
    EXPECT_EQ(PacedSpan(limits, n, "BID_ASK"), reliability::MinimumPacedDuration(limits, n, true))
        << n;
    EXPECT_EQ(PacedSpan(limits, n, "TRADES"), reliability::MinimumPacedDuration(limits, n, false))
        << n;
  }
}

}  // namespace
}  // namespace ibstream::recorder::fill_time_pacer_test
