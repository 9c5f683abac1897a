#include "reliability/reliability_core.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "reliability/reliability_test_harness.h"

namespace ibstream::reliability::reliability_core_test {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::Harness;
using M = calendar::MarketStatus;

constexpr int64_t kMnq = 711280073;
const StreamKey kBidAsk{kMnq, TickType::kBidAsk};
const StreamKey kLast{kMnq, TickType::kLast};
const TimePoint kT0 = FromUnixSeconds(1'754'920'800);  // Mon 2025-08-11 09:00 CT

Harness::MarketFn Always(calendar::MarketStatus status) {
  return [status](int64_t, TimePoint t) {
    return calendar::MarketState{status, t + std::chrono::hours(48), t + std::chrono::hours(72)};
  };
}

ReliabilityOptions Options(uint64_t seed = 3) {
  ReliabilityOptions o;
  o.seed = seed;
  return o;
}

TEST(ReliabilityCoreTest, FirstConnectAndSubscriptionsHappenWhateverTheMarket) {
  for (calendar::MarketStatus status :
       {M::kOpen, M::kWeekend, M::kHoliday, M::kClosed, M::kUnknown}) {
    SCOPED_TRACE(std::string(calendar::MarketStatusName(status)));
    Harness h(Options(), Always(status), kT0, {kBidAsk, kLast});
    h.RunUntil(kT0 + seconds(10));
    const auto reconnects = h.Actions(ActionKind::kReconnect);
    ASSERT_EQ(reconnects.size(), 1u);
    EXPECT_EQ(reconnects[0].action.reason, "initial_connect");
    EXPECT_EQ(reconnects[0].at, kT0 + seconds(1));
    const auto subs = h.Actions(ActionKind::kResubscribe);
    ASSERT_EQ(subs.size(), 2u);
    EXPECT_EQ(subs[0].action.reason, "first_subscription");
    EXPECT_EQ(subs[0].at, kT0 + seconds(3));  // connect_delay 2 s
    EXPECT_EQ(h.core.gateway_state(), GatewayState::kUp);
    EXPECT_TRUE(h.sink.alerts.empty());
  }
}

TEST(ReliabilityCoreTest, ReconnectsAreSingleFlightAndPacedByTheMarket) {
  struct Case {
    calendar::MarketStatus status;
    Duration first_gap_max;  // the strategy's first interval
    bool alert;
  };
  for (const Case& c :
       {Case{M::kOpen, seconds(10), true}, Case{M::kBreak, seconds(10), true},
        Case{M::kClosed, seconds(300), true}, Case{M::kUnknown, seconds(10), true}}) {
    SCOPED_TRACE(std::string(calendar::MarketStatusName(c.status)));
    Harness h(Options(), Always(c.status), kT0, {kBidAsk});
    h.gateway_accepts = false;
    h.RunUntil(kT0 + minutes(90));
    const auto reconnects = h.Actions(ActionKind::kReconnect);
    ASSERT_GE(reconnects.size(), 3u);
    // Each attempt fails 2 s after it starts; the next one never starts before that.
    for (size_t i = 1; i < reconnects.size(); ++i) {
      EXPECT_GE(reconnects[i].at - reconnects[i - 1].at, seconds(2));
    }
    EXPECT_LE(reconnects[1].at - reconnects[0].at, seconds(2) + c.first_gap_max + seconds(1));
    EXPECT_EQ(h.sink.Count(rules::kGatewayDown), c.alert ? 1 : 0);
    EXPECT_EQ(h.sink.alerts.empty(), !c.alert);
    const auto fired = h.sink.FirstDelivery(rules::kGatewayDown);
    ASSERT_TRUE(fired);
    EXPECT_EQ(*fired, kT0 + seconds(61));  // down since the first evaluation, for 60 s
  }
}

TEST(ReliabilityCoreTest, NoReconnectsOrGatewayAlertsOnAWeekend) {
  Harness h(Options(), Always(M::kWeekend), kT0, {kBidAsk});
  h.gateway_accepts = false;
  h.RunUntil(kT0 + minutes(600));
  EXPECT_EQ(h.Actions(ActionKind::kReconnect).size(), 1u);  // the first connect only
  EXPECT_TRUE(h.sink.alerts.empty());
  const auto waits = h.Actions(ActionKind::kWait);
  ASSERT_FALSE(waits.empty());
  EXPECT_EQ(waits.back().action.reason, "pre_open");
  EXPECT_FALSE(waits.back().action.stream.has_value());
}

TEST(ReliabilityCoreTest, GatewayBreakerOpensAndBlocksOffHoursButNotWhileTrading) {
  Harness closed(Options(), Always(M::kClosed), kT0, {kBidAsk});
  closed.gateway_accepts = false;
  closed.RunUntil(kT0 + minutes(240));
  EXPECT_EQ(closed.core.BreakerStateOf(RetryTarget::Gateway()), BreakerState::kOpen);
  EXPECT_EQ(closed.sink.Count(rules::kCircuitOpen), 1);
  bool saw_open = false;
  for (const BreakerEvent& e : closed.breaker_events) {
    EXPECT_TRUE(e.target.is_gateway());
    saw_open |= e.transition.to == BreakerState::kOpen;
  }
  EXPECT_TRUE(saw_open);

  Harness open(Options(), Always(M::kOpen), kT0, {kBidAsk});
  open.gateway_accepts = false;
  open.RunUntil(kT0 + minutes(60));
  // Never gives up while the market is open: the last standard interval (300 s) keeps going.
  EXPECT_GE(open.Actions(ActionKind::kReconnect, kT0 + minutes(30)).size(), 4u);
  EXPECT_EQ(open.sink.Count(rules::kRetriesExhausted), 1);
  open.gateway_accepts = true;
  open.RunUntil(kT0 + minutes(70));
  EXPECT_EQ(open.core.gateway_state(), GatewayState::kUp);
  EXPECT_EQ(open.core.BreakerStateOf(RetryTarget::Gateway()), BreakerState::kClosed);
  EXPECT_EQ(open.sink.Count(rules::kGatewayDown, AlertState::kResolved), 1);
}

// gateway_down while the market is in its daily break is a warning; with the gateway still down
// it is delivered again as critical 5 minutes (escalate_before_open) before the reopening.
TEST(ReliabilityCoreTest, GatewayDownInABreakIsAWarningEscalatedBeforeTheOpen) {
  const TimePoint open = kT0 + minutes(30);
  auto market = [open](int64_t, TimePoint t) {
    if (t < open) return calendar::MarketState{M::kBreak, open, open + minutes(60)};
    return calendar::MarketState{M::kOpen, open + minutes(1440), open + minutes(60)};
  };
  Harness h(Options(), market, kT0, {kBidAsk});
  h.gateway_accepts = false;
  h.RunUntil(open + minutes(5));
  std::vector<std::pair<Alert, TimePoint>> down;
  for (size_t i = 0; i < h.sink.alerts.size(); ++i) {
    if (h.sink.alerts[i].rule == rules::kGatewayDown) {
      down.emplace_back(h.sink.alerts[i], h.sink.delivered_at[i]);
    }
  }
  ASSERT_EQ(down.size(), 2u);
  EXPECT_EQ(down[0].first.severity, AlertSeverity::kWarning);
  EXPECT_EQ(down[0].second, kT0 + seconds(61));
  EXPECT_EQ(down[1].first.severity, AlertSeverity::kCritical);
  EXPECT_EQ(down[1].first.state, AlertState::kFiring);
  EXPECT_EQ(down[1].second, open - minutes(5));
}

// frequent_reconnections counts connect attempts and says how many sessions were lost: the two
// are not the same number.
TEST(ReliabilityCoreTest, FrequentReconnectionsNamesSessionsLostApartFromAttempts) {
  ReliabilityOptions options = Options();
  options.alerts.frequent_reconnections_per_hour = 1;
  Harness h(options, Always(M::kOpen), kT0, {kBidAsk});
  h.RunUntil(kT0 + seconds(30));
  h.DropConnection();
  h.RunUntil(kT0 + seconds(90));
  h.DropConnection();
  h.RunUntil(kT0 + minutes(3));
  ASSERT_EQ(h.sink.Count(rules::kFrequentReconnections), 1);
  for (const Alert& a : h.sink.alerts) {
    if (a.rule != rules::kFrequentReconnections) continue;
    EXPECT_EQ(a.labels.at("sessions_lost"), "2") << a.summary;
    EXPECT_EQ(a.labels.at("connect_attempts"), a.labels.at("retries")) << a.summary;
    EXPECT_NE(a.summary.find("connect attempts in the last hour (2 sessions lost)"),
              std::string::npos)
        << a.summary;
  }
}

TEST(ReliabilityCoreTest, GatewayLostIbIsToldApartFromAStall) {
  Harness h(Options(), Always(M::kOpen), kT0, {kBidAsk, kLast});
  h.RunUntil(kT0 + minutes(5));
  const TimePoint lost = h.clock.Now();
  h.core.OnIbError(1100, std::nullopt, lost);
  h.muted = {kBidAsk, kLast};  // nothing flows while the gateway has no link to IB
  h.RunUntil(lost + seconds(299));
  EXPECT_EQ(h.core.Metrics(kBidAsk, h.clock.Now()).issue, StreamIssue::kGatewayLostIb);
  EXPECT_TRUE(h.Actions(ActionKind::kResubscribe, lost).empty());  // resubscribing cannot help
  EXPECT_EQ(h.sink.Count(rules::kDataStaleDuringTrading), 0);      // inhibited
  const auto fired = h.sink.FirstDelivery(rules::kGatewayLostIb);
  ASSERT_TRUE(fired);
  EXPECT_EQ(*fired, lost + seconds(181));
  // After lost_ib_reconnect_after (300 s) the session is cycled once.
  h.RunUntil(lost + seconds(330));
  const auto reconnects = h.Actions(ActionKind::kReconnect, lost);
  ASSERT_EQ(reconnects.size(), 1u);
  EXPECT_EQ(reconnects[0].action.reason, "ib_link_lost");
  EXPECT_EQ(h.Actions(ActionKind::kResubscribe, lost).size(), 2u);  // restored on the new session
  EXPECT_EQ(h.sink.Count(rules::kDataStaleDuringTrading), 0);
}

TEST(ReliabilityCoreTest, RestoredLinkDataLostResubscribesEverything) {
  Harness h(Options(), Always(M::kOpen), kT0, {kBidAsk, kLast});
  h.RunUntil(kT0 + minutes(5));
  h.core.OnIbError(1100, std::nullopt, h.clock.Now());
  h.RunUntil(kT0 + minutes(6));
  h.live.clear();
  h.core.OnIbError(1101, std::nullopt, h.clock.Now());
  const TimePoint restored = h.clock.Now();
  h.RunUntil(restored + seconds(5));
  const auto subs = h.Actions(ActionKind::kResubscribe, restored);
  ASSERT_EQ(subs.size(), 2u);
  for (const auto& s : subs) {
    EXPECT_EQ(s.action.reason, "restore");
    EXPECT_LE(s.at, restored + seconds(1));
  }
  EXPECT_TRUE(h.sink.alerts.empty());
}

TEST(ReliabilityCoreTest, RestoredLinkDataKeptIsVerifiedOnce) {
  Harness h(Options(), Always(M::kOpen), kT0, {kBidAsk, kLast});
  h.RunUntil(kT0 + minutes(5));
  h.core.OnIbError(1100, std::nullopt, h.clock.Now());
  h.LoseSubscriptionSilently(kBidAsk);  // "data maintained", but this one is silent
  h.RunUntil(kT0 + minutes(6));
  h.core.OnIbError(1102, std::nullopt, h.clock.Now());
  const TimePoint restored = h.clock.Now();
  h.RunUntil(restored + minutes(3));
  const auto subs = h.Actions(ActionKind::kResubscribe, restored);
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_EQ(*subs[0].action.stream, kBidAsk);
  EXPECT_EQ(subs[0].action.reason, "verify_after_restart");
  EXPECT_EQ(subs[0].at, restored + seconds(31));
  EXPECT_EQ(h.core.Metrics(kBidAsk, h.clock.Now()).status, HealthStatus::kHealthy);
}

TEST(ReliabilityCoreTest, FarmBlipIsVerifiedAfterTheFarmReturns) {
  Harness h(Options(), Always(M::kOpen), kT0, {kBidAsk, kLast});
  h.RunUntil(kT0 + minutes(5));
  h.core.OnIbError(2103, std::nullopt, h.clock.Now());
  h.LoseSubscriptionSilently(kLast);  // the feed died with the farm blip
  h.muted.insert(kBidAsk);
  h.RunUntil(kT0 + minutes(5) + seconds(3));
  EXPECT_EQ(h.core.Metrics(kLast, h.clock.Now()).issue, StreamIssue::kFarmDown);
  h.muted.clear();
  h.core.OnIbError(2104, std::nullopt, h.clock.Now());
  const TimePoint ok = h.clock.Now();
  h.RunUntil(ok + minutes(2));
  const auto subs = h.Actions(ActionKind::kResubscribe, ok);
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_EQ(*subs[0].action.stream, kLast);
  EXPECT_LE(subs[0].at, ok + seconds(31));
  EXPECT_TRUE(h.sink.alerts.empty());
}

TEST(ReliabilityCoreTest, RejectedRequestIsRetriedWithStandardPacing) {
  Harness h(Options(), Always(M::kOpen), kT0, {kBidAsk});
  h.refuse[kBidAsk] = 322;
  h.RunUntil(kT0 + minutes(3));
  const auto subs = h.Actions(ActionKind::kResubscribe);
  ASSERT_GE(subs.size(), 3u);
  EXPECT_EQ(subs[1].action.reason, "request_rejected");
  EXPECT_GE(subs[1].at - subs[0].at, seconds(15));
  EXPECT_LE(subs.size(), 8u);
  h.refuse.clear();
  h.RunUntil(kT0 + minutes(15));
  EXPECT_EQ(h.core.Metrics(kBidAsk, h.clock.Now()).status, HealthStatus::kHealthy);
}

TEST(ReliabilityCoreTest, IgnoredCodesChangeNothing) {
  Harness h(Options(), Always(M::kOpen), kT0, {kBidAsk});
  h.RunUntil(kT0 + minutes(1));
  const size_t before = h.actions.size();
  for (int code : {2104, 2106, 2108, 2158, 162, 100, 4242}) {
    h.core.OnIbError(code, std::nullopt, h.clock.Now());
  }
  h.core.OnIbError(10197, StreamKey{42, TickType::kLast}, h.clock.Now());  // not tracked
  h.RunUntil(kT0 + minutes(2));
  EXPECT_EQ(h.actions.size(), before);
  // 2104 is a farm notice; the six others and the untracked request are ignored.
  EXPECT_EQ(h.core.ignored_ib_codes(), 7u);
}

TEST(ReliabilityCoreTest, AdvisoryCodeIsAWarningWithoutRetries) {
  Harness h(Options(), Always(M::kOpen), kT0, {kBidAsk});
  h.RunUntil(kT0 + seconds(10));
  h.core.OnIbError(10167, kBidAsk, h.clock.Now());
  h.RunUntil(kT0 + minutes(10));
  ASSERT_EQ(h.sink.alerts.size(), 1u);
  EXPECT_EQ(h.sink.alerts[0].rule, rules::kPermissionDenied);
  EXPECT_EQ(h.sink.alerts[0].severity, AlertSeverity::kWarning);
  EXPECT_EQ(h.sink.alerts[0].labels.at("code"), "10167");
  EXPECT_EQ(h.Actions(ActionKind::kResubscribe).size(), 1u);
  EXPECT_EQ(h.core.Metrics(kBidAsk, h.clock.Now()).issue, StreamIssue::kDelayedData);
  EXPECT_EQ(h.core.Metrics(kBidAsk, h.clock.Now()).error_count, 1);
  EXPECT_EQ(h.core.Metrics(kBidAsk, h.clock.Now()).last_error_code, 10167);
  EXPECT_TRUE(h.core.Metrics(kBidAsk, h.clock.Now()).subscription_active);
}

TEST(ReliabilityCoreTest, CapacityRefusalParksTheStreamWithoutCriticalAlertOrRetry) {
  for (int code : {10190, 101, 309}) {
    SCOPED_TRACE(code);
    Harness h(Options(), Always(M::kOpen), kT0, {kBidAsk, kLast});
    h.refuse[kLast] = code;
    h.RunUntil(kT0 + std::chrono::hours(3));
    // One request, never retried (no maintenance schedule), no reconnect.
    const auto subs = h.Actions(ActionKind::kResubscribe);
    ASSERT_EQ(subs.size(), 2u);
    EXPECT_EQ(h.Actions(ActionKind::kReconnect).size(), 1u);  // the initial connect only
    // No alert at all from the stream rules: no permission_denied, no staleness, no breaker.
    for (const Alert& a : h.sink.alerts) {
      EXPECT_NE(a.severity, AlertSeverity::kCritical) << a.rule << ": " << a.summary;
    }
    EXPECT_TRUE(h.sink.alerts.empty());
    const StreamHealthMetrics m = h.core.Metrics(kLast, h.clock.Now());
    EXPECT_EQ(m.issue, StreamIssue::kLimitReached);
    EXPECT_EQ(m.status, HealthStatus::kDegraded);
    EXPECT_FALSE(m.subscription_active);
    EXPECT_EQ(h.core.BreakerStateOf(RetryTarget::Stream(kLast)), BreakerState::kClosed);

    // A reconnect does not re-request a parked stream; the recorder re-plans it.
    h.DropConnection();
    const TimePoint dropped = h.clock.Now();
    h.RunUntil(dropped + minutes(5));
    for (const auto& a : h.Actions(ActionKind::kResubscribe, dropped)) {
      EXPECT_NE(*a.action.stream, kLast);
    }
    // Re-planned back onto tick-by-tick: removed and added again, it is requested afresh.
    h.refuse.clear();
    h.core.RemoveStream(kLast);
    h.core.AddStream(kLast);
    const TimePoint replanned = h.clock.Now();
    h.RunUntil(replanned + minutes(1));
    const auto again = h.Actions(ActionKind::kResubscribe, replanned);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].action.reason, "first_subscription");
    EXPECT_EQ(h.core.Metrics(kLast, h.clock.Now()).issue, StreamIssue::kNone);
  }
}

