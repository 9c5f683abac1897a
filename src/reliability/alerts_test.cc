#include "reliability/alerts.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ibstream::reliability::alerts_test {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kT0 = FromUnixSeconds(1'754'920'800);
constexpr int64_t kMnq = 711280073;
constexpr int64_t kEs = 495512563;

class CapturingSink : public AlertSink {
 public:
  void Deliver(std::span<const Alert> group) override {
    groups.emplace_back(group.begin(), group.end());
    for (const Alert& a : group) alerts.push_back(a);
  }
  std::vector<std::vector<Alert>> groups;
  std::vector<Alert> alerts;
};

AlertCondition Cond(std::string_view rule, std::optional<int64_t> contract = std::nullopt) {
  AlertCondition c;
  c.rule = std::string(rule);
  c.contract_id = contract;
  c.summary = std::string(rule) + " holds";
  return c;
}

struct RuleCase {
  std::string_view rule;
  AlertSeverity severity;
  Duration cooldown;
  Duration for_duration;
  bool event;  // raised once rather than observed every cycle
};

// The defaults of every rule, checked by driving each one the same way: the condition holds
// from t0; the alert fires at the first evaluation at which it has held `for_duration`, is not
// repeated, resolves when the condition clears, and cannot fire again within the cooldown.
TEST(AlertsTest, EveryRuleFiresDedupsResolvesAndCoolsDown) {
  const std::vector<RuleCase> table = {
      {rules::kDataStaleDuringTrading, AlertSeverity::kCritical, minutes(15), seconds(0), false},
      {rules::kFrequentReconnections, AlertSeverity::kWarning, minutes(60), seconds(0), false},
      {rules::kGatewayDown, AlertSeverity::kCritical, minutes(15), seconds(60), false},
      {rules::kGatewayLostIb, AlertSeverity::kCritical, minutes(15), seconds(180), false},
      {rules::kCircuitOpen, AlertSeverity::kWarning, minutes(30), seconds(0), false},
      {rules::kGapDetected, AlertSeverity::kWarning, minutes(15), seconds(0), true},
      {rules::kBackfillFailed, AlertSeverity::kWarning, minutes(60), seconds(0), true},
      {rules::kStorageError, AlertSeverity::kCritical, minutes(15), seconds(0), true},
      {rules::kDiskLow, AlertSeverity::kWarning, minutes(60), seconds(0), false},
      {rules::kClockSkew, AlertSeverity::kWarning, minutes(60), seconds(60), false},
      {rules::kTimezoneUnknown, AlertSeverity::kCritical, minutes(24 * 60), seconds(0), false},
      {rules::kPermissionDenied, AlertSeverity::kCritical, minutes(24 * 60), seconds(0), false},
      {rules::kCompetingSession, AlertSeverity::kWarning, minutes(60), seconds(0), false},
      {rules::kRetriesExhausted, AlertSeverity::kWarning, minutes(60), seconds(0), false},
  };
  for (const RuleCase& c : table) {
    SCOPED_TRACE(std::string(c.rule));
    const AlertOptions options;
    const AlertRuleOptions* rule = options.Rule(c.rule);
    ASSERT_NE(rule, nullptr);
    EXPECT_EQ(rule->severity, c.severity);
    EXPECT_EQ(rule->cooldown, c.cooldown);
    EXPECT_EQ(rule->for_duration, c.for_duration);

    CapturingSink sink;
    StreamingAlertsManager alerts(options, sink);
    const Duration hold = c.event ? options.event_hold : minutes(10);
    // Evaluate once per second; the condition holds for [t0, t0 + hold).
    TimePoint fired_at{};
    for (int s = 0; s <= static_cast<int>(std::chrono::duration_cast<seconds>(hold).count()); ++s) {
      const TimePoint now = kT0 + seconds(s);
      if (c.event ? s == 0 : now < kT0 + hold) {
        if (c.event) {
          alerts.Raise(Cond(c.rule, kMnq), now);
        } else {
          alerts.Observe(Cond(c.rule, kMnq));
        }
      }
      const size_t before = sink.alerts.size();
      alerts.Evaluate(now);
      if (sink.alerts.size() > before && before == 0) fired_at = now;
    }
    ASSERT_EQ(sink.alerts.size(), 2u);
    EXPECT_EQ(fired_at, kT0 + c.for_duration);
    EXPECT_EQ(sink.alerts[0].rule, c.rule);
    EXPECT_EQ(sink.alerts[0].state, AlertState::kFiring);
    EXPECT_EQ(sink.alerts[0].severity, c.severity);
    EXPECT_EQ(sink.alerts[0].contract_id, kMnq);
    EXPECT_EQ(sink.alerts[0].starts_at, kT0);
    EXPECT_EQ(sink.alerts[1].state, AlertState::kResolved);
    EXPECT_EQ(sink.alerts[1].ends_at, kT0 + hold);
    EXPECT_FALSE(alerts.IsFiring(c.rule, kMnq));

    // Holds again right away: suppressed until the cooldown since the firing has passed.
    const TimePoint again = kT0 + hold + seconds(1);
    const TimePoint allowed = fired_at + c.cooldown;
    for (TimePoint now = again; now < allowed + c.for_duration + seconds(2);
         now += (allowed - now > minutes(2) ? minutes(1) : seconds(1))) {
      if (c.event) {
        alerts.Raise(Cond(c.rule, kMnq), now);
      } else {
        alerts.Observe(Cond(c.rule, kMnq));
      }
      alerts.Evaluate(now);
      if (now < allowed) {
        EXPECT_EQ(sink.alerts.size(), 2u) << FormatIsoUtc(now);
      }
    }
    ASSERT_EQ(sink.alerts.size(), 3u);
    EXPECT_EQ(sink.alerts[2].state, AlertState::kFiring);
  }
}

