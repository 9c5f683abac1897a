// Watched streams (market depth): health and the stale-data alert like a tracked stream, no
// decisions.
#include <gtest/gtest.h>

#include "reliability/reliability_core.h"
#include "reliability/reliability_test_harness.h"

namespace ibstream::reliability::watched_stream_test {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::Harness;

constexpr int64_t kWatchedMnq = 711280073;
const StreamKey kWatchedBidAsk{kWatchedMnq, TickType::kBidAsk};
const StreamKey kWatchedDepth{kWatchedMnq, TickType::kDepth};
const TimePoint kWatchedT0 = FromUnixSeconds(1'754'920'800);  // Mon 2025-08-11 09:00 CT

Harness::MarketFn WatchedMarket(calendar::MarketStatus status) {
  return [status](int64_t, TimePoint t) {
    return calendar::MarketState{status, t + std::chrono::hours(48), t + std::chrono::hours(72)};
  };
}

// A depth stream silent while its market is open raises data_stale_during_trading naming
// `depth` after the staleness threshold (300 s), resolved when updates flow again; the core never
// asks to resubscribe it (its owner does).
TEST(WatchedStreamTest, SilentDepthWhileTradingRaisesTheStaleAlertNamingDepth) {
  ReliabilityOptions options;
  options.seed = 5;
  Harness h(options, WatchedMarket(calendar::MarketStatus::kOpen), kWatchedT0, {kWatchedBidAsk});
  h.core.WatchStream(kWatchedDepth, {});
  h.RunUntil(kWatchedT0 + seconds(10));
  ASSERT_TRUE(h.connected);
  h.core.OnSubscribed(kWatchedDepth, h.clock.Now());
  h.live.insert(kWatchedDepth);  // updates every second
  h.RunUntil(kWatchedT0 + minutes(2));
  EXPECT_EQ(h.sink.Count(rules::kDataStaleDuringTrading), 0);

  const TimePoint silent_from = h.clock.Now();
  h.muted.insert(kWatchedDepth);
  h.RunUntil(silent_from + seconds(290));
  EXPECT_EQ(h.sink.Count(rules::kDataStaleDuringTrading), 0) << "not yet past 300 s";
  h.RunUntil(silent_from + seconds(330));
  ASSERT_EQ(h.sink.Count(rules::kDataStaleDuringTrading), 1);
  for (const Alert& a : h.sink.alerts) {
    if (a.rule != rules::kDataStaleDuringTrading) continue;
    EXPECT_EQ(a.labels.at("streams"), "depth") << a.summary;
    EXPECT_EQ(a.contract_id, kWatchedMnq);
  }
  for (const auto& a : h.Actions(ActionKind::kResubscribe)) {
    EXPECT_NE(a.action.stream, kWatchedDepth) << a.action.reason;
  }

  h.muted.erase(kWatchedDepth);
  h.RunUntil(silent_from + seconds(400));
  EXPECT_EQ(h.sink.Count(rules::kDataStaleDuringTrading, AlertState::kResolved), 1);

  // Unwatched: its silence is nobody's concern any more.
  h.core.UnwatchStream(kWatchedDepth);
  h.muted.insert(kWatchedDepth);
  const TimePoint unwatched = h.clock.Now();
  h.RunUntil(unwatched + minutes(10));
  EXPECT_EQ(h.sink.Count(rules::kDataStaleDuringTrading), 1);
}

// A closed market owes no depth: no alert however long it is silent.
TEST(WatchedStreamTest, SilentDepthWhileClosedRaisesNothing) {
  ReliabilityOptions options;
  options.seed = 5;
  Harness h(options, WatchedMarket(calendar::MarketStatus::kClosed), kWatchedT0, {kWatchedBidAsk});
  h.core.WatchStream(kWatchedDepth, {});
  h.RunUntil(kWatchedT0 + seconds(10));
  h.core.OnSubscribed(kWatchedDepth, h.clock.Now());
  h.RunUntil(kWatchedT0 + minutes(30));
  EXPECT_EQ(h.sink.Count(rules::kDataStaleDuringTrading), 0);
}

}  // namespace
}  // namespace ibstream::reliability::watched_stream_test