TEST(ReliabilityCoreTest, PermissionRefusalStaysCritical) {
  Harness h(Options(), Always(M::kOpen), kT0, {kBidAsk});
  h.refuse[kBidAsk] = 10189;
  h.RunUntil(kT0 + minutes(5));
  ASSERT_EQ(h.sink.alerts.size(), 1u);
  EXPECT_EQ(h.sink.alerts[0].rule, rules::kPermissionDenied);
  EXPECT_EQ(h.sink.alerts[0].severity, AlertSeverity::kCritical);
}

TEST(ReliabilityCoreTest, StreamPlanRaisesOneCapacityWarningPerChange) {
  Harness h(Options(), Always(M::kOpen), kT0, {kBidAsk, kLast});
  h.RunUntil(kT0 + seconds(10));
  auto wanted = [](std::vector<int64_t> ids) {
    std::vector<WantedStream> out;
    for (size_t i = 0; i < ids.size(); ++i) {
      for (TickType t : {TickType::kBidAsk, TickType::kLast}) {
        out.push_back({{ids[i], t}, 100, static_cast<int>(i), "C" + std::to_string(ids[i])});
      }
    }
    return out;
  };
  // Within the allowance: nothing to say.
  h.core.OnStreamPlan(PlanStreams(wanted({kMnq}), {3, 100}), h.clock.Now());
  h.RunUntil(kT0 + seconds(20));
  EXPECT_TRUE(h.sink.alerts.empty());
  // Two contracts: one stream on the fallback.
  h.core.OnStreamPlan(PlanStreams(wanted({kMnq, 7}), {3, 100}), h.clock.Now());
  h.RunUntil(kT0 + seconds(30));
  ASSERT_EQ(h.sink.alerts.size(), 1u);
  EXPECT_EQ(h.sink.alerts[0].rule, rules::kStreamCapacity);
  EXPECT_EQ(h.sink.alerts[0].severity, AlertSeverity::kWarning);
  EXPECT_EQ(h.sink.alerts[0].state, AlertState::kFiring);
  EXPECT_EQ(h.sink.alerts[0].labels.at("fallback"), "C7 last");
  ASSERT_EQ(h.core.FiringAlerts().size(), 1u);
  // The same plan again: no new alert.
  h.core.OnStreamPlan(PlanStreams(wanted({kMnq, 7}), {3, 100}), h.clock.Now());
  h.RunUntil(kT0 + seconds(40));
  EXPECT_EQ(h.sink.alerts.size(), 1u);
  // A change (a third contract): raised again.
  h.core.OnStreamPlan(PlanStreams(wanted({kMnq, 7, 8}), {3, 100}), h.clock.Now());
  h.RunUntil(kT0 + seconds(50));
  ASSERT_EQ(h.sink.alerts.size(), 2u);
  EXPECT_EQ(h.sink.alerts[1].labels.at("fallback"), "C7 last,C8 bid_ask,C8 last");
  // Back within the allowance: resolved, with the first firing's start.
  h.core.OnStreamPlan(PlanStreams(wanted({kMnq}), {3, 100}), h.clock.Now());
  h.RunUntil(kT0 + seconds(60));
  ASSERT_EQ(h.sink.alerts.size(), 3u);
  EXPECT_EQ(h.sink.alerts[2].state, AlertState::kResolved);
  EXPECT_EQ(h.sink.alerts[2].starts_at, h.sink.alerts[1].starts_at);
  EXPECT_TRUE(h.core.FiringAlerts().empty());
}

