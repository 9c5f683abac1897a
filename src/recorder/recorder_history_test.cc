#include "recorder/recorder_history.h"

#include <gtest/gtest.h>

#include <vector>

#include "recorder/recorder_view.h"

namespace ibstream::recorder::recorder_history_test {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = FromUnixSeconds(1754935200);  // 2025-08-11T18:00:00Z, a whole minute
const StreamKey kBidAsk{711280073, TickType::kBidAsk};
const StreamKey kLast{711280073, TickType::kLast};

// A view at kT0 + at holding one contract whose streams have the given tick counts.
RecorderView ViewAt(Duration at, std::vector<std::pair<StreamKey, uint64_t>> streams) {
  RecorderView view;
  view.now = kT0 + at;
  ContractView c;
  c.contract_id = kBidAsk.contract_id;
  for (const auto& [key, ticks] : streams) {
    StreamView s;
    s.key = key;
    s.ticks = ticks;
    c.streams.push_back(s);
  }
  view.contracts.push_back(c);
  return view;
}

Alert Firing(const std::string& rule, std::optional<int64_t> contract, TimePoint since) {
  Alert a;
  a.rule = rule;
  a.severity = AlertSeverity::kCritical;
  a.contract_id = contract;
  a.summary = rule + " summary";
  a.starts_at = since;
  return a;
}

std::vector<uint32_t> Minutes(const HistoryView& h, const StreamKey& key) {
  for (const auto& s : h.streams) {
    if (s.key == key) return s.per_minute;
  }
  return {};
}

TEST(RecorderHistoryTest, CountsTheIncreaseOfEachStreamIntoTheMinuteOfTheView) {
  RecorderHistory history;
  history.Observe(ViewAt(0s, {{kBidAsk, 0}, {kLast, 0}}));
  history.Observe(ViewAt(30s, {{kBidAsk, 10}, {kLast, 1}}));
  history.Observe(ViewAt(61s, {{kBidAsk, 15}, {kLast, 1}}));
  history.Observe(ViewAt(185s, {{kBidAsk, 20}, {kLast, 4}}));
  auto h = history.Snapshot();
  ASSERT_EQ(h->streams.size(), 2u);
  EXPECT_EQ(h->streams[0].first_minute, kT0);
  EXPECT_EQ(Minutes(*h, kBidAsk), (std::vector<uint32_t>{10, 5, 0, 5}));
  EXPECT_EQ(Minutes(*h, kLast), (std::vector<uint32_t>{1, 0, 0, 3}));
  EXPECT_EQ(h->minutes, 360);
}

TEST(RecorderHistoryTest, AStreamSeenFirstWithTicksCountsThemAll) {
  RecorderHistory history;
  history.Observe(ViewAt(10s, {{kBidAsk, 7}}));
  EXPECT_EQ(Minutes(*history.Snapshot(), kBidAsk), (std::vector<uint32_t>{7}));
}

TEST(RecorderHistoryTest, ACountThatWentDownIsANewStreamUnderTheSameKey) {
  RecorderHistory history;
  history.Observe(ViewAt(0s, {{kBidAsk, 50}}));
  history.Observe(ViewAt(20s, {{kBidAsk, 3}}));  // untracked and tracked again
  EXPECT_EQ(Minutes(*history.Snapshot(), kBidAsk), (std::vector<uint32_t>{53}));
}

TEST(RecorderHistoryTest, KeepsOnlyTheLastMinutesOfItsLimit) {
  RecorderHistory history(RecorderHistory::Limits{.minutes = 3});
  for (int m = 0; m < 5; ++m) history.Observe(ViewAt(m * 1min, {{kBidAsk, uint64_t(m) * 10}}));
  auto h = history.Snapshot();
  ASSERT_EQ(h->streams.size(), 1u);
  EXPECT_EQ(h->streams[0].first_minute, kT0 + 2min);
  EXPECT_EQ(h->streams[0].per_minute, (std::vector<uint32_t>{10, 10, 10}));
}

TEST(RecorderHistoryTest, AJumpPastTheLimitStartsOver) {
  RecorderHistory history(RecorderHistory::Limits{.minutes = 3});
  history.Observe(ViewAt(0s, {{kBidAsk, 5}}));
  history.Observe(ViewAt(10min, {{kBidAsk, 9}}));
  auto h = history.Snapshot();
  EXPECT_EQ(h->streams[0].first_minute, kT0 + 10min);
  EXPECT_EQ(h->streams[0].per_minute, (std::vector<uint32_t>{4}));
}

TEST(RecorderHistoryTest, AClockThatWentBackCountsInTheLatestMinute) {
  RecorderHistory history;
  history.Observe(ViewAt(2min, {{kBidAsk, 5}}));
  history.Observe(ViewAt(0s, {{kBidAsk, 8}}));
  auto h = history.Snapshot();
  EXPECT_EQ(h->streams[0].first_minute, kT0 + 2min);
  EXPECT_EQ(h->streams[0].per_minute, (std::vector<uint32_t>{8}));
}

TEST(RecorderHistoryTest, ForgetsAStreamNoLongerInTheView) {
  RecorderHistory history;
  history.Observe(ViewAt(0s, {{kBidAsk, 1}, {kLast, 1}}));
  history.Observe(ViewAt(1s, {{kBidAsk, 2}}));
  auto h = history.Snapshot();
  ASSERT_EQ(h->streams.size(), 1u);
  EXPECT_EQ(h->streams[0].key, kBidAsk);
}

TEST(RecorderHistoryTest, AnAlertFiresAtItsStartAndResolvesWhenItLeavesTheView) {
  RecorderHistory history;
  RecorderView v = ViewAt(0s, {});
  history.Observe(v);
  v = ViewAt(10s, {});
  v.alerts = {Firing("gateway_down", std::nullopt, kT0 + 5s),
              Firing("data_stale_during_trading", 711280073, kT0 + 8s)};
  history.Observe(v);
  v.now = kT0 + 20s;
  history.Observe(v);  // still firing: nothing new
  v.now = kT0 + 30s;
  v.alerts.erase(v.alerts.begin());
  history.Observe(v);
  auto h = history.Snapshot();
  ASSERT_EQ(h->alerts.size(), 2u);
  EXPECT_EQ(h->alerts[0].rule, "gateway_down");
  EXPECT_EQ(h->alerts[0].fired_at, kT0 + 5s);
  EXPECT_EQ(h->alerts[0].resolved_at, kT0 + 30s);
  EXPECT_EQ(h->alerts[1].rule, "data_stale_during_trading");
  EXPECT_EQ(h->alerts[1].contract_id, 711280073);
  EXPECT_EQ(h->alerts[1].severity, AlertSeverity::kCritical);
  EXPECT_EQ(h->alerts[1].summary, "data_stale_during_trading summary");
  EXPECT_FALSE(h->alerts[1].resolved_at.has_value());
}

TEST(RecorderHistoryTest, AnAlertThatFiresAgainIsANewEpisode) {
  RecorderHistory history;
  RecorderView v = ViewAt(0s, {});
  v.alerts = {Firing("gateway_down", std::nullopt, kT0)};
  history.Observe(v);
  v.now = kT0 + 1min;
  v.alerts.clear();
  history.Observe(v);
  v.now = kT0 + 2min;
  v.alerts = {Firing("gateway_down", std::nullopt, kT0 + 2min)};
  history.Observe(v);
  auto h = history.Snapshot();
  ASSERT_EQ(h->alerts.size(), 2u);
  EXPECT_EQ(h->alerts[0].resolved_at, kT0 + 1min);
  EXPECT_EQ(h->alerts[1].fired_at, kT0 + 2min);
  EXPECT_FALSE(h->alerts[1].resolved_at.has_value());
}

TEST(RecorderHistoryTest, KeepsTheLatestAlertEpisodesOfItsLimit) {
  RecorderHistory history(RecorderHistory::Limits{.alert_episodes = 2});
  RecorderView v = ViewAt(0s, {});
  for (int i = 0; i < 4; ++i) {
    v.now = kT0 + i * 1min;
    v.alerts = {Firing("rule" + std::to_string(i), std::nullopt, v.now)};
    history.Observe(v);
  }
  v.now = kT0 + 10min;
  v.alerts.clear();
  history.Observe(v);
  auto h = history.Snapshot();
  ASSERT_EQ(h->alerts.size(), 2u);
  EXPECT_EQ(h->alerts[0].rule, "rule2");
  EXPECT_EQ(h->alerts[0].resolved_at, kT0 + 3min);
  EXPECT_EQ(h->alerts[1].rule, "rule3");
  EXPECT_EQ(h->alerts[1].resolved_at, kT0 + 10min);
}

TEST(RecorderHistoryTest, SessionsLostAndReconnectsBecomeEvents) {
  RecorderHistory history(RecorderHistory::Limits{.connection_events = 3});
  RecorderView v = ViewAt(0s, {});
  history.Observe(v);
  v.now = kT0 + 1min;
  v.counters.sessions_lost = 1;
  v.gateway.last_disconnect_reason = "connection reset";
  history.Observe(v);
  v.now = kT0 + 4min;
  v.counters.reconnects = 1;
  history.Observe(v);
  v.now = kT0 + 5min;
  history.Observe(v);  // nothing changed
  auto h = history.Snapshot();
  ASSERT_EQ(h->connections.size(), 2u);
  EXPECT_EQ(h->connections[0].kind, ConnectionEventKind::kSessionLost);
  EXPECT_EQ(h->connections[0].at, kT0 + 1min);
  EXPECT_EQ(h->connections[0].reason, "connection reset");
  EXPECT_EQ(h->connections[1].kind, ConnectionEventKind::kReconnected);
  EXPECT_EQ(h->connections[1].at, kT0 + 4min);
  EXPECT_EQ(ConnectionEventKindName(h->connections[1].kind), "reconnected");

  v.now = kT0 + 9min;
  v.counters.sessions_lost = 4;  // three since the last view, in one event
  v.counters.reconnects = 3;
  history.Observe(v);
  h = history.Snapshot();
  ASSERT_EQ(h->connections.size(), 3u);  // the limit
  EXPECT_EQ(h->connections[1].count, 3u);
  EXPECT_EQ(h->connections[2].count, 2u);
}

TEST(RecorderHistoryTest, TheSnapshotIsSharedUntilTheNextObservation) {
  RecorderHistory history;
  auto empty = history.Snapshot();
  ASSERT_NE(empty, nullptr);
  EXPECT_TRUE(empty->streams.empty());
  history.Observe(ViewAt(0s, {{kBidAsk, 1}}));
  auto first = history.Snapshot();
  EXPECT_EQ(first, history.Snapshot());
  history.Observe(ViewAt(1s, {{kBidAsk, 2}}));
  EXPECT_NE(first, history.Snapshot());
  EXPECT_EQ(Minutes(*first, kBidAsk), (std::vector<uint32_t>{1}));
}

}  // namespace
}  // namespace ibstream::recorder::recorder_history_test