TEST(AlertsTest, GatewayOutageInhibitsPerStreamAlertsOnly) {
  CapturingSink sink;
  StreamingAlertsManager alerts(AlertOptions{}, sink);
  // gateway_down is pending (not yet 60 s) and already inhibits the stale alert.
  for (int s = 0; s < 120; ++s) {
    alerts.Observe(Cond(rules::kGatewayDown));
    alerts.Observe(Cond(rules::kDataStaleDuringTrading, kMnq));
    alerts.Observe(Cond(rules::kCircuitOpen, kMnq));
    alerts.Observe(Cond(rules::kPermissionDenied, kEs));
    alerts.Evaluate(kT0 + seconds(s));
  }
  ASSERT_EQ(sink.alerts.size(), 2u);
  EXPECT_EQ(sink.alerts[0].rule, rules::kPermissionDenied);  // not inhibited
  EXPECT_EQ(sink.alerts[1].rule, rules::kGatewayDown);
  EXPECT_EQ(sink.alerts[1].starts_at, kT0);
  EXPECT_EQ(sink.alerts[1].contract_id, std::nullopt);
  // The gateway is back, the stream is still stale: now it fires.
  alerts.Observe(Cond(rules::kDataStaleDuringTrading, kMnq));
  alerts.Observe(Cond(rules::kPermissionDenied, kEs));
  alerts.Evaluate(kT0 + seconds(120));
  // circuit_open cleared while inhibited: it never fires, nor resolves.
  ASSERT_EQ(sink.alerts.size(), 4u);
  EXPECT_EQ(sink.alerts[2].rule, rules::kGatewayDown);
  EXPECT_EQ(sink.alerts[2].state, AlertState::kResolved);
  EXPECT_EQ(sink.alerts[3].rule, rules::kDataStaleDuringTrading);
  EXPECT_EQ(sink.alerts[3].state, AlertState::kFiring);
  EXPECT_EQ(sink.alerts[3].starts_at, kT0);
}

TEST(AlertsTest, GatewayLostIbAlsoInhibits) {
  CapturingSink sink;
  StreamingAlertsManager alerts(AlertOptions{}, sink);
  alerts.Observe(Cond(rules::kGatewayLostIb));
  alerts.Observe(Cond(rules::kRetriesExhausted, kMnq));
  alerts.Observe(Cond(rules::kFrequentReconnections, kMnq));
  alerts.Evaluate(kT0);
  ASSERT_EQ(sink.alerts.size(), 1u);
  EXPECT_EQ(sink.alerts[0].rule, rules::kFrequentReconnections);
}

TEST(AlertsTest, DecisionsAreGroupedPerContract) {
  CapturingSink sink;
  StreamingAlertsManager alerts(AlertOptions{}, sink);
  alerts.Observe(Cond(rules::kDataStaleDuringTrading, kMnq));
  alerts.Observe(Cond(rules::kCompetingSession, kMnq));
  alerts.Observe(Cond(rules::kDataStaleDuringTrading, kEs));
  alerts.Observe(Cond(rules::kDiskLow));
  alerts.Evaluate(kT0);
  ASSERT_EQ(sink.groups.size(), 3u);
  EXPECT_EQ(sink.groups[0].size(), 1u);  // process-wide
  EXPECT_EQ(sink.groups[0][0].rule, rules::kDiskLow);
  EXPECT_EQ(sink.groups[1].size(), 1u);
  EXPECT_EQ(sink.groups[1][0].contract_id, kEs);
  ASSERT_EQ(sink.groups[2].size(), 2u);
  EXPECT_EQ(sink.groups[2][0].contract_id, kMnq);
  EXPECT_EQ(sink.groups[2][1].contract_id, kMnq);
  EXPECT_EQ(alerts.Firing().size(), 4u);
  // Dedup: the same conditions next second produce nothing.
  alerts.Observe(Cond(rules::kDataStaleDuringTrading, kMnq));
  alerts.Observe(Cond(rules::kCompetingSession, kMnq));
  alerts.Observe(Cond(rules::kDataStaleDuringTrading, kEs));
  alerts.Observe(Cond(rules::kDiskLow));
  alerts.Evaluate(kT0 + seconds(1));
  EXPECT_EQ(sink.groups.size(), 3u);
}

