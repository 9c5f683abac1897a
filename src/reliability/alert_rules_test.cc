#include "reliability/alert_rules.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace ibstream::reliability::alert_rules_test {
namespace {

using calendar::MarketStatus;
using std::chrono::seconds;

const TimePoint kT0 = FromUnixSeconds(1'754'920'800);  // 2025-08-11T14:00:00Z
constexpr int64_t kMnq = 711280073;

std::vector<std::string> Rules(const std::vector<AlertCondition>& conditions) {
  std::vector<std::string> rules;
  for (const AlertCondition& c : conditions) rules.push_back(c.rule);
  return rules;
}

TEST(GatewayAlertsTest, EachRuleHoldsExactlyWhenItsFactsDo) {
  struct Case {
    std::string name;
    GatewayAlertFacts facts;
    std::vector<std::string> rules;
  };
  auto facts = [](bool up, MarketStatus status) {
    GatewayAlertFacts f;
    f.session_up = up;
    f.market_status = status;
    return f;
  };
  auto with = [](GatewayAlertFacts f, auto change) {
    change(f);
    return f;
  };
  const std::vector<Case> cases = {
      {"up and quiet", facts(true, MarketStatus::kOpen), {}},
      {"down while open", facts(false, MarketStatus::kOpen), {"gateway_down"}},
      {"down while closed", facts(false, MarketStatus::kClosed), {"gateway_down"}},
      {"down while in a break", facts(false, MarketStatus::kBreak), {"gateway_down"}},
      {"down over the weekend", facts(false, MarketStatus::kWeekend), {}},
      {"down on a holiday", facts(false, MarketStatus::kHoliday), {}},
      {"up, IB lost, open",
       with(facts(true, MarketStatus::kOpen), [](auto& f) { f.ib_link_lost_since = kT0; }),
       {"gateway_lost_ib"}},
      {"up, IB lost, weekend",
       with(facts(true, MarketStatus::kWeekend), [](auto& f) { f.ib_link_lost_since = kT0; }),
       {}},
      {"down, IB lost: only down",
       with(facts(false, MarketStatus::kOpen), [](auto& f) { f.ib_link_lost_since = kT0; }),
       {"gateway_down"}},
      {"breaker open, even on a weekend",
       with(facts(true, MarketStatus::kWeekend), [](auto& f) { f.breaker_closed = false; }),
       {"circuit_open"}},
      {"10 reconnects: at the limit",
       with(facts(true, MarketStatus::kOpen), [](auto& f) { f.retries_last_hour = 10; }),
       {}},
      {"11 reconnects: over it",
       with(facts(true, MarketStatus::kOpen), [](auto& f) { f.retries_last_hour = 11; }),
       {"frequent_reconnections"}},
      {"exhausted while trading",
       with(facts(false, MarketStatus::kExtended), [](auto& f) { f.retries_exhausted = true; }),
       {"gateway_down", "retries_exhausted"}},
      {"exhausted outside trading",
       with(facts(false, MarketStatus::kClosed), [](auto& f) { f.retries_exhausted = true; }),
       {"gateway_down"}},
      {"everything, in order",
       with(facts(false, MarketStatus::kOpen),
            [](auto& f) {
              f.breaker_closed = false;
              f.retries_last_hour = 20;
              f.retries_exhausted = true;
            }),
       {"gateway_down", "circuit_open", "frequent_reconnections", "retries_exhausted"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<AlertCondition> out;
    AppendGatewayAlerts(c.facts, AlertOptions{}, kT0, out);
    EXPECT_EQ(Rules(out), c.rules);
    for (const AlertCondition& a : out) EXPECT_FALSE(a.contract_id.has_value());
  }
}

TEST(GatewayAlertsTest, SummariesAndLabels) {
  GatewayAlertFacts down;
  down.market_status = MarketStatus::kOpen;
  std::vector<AlertCondition> out;
  AppendGatewayAlerts(down, AlertOptions{}, kT0, out);  // down since unknown: now
  down.down_since = kT0 - seconds(90);
  AppendGatewayAlerts(down, AlertOptions{}, kT0, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].summary,
            "gateway session down since 2025-08-11T14:00:00Z while the market is OPEN");
  EXPECT_EQ(out[1].summary,
            "gateway session down since 2025-08-11T13:58:30Z while the market is OPEN");
  EXPECT_EQ(out[1].labels, (std::map<std::string, std::string>{{"market_status", "OPEN"}}));

  GatewayAlertFacts lost;
  lost.session_up = true;
  lost.market_status = MarketStatus::kOpen;
  lost.ib_link_lost_since = kT0;
  lost.retries_last_hour = 12;
  lost.sessions_lost_last_hour = 2;
  out.clear();
  AppendGatewayAlerts(lost, AlertOptions{}, kT0, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].summary, "gateway lost its connection to IB (1100) at 2025-08-11T14:00:00Z");
  EXPECT_EQ(out[0].labels.at("code"), "1100");
  EXPECT_EQ(out[1].summary, "12 connect attempts in the last hour (2 sessions lost)");
  EXPECT_EQ(out[1].labels.at("retries"), "12");
  EXPECT_EQ(out[1].labels.at("connect_attempts"), "12");
  EXPECT_EQ(out[1].labels.at("sessions_lost"), "2");
}

// gateway_down while every tracked market is closed is a warning, critical (the configured
// severity) while one trades and from the escalation lead before the next open on.
TEST(GatewayAlertsTest, GatewayDownSeverityFollowsTheMarkets) {
  using std::chrono::minutes;
  constexpr auto kCritical = AlertSeverity::kCritical;
  constexpr auto kWarning = AlertSeverity::kWarning;
  const TimePoint open = kT0 + minutes(60);
  struct Case {
    std::string name;
    MarketStatus status;
    std::optional<TimePoint> next_open;
    TimePoint now;
    AlertSeverity configured;
    std::optional<AlertSeverity> want;
  };
  const std::vector<Case> cases = {
      {"open", MarketStatus::kOpen, open, kT0, kCritical, kCritical},
      {"extended", MarketStatus::kExtended, open, kT0, kCritical, kCritical},
      {"unknown", MarketStatus::kUnknown, std::nullopt, kT0, kCritical, kCritical},
      {"break, an hour before the open", MarketStatus::kBreak, open, kT0, kCritical, kWarning},
      {"closed, an hour before the open", MarketStatus::kClosed, open, kT0, kCritical, kWarning},
      {"break, open unknown", MarketStatus::kBreak, std::nullopt, kT0, kCritical, kWarning},
      {"break, just outside the lead", MarketStatus::kBreak, open, open - minutes(5) - seconds(1),
       kCritical, kWarning},
      {"break, at the lead", MarketStatus::kBreak, open, open - minutes(5), kCritical, kCritical},
      {"break, past the open (stale state)", MarketStatus::kBreak, open, open + seconds(1),
       kCritical, kCritical},
      {"weekend, far from the open", MarketStatus::kWeekend, open, kT0, kCritical, std::nullopt},
      {"weekend, inside the lead: nothing tried yet", MarketStatus::kWeekend, open,
       open - minutes(2), kCritical, std::nullopt},
      {"holiday, far from the open", MarketStatus::kHoliday, open, kT0, kCritical, std::nullopt},
      {"configured warning stays warning", MarketStatus::kOpen, open, kT0, kWarning, kWarning},
      {"configured info is not raised to warning", MarketStatus::kClosed, open, kT0,
       AlertSeverity::kInfo, AlertSeverity::kInfo},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(GatewayDownSeverity(c.status, c.next_open, minutes(5), c.configured, c.now), c.want);
  }

  // Wired into the gateway rules: the condition carries the severity and names the next open.
  GatewayAlertFacts down;
  down.market_status = MarketStatus::kBreak;
  down.next_open = open;
  AlertOptions options;
  options.gateway_down_escalate_before_open = minutes(10);
  std::vector<AlertCondition> out;
  AppendGatewayAlerts(down, options, kT0, out);
  AppendGatewayAlerts(down, options, open - minutes(10), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, kWarning);
  EXPECT_EQ(out[0].summary,
            "gateway session down since 2025-08-11T14:00:00Z while the market is BREAK; next "
            "open 2025-08-11T15:00:00Z");
  EXPECT_EQ(out[1].severity, kCritical);
}

StreamAlertFacts Stream(TickType type, DataFlow flow, MarketStatus status) {
  StreamAlertFacts s;
  s.type = type;
  s.health.flow = flow;
  s.health.market_status = status;
  s.health.silence = flow == DataFlow::kStale ? seconds(400) : seconds(0);
  return s;
}

TEST(ContractAlertsTest, EachRuleHoldsExactlyWhenItsFactsDo) {
  struct Case {
    std::string name;
    std::vector<StreamAlertFacts> streams;
    std::vector<std::string> rules;
  };
  auto with = [](StreamAlertFacts s, auto change) {
    change(s);
    return s;
  };
  const StreamAlertFacts flowing =
      Stream(TickType::kBidAsk, DataFlow::kFlowing, MarketStatus::kOpen);
  const StreamAlertFacts stale = Stream(TickType::kBidAsk, DataFlow::kStale, MarketStatus::kOpen);
  const std::vector<Case> cases = {
      {"flowing", {flowing}, {}},
      {"stale", {stale}, {"data_stale_during_trading"}},
      {"competing", {with(flowing, [](auto& s) { s.competing = true; })}, {"competing_session"}},
      {"breaker open",
       {with(flowing, [](auto& s) { s.breaker_closed = false; })},
       {"circuit_open"}},
      {"retries summed over streams: 5 + 6 > 10",
       {with(flowing, [](auto& s) { s.retries_last_hour = 5; }),
        with(Stream(TickType::kLast, DataFlow::kFlowing, MarketStatus::kOpen),
             [](auto& s) { s.retries_last_hour = 6; })},
       {"frequent_reconnections"}},
      {"retries 5 + 5: at the limit",
       {with(flowing, [](auto& s) { s.retries_last_hour = 5; }),
        with(Stream(TickType::kLast, DataFlow::kFlowing, MarketStatus::kOpen),
             [](auto& s) { s.retries_last_hour = 5; })},
       {}},
      {"exhausted while trading",
       {with(flowing, [](auto& s) { s.retries_exhausted = true; })},
       {"retries_exhausted"}},
      {"exhausted in a break",
       {with(Stream(TickType::kBidAsk, DataFlow::kFlowing, MarketStatus::kBreak),
             [](auto& s) { s.retries_exhausted = true; })},
       {}},
      {"refused: permission_denied explains silence, breaker and schedule",
       {with(stale,
             [](auto& s) {
               s.refused_code = 354;
               s.breaker_closed = false;
               s.retries_exhausted = true;
             })},
       {"permission_denied"}},
      {"advisory",
       {with(flowing, [](auto& s) { s.advisory_code = 10167; })},
       {"permission_denied"}},
      {"everything, in order",
       {with(stale,
             [](auto& s) {
               s.competing = true;
               s.breaker_closed = false;
               s.retries_last_hour = 11;
               s.retries_exhausted = true;
               s.advisory_code = 10167;
             })},
       {"data_stale_during_trading", "competing_session", "circuit_open", "frequent_reconnections",
        "retries_exhausted", "permission_denied"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<AlertCondition> out;
    AppendContractAlerts(kMnq, c.streams, AlertOptions{}, out);
    EXPECT_EQ(Rules(out), c.rules);
    for (const AlertCondition& a : out) EXPECT_EQ(a.contract_id, kMnq);
  }
}

TEST(ContractAlertsTest, NamesTheStreamsAndTheContract) {
  StreamAlertFacts bid_ask = Stream(TickType::kBidAsk, DataFlow::kStale, MarketStatus::kOpen);
  StreamAlertFacts last = Stream(TickType::kLast, DataFlow::kStale, MarketStatus::kOpen);
  last.health.silence = seconds(700);
  last.priority = 3;
  StreamAlertFacts mid = Stream(TickType::kMidPoint, DataFlow::kFlowing, MarketStatus::kOpen);
  mid.refused_code = 354;
  mid.priority = 3;
  StreamAlertFacts all_last = Stream(TickType::kAllLast, DataFlow::kFlowing, MarketStatus::kOpen);
  all_last.advisory_code = 10167;  // hidden by the refusal of another stream
  all_last.priority = 3;
  std::vector<AlertCondition> out;
  AppendContractAlerts(kMnq, {bid_ask, last, mid, all_last}, AlertOptions{}, out);
  ASSERT_EQ(Rules(out),
            (std::vector<std::string>{"data_stale_during_trading", "permission_denied"}));
  EXPECT_EQ(out[0].summary, "711280073 bid_ask,last: no data for 700 s while the market is OPEN");
  EXPECT_EQ(out[0].labels,
            (std::map<std::string, std::string>{
                {"streams", "bid_ask,last"}, {"market_status", "OPEN"}, {"priority", "3"}}));
  EXPECT_FALSE(out[0].severity.has_value());
  EXPECT_EQ(out[1].summary, "711280073 mid_point: request refused (IB 354); retried only hourly");
  EXPECT_EQ(out[1].labels.at("code"), "354");
  EXPECT_FALSE(out[1].severity.has_value());

  out.clear();
  AppendContractAlerts(kMnq, {all_last}, AlertOptions{}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].summary, "711280073 all_last: delayed or partial market data (IB 10167)");
  EXPECT_EQ(out[0].severity, AlertSeverity::kWarning);
  EXPECT_EQ(out[0].labels.at("code"), "10167");
}

TEST(EnvironmentAlertsTest, DiskLowTable) {
  struct Case {
    std::optional<uint64_t> free_bytes, total_bytes;
    bool fires;
  };
  constexpr uint64_t kGiB = 1ull << 30;
  const Case cases[] = {
      {std::nullopt, std::nullopt, false},
      {kGiB, std::nullopt, false},
      {kGiB, 0, false},                  // no total: no fraction, no alert
      {6 * kGiB, 100 * kGiB, false},     // 6 % and over 5 GiB
      {5 * kGiB - 1, 100 * kGiB, true},  // under 5 GiB
      {6 * kGiB, 200 * kGiB, true},      // 3 %: under 5 %
      {50 * kGiB, 1000 * kGiB, false},   // exactly 5 %
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.free_bytes.value_or(0)) + " of " +
                 std::to_string(c.total_bytes.value_or(0)));
    std::vector<AlertCondition> out;
    AppendDiskAlerts(c.free_bytes, c.total_bytes, AlertOptions{}, out);
    ASSERT_EQ(out.size(), c.fires ? 1u : 0u);
    if (c.fires) {
      EXPECT_EQ(out[0].rule, "disk_low");
      EXPECT_EQ(out[0].summary, std::to_string(*c.free_bytes >> 20) + " MiB free");
      EXPECT_EQ(out[0].labels.at("free_bytes"), std::to_string(*c.free_bytes));
    }
  }
}

TEST(EnvironmentAlertsTest, ClockSkewTable) {
  struct Case {
    std::optional<Duration> offset;
    std::string summary;  // empty: no alert
  };
  const Case cases[] = {
      {std::nullopt, ""},
      {seconds(1), ""},
      {-seconds(1), ""},
      {std::chrono::milliseconds(1001), "local clock off by 1001 ms"},
      {-std::chrono::milliseconds(2500), "local clock off by -2500 ms"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.summary);
    std::vector<AlertCondition> out;
    AppendClockSkewAlerts(c.offset, AlertOptions{}, out);
    if (c.summary.empty()) {
      EXPECT_TRUE(out.empty());
      continue;
    }
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].rule, "clock_skew");
    EXPECT_EQ(out[0].summary, c.summary);
  }
}

