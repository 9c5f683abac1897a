// StreamingAlertsManager: decides which alerts fire and resolve; delivery is the sink's job.
//
// Each evaluation cycle the owner reports every condition that holds (Observe) and one-off events
// (Raise), then calls Evaluate(now). Per rule and contract, an alert
//   * fires at the first evaluation at which its condition has held for the rule's `for_duration`
//     (zero for most rules: the caller's thresholds already apply),
//   * is not repeated while it keeps firing (dedup), except that it is delivered again when its
//     severity rises (a condition's severity overrides the rule's),
//   * resolves at the first evaluation at which its condition no longer holds (events hold for
//     `event_hold` after their last occurrence),
//   * does not fire again within `cooldown` of its previous firing, even after resolving,
//   * is inhibited (not fired) for stream-level rules while gateway_down or gateway_lost_ib holds,
//     because per-stream noise adds nothing while the whole gateway is out.
// Decisions of one evaluation are delivered grouped per contract (one Deliver() per group).
//
// Pure apart from the sink; not thread-safe; one owner (the core's thread).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "model/alert.h"
#include "reliability/alert_sink.h"

namespace ibstream::reliability {

// Rule names (the `rule` of every Alert).
namespace rules {
inline constexpr std::string_view kDataStaleDuringTrading = "data_stale_during_trading";
inline constexpr std::string_view kFrequentReconnections = "frequent_reconnections";
inline constexpr std::string_view kGatewayDown = "gateway_down";
inline constexpr std::string_view kGatewayLostIb = "gateway_lost_ib";
inline constexpr std::string_view kCircuitOpen = "circuit_open";
inline constexpr std::string_view kGapDetected = "gap_detected";
inline constexpr std::string_view kBackfillFailed = "backfill_failed";
inline constexpr std::string_view kStorageError = "storage_error";
inline constexpr std::string_view kDiskLow = "disk_low";
inline constexpr std::string_view kClockSkew = "clock_skew";
inline constexpr std::string_view kTimezoneUnknown = "timezone_unknown";
inline constexpr std::string_view kPermissionDenied = "permission_denied";
inline constexpr std::string_view kCompetingSession = "competing_session";
inline constexpr std::string_view kRetriesExhausted = "retries_exhausted";
// Decided by StreamCapacityAlert (alert_rules.h) from the stream plan, outside this manager.
inline constexpr std::string_view kStreamCapacity = "stream_capacity";
}  // namespace rules

struct AlertRuleOptions {
  bool enabled = true;
  AlertSeverity severity = AlertSeverity::kWarning;
  // No new firing within this long of the previous one (per rule and contract).
  Duration cooldown{0};
  // The condition must hold this long before the alert fires.
  Duration for_duration{0};
};

// Defaults are the reliability plan's where it has them (README.md lists them all).
struct AlertOptions {
  // IB_STREAM_ENABLE_STREAM_ALERTS: when false nothing is delivered (decisions still tracked).
  bool enabled = true;

