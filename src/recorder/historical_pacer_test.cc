#include "recorder/historical_pacer.h"

#include <gtest/gtest.h>

namespace ibstream::recorder {
namespace {

using namespace std::chrono_literals;

HistoricalRequestKey Key(int64_t contract, std::string what, std::string start) {
  return HistoricalRequestKey{contract, std::move(what), std::move(start), "", 1000};
}

const TimePoint kT0 = FromUnixSeconds(1754925330);

TEST(HistoricalPacerTest, FirstRequestGoesAtOnce) {
  HistoricalPacer pacer;
  EXPECT_EQ(pacer.EarliestSend(Key(1, "TRADES", "a"), kT0), kT0);
}

TEST(HistoricalPacerTest, IdenticalRequestWaitsFifteenSeconds) {
  HistoricalPacer pacer;
  pacer.RecordSent(Key(1, "TRADES", "a"), kT0);
  EXPECT_EQ(pacer.EarliestSend(Key(1, "TRADES", "a"), kT0 + 1s), kT0 + 15s);
  // A different start is not identical (but is the same contract: burst rule only).
  EXPECT_EQ(pacer.EarliestSend(Key(1, "TRADES", "b"), kT0 + 1s), kT0 + 1s);
}

TEST(HistoricalPacerTest, AtMostFivePerContractAndKindInTwoSeconds) {
  HistoricalPacer pacer;
  for (int i = 0; i < 5; ++i) {
    const TimePoint at = kT0 + i * 100ms;
    ASSERT_EQ(pacer.EarliestSend(Key(1, "TRADES", std::to_string(i)), at), at);
    pacer.RecordSent(Key(1, "TRADES", std::to_string(i)), at);
  }
  // The sixth must wait until the first has left the 2 s window.
  EXPECT_EQ(pacer.EarliestSend(Key(1, "TRADES", "6"), kT0 + 500ms), kT0 + 2s);
  // Another contract, or another kind, is not held back.
  EXPECT_EQ(pacer.EarliestSend(Key(2, "TRADES", "6"), kT0 + 500ms), kT0 + 500ms);
  EXPECT_EQ(pacer.EarliestSend(Key(1, "MIDPOINT", "6"), kT0 + 500ms), kT0 + 500ms);
}

TEST(HistoricalPacerTest, SixtyPerTenMinutesWithBidAskCountingDouble) {
  HistoricalPacer pacer;
  TimePoint at = kT0;
  // 30 BID_ASK requests weigh 60: the window is full.
  for (int i = 0; i < 30; ++i) {
    const auto key = Key(100 + i, "BID_ASK", "s");
    ASSERT_EQ(pacer.EarliestSend(key, at), at) << i;
    pacer.RecordSent(key, at);
    at += 3s;
  }
  EXPECT_EQ(pacer.WeightInWindow(at), 60);
  // A TRADES request (weight 1) must wait for the oldest BID_ASK (weight 2) to leave.
  EXPECT_EQ(pacer.EarliestSend(Key(999, "TRADES", "s"), at), kT0 + 10min);
  // A BID_ASK request (weight 2) also fits once the oldest one leaves.
  EXPECT_EQ(pacer.EarliestSend(Key(998, "BID_ASK", "s"), at), kT0 + 10min);
}

TEST(HistoricalPacerTest, SpacedRequestsNeverWait) {
  HistoricalPacer pacer;
  // One request every 10 s is 60 per 10 minutes: always allowed, forever.
  for (int i = 0; i < 500; ++i) {
    const TimePoint at = kT0 + i * 10s;
    const auto key = Key(1, "TRADES", std::to_string(i));
    ASSERT_EQ(pacer.EarliestSend(key, at), at) << i;
    pacer.RecordSent(key, at);
  }
}

}  // namespace
}  // namespace ibstream::recorder