TEST(ReliabilityCoreTest, OperationalAlertInputs) {
  Harness h(Options(), Always(M::kOpen), kT0, {kBidAsk});
  h.RunUntil(kT0 + seconds(10));
  const TimePoint now = h.clock.Now();
  h.core.OnGapDetected(kMnq, now - seconds(30), now, "stall", now);  // below gap_min_duration
  h.core.OnGapDetected(kMnq, now - seconds(90), now, "1100", now);
  h.core.OnBackfillFailed(kMnq, "162 pacing violation", now);
  h.core.OnStorageError("fsync failed: EIO", now);
  h.core.OnDiskSpace(1ull << 30, 100ull << 30);
  h.core.OnClockSkew(std::chrono::milliseconds(-1500));
  h.core.OnTimezoneProblem(kMnq, "Mars/Olympus");
  h.RunUntil(now + seconds(2));
  EXPECT_EQ(h.sink.Count(rules::kGapDetected), 1);
  EXPECT_EQ(h.sink.Count(rules::kBackfillFailed), 1);
  EXPECT_EQ(h.sink.Count(rules::kStorageError), 1);
  EXPECT_EQ(h.sink.Count(rules::kDiskLow), 1);
  EXPECT_EQ(h.sink.Count(rules::kTimezoneUnknown), 1);
  EXPECT_EQ(h.sink.Count(rules::kClockSkew), 0);  // must hold 60 s
  h.RunUntil(now + seconds(62));
  EXPECT_EQ(h.sink.Count(rules::kClockSkew), 1);
  h.core.OnDiskSpace(50ull << 30, 100ull << 30);
  h.core.OnClockSkew(std::chrono::milliseconds(20));
  h.core.OnTimezoneProblem(kMnq, std::nullopt);
  h.RunUntil(now + minutes(6));
  for (std::string_view rule : {rules::kGapDetected, rules::kBackfillFailed, rules::kStorageError,
                                rules::kDiskLow, rules::kClockSkew, rules::kTimezoneUnknown}) {
    EXPECT_EQ(h.sink.Count(rule, AlertState::kResolved), 1) << rule;
  }
}

