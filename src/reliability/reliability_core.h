// ReliabilityCore: the one place the recorder talks to about reliability. It takes events (ticks,
// connection up/down, IB codes, subscription acknowledgements, market state, storage and clock
// facts) and, when the event loop calls Evaluate(now) (at least once a second), returns what to
// do: reconnect the session, resubscribe a stream, or wait; alerts go to the AlertSink.
//
// It composes StreamHealthMonitor (is data flowing as the market says it should),
// AdaptiveRetryManager (when to try again), one StreamCircuitBreaker per stream plus one for the
// gateway session, and StreamingAlertsManager (what to tell a human).
//
// Pure: no I/O, no threads, no clock of its own; every method takes `now`. Not thread-safe: the
// recorder's event loop thread owns it. OnTick() is the per-tick hot path (two map lookups).
//
// Protocol with the recorder:
//   * kReconnect: open a new API session (a new client id if the last one got 326). Report
//     OnConnectionUp() when the handshake completes, OnConnectionDown() when it fails or drops.
//   * kResubscribe(stream): cancel the stream's previous request if any and request it again
//     with a fresh request id; report OnSubscribed() once the request is out and not refused,
//     OnIbError(code, stream) for errors on its request id, OnTick() for its data.
//   * A capacity refusal (10190, 101, 309; IsCapacitySignal) parks the stream: no resubscribe,
//     no reconnect, no breaker failure, no refusal alert, health DEGRADED. The recorder re-plans
//     it (stream_plan.h): onto the fallback (RemoveStream), or back to tick-by-tick later
//     (RemoveStream then AddStream, or OnSubscribed for a request it made itself).
//   * kWait: informational; the target's next attempt is not before `at` (TimePoint::max():
//     until the market state changes). Emitted when the wait changes, not on every evaluation.
// Never two kReconnect, nor two kResubscribe of one stream, are outstanding at once.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "calendar/market_status.h"
#include "common/clock.h"
#include "model/alert.h"
#include "model/tick.h"
#include "reliability/alert_rules.h"
#include "reliability/alert_sink.h"
#include "reliability/alerts.h"
#include "reliability/circuit_breaker.h"
#include "reliability/contract_options.h"
#include "reliability/health_metrics.h"
#include "reliability/ib_error_class.h"
#include "reliability/retry_manager.h"
#include "reliability/stream_health.h"
#include "reliability/stream_plan.h"

namespace ibstream::reliability {

struct ReliabilityOptions {
  RetryPolicy retry;
  AlertOptions alerts;
  // Recovery timeout of every breaker (the stream's threshold is its contract's
  // circuit_breaker_threshold).
  Duration breaker_recovery_timeout = std::chrono::seconds(300);
  int gateway_breaker_threshold = 5;
  // A gateway that lost IB (1100) this long while some market trades gets its session cycled.
  Duration lost_ib_reconnect_after = std::chrono::seconds(300);
  // Seeds the retry jitter (print it in tests).
  uint64_t seed = 1;
};

enum class ActionKind {
  kReconnect,
  kResubscribe,
  kWait,
};

// "reconnect", "resubscribe", "wait".
std::string_view ActionKindName(ActionKind kind);

struct Action {
  ActionKind kind = ActionKind::kWait;
  // kResubscribe: the stream; kWait: the waiting stream, or empty for the gateway session.
  std::optional<StreamKey> stream;
  // kWait: not before this (TimePoint::max(): until the market state changes); else `now`.
  TimePoint at;
  // Why: "initial_connect", "connection_lost", "ib_link_lost", "first_subscription",
  // "restore", "stale_data", "competing_session", "request_rejected", "permission_denied",
  // "verify_after_restart", "pre_open", "backoff", "breaker_open".
  std::string reason;

  friend bool operator==(const Action&, const Action&) = default;
};

struct BreakerEvent {
  RetryTarget target;
  BreakerTransition transition;
};

struct Decisions {
  std::vector<Action> actions;
  // Breaker state changes since the previous Evaluate().
  std::vector<BreakerEvent> breaker_events;
};

enum class GatewayState {
  kDown,
  kConnecting,
  kUp,
};

std::string_view GatewayStateName(GatewayState state);

class ReliabilityCore {
 public:
  // `sink` must outlive the core.
  ReliabilityCore(ReliabilityOptions options, AlertSink& sink);
  ReliabilityCore(const ReliabilityCore&) = delete;
  ReliabilityCore& operator=(const ReliabilityCore&) = delete;

