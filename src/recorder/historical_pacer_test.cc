#include "recorder/historical_pacer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "recorder/pacer_state.h"

namespace ibstream::recorder::historical_pacer_test {
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
}  // namespace ibstream::recorder::historical_pacer_test

namespace ibstream::recorder::historical_pacer_test {
namespace {

// Sends as fast as `pacer` allows, from `from` until `until`; returns (time, weight) of each.
std::vector<std::pair<TimePoint, int>> SendGreedily(HistoricalPacer& pacer, TimePoint from,
                                                    TimePoint until, int& serial) {
  std::vector<std::pair<TimePoint, int>> sent;
  TimePoint now = from;
  while (true) {
    const bool bid_ask = serial % 3 == 0;
    const HistoricalRequestKey key{serial % 4 + 1, bid_ask ? "BID_ASK" : "TRADES",
                                   std::to_string(serial), "", 1000};
    now = pacer.EarliestSend(key, now);
    if (now >= until) return sent;
    pacer.RecordSent(key, now);
    sent.emplace_back(now, bid_ask ? 2 : 1);
    ++serial;
  }
}

int MaxWeightInAnyWindow(const std::vector<std::pair<TimePoint, int>>& sent) {
  int max = 0;
  for (const auto& [start, w] : sent) {
    int total = 0;
    for (const auto& [at, weight] : sent) {
      if (at >= start && at < start + 10min) total += weight;
    }
    max = std::max(max, total);
  }
  return max;
}

TEST(HistoricalPacerTest, BudgetSurvivesARestartThroughThePersistedState) {
  int serial = 0;
  HistoricalPacer before;
  auto sent = SendGreedily(before, kT0, kT0 + 3min, serial);
  ASSERT_GE(sent.size(), 30u);
  // The recorder stops at kT0 + 3 min; its state goes to disk and back.
  const TimePoint restart = kT0 + 3min;
  std::vector<PacerSend> state;
  for (const auto& [at, weight] : before.RecentSends(restart)) state.push_back({at, weight});
  auto decoded = DecodePacerState(EncodePacerState(state));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  std::vector<std::pair<TimePoint, int>> restored;
  for (const PacerSend& s : *decoded) restored.emplace_back(s.at, s.weight);

  HistoricalPacer after;
  after.Restore(restored);
  auto more = SendGreedily(after, restart + 1s, kT0 + 40min, serial);
  ASSERT_FALSE(more.empty());
  sent.insert(sent.end(), more.begin(), more.end());
  EXPECT_LE(MaxWeightInAnyWindow(sent), 60) << sent.size() << " requests";

  // Without the restored state the second run breaks IB's limit.
  int fresh_serial = 0;
  HistoricalPacer first_run;
  HistoricalPacer forgetful;
  auto combined = SendGreedily(first_run, kT0, restart, fresh_serial);
  auto second_run = SendGreedily(forgetful, restart + 1s, kT0 + 40min, fresh_serial);
  combined.insert(combined.end(), second_run.begin(), second_run.end());
  EXPECT_GT(MaxWeightInAnyWindow(combined), 60);
}

TEST(HistoricalPacerTest, AssumeSpentHoldsEveryRequestForOneWindow) {
  HistoricalPacer pacer;
  pacer.AssumeSpent(kT0);
  EXPECT_EQ(pacer.WeightInWindow(kT0), 60);
  EXPECT_EQ(pacer.EarliestSend(Key(1, "TRADES", "a"), kT0), kT0 + 10min);
  EXPECT_EQ(pacer.EarliestSend(Key(1, "BID_ASK", "a"), kT0 + 1min), kT0 + 10min);
  EXPECT_EQ(pacer.EarliestSend(Key(1, "TRADES", "a"), kT0 + 11min), kT0 + 11min);
}

TEST(HistoricalPacerTest, RecentSendsAreThoseOfTheWindowWithTheirWeights) {
  HistoricalPacer pacer;
  pacer.RecordSent(Key(1, "TRADES", "a"), kT0);
  pacer.RecordSent(Key(1, "BID_ASK", "b"), kT0 + 5min);
  const auto recent = pacer.RecentSends(kT0 + 12min);
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0], std::make_pair(kT0 + 5min, 2));
  HistoricalPacer restored;
  restored.Restore(recent);
  EXPECT_EQ(restored.WeightInWindow(kT0 + 12min), 2);
}

}  // namespace
}  // namespace ibstream::recorder::historical_pacer_test