// A damaged sealed hour found at start is a storage_error warning of its contract that names
// the file; it resolves like any storage event.
TEST(ReliabilityCoreTest, DamagedStoredDataIsAStorageWarningNamingTheFile) {
  Harness h(Options(), Always(M::kOpen), kT0, {kBidAsk});
  h.RunUntil(kT0 + seconds(10));
  const TimePoint now = h.clock.Now();
  h.core.OnStoredDataDamaged(kMnq, "closed/2025-08-12/15/1_1.tks.zst",
                             "cannot read 4096 ticks of 15:00:00..15:12:00", now);
  h.RunUntil(now + seconds(2));
  ASSERT_EQ(h.sink.Count(rules::kStorageError), 1);
  const Alert& alert = h.sink.alerts.back();
  EXPECT_EQ(alert.severity, AlertSeverity::kWarning);
  EXPECT_EQ(alert.contract_id, kMnq);
  EXPECT_EQ(alert.labels.at("file"), "closed/2025-08-12/15/1_1.tks.zst");
  EXPECT_NE(alert.summary.find("cannot read 4096 ticks"), std::string::npos) << alert.summary;
  h.RunUntil(now + minutes(6));
  EXPECT_EQ(h.sink.Count(rules::kStorageError, AlertState::kResolved), 1);
}