  // Tracks a stream (before the first Evaluate, or any time later).
  // `added_at`: set for a stream added mid-session (StreamHealthMonitor::AddStream).
  void AddStream(const StreamKey& stream, const ContractReliabilityOptions& options = {},
                 std::optional<TimePoint> added_at = std::nullopt);
  // Stops tracking a stream (a futures roll, or a contract dropped from the configuration): no
  // more decisions, health or alerts for it. Unknown streams are ignored.
  void RemoveStream(const StreamKey& stream);
  // Watches a stream its owner subscribes and restores itself (market depth: DepthRecorder):
  // its health is assessed like a tracked stream's (OnSubscribed, OnTick, the market state and
  // the connection) and its silence while its market trades raises data_stale_during_trading
  // naming its kind, but the core makes no decision for it (no resubscribe, no breaker, no retry
  // schedule). Watching a stream again updates its options.
  void WatchStream(const StreamKey& stream, const ContractReliabilityOptions& options = {},
                   std::optional<TimePoint> added_at = std::nullopt);
  // Stops watching; unknown streams are ignored.
  void UnwatchStream(const StreamKey& stream);

  // --- events -------------------------------------------------------------------------------
  void OnMarketState(int64_t contract_id, const calendar::MarketState& state, TimePoint now);
  void OnTick(const StreamKey& stream, TimePoint now);
  void OnConnectionUp(TimePoint now);
  // The session dropped, or a connect attempt failed.
  void OnConnectionDown(TimePoint now);
  // An IB code; `stream` is the stream whose request id it carries (empty for reqId -1).
  void OnIbError(int code, std::optional<StreamKey> stream, TimePoint now);
  void OnSubscribed(const StreamKey& stream, TimePoint now);
  // Facts for the remaining alert rules.
  void OnGapDetected(int64_t contract_id, TimePoint start, TimePoint end, std::string_view cause,
                     TimePoint now);
  void OnBackfillFailed(int64_t contract_id, std::string_view reason, TimePoint now);
  // A storage error event: storage_error holds for event_hold after it.
  void OnStorageError(std::string_view message, TimePoint now);
  // Stored data found damaged (a sealed hour that cannot be read back whole): a storage_error
  // event of the contract, as a warning (what was lost is being refilled, nothing is being
  // lost now), whose summary and `file` label name the file and what it cannot give back.
  void OnStoredDataDamaged(int64_t contract_id, std::string_view file, std::string_view summary,
                           TimePoint now);
  // Whether storage refuses writes now (suspended after a write error; `cause` says why). While
  // it does, storage_error holds whatever the time since the last OnStorageError.
  void OnStorageSuspended(bool suspended, std::string_view cause);
  // The storage volume's free and total bytes (a total of 0 means unknown: no disk_low).
  void OnDiskSpace(uint64_t free_bytes, uint64_t total_bytes);
  void OnClockSkew(Duration offset);
  // A contract whose time zone id could not be resolved (empty `zone_id` clears it).
  void OnTimezoneProblem(int64_t contract_id, std::optional<std::string> zone_id);
  // The recorder's stream plan (stream_plan.h), after every (re)plan. Decides the
  // stream_capacity warning against the previous plan (StreamCapacityAlert): raised once per
  // change of the streams off tick-by-tick, resolved when every stream is on tick-by-tick again,
  // never critical. Delivered at the next Evaluate (unless alerts are disabled); listed by
  // FiringAlerts while firing.
  void OnStreamPlan(const StreamPlan& plan, TimePoint now);

  // --- decisions ----------------------------------------------------------------------------
  Decisions Evaluate(TimePoint now);

  // --- read-only views (same thread) --------------------------------------------------------
  StreamHealthMetrics Metrics(const StreamKey& stream, TimePoint now) const;
  std::vector<StreamHealthMetrics> AllMetrics(TimePoint now) const;
  HealthStatus ContractStatus(int64_t contract_id, TimePoint now) const;
  HealthStatus OverallStatus(TimePoint now) const;
  GatewayState gateway_state() const { return gateway_; }
  std::vector<Alert> FiringAlerts() const;
  RetryStatus RetryStatusOf(const RetryTarget& target) const { return retry_.Status(target); }
  BreakerState BreakerStateOf(const RetryTarget& target) const;
  // IB codes that changed nothing (informational or unknown), for a counter.
  uint64_t ignored_ib_codes() const { return ignored_ib_codes_; }