TEST(EnvironmentAlertsTest, OneTimezoneAlertPerContract) {
  std::vector<AlertCondition> out;
  AppendTimezoneAlerts({{1, "Mars/Olympus"}, {2, "Bad/Zone"}}, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].rule, "timezone_unknown");
  EXPECT_EQ(out[0].contract_id, 1);
  EXPECT_EQ(out[0].summary, "unknown time zone id 'Mars/Olympus': market status cannot be known");
  EXPECT_EQ(out[1].labels.at("zone_id"), "Bad/Zone");
}

TEST(EventAlertsTest, GapsShorterThanTheMinimumAreNoAlert) {
  const AlertOptions options;  // gap_min_duration 60 s
  EXPECT_FALSE(GapDetectedAlert(kMnq, kT0, kT0 + seconds(59), "disconnect", options).has_value());
  const auto gap = GapDetectedAlert(kMnq, kT0, kT0 + seconds(60), "disconnect", options);
  ASSERT_TRUE(gap.has_value());
  EXPECT_EQ(gap->rule, "gap_detected");
  EXPECT_EQ(gap->contract_id, kMnq);
  EXPECT_EQ(gap->summary, "gap of 60 s from 2025-08-11T14:00:00Z (disconnect)");
  EXPECT_EQ(gap->labels.at("end"), "2025-08-11T14:01:00Z");

  const AlertCondition backfill = BackfillFailedAlert(kMnq, "pacing");
  EXPECT_EQ(backfill.summary, "backfill failed: pacing");
  EXPECT_EQ(backfill.labels.at("reason"), "pacing");
  const AlertCondition storage = StorageErrorAlert("disk full");
  EXPECT_EQ(storage.summary, "storage error: disk full");
  EXPECT_FALSE(storage.contract_id.has_value());
  EXPECT_TRUE(storage.labels.empty());
}