TEST(AlertsTest, OptionsDisableRulesAndDeliveryAndOverrideSeverity) {
  AlertOptions options;
  options.disk_low.enabled = false;
  options.gateway_down.for_duration = Duration{0};
  options.gateway_down.severity = AlertSeverity::kWarning;
  CapturingSink sink;
  StreamingAlertsManager alerts(options, sink);
  alerts.Observe(Cond(rules::kDiskLow));
  alerts.Observe(Cond(rules::kGatewayDown));
  AlertCondition advisory = Cond(rules::kPermissionDenied, kMnq);
  advisory.severity = AlertSeverity::kInfo;
  alerts.Observe(advisory);
  alerts.Observe(Cond("no_such_rule"));
  alerts.Evaluate(kT0);
  ASSERT_EQ(sink.alerts.size(), 2u);
  EXPECT_EQ(sink.alerts[0].rule, rules::kGatewayDown);
  EXPECT_EQ(sink.alerts[0].severity, AlertSeverity::kWarning);
  EXPECT_EQ(sink.alerts[1].severity, AlertSeverity::kInfo);

  AlertOptions off;
  off.enabled = false;
  CapturingSink quiet;
  StreamingAlertsManager muted(off, quiet);
  muted.Observe(Cond(rules::kGatewayDown));
  muted.Evaluate(kT0 + minutes(5));
  EXPECT_TRUE(quiet.alerts.empty());
}

// A firing alert whose condition's severity rises (gateway_down: a warning while the markets are
// closed, critical as one opens) is delivered again at the higher severity, once; a fall is not
// delivered.
TEST(AlertsTest, RisingSeverityIsDeliveredAgain) {
  AlertOptions options;
  options.gateway_down.for_duration = Duration{0};
  CapturingSink sink;
  StreamingAlertsManager alerts(options, sink);
  AlertCondition down = Cond(rules::kGatewayDown);
  down.severity = AlertSeverity::kWarning;
  alerts.Observe(down);
  alerts.Evaluate(kT0);
  ASSERT_EQ(sink.alerts.size(), 1u);
  EXPECT_EQ(sink.alerts[0].severity, AlertSeverity::kWarning);
  alerts.Observe(down);
  alerts.Evaluate(kT0 + seconds(10));
  EXPECT_EQ(sink.alerts.size(), 1u);
  down.severity = AlertSeverity::kCritical;
  alerts.Observe(down);
  alerts.Evaluate(kT0 + seconds(20));
  ASSERT_EQ(sink.alerts.size(), 2u);
  EXPECT_EQ(sink.alerts[1].severity, AlertSeverity::kCritical);
  EXPECT_EQ(sink.alerts[1].state, AlertState::kFiring);
  EXPECT_EQ(sink.alerts[1].starts_at, kT0);
  alerts.Observe(down);
  alerts.Evaluate(kT0 + seconds(30));
  down.severity = AlertSeverity::kWarning;
  alerts.Observe(down);
  alerts.Evaluate(kT0 + seconds(40));
  EXPECT_EQ(sink.alerts.size(), 2u);
  alerts.Evaluate(kT0 + seconds(50));
  ASSERT_EQ(sink.alerts.size(), 3u);
  EXPECT_EQ(sink.alerts[2].state, AlertState::kResolved);
  EXPECT_EQ(sink.alerts[2].severity, AlertSeverity::kCritical);
}

TEST(AlertsTest, EventRenewedWhileHeldFiresOnce) {
  CapturingSink sink;
  StreamingAlertsManager alerts(AlertOptions{}, sink);
  for (int m = 0; m < 12; m += 2) {
    alerts.Raise(Cond(rules::kStorageError), kT0 + minutes(m));
    alerts.Evaluate(kT0 + minutes(m));
  }
  alerts.Evaluate(kT0 + minutes(14));
  EXPECT_EQ(sink.alerts.size(), 1u);
  alerts.Evaluate(kT0 + minutes(15));
  ASSERT_EQ(sink.alerts.size(), 2u);
  EXPECT_EQ(sink.alerts[1].state, AlertState::kResolved);
}

}  // namespace
}  // namespace ibstream::reliability::alerts_test