  AlertRuleOptions data_stale_during_trading{true, AlertSeverity::kCritical,
                                             std::chrono::minutes(15), Duration{0}};
  AlertRuleOptions frequent_reconnections{true, AlertSeverity::kWarning, std::chrono::hours(1),
                                          Duration{0}};
  AlertRuleOptions gateway_down{true, AlertSeverity::kCritical, std::chrono::minutes(15),
                                std::chrono::seconds(60)};
  AlertRuleOptions gateway_lost_ib{true, AlertSeverity::kCritical, std::chrono::minutes(15),
                                   std::chrono::seconds(180)};
  AlertRuleOptions circuit_open{true, AlertSeverity::kWarning, std::chrono::minutes(30),
                                Duration{0}};
  AlertRuleOptions gap_detected{true, AlertSeverity::kWarning, std::chrono::minutes(15),
                                Duration{0}};
  AlertRuleOptions backfill_failed{true, AlertSeverity::kWarning, std::chrono::hours(1),
                                   Duration{0}};
  AlertRuleOptions storage_error{true, AlertSeverity::kCritical, std::chrono::minutes(15),
                                 Duration{0}};
  AlertRuleOptions disk_low{true, AlertSeverity::kWarning, std::chrono::hours(1), Duration{0}};
  AlertRuleOptions clock_skew{true, AlertSeverity::kWarning, std::chrono::hours(1),
                              std::chrono::seconds(60)};
  AlertRuleOptions timezone_unknown{true, AlertSeverity::kCritical, std::chrono::hours(24),
                                    Duration{0}};
  AlertRuleOptions permission_denied{true, AlertSeverity::kCritical, std::chrono::hours(24),
                                     Duration{0}};
  AlertRuleOptions competing_session{true, AlertSeverity::kWarning, std::chrono::hours(1),
                                     Duration{0}};
  AlertRuleOptions retries_exhausted{true, AlertSeverity::kWarning, std::chrono::hours(1),
                                     Duration{0}};

  // Thresholds the core applies before observing a condition.
  int frequent_reconnections_per_hour = 10;  // more than this many retries in an hour
  Duration gap_min_duration = std::chrono::seconds(60);
  // gateway_down is a warning while every market is closed, and takes its configured severity
  // this long before the next open (alerts.rules.gateway_down.escalate_before_open).
  Duration gateway_down_escalate_before_open = std::chrono::minutes(5);
  uint64_t disk_low_free_bytes = 5ull << 30;  // 5 GiB ...
  double disk_low_free_fraction = 0.05;       // ... or 5 % free, whichever is reached first
  Duration clock_skew_threshold = std::chrono::seconds(1);
  // Events (gap, backfill failure, storage error) resolve this long after their last occurrence.
  Duration event_hold = std::chrono::minutes(5);

  // The options of a rule by name; nullptr for an unknown name.
  const AlertRuleOptions* Rule(std::string_view rule) const;
};

// One condition that holds (or event that happened) for a rule and, optionally, a contract.
struct AlertCondition {
  std::string rule;
  std::optional<int64_t> contract_id;
  std::string summary;
  std::map<std::string, std::string> labels;
  // Replaces the rule's severity (e.g. advisory permission notices are warnings).
  std::optional<AlertSeverity> severity;
};

class StreamingAlertsManager {
 public:
  // `sink` must outlive the manager.
  StreamingAlertsManager(AlertOptions options, AlertSink& sink);
  StreamingAlertsManager(const StreamingAlertsManager&) = delete;
  StreamingAlertsManager& operator=(const StreamingAlertsManager&) = delete;

  // The condition holds in the current cycle. Unknown or disabled rules are ignored.
  void Observe(AlertCondition condition);
  // An event occurred at `now`; it holds until now + event_hold (renewed by a new occurrence).
  void Raise(AlertCondition condition, TimePoint now);
  // Decides this cycle: fires, resolves, delivers grouped per contract; then starts a new cycle.
  void Evaluate(TimePoint now);

  // Alerts firing now, ordered by contract then rule.
  std::vector<Alert> Firing() const;
  bool IsFiring(std::string_view rule, std::optional<int64_t> contract_id) const;
  const AlertOptions& options() const { return options_; }

 private:
  using Key = std::pair<std::string, int64_t>;  // rule, contract (-1: none)
  struct RuleState {
    bool observed = false;
    AlertCondition latest;
    std::optional<TimePoint> event_until;
    std::optional<TimePoint> pending_since;
    bool firing = false;
    Alert alert;
    std::optional<TimePoint> last_fired_at;
  };

  static Key KeyOf(const AlertCondition& condition);
  static bool IsInhibitable(std::string_view rule);

  AlertOptions options_;
  AlertSink& sink_;
  std::map<Key, RuleState> states_;
};

}  // namespace ibstream::reliability
