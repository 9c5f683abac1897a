// The alert rules: pure functions from facts the core gathers to the conditions that hold now.
//
// ReliabilityCore collects the facts (gateway session, each stream, the environment) once per
// evaluation and hands the conditions these functions append to StreamingAlertsManager, which
// owns dedup, cooldown, inhibition and delivery. Each function covers one rule family and
// appends its conditions to `out` in a fixed order; none keeps state, reads a clock or does I/O.
// Summaries and labels here are what operators see in notifications and on /v1/alerts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/market_status.h"
#include "common/clock.h"
#include "model/alert.h"
#include "model/tick.h"
#include "reliability/alerts.h"
#include "reliability/stream_health.h"
#include "reliability/stream_plan.h"

namespace ibstream::reliability {

// The gateway session, as the core sees it at one evaluation.
struct GatewayAlertFacts {
  bool session_up = false;
  // When the session went down (gateway_down's summary; `now` when unknown).
  std::optional<TimePoint> down_since;
  // Set while the gateway reports its link to IB lost (1100).
  std::optional<TimePoint> ib_link_lost_since;
  // The market the session serves (the most demanding of the tracked contracts').
  calendar::MarketStatus market_status = calendar::MarketStatus::kUnknown;
  // The earliest next open of the tracked markets; empty when unknown.
  std::optional<TimePoint> next_open;
  bool breaker_closed = true;
  // Connect attempts the gateway's retry strategy made in the last hour (frequent_reconnections
  // fires on them; failed attempts count, not only sessions established).
  int retries_last_hour = 0;
  // Established sessions that ended in the last hour (named in frequent_reconnections' text).
  int sessions_lost_last_hour = 0;
  // In a failure episode whose retry strategy is exhausted.
  bool retries_exhausted = false;
};

// The severity of gateway_down for a session down at `now`, or nullopt when it is not raised.
// `market_status` and `next_open` are the tracked markets' (GatewayAlertFacts). The rule's
// `configured` severity (critical by default) while some market trades, while the calendar cannot
// tell, and, in a break or an overnight close, from `escalate_before_open` before the next open on
// (the gateway is needed then); a warning (or `configured` if lower) earlier in a break or an
// overnight close; not raised over a weekend or holiday, when no connection is tried before the
// pre-open attempt (it takes `configured` once the market opens).
std::optional<AlertSeverity> GatewayDownSeverity(calendar::MarketStatus market_status,
                                                 std::optional<TimePoint> next_open,
                                                 Duration escalate_before_open,
                                                 AlertSeverity configured, TimePoint now);

// gateway_down (severity by GatewayDownSeverity), gateway_lost_ib (not over a weekend or holiday),
// circuit_open, frequent_reconnections and retries_exhausted (only while some market trades) for
// the session.
void AppendGatewayAlerts(const GatewayAlertFacts& facts, const AlertOptions& options, TimePoint now,
                         std::vector<AlertCondition>& out);

// One stream, as the core sees it at one evaluation.
struct StreamAlertFacts {
  TickType type = TickType::kBidAsk;
  // The monitor's flow assessment (flow, silence, market status).
  StreamHealth health;
  int priority = 1;
  // A competing session (10197) holds the stream's data.
  bool competing = false;
  bool breaker_closed = true;
  int retries_last_hour = 0;
  // In a failure episode whose retry strategy is exhausted.
  bool retries_exhausted = false;
  // A terminal refusal (permission, limit) and an advisory notice (delayed data), by IB code.
  std::optional<int> refused_code;
  std::optional<int> advisory_code;
  // A capacity refusal (10190, 101, 309): the stream waits for its re-plan onto the fallback.
  std::optional<int> capacity_code;
};

// The per-contract rules over a contract's streams (in stream order): data_stale_during_trading,
// competing_session, circuit_open, frequent_reconnections, retries_exhausted and
// permission_denied (a refusal, else an advisory notice at warning severity). A refused stream
// is reported only by permission_denied: its silence, breaker and schedule follow from it. A
// stream refused for capacity raises none of these (StreamCapacityAlert reports the plan).
void AppendContractAlerts(int64_t contract_id, const std::vector<StreamAlertFacts>& streams,
                          const AlertOptions& options, std::vector<AlertCondition>& out);

// timezone_unknown, one per contract whose time zone id could not be resolved.
void AppendTimezoneAlerts(const std::map<int64_t, std::string>& unknown_zones,
                          std::vector<AlertCondition>& out);

// disk_low when free space is below `disk_low_free_bytes` or `disk_low_free_fraction`; nothing
// before the first report or for a zero total.
void AppendDiskAlerts(std::optional<uint64_t> free_bytes, std::optional<uint64_t> total_bytes,
                      const AlertOptions& options, std::vector<AlertCondition>& out);

// storage_error while storage refuses writes (suspended after a write error), whatever the time
// since the error event that started it; `cause` says why.
void AppendStorageSuspendedAlerts(bool suspended, std::string_view cause,
                                  std::vector<AlertCondition>& out);

// clock_skew when the local clock is off by more than `clock_skew_threshold` either way.
void AppendClockSkewAlerts(std::optional<Duration> offset, const AlertOptions& options,
                           std::vector<AlertCondition>& out);

// stream_capacity: the warning that some streams are not on tick-by-tick, from the stream plan
// before and after a re-plan. Returns
//   * a firing alert when the streams off tick-by-tick (on the fallback or unserved), their routes
//     or their reasons differ between the plans and some remain: raised once per change, naming
//     the streams (symbol and kind) grouped by route and reason;
//   * a resolved alert when some were off tick-by-tick and now none are;
//   * nullopt when nothing changed.
// Process-wide (no contract), severity warning, never critical. `starts_at` (and a resolution's
// `ends_at`) is `now`; the caller carries the firing alert's `starts_at` over to its resolution.
std::optional<Alert> StreamCapacityAlert(const StreamPlan& previous, const StreamPlan& current,
                                         TimePoint now);

// The event rules (raised, not observed). A gap shorter than `gap_min_duration` is no alert.
std::optional<AlertCondition> GapDetectedAlert(int64_t contract_id, TimePoint start, TimePoint end,
                                               std::string_view cause, const AlertOptions& options);
AlertCondition BackfillFailedAlert(int64_t contract_id, std::string_view reason);
AlertCondition StorageErrorAlert(std::string_view message);

}  // namespace ibstream::reliability
