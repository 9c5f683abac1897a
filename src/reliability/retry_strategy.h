// Retry strategies of the reliability plan and the pure rule that picks one from the market status
// and the kind of failure. See README.md in this folder for the table.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string_view>

#include "calendar/market_status.h"
#include "common/clock.h"
#include "common/status.h"

namespace ibstream::reliability {

using std::chrono_literals::operator""s;
using std::chrono_literals::operator""min;
using std::chrono_literals::operator""h;

enum class RetryStrategy {
  kImmediate,     // 1, 2, 5, 10 s
  kStandard,      // 10, 30, 60, 300 s
  kConservative,  // 300, 600, 1800 s
  kMaintenance,   // 3600 s
};

// "immediate", "standard", "conservative", "maintenance".
std::string_view RetryStrategyName(RetryStrategy strategy);
// Accepts the names above; anything else is InvalidArgument naming the allowed values.
Result<RetryStrategy> ParseRetryStrategy(std::string_view text);

// The planned delays before attempt 1, 2, ... of the strategy (before jitter).
std::span<const Duration> RetryIntervals(RetryStrategy strategy);

// What a strategy turns into once its intervals are used up: immediate escalates to standard;
// every other strategy keeps its own last interval.
RetryStrategy EscalationOf(RetryStrategy strategy);

// Why something is being retried. The failure context is half of the strategy choice.
enum class FailureKind {
  kStaleData,         // a subscribed stream delivers nothing while its market trades
  kCompetingSession,  // 10197 for the stream's request
  kFarmDown,          // 2103 and the stream went silent
  kRequestRejected,   // 322/102/200 or a request that was never acknowledged
  kConnectionLost,    // the API socket (gateway session) is down
  kPermissionDenied,  // 354/10089/10168/10186/10189: terminal refusals
  // 10190/101/309: the account's tick-by-tick, line or depth allowance is used up. Not a fault
  // to retry: the stream planner moves the stream onto the reqMktData fallback, and the
  // reliability core schedules no retry and no reconnect for it.
  kCapacity,
};

std::string_view FailureKindName(FailureKind kind);

// Process-wide switches of the reliability plan.
struct RetryPolicy {
  // IB_STREAM_MARKET_AWARE_RETRY: when false every failure uses `standard` (or the contract's
  // override) whatever the market does, weekends included.
  bool market_aware_retry = true;
  // IB_STREAM_AGGRESSIVE_RETRY_DURING_TRADING: when false stale data in an open market uses
  // `standard` instead of `immediate`.
  bool aggressive_retry_during_trading = true;
  // Full jitter: each delay is drawn uniformly from [0, planned delay]. Off only for tests and
  // tables that want the exact plan.
  bool jitter = true;
  // Weekend and holiday: the one attempt made this long before the next open.
  Duration pre_open_lead = 60s;
  // IB: no second tick-by-tick request for the same instrument within 15 s. Applied per stream
  // (contract x tick type): IB accepts BidAsk and Last of one contract requested together.
  Duration min_rerequest_interval = 15s;
  // An attempt whose outcome is never reported counts as failed after this long.
  Duration attempt_timeout = 30s;
  // While a market trades, a lost gateway session is tried again at least this often, whatever
  // the strategy says: connecting to a local TWS/Gateway costs nothing and no IB limit applies
  // to it, and every second spent waiting is a second of data to backfill. This is what brings
  // recording back within seconds of a gateway restart. Zero: the strategies alone.
  Duration gateway_trading_interval = 1s;
};

// The strategy for a failure of `kind` while the market is in `status`; nullopt means "no retries
// now, only the one attempt shortly before the next open".
//
//   WEEKEND/HOLIDAY                -> none
//   data-flow failure (stale data,
//     competing session, farm down)
//     in BREAK or CLOSED           -> none: no data is expected, so a resubscribe could not be
//                                     verified; the pre-open attempt makes it live for the open
//   permission refusals, capacity  -> maintenance (never a storm; the core does not retry a
//                                     capacity refusal at all, this is the answer for others)
//   contract override set          -> the override
//   OPEN/EXTENDED, stale data or
//     competing session            -> immediate (standard if aggressive retry is off)
//   OPEN/EXTENDED, anything else   -> standard
//   BREAK                          -> standard
//   CLOSED                         -> conservative
//   UNKNOWN                        -> standard (the calendar cannot tell; do not guess)
// With market-aware retry off: the override or standard, always (maintenance for refusals and
// capacity).
std::optional<RetryStrategy> SelectStrategy(calendar::MarketStatus status, FailureKind kind,
                                            const RetryPolicy& policy,
                                            std::optional<RetryStrategy> contract_override);

// Full jitter with an injected, seeded generator: uniform in [0, max]; exactly `max` when jitter
// is off. Deterministic for a given seed on every platform (no std distributions).
class Jitter {
 public:
  explicit Jitter(uint64_t seed, bool enabled = true) : engine_(seed), enabled_(enabled) {}

  Duration Draw(Duration max);

 private:
  std::mt19937_64 engine_;
  bool enabled_;
};

}  // namespace ibstream::reliability