TEST(ReliabilityCoreTest, StorageErrorHoldsWhileWritingIsSuspended) {
  Harness h(Options(), Always(M::kOpen), kT0, {kBidAsk});
  h.RunUntil(kT0 + seconds(10));
  h.core.OnStorageError("No space left on device", h.clock.Now());
  h.core.OnStorageSuspended(true, "No space left on device");
  h.RunUntil(kT0 + minutes(30));  // far past event_hold (5 minutes)
  EXPECT_EQ(h.sink.Count(rules::kStorageError), 1);
  EXPECT_EQ(h.sink.Count(rules::kStorageError, AlertState::kResolved), 0)
      << "resolved while writing was still suspended";
  bool firing = false;
  for (const Alert& a : h.core.FiringAlerts()) {
    if (a.rule != rules::kStorageError) continue;
    firing = true;
    EXPECT_EQ(a.severity, AlertSeverity::kCritical);
  }
  EXPECT_TRUE(firing);
  h.core.OnStorageSuspended(false, "");
  h.RunUntil(kT0 + minutes(31));
  EXPECT_EQ(h.sink.Count(rules::kStorageError, AlertState::kResolved), 1);
  EXPECT_EQ(h.sink.Count(rules::kStorageError), 1) << "fired once";
}

TEST(ReliabilityCoreTest, DiskLowFromFreeAndTotalBytes) {
  constexpr uint64_t kGiB = 1ull << 30;
  struct Case {
    uint64_t free_bytes;
    uint64_t total_bytes;
    bool fires;
  } cases[] = {
      {1 * kGiB, 100 * kGiB, true},    // below 5 GiB
      {50 * kGiB, 100 * kGiB, false},  // plenty
      {6 * kGiB, 200 * kGiB, true},    // 3 % free
      {6 * kGiB, 100 * kGiB, false},   // 6 GiB, 6 %
      {1 * kGiB, 0, false},            // total unknown
  };
  for (const Case& c : cases) {
    Harness h(Options(), Always(M::kOpen), kT0, {kBidAsk});
    h.core.OnDiskSpace(c.free_bytes, c.total_bytes);
    h.RunUntil(kT0 + seconds(10));
    EXPECT_EQ(h.sink.Count(rules::kDiskLow), c.fires ? 1 : 0)
        << c.free_bytes << " of " << c.total_bytes;
  }
}