TEST(StreamCapacityAlertTest, Table) {
  auto w = [](int64_t id, TickType t, int order, std::string symbol) {
    return WantedStream{{id, t}, 100, order, std::move(symbol)};
  };
  const std::vector<WantedStream> two = {
      w(1, TickType::kBidAsk, 0, "MNQ"), w(1, TickType::kLast, 0, "MNQ"),
      w(2, TickType::kBidAsk, 1, "ES"), w(2, TickType::kLast, 1, "ES")};
  std::vector<WantedStream> three = two;
  three.push_back(w(3, TickType::kMidPoint, 2, "EUR"));
  const StreamPlan none;
  const StreamPlan all = PlanStreams(two, {std::nullopt, 100});
  const StreamPlan limit3 = PlanStreams(two, {3, 100});
  const StreamPlan limit2 = PlanStreams(two, {2, 100});
  const StreamPlan short_lines = PlanStreams(three, {3, 2});
  const TimePoint now = kT0;

  struct Case {
    std::string name;
    const StreamPlan* previous;
    const StreamPlan* current;
    std::optional<AlertState> state;
    std::string summary;
  };
  const std::vector<Case> cases = {
      {"nothing planned yet, all on tick-by-tick", &none, &all, std::nullopt, ""},
      {"unchanged", &limit3, &limit3, std::nullopt, ""},
      {"first plan over the allowance", &none, &limit3, AlertState::kFiring,
       "1 of 4 streams not on tick-by-tick: on the fallback: ES last (tick-by-tick limit 3 "
       "reached)"},
      {"a lower limit is a change", &limit3, &limit2, AlertState::kFiring,
       "2 of 4 streams not on tick-by-tick: on the fallback: ES bid_ask, ES last (tick-by-tick "
       "limit 2 reached)"},
      {"unserved and fallback streams, grouped by reason", &limit3, &short_lines,
       AlertState::kFiring,
       "5 of 5 streams not on tick-by-tick: on the fallback: MNQ bid_ask, MNQ last, ES bid_ask, "
       "ES last (no market-data line left for tick-by-tick (2)); not recorded: EUR mid_point (no "
       "market-data line left (2))"},
      {"every stream on tick-by-tick again", &limit2, &all, AlertState::kResolved,
       "every stream is on tick-by-tick again"},
  };
  for (const Case& c : cases) {
    const std::optional<Alert> alert = StreamCapacityAlert(*c.previous, *c.current, now);
    ASSERT_EQ(alert.has_value(), c.state.has_value()) << c.name;
    if (!alert) continue;
    EXPECT_EQ(alert->state, *c.state) << c.name;
    EXPECT_EQ(alert->summary, c.summary) << c.name;
    EXPECT_EQ(alert->rule, rules::kStreamCapacity) << c.name;
    EXPECT_EQ(alert->severity, AlertSeverity::kWarning) << c.name;
    EXPECT_FALSE(alert->contract_id.has_value()) << c.name;
  }
  const std::optional<Alert> a = StreamCapacityAlert(limit3, short_lines, now);
  EXPECT_EQ(a->labels.at("fallback"), "MNQ bid_ask,MNQ last,ES bid_ask,ES last");
  EXPECT_EQ(a->labels.at("unserved"), "EUR mid_point");
  EXPECT_EQ(a->labels.at("tick_by_tick_limit"), "3");
  EXPECT_EQ(a->labels.at("market_data_lines"), "2");
  EXPECT_EQ(a->labels.at("market_data_lines_used"), "2");
}

TEST(ContractAlertsTest, CapacityRefusalRaisesNoStreamAlert) {
  StreamAlertFacts s;
  s.type = TickType::kLast;
  s.health.flow = DataFlow::kStale;
  s.health.market_status = calendar::MarketStatus::kOpen;
  s.health.silence = std::chrono::minutes(20);
  s.breaker_closed = false;
  s.retries_exhausted = true;
  s.capacity_code = 10190;
  std::vector<AlertCondition> out;
  AppendContractAlerts(711280073, {s}, AlertOptions{}, out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace ibstream::reliability::alert_rules_test