 private:
  enum class SubState {
    kNeedsSubscribe,  // no live request: first subscription, after a drop, 1101, rejection
    kRequested,       // a request is out, not yet acknowledged
    kActive,          // acknowledged: data is judged by the monitor
    kRefused,         // terminal refusal; only the maintenance strategy asks again
    kCapacity,        // 10190/101/309: parked, never retried; the recorder re-plans the stream
  };
  struct StreamRecord {
    StreamKey key;
    ContractReliabilityOptions options;
    SubState sub = SubState::kNeedsSubscribe;
    bool ever_requested = false;
    TimePoint requested_at;
    // In a failure episode (mirrors the retry manager, so OnTick needs no second lookup).
    bool failing = false;
    // An attempt was made in the current episode and its outcome is not judged yet.
    bool attempt_unjudged = false;
    // A verifying resubscribe was made since the last (re)start of data.
    bool probe_used = false;
    std::optional<int> advisory_code;
    std::optional<int> refused_code;
    std::optional<int> capacity_code;
    std::optional<TimePoint> competing_since;
    int64_t error_count = 0;
    std::optional<int> last_error_code;
    std::optional<TimePoint> last_wait;
    StreamCircuitBreaker breaker;
  };

  StreamRecord* Find(const StreamKey& stream);
  calendar::MarketState GatewayMarket() const;
  void RecordBreaker(const RetryTarget& target, std::optional<BreakerTransition> t);
  void StreamFailed(StreamRecord& r, FailureKind kind, TimePoint now);
  void StreamSucceeded(StreamRecord& r, TimePoint now);
  void SessionLost(TimePoint now);
  void ConnectFailed(TimePoint now);
  // OnIbError for a code on a stream's request id, and for a session notice (reqId -1).
  void OnStreamIbError(StreamRecord& r, IbErrorClass cls, int code, TimePoint now);
  void OnSessionIbError(IbErrorClass cls, TimePoint now);
  void EvaluateGateway(TimePoint now, Decisions& out);
  void EvaluateStream(StreamRecord& r, TimePoint now, Decisions& out);
  enum class RequestKind { kFirst, kProbe, kRetry };
  void Request(StreamRecord& r, TimePoint now, std::string reason, RequestKind kind,
               Decisions& out);
  void Wait(std::optional<TimePoint>& last, std::optional<StreamKey> stream, TimePoint at,
            std::string reason, Decisions& out);
  // The facts the alert rules (alert_rules.h) judge, then every condition that holds.
  GatewayAlertFacts GatewayFacts(TimePoint now) const;
  StreamAlertFacts StreamFacts(const StreamRecord& r, TimePoint now) const;
  void ObserveAlerts(TimePoint now);

  ReliabilityOptions options_;
  StreamHealthMonitor monitor_;
  AdaptiveRetryManager retry_;
  StreamingAlertsManager alerts_;
  std::map<StreamKey, StreamRecord> streams_;
  // Watched streams (WatchStream) and their options: health and staleness only.
  std::map<StreamKey, ContractReliabilityOptions> watched_;
  std::vector<int64_t> contracts_;  // distinct contract ids of streams_, sorted

  GatewayState gateway_ = GatewayState::kDown;
  bool ever_connected_ = false;
  bool connect_attempted_ = false;
  TimePoint connect_started_at_;
  std::optional<TimePoint> down_since_;
  // When established sessions ended, within the last hour (frequent_reconnections' text).
  std::deque<TimePoint> sessions_lost_;
  std::optional<TimePoint> gateway_last_wait_;
  StreamCircuitBreaker gateway_breaker_;
  std::vector<BreakerEvent> breaker_events_;

  bool storage_suspended_ = false;
  std::string storage_suspended_cause_;
  std::optional<uint64_t> disk_free_bytes_;
  std::optional<uint64_t> disk_total_bytes_;
  std::optional<Duration> clock_skew_;
  std::map<int64_t, std::string> timezone_problems_;
  uint64_t ignored_ib_codes_ = 0;

  AlertSink& sink_;
  StreamPlan plan_;
  // The stream_capacity alert while it fires, and decisions not delivered yet.
  std::optional<Alert> capacity_alert_;
  std::vector<Alert> capacity_pending_;
};

}  // namespace ibstream::reliability