TEST(ReliabilityCoreTest, MetricsReportTheFullPicture) {
  Harness h(Options(), Always(M::kOpen), kT0, {kBidAsk, kLast});
  h.RunUntil(kT0 + minutes(3));
  const StreamHealthMetrics m = h.core.Metrics(kBidAsk, h.clock.Now());
  EXPECT_EQ(m.status, HealthStatus::kHealthy);
  EXPECT_EQ(m.market_status, M::kOpen);
  EXPECT_EQ(m.expected_activity, calendar::ExpectedActivity::kHigh);
  EXPECT_DOUBLE_EQ(m.messages_per_minute_1m, 60.0);
  EXPECT_EQ(m.connection_uptime, minutes(3) - seconds(3));
  EXPECT_EQ(m.breaker_state, BreakerState::kClosed);
  EXPECT_EQ(m.retry_attempts_last_hour, 0);
  EXPECT_DOUBLE_EQ(m.health_score(), 1.0);
  EXPECT_EQ(h.core.AllMetrics(h.clock.Now()).size(), 2u);
  EXPECT_EQ(h.core.OverallStatus(h.clock.Now()), HealthStatus::kHealthy);
  h.DropConnection();
  h.gateway_accepts = false;
  h.RunUntil(kT0 + minutes(4));
  EXPECT_EQ(h.core.Metrics(kBidAsk, h.clock.Now()).connection_uptime, Duration{0});
  EXPECT_FALSE(h.core.Metrics(kBidAsk, h.clock.Now()).subscription_active);
  EXPECT_EQ(h.core.Metrics(kBidAsk, h.clock.Now()).error_count, 0);
  EXPECT_DOUBLE_EQ(h.core.Metrics(kBidAsk, h.clock.Now()).health_score(), 0.0);
  EXPECT_EQ(h.core.ContractStatus(kMnq, h.clock.Now()), HealthStatus::kUnhealthy);
}

}  // namespace
}  // namespace ibstream::reliability::reliability_core_test

