#include "http/dashboard_json.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "http/recorder_api_test_fixture.h"
#include "recorder/recorder_history.h"

namespace ibstream::http::dashboard_json_test {
namespace {

using namespace api_test;  // NOLINT: the fixture's names read as the test's own
using namespace std::chrono_literals;

int64_t Ms(TimePoint t) { return ToUnixNanos(t) / 1'000'000; }

// MakeView() at 17:30 CT (after the CME daily halt), with a history: MNQ's bid_ask ticked for the
// last three minutes, the gateway went down and came back, gateway_down fired and resolved.
recorder::RecorderView ViewWithHistory() {
  const TimePoint now = FromUnixSeconds(1754951400);  // 2025-08-11T22:30:00Z: 17:30 CT, open
  recorder::RecorderHistory history;
  recorder::RecorderView v = MakeView();
  for (auto& s : v.contracts[0].streams) s.ticks = 0;
  v.alerts.clear();
  v.now = now - 3min;
  history.Observe(v);
  v.now = now - 2min;
  v.contracts[0].streams[0].ticks = 30;
  v.counters.sessions_lost = 1;
  v.gateway.last_disconnect_reason = "connection reset";
  Alert down;
  down.rule = "gateway_down";
  down.severity = AlertSeverity::kCritical;
  down.summary = "the gateway is down";
  down.starts_at = now - 2min;
  v.alerts = {down};
  history.Observe(v);
  v.now = now - 1min;
  v.contracts[0].streams[0].ticks = 50;
  v.counters.reconnects = 1;
  v.alerts.clear();
  history.Observe(v);
  recorder::RecorderView view = MakeView();
  view.now = now;
  view.started_at = now - 2h;  // 15:30 CT: the window holds the halt
  view.contracts[0].market = calendar::MarketState{calendar::MarketStatus::kOpen, std::nullopt,
                                                   FromUnixSeconds(1755032400)};  // 16:00 CT
  for (auto& s : view.contracts[0].streams) s.last_tick_received = now - 2min;
  view.gaps[0].start = view.gaps[1].start = now - 30min;
  view.gaps[0].end = view.gaps[1].end = now - 29min;
  view.alerts[0].starts_at = now - 1min;
  view.counters.sessions_lost = 1;
  view.counters.reconnects = 1;
  view.history = history.Snapshot();
  return view;
}

TEST(DashboardJsonTest, NamesEveryContractStreamGapAndAlertBySymbolAndConId) {
  const recorder::RecorderView view = ViewWithHistory();
  const Json j = Json::parse(DashboardJson(view, std::nullopt));
  ExpectKeys(j, {"now", "now_ms", "started_at", "since_ms", "overall", "gateway", "counters",
                 "history_minutes", "window", "contracts", "streams", "gaps", "alerts_firing",
                 "alert_history", "connection_events"});
  EXPECT_EQ(j["now_ms"], Ms(view.now));
  EXPECT_TRUE(j["since_ms"].is_null());
  EXPECT_EQ(j["history_minutes"], 360);
  const std::string label = "MNQ · 711280073";
  ASSERT_EQ(j["contracts"].size(), 1u);
  EXPECT_EQ(j["contracts"][0]["symbol"], "MNQ");
  EXPECT_EQ(j["contracts"][0]["label"], label);
  EXPECT_EQ(j["contracts"][0]["contract_id"], kMnq);
  ASSERT_EQ(j["streams"].size(), 2u);
  for (const auto& s : j["streams"]) {
    EXPECT_EQ(s["symbol"], "MNQ");
    EXPECT_EQ(s["label"], label);
    EXPECT_EQ(s["last_tick_age_seconds"], 120.0);
  }
  ASSERT_EQ(j["gaps"].size(), 2u);
  for (const auto& g : j["gaps"]) {
    EXPECT_EQ(g["symbol"], "MNQ");
    EXPECT_EQ(g["label"], label);
    ExpectKeys(g, {"id", "tick_type", "start_ms", "end_ms", "state", "cause", "duration_seconds"});
  }
  EXPECT_EQ(j["gaps"][1]["state"], "filled");
  ASSERT_EQ(j["alerts_firing"].size(), 1u);
  EXPECT_EQ(j["alerts_firing"][0]["symbol"], "MNQ");
  ASSERT_EQ(j["alert_history"].size(), 1u);
  const Json& episode = j["alert_history"][0];
  EXPECT_EQ(episode["rule"], "gateway_down");
  EXPECT_TRUE(episode["contract_id"].is_null());
  EXPECT_TRUE(episode["symbol"].is_null());
  EXPECT_EQ(episode["label"], "gateway");
  EXPECT_EQ(episode["fired_ms"], Ms(view.now - 2min));
  EXPECT_EQ(episode["resolved_ms"], Ms(view.now - 1min));
  ASSERT_EQ(j["connection_events"].size(), 2u);
  EXPECT_EQ(j["connection_events"][0]["kind"], "session_lost");
  EXPECT_EQ(j["connection_events"][0]["reason"], "connection reset");
  EXPECT_EQ(j["connection_events"][1]["kind"], "reconnected");
}

TEST(DashboardJsonTest, TicksPerMinuteComeFromTheHistory) {
  const recorder::RecorderView view = ViewWithHistory();
  const Json j = Json::parse(DashboardJson(view, std::nullopt));
  const Json& bid_ask = j["streams"][0];
  EXPECT_EQ(bid_ask["tick_type"], "bid_ask");
  EXPECT_EQ(bid_ask["first_minute_ms"], Ms(view.now - 3min));
  EXPECT_EQ(bid_ask["per_minute"], Json::parse("[0, 30, 20]"));
  EXPECT_EQ(j["streams"][1]["per_minute"], Json::parse("[0, 0, 0]"));
}

TEST(DashboardJsonTest, TheTimelineShadesTheSessionsOfTheWindowAndCountsDownToTheNextChange) {
  const recorder::RecorderView view = ViewWithHistory();
  const Json j = Json::parse(DashboardJson(view, std::nullopt));
  // From the start (15:30 CT) to a fifth of that past now (17:54 CT).
  EXPECT_EQ(j["window"]["from_ms"], Ms(view.started_at));
  EXPECT_EQ(j["window"]["until_ms"], Ms(view.now + 24min));
  const Json& sessions = j["contracts"][0]["sessions"];
  ASSERT_EQ(sessions.size(), 3u) << sessions.dump();
  const TimePoint halt = FromUnixSeconds(1754946000);  // 16:00 CT
  EXPECT_EQ(sessions[0]["status"], "open");
  EXPECT_EQ(sessions[0]["from_ms"], Ms(view.started_at));
  EXPECT_EQ(sessions[0]["until_ms"], Ms(halt));
  EXPECT_EQ(sessions[1]["status"], "break");
  EXPECT_EQ(sessions[1]["until_ms"], Ms(halt + 1h));
  EXPECT_EQ(sessions[2]["status"], "extended");
  EXPECT_EQ(sessions[2]["until_ms"], Ms(view.now + 24min));
  const Json& market = j["contracts"][0]["market"];
  EXPECT_EQ(market["next_change"], "close");
  EXPECT_EQ(market["seconds_to_next_change"], 22.5 * 3600);
}

TEST(DashboardJsonTest, AnIdleRecorderAnswersEmptyListsNotNulls) {
  recorder::RecorderView view;
  view.now = kNow;
  view.started_at = kNow;
  const Json j = Json::parse(DashboardJson(view, std::nullopt));
  for (const char* list :
       {"contracts", "streams", "gaps", "alerts_firing", "alert_history", "connection_events"}) {
    ASSERT_TRUE(j[list].is_array()) << list;
    EXPECT_TRUE(j[list].empty()) << list;
  }
  EXPECT_EQ(j["window"]["from_ms"], Ms(kNow));
  EXPECT_EQ(j["window"]["until_ms"], Ms(kNow + 15min));
}

TEST(DashboardJsonTest, TheWindowReachesBackToAnOlderGapWithinTheHistorysSpan) {
  recorder::RecorderView view = MakeView();  // started an hour ago; a gap 30 minutes ago
  view.started_at = kNow - 10min;
  view.gaps[0].start = kNow - 2h;
  view.gaps[1].start = kNow - 9h;  // beyond the span of 6 hours
  view.gaps[1].end = kNow - 8h;
  const Json j = Json::parse(DashboardJson(view, std::nullopt));
  EXPECT_EQ(j["window"]["from_ms"], Ms(kNow - 2h));
}

TEST(DashboardJsonTest, AStreamWithoutHistoryOrTicksHasNoSeriesAndNoAge) {
  recorder::RecorderView view = MakeView();
  view.contracts[0].streams[0].last_tick_received.reset();
  const Json j = Json::parse(DashboardJson(view, std::nullopt));
  EXPECT_TRUE(j["streams"][0]["last_tick_age_seconds"].is_null());
  EXPECT_TRUE(j["streams"][0]["first_minute_ms"].is_null());
  EXPECT_EQ(j["streams"][0]["per_minute"], Json::array());
}

TEST(DashboardJsonTest, AGapOfAContractNoLongerTrackedIsNamedByItsConId) {
  recorder::RecorderView view = MakeView();
  view.gaps[0].stream.contract_id = 265598;
  view.contracts[0].local_symbol = "MNQU5";
  const Json j = Json::parse(DashboardJson(view, std::nullopt));
  EXPECT_TRUE(j["gaps"][0]["symbol"].is_null());
  EXPECT_EQ(j["gaps"][0]["label"], "265598");
  EXPECT_EQ(j["gaps"][1]["label"], "MNQ MNQU5 · 711280073");
}

TEST(DashboardJsonTest, AnUnresolvedContractHasItsDescriptionAndAnUnknownTimeline) {
  recorder::RecorderView view = MakeView();
  recorder::ContractView pending;
  pending.description = "ES FUT CME USD";
  view.contracts.push_back(pending);
  const Json j = Json::parse(DashboardJson(view, std::nullopt));
  const Json& c = j["contracts"][1];
  EXPECT_TRUE(c["contract_id"].is_null());
  EXPECT_EQ(c["label"], "ES FUT CME USD");
  ASSERT_EQ(c["sessions"].size(), 1u);
  EXPECT_EQ(c["sessions"][0]["status"], "unknown");
  EXPECT_TRUE(c["market"]["next_change"].is_null());
}

TEST(DashboardJsonTest, SinceLeavesOutTheMinutesAndEventsThePageAlreadyHas) {
  recorder::RecorderView view = ViewWithHistory();
  auto history = std::make_shared<recorder::HistoryView>(*view.history);
  recorder::AlertEpisode open{"data_stale_during_trading",
                              AlertSeverity::kWarning,
                              kMnq,
                              "stale",
                              view.now - 10min,
                              std::nullopt};
  history->alerts.insert(history->alerts.begin(), open);
  view.history = history;
  const int64_t since = Ms(view.now - 1min - 30s);  // inside the second to last minute
  const Json j = Json::parse(DashboardJson(view, since));
  EXPECT_EQ(j["since_ms"], since);
  EXPECT_EQ(j["streams"][0]["first_minute_ms"], Ms(view.now - 2min));
  EXPECT_EQ(j["streams"][0]["per_minute"], Json::parse("[30, 20]"));
  // gateway_down resolved at now - 1 min (after since): listed; the open alert too.
  ASSERT_EQ(j["alert_history"].size(), 2u);
  EXPECT_EQ(j["alert_history"][0]["rule"], "data_stale_during_trading");
  EXPECT_EQ(j["alert_history"][0]["symbol"], "MNQ");
  // The session was lost at now - 2 min (before since), the reconnect at now - 1 min.
  ASSERT_EQ(j["connection_events"].size(), 1u);
  EXPECT_EQ(j["connection_events"][0]["kind"], "reconnected");

  const Json later = Json::parse(DashboardJson(view, Ms(view.now)));
  EXPECT_EQ(later["alert_history"].size(), 1u);  // only the one still firing
  EXPECT_EQ(later["connection_events"], Json::array());
  EXPECT_EQ(later["streams"][0]["first_minute_ms"], Ms(view.now));
  EXPECT_EQ(later["streams"][0]["per_minute"], Json::array());
}

TEST_F(RecorderApiTest, DashboardEndpointServesTheDocumentAndRefusesABadSince) {
  auto r = Get("/v1/dashboard");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.head.find("application/json"), std::string::npos);
  EXPECT_EQ(r.json()["contracts"][0]["symbol"], "MNQ");
  r = Get("/v1/dashboard?since=" + std::to_string(Ms(kNow)));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["since_ms"], Ms(kNow));
  ExpectJsonError(Get("/v1/dashboard?since=yesterday"), 400);
  ExpectJsonError(Get("/v1/dashboard?since=-5"), 400);
}

TEST_F(RecorderApiTest, DashboardPageIsSelfContained) {
  auto r = Get("/");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.head.find("text/html"), std::string::npos);
  EXPECT_NE(r.body.find("v1/dashboard"), std::string::npos);
  // Nothing fetched from elsewhere: no absolute URL in any src or href.
  EXPECT_EQ(r.body.find("src=\"http"), std::string::npos);
  EXPECT_EQ(r.body.find("href=\"http"), std::string::npos);
  EXPECT_EQ(r.body.find("//cdn"), std::string::npos);
}

}  // namespace
}  // namespace ibstream::http::dashboard_json_test
