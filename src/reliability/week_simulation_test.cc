// Whole-week simulations: the reliability core against a fake gateway and a market schedule,
// one virtual second per step, with a ManualClock.
//
// The market comes from real calendars (calendar/MarketCalendar) built from IB's tradingHours /
// liquidHours strings in testdata/market/trading_hours_cases.json: the MNQ regular week (CME
// Globex, Sun 17:00 - Fri 16:00 CT with the daily 16:00-17:00 CT halt), Thanksgiving 2025 and the
// end of daylight saving time on 2025-11-02.
#include <date/date.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "calendar/market_calendar.h"
#include "reliability/reliability_test_harness.h"

namespace ibstream::reliability::week_simulation_test {

using calendar::ContractHours;
using calendar::MarketCalendar;
using calendar::MarketStatus;

namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::Harness;
using M = MarketStatus;

constexpr int64_t kMnq = 711280073;
const StreamKey kBidAsk{kMnq, TickType::kBidAsk};
const StreamKey kLast{kMnq, TickType::kLast};
constexpr int kCdt = -5;  // Chicago, summer
constexpr int kCst = -6;  // Chicago, winter

// A Chicago wall-clock time with its UTC offset.
TimePoint Ct(int y, unsigned m, unsigned d, int h, int min, int offset = kCdt) {
  const auto day = date::sys_days{date::year{y} / date::month{m} / date::day{d}};
  return TimePoint(day.time_since_epoch()) + hours(h - offset) + minutes(min);
}

// The hours of one sample of testdata/market/trading_hours_cases.json, by name prefix.
ContractHours Sample(std::string_view name_prefix) {
  std::ifstream in(std::string(IBSTREAM_TESTDATA_DIR) + "/market/trading_hours_cases.json");
  const nlohmann::json cases = nlohmann::json::parse(in);
  for (const auto& sample : cases.at("samples")) {
    const std::string name = sample.at("name").get<std::string>();
    if (name.rfind(name_prefix, 0) == 0) {
      return ContractHours{sample.at("timeZoneId").get<std::string>(),
                           sample.at("tradingHours").get<std::string>(),
                           sample.value("liquidHours", std::string())};
    }
  }
  ADD_FAILURE() << "no sample named " << name_prefix;
  return {};
}

MarketCalendar Calendar(const ContractHours& contract_hours) {
  auto calendar = MarketCalendar::Create(contract_hours);
  EXPECT_TRUE(calendar.ok()) << calendar.status().message();
  return calendar.ok() ? *calendar : MarketCalendar();
}

// MNQ from 2025-08-10 (Sunday) to 2025-08-19: the sample week, refreshed with the next
// Monday's session as the recorder would from newer contract details, so the week has five
// daily halts and a weekend.
MarketCalendar MnqAugust() {
  MarketCalendar calendar = Calendar(Sample("MNQ regular week"));
  EXPECT_TRUE(calendar
                  .Update(ContractHours{"US/Central", "20250818:1700-20250819:1600",
                                        "20250819:0830-20250819:1600"})
                  .ok());
  return calendar;
}

Harness::MarketFn FromCalendar(const MarketCalendar& calendar) {
  return [calendar](int64_t, TimePoint t) { return calendar.StateAt(t); };
}

ReliabilityOptions Options(uint64_t seed) {
  ReliabilityOptions o;
  o.seed = seed;
  return o;
}

std::string Describe(const Harness& h) {
  std::string out;
  for (const auto& a : h.actions) {
    out += FormatIsoUtc(a.at) + " " + std::string(ActionKindName(a.action.kind)) + " " +
           (a.action.stream ? ToString(*a.action.stream) : std::string("gateway")) + " " +
           a.action.reason + "\n";
  }
  for (const Alert& a : h.sink.alerts) {
    out += "alert " + a.rule + " " + std::string(AlertStateName(a.state)) + " " + a.summary + "\n";
  }
  return out;
}

TEST(WeekSimulationTest, MnqWeekHaltsAndWeekendWithoutStaleAlertsOrRetries) {
  const uint64_t seed = 20250810;
  SCOPED_TRACE("seed " + std::to_string(seed));
  Harness h(Options(seed), FromCalendar(MnqAugust()), Ct(2025, 8, 10, 6, 0), {kBidAsk, kLast});

  // Every reopening: Sunday, after each daily halt, after the weekend.
  const std::vector<TimePoint> opens = {Ct(2025, 8, 10, 17, 0), Ct(2025, 8, 11, 17, 0),
                                        Ct(2025, 8, 12, 17, 0), Ct(2025, 8, 13, 17, 0),
                                        Ct(2025, 8, 14, 17, 0), Ct(2025, 8, 17, 17, 0),
                                        Ct(2025, 8, 18, 17, 0)};
  const TimePoint maintenance = Ct(2025, 8, 16, 1, 0);  // IB's weekend restart drops the session
  for (const TimePoint open : opens) {
    if (open > maintenance && h.clock.Now() < maintenance) {
      h.RunUntil(maintenance);
      h.DropConnection();
    }
    h.RunUntil(open - minutes(30));
    for (const StreamKey& s : {kBidAsk, kLast}) {
      EXPECT_EQ(h.core.Metrics(s, h.clock.Now()).status, HealthStatus::kOffHours)
          << FormatIsoUtc(h.clock.Now());
    }
    h.RunUntil(open + seconds(1));
    for (const StreamKey& s : {kBidAsk, kLast}) {
      ASSERT_TRUE(h.last_tick.contains(s));
      EXPECT_GE(h.last_tick[s], open) << "not live at the open " << FormatIsoUtc(open);
      EXPECT_EQ(h.core.Metrics(s, h.clock.Now()).status, HealthStatus::kHealthy);
    }
  }
  h.RunUntil(Ct(2025, 8, 18, 20, 0));

  SCOPED_TRACE(Describe(h));
  EXPECT_TRUE(h.sink.alerts.empty());
  // Reconnects: the first connect and the one pre-open attempt before Sunday's open.
  const auto reconnects = h.Actions(ActionKind::kReconnect);
  ASSERT_EQ(reconnects.size(), 2u);
  EXPECT_EQ(reconnects[0].action.reason, "initial_connect");
  EXPECT_EQ(reconnects[1].action.reason, "pre_open");
  EXPECT_EQ(reconnects[1].at, Ct(2025, 8, 17, 17, 0) - seconds(60));
  // Resubscribes: the first subscriptions and their restore after that reconnect, nothing else.
  const auto resubscribes = h.Actions(ActionKind::kResubscribe);
  ASSERT_EQ(resubscribes.size(), 4u);
  for (size_t i = 0; i < 2; ++i) EXPECT_EQ(resubscribes[i].action.reason, "first_subscription");
  for (size_t i = 2; i < 4; ++i) {
    EXPECT_EQ(resubscribes[i].action.reason, "restore");
    EXPECT_LT(resubscribes[i].at, Ct(2025, 8, 17, 17, 0));
  }
  for (const StreamKey& s : {kBidAsk, kLast}) {
    EXPECT_EQ(h.core.RetryStatusOf(RetryTarget::Stream(s)).attempts_in_episode, 0);
  }
  EXPECT_EQ(h.core.OverallStatus(h.clock.Now()), HealthStatus::kHealthy);
  EXPECT_GT(h.ticks, 2 * 5 * 23 * 3600 - 10);
}

TEST(WeekSimulationTest, StallAtTenGivesCriticalAlertAndImmediateResubscribe) {
  const uint64_t seed = 7;
  SCOPED_TRACE("seed " + std::to_string(seed));
  Harness h(Options(seed), FromCalendar(MnqAugust()), Ct(2025, 8, 13, 9, 0), {kBidAsk, kLast});
  const TimePoint stall = Ct(2025, 8, 13, 10, 0);
  h.RunUntil(stall);
  h.muted.insert(kBidAsk);  // the subscription stays "up" but nothing arrives
  h.RunUntil(stall + minutes(10));
  SCOPED_TRACE(Describe(h));

  const auto fired = h.sink.FirstDelivery(rules::kDataStaleDuringTrading);
  ASSERT_TRUE(fired);
  EXPECT_LE(*fired, stall + seconds(301));
  EXPECT_GT(*fired, stall + seconds(300));
  ASSERT_EQ(h.sink.Count(rules::kDataStaleDuringTrading), 1);
  const Alert& alert = h.sink.alerts[0];
  EXPECT_EQ(alert.severity, AlertSeverity::kCritical);
  EXPECT_EQ(alert.contract_id, kMnq);
  EXPECT_EQ(alert.labels.at("streams"), "bid_ask");
  EXPECT_EQ(alert.labels.at("market_status"), "OPEN");

  const auto resubscribes = h.Resubscribes(kBidAsk, stall);
  ASSERT_GE(resubscribes.size(), 1u);
  EXPECT_EQ(resubscribes[0].action.reason, "stale_data");
  EXPECT_LE(resubscribes[0].at, *fired + seconds(1));  // immediate: 1 s plan, full jitter
  EXPECT_EQ(resubscribes.size(), 1u);                  // it worked: no more
  EXPECT_TRUE(h.Resubscribes(kLast, stall).empty());
  // Data back: resolved at the next evaluation.
  const auto resolved = h.sink.FirstDelivery(rules::kDataStaleDuringTrading, AlertState::kResolved);
  ASSERT_TRUE(resolved);
  EXPECT_LE(*resolved, resubscribes[0].at + seconds(2));
  EXPECT_EQ(h.core.Metrics(kBidAsk, h.clock.Now()).status, HealthStatus::kHealthy);
}

TEST(WeekSimulationTest, CompetingSessionFollowsImmediateThenEscalates) {
  const uint64_t seed = 10197;
  SCOPED_TRACE("seed " + std::to_string(seed));
  Harness h(Options(seed), FromCalendar(MnqAugust()), Ct(2025, 8, 12, 9, 0), {kBidAsk, kLast});
  const TimePoint start = Ct(2025, 8, 12, 10, 0);
  const TimePoint end = start + minutes(30);
  h.RunUntil(start);
  h.competing.insert(kBidAsk);
  h.LoseSubscriptionSilently(kBidAsk);
  h.core.OnIbError(10197, kBidAsk, h.clock.Now());
  h.RunUntil(start + seconds(50));
  // Immediate: the first attempt at once, then as fast as IB's 15 s re-request rule allows.
  auto attempts = h.Resubscribes(kBidAsk, start);
  ASSERT_EQ(attempts.size(), 4u);
  EXPECT_LE(attempts[0].at, start + seconds(1));
  for (size_t i = 1; i < attempts.size(); ++i) {
    EXPECT_EQ(attempts[i].at - attempts[i - 1].at, seconds(15));
    EXPECT_EQ(attempts[i].action.reason, "competing_session");
  }
  RetryStatus status = h.core.RetryStatusOf(RetryTarget::Stream(kBidAsk));
  EXPECT_TRUE(status.exhausted);
  EXPECT_EQ(status.strategy, RetryStrategy::kStandard);
  EXPECT_EQ(h.sink.Count(rules::kCompetingSession), 1);
  EXPECT_EQ(h.sink.Count(rules::kRetriesExhausted), 1);
  EXPECT_EQ(h.sink.Count(rules::kCircuitOpen), 1);
  EXPECT_EQ(h.core.BreakerStateOf(RetryTarget::Stream(kBidAsk)), BreakerState::kOpen);

  h.RunUntil(end);
  h.competing.erase(kBidAsk);
  h.RunUntil(end + minutes(10));
  SCOPED_TRACE(Describe(h));
  attempts = h.Resubscribes(kBidAsk, start);
  // Standard pacing after escalation: no storm, never two requests within 15 s.
  EXPECT_LE(attempts.size(), 22u);
  for (size_t i = 1; i < attempts.size(); ++i) {
    EXPECT_GE(attempts[i].at - attempts[i - 1].at, seconds(15));
    if (i >= 5) {
      EXPECT_LE(attempts[i].at - attempts[i - 1].at, seconds(301));
    }
  }
  // Still retrying while the market is open; recovered after the competing session ended.
  EXPECT_GE(h.Resubscribes(kBidAsk, end - minutes(10), end).size(), 2u);
  EXPECT_EQ(h.sink.Count(rules::kDataStaleDuringTrading), 1);
  for (std::string_view rule : {rules::kCompetingSession, rules::kRetriesExhausted,
                                rules::kCircuitOpen, rules::kDataStaleDuringTrading}) {
    EXPECT_EQ(h.sink.Count(rule, AlertState::kResolved), 1) << rule;
  }
  EXPECT_EQ(h.core.BreakerStateOf(RetryTarget::Stream(kBidAsk)), BreakerState::kClosed);
  EXPECT_EQ(h.core.Metrics(kBidAsk, h.clock.Now()).status, HealthStatus::kHealthy);
  EXPECT_TRUE(h.Resubscribes(kLast, start).empty());
}

TEST(WeekSimulationTest, PermissionErrorGivesOneAlertAndNoRetryStorm) {
  const uint64_t seed = 10189;
  SCOPED_TRACE("seed " + std::to_string(seed));
  const TimePoint start = Ct(2025, 8, 14, 7, 0);  // Thursday
  const TimePoint end = Ct(2025, 8, 18, 12, 0);   // Monday noon
  Harness h(Options(seed), FromCalendar(MnqAugust()), start, {kBidAsk, kLast});
  h.refuse[kLast] = 10189;
  h.RunUntil(end);
  SCOPED_TRACE(Describe(h));

  EXPECT_EQ(h.sink.Count(rules::kPermissionDenied), 1);
  EXPECT_EQ(h.sink.Count(rules::kPermissionDenied, AlertState::kResolved), 0);
  EXPECT_EQ(h.sink.alerts.size(), 1u);  // nothing else: no stale, no circuit, no reconnect noise
  const auto attempts = h.Resubscribes(kLast);
  // The first request, then the maintenance strategy: one request per 3600 s planned delay with
  // full jitter (so at most two an hour on average), none over the weekend but the pre-open one.
  const double hours_span = std::chrono::duration<double>(end - start).count() / 3600.0;
  EXPECT_LE(attempts.size(), static_cast<size_t>(2 * hours_span));
  for (size_t i = 1; i < attempts.size(); ++i) {
    EXPECT_GE(attempts[i].at - attempts[i - 1].at, seconds(15)) << FormatIsoUtc(attempts[i].at);
  }
  const auto weekend = h.Resubscribes(kLast, Ct(2025, 8, 15, 16, 0), Ct(2025, 8, 17, 17, 0));
  ASSERT_EQ(weekend.size(), 1u);
  EXPECT_EQ(weekend[0].action.reason, "pre_open");
  EXPECT_EQ(h.core.Metrics(kLast, end).status, HealthStatus::kUnhealthy);
  EXPECT_EQ(h.core.Metrics(kLast, end).health_score(), 0.0);
  EXPECT_EQ(h.core.Metrics(kBidAsk, end).status, HealthStatus::kHealthy);
  EXPECT_EQ(h.core.ContractStatus(kMnq, end), HealthStatus::kUnhealthy);
}

// Thanksgiving 2025: trading stops at 12:00 CT on Thursday (liquid hours CLOSED that day) and
// reopens at 17:00 CT; Friday closes early at 12:15 CT.
TEST(WeekSimulationTest, HolidayEarlyCloseBehavesLikeAWeekendUntilTheReopen) {
  const uint64_t seed = 1127;
  SCOPED_TRACE("seed " + std::to_string(seed));
  const MarketCalendar schedule = Calendar(Sample("MNQ Thanksgiving 2025"));
  const TimePoint early_close = Ct(2025, 11, 27, 12, 0, kCst);
  const TimePoint reopen = Ct(2025, 11, 27, 17, 0, kCst);
  ASSERT_EQ(schedule.StateAt(early_close + hours(1)).status, M::kHoliday);
  ASSERT_EQ(schedule.StateAt(early_close + hours(1)).next_open, reopen);
  Harness h(Options(seed), FromCalendar(schedule), Ct(2025, 11, 27, 6, 0, kCst), {kBidAsk, kLast});
  h.RunUntil(early_close + minutes(30));
  h.DropConnection();  // and the gateway goes away during the holiday
  h.RunUntil(reopen + seconds(1));
  for (const StreamKey& s : {kBidAsk, kLast}) EXPECT_GE(h.last_tick[s], reopen);
  h.RunUntil(Ct(2025, 11, 28, 12, 0, kCst));
  SCOPED_TRACE(Describe(h));

  EXPECT_TRUE(h.sink.alerts.empty());  // no stale, no gateway_down while the market rests
  const auto reconnects = h.Actions(ActionKind::kReconnect, early_close);
  ASSERT_EQ(reconnects.size(), 1u);
  EXPECT_EQ(reconnects[0].action.reason, "pre_open");
  EXPECT_EQ(reconnects[0].at, reopen - seconds(60));
  const auto resubscribes = h.Actions(ActionKind::kResubscribe, early_close);
  ASSERT_EQ(resubscribes.size(), 2u);
  for (const auto& r : resubscribes) {
    EXPECT_EQ(r.action.reason, "restore");
    EXPECT_LT(r.at, reopen);
  }
}

// The end of daylight saving time: Friday closes at 16:00 CDT (21:00Z), Sunday opens at 17:00
// CST (23:00Z), one hour later in UTC than the summer's 22:00Z.
TEST(WeekSimulationTest, DaylightSavingSundayOpensAtTheRightInstant) {
  const uint64_t seed = 1102;
  SCOPED_TRACE("seed " + std::to_string(seed));
  const MarketCalendar schedule = Calendar(Sample("MNQ across the end of US daylight saving"));
  const TimePoint open = Ct(2025, 11, 2, 17, 0, kCst);
  ASSERT_EQ(open, FromUnixSeconds(1'762'124'400));                   // 2025-11-02T23:00:00Z
  ASSERT_EQ(schedule.StateAt(open - hours(1)).status, M::kWeekend);  // 22:00Z: still closed
  Harness h(Options(seed), FromCalendar(schedule), Ct(2025, 10, 31, 14, 0), {kBidAsk, kLast});
  h.RunUntil(Ct(2025, 11, 1, 12, 0));
  h.DropConnection();
  h.RunUntil(open + seconds(1));
  for (const StreamKey& s : {kBidAsk, kLast}) EXPECT_GE(h.last_tick[s], open);
  h.RunUntil(open + hours(2));
  SCOPED_TRACE(Describe(h));

  EXPECT_TRUE(h.sink.alerts.empty());
  const auto reconnects = h.Actions(ActionKind::kReconnect, Ct(2025, 11, 1, 12, 0));
  ASSERT_EQ(reconnects.size(), 1u);
  EXPECT_EQ(reconnects[0].at, open - seconds(60));  // 22:59Z, not 21:59Z
  EXPECT_TRUE(
      h.Actions(ActionKind::kResubscribe, open - hours(1) - minutes(2), open - minutes(2)).empty());
}

// The original's incident: the subscription dies silently during the 16:00-17:00 CT halt.
TEST(WeekSimulationTest, SubscriptionLostInTheHaltIsLiveSecondsAfterTheReopen) {
  const uint64_t seed = 1600;
  SCOPED_TRACE("seed " + std::to_string(seed));
  Harness h(Options(seed), FromCalendar(MnqAugust()), Ct(2025, 8, 11, 15, 0), {kBidAsk, kLast});
  const TimePoint reopen = Ct(2025, 8, 11, 17, 0);
  h.RunUntil(Ct(2025, 8, 11, 16, 30));
  h.LoseSubscriptionSilently(kBidAsk);
  h.RunUntil(reopen + minutes(10));
  SCOPED_TRACE(Describe(h));

  const auto attempts = h.Resubscribes(kBidAsk, reopen);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].action.reason, "verify_after_restart");
  EXPECT_LE(attempts[0].at, reopen + seconds(32));
  EXPECT_GE(h.last_tick[kBidAsk], attempts[0].at);
  EXPECT_TRUE(h.sink.alerts.empty());  // recovered long before it would count as stale
  EXPECT_TRUE(h.Resubscribes(kLast, reopen).empty());
  EXPECT_TRUE(h.Resubscribes(kBidAsk, Ct(2025, 8, 11, 16, 0), reopen).empty());
}

}  // namespace
}  // namespace ibstream::reliability::week_simulation_test