namespace ibstream::reliability::reliability_core_test {
namespace {

class NullSink final : public AlertSink {
 public:
  void Deliver(std::span<const Alert> group) override { delivered += group.size(); }
  size_t delivered = 0;
};

TEST(ReliabilityCoreRemoveTest, RemovedStreamGetsNoDecisionsHealthOrAlerts) {
  NullSink sink;
  ReliabilityCore core(Options(), sink);
  const StreamKey gone{kMnq, TickType::kLast};
  core.AddStream(kBidAsk);
  core.AddStream(gone);
  const calendar::MarketState open{M::kOpen, kT0 + std::chrono::hours(48),
                                   kT0 + std::chrono::hours(7)};
  core.OnMarketState(kMnq, open, kT0);
  core.OnConnectionUp(kT0);
  int subscribes_for_gone = 0;
  for (const auto& a : core.Evaluate(kT0).actions) {
    if (a.kind == ActionKind::kResubscribe) {
      core.OnSubscribed(*a.stream, kT0);
      subscribes_for_gone += *a.stream == gone;
    }
  }
  ASSERT_EQ(subscribes_for_gone, 1);
  ASSERT_EQ(core.AllMetrics(kT0).size(), 2u);

  core.RemoveStream(gone);
  core.RemoveStream(gone);  // idempotent
  EXPECT_EQ(core.AllMetrics(kT0).size(), 1u);
  // Ten silent minutes in an open market: only the remaining stream is acted upon.
  for (TimePoint t = kT0; t < kT0 + minutes(10); t += seconds(1)) {
    core.OnMarketState(kMnq, open, t);
    core.OnTick(kBidAsk, t);
    for (const auto& a : core.Evaluate(t).actions) {
      if (a.stream) {
        EXPECT_NE(*a.stream, gone) << ActionKindName(a.kind) << " " << a.reason;
      }
    }
  }
  EXPECT_EQ(sink.delivered, 0u);
  EXPECT_EQ(core.ContractStatus(kMnq, kT0 + minutes(10)), HealthStatus::kHealthy);
}

}  // namespace
}  // namespace ibstream::reliability::reliability_core_test
