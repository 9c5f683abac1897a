// AdaptiveRetryManager: when to make the next attempt for each retried target (the gateway
// session or one stream), chosen from the market status and the failure context.
//
// A target is in a failure episode from ReportFailure() until ReportSuccess(). Within an episode
// attempt k is due `jitter(interval[k])` after the previous attempt completed (the first after
// the failure itself); the interval list is the strategy's (retry_strategy.h). When it is used up
// the episode is "exhausted": immediate escalates to standard, every other strategy keeps its
// last interval. Nothing ever gives up while the market trades.
//
// Single flight: between AttemptStarted() and its completion (AttemptCompleted(), ReportFailure()
// or ReportSuccess(), or `attempt_timeout`) Decide() answers kInFlight, never a second attempt.
// Streams also obey IB's rule of no second tick-by-tick request within `min_rerequest_interval`,
// counted from every request (first subscriptions and restores included, see NoteRequest()).
// Weekend and holiday: no attempts, except one at next_open - pre_open_lead per opening.
//
// Pure: the caller passes `now` and the market state; randomness comes from the seeded Jitter.
// Not thread-safe; one owner.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "calendar/market_status.h"
#include "common/clock.h"
#include "model/tick.h"
#include "reliability/retry_strategy.h"

namespace ibstream::reliability {

// What is retried: the gateway session (no stream) or one stream's subscription.
struct RetryTarget {
  std::optional<StreamKey> stream;

  static RetryTarget Gateway() { return {}; }
  static RetryTarget Stream(const StreamKey& key) { return {key}; }
  bool is_gateway() const { return !stream.has_value(); }

  friend bool operator==(const RetryTarget&, const RetryTarget&) = default;
  friend auto operator<=>(const RetryTarget&, const RetryTarget&) = default;
};

// "gateway" or "711280073/bid_ask".
std::string ToString(const RetryTarget& target);

enum class RetryVerdict {
  kIdle,        // no failure episode: nothing to do
  kAttemptNow,  // start an attempt now (then call AttemptStarted)
  kWait,        // wait: until `at`, or until the market state changes when `at` is empty
  kInFlight,    // an attempt is out; wait for its outcome
};

struct RetryDecision {
  RetryVerdict verdict = RetryVerdict::kIdle;
  std::optional<TimePoint> at;
  // The strategy in force; empty on weekends and holidays (pre-open attempt only).
  std::optional<RetryStrategy> strategy;
  // The attempt (or wait) is the one pre-open attempt of a weekend or holiday.
  bool pre_open = false;

  friend bool operator==(const RetryDecision&, const RetryDecision&) = default;
};

// A read-only view of one target's schedule.
struct RetryStatus {
  bool failing = false;
  FailureKind failure = FailureKind::kConnectionLost;
  std::optional<RetryStrategy> strategy;
  int attempts_in_strategy = 0;
  int attempts_in_episode = 0;
  bool exhausted = false;
  bool in_flight = false;
  std::optional<TimePoint> next_attempt_at;
  std::optional<TimePoint> last_request_at;
  std::optional<TimePoint> episode_started_at;
};

class AdaptiveRetryManager {
 public:
  // `seed` seeds the jitter; tests print it.
  AdaptiveRetryManager(RetryPolicy policy, uint64_t seed);
  AdaptiveRetryManager(const AdaptiveRetryManager&) = delete;
  AdaptiveRetryManager& operator=(const AdaptiveRetryManager&) = delete;

  const RetryPolicy& policy() const { return policy_; }

  // The contract's `retry_strategy` override (empty: market-aware choice).
  void SetContractOverride(int64_t contract_id, std::optional<RetryStrategy> strategy);

  // The target failed. Starts an episode; during one, completes an in-flight attempt as failed,
  // or restarts the episode when the failure calls for another strategy (e.g. a refusal during
  // a stale-data episode). `status` is the target's market status at `now`.
  void ReportFailure(const RetryTarget& target, FailureKind kind, calendar::MarketStatus status,
                     TimePoint now);
  // The target works again: the episode ends, the strategy resets.
  void ReportSuccess(const RetryTarget& target, TimePoint now);
  // Ends an episode without success or failure (e.g. a stream's episode when the whole session
  // dropped: the gateway's episode takes over).
  void Abandon(const RetryTarget& target);
  // Forgets the target entirely (it is no longer tracked).
  void Forget(const RetryTarget& target) { targets_.erase(target); }

  // What to do now. May complete a timed-out attempt as failed.
  RetryDecision Decide(const RetryTarget& target, const calendar::MarketState& market,
                       TimePoint now);

  // The caller started an attempt (the one Decide() allowed, or a verifying resubscribe made
  // outside an episode). Counts for RetriesInLastHour() and the re-request spacing.
  void AttemptStarted(const RetryTarget& target, TimePoint now);
  // The attempt was carried out (a stream's request was sent and acknowledged) but its success
  // shows only later (data): the next attempt is scheduled, and ReportSuccess() cancels it.
  void AttemptCompleted(const RetryTarget& target, TimePoint now);
  // A verifying request outside any episode (a silent stream after a restart): counts for
  // RetriesInLastHour() and the re-request spacing, schedules nothing.
  void RecordProbe(const RetryTarget& target, TimePoint now);
  // A request that is not a retry (first subscription, restore after reconnect): only the
  // re-request spacing is updated.
  void NoteRequest(const RetryTarget& target, TimePoint now);

  // Earliest time a new request for the target may go out (streams: IB's 15 s rule).
  TimePoint EarliestRequest(const RetryTarget& target) const;
  // Attempts started within the hour before `now`.
  int RetriesInLastHour(const RetryTarget& target, TimePoint now) const;
  RetryStatus Status(const RetryTarget& target) const;

 private:
  struct TargetState {
    bool failing = false;
    FailureKind failure = FailureKind::kConnectionLost;
    // Strategy chosen for the episode by SelectStrategy and the one in force after escalation.
    std::optional<RetryStrategy> selected;
    RetryStrategy current = RetryStrategy::kStandard;
    int attempts_in_strategy = 0;
    int attempts_in_episode = 0;
    bool exhausted = false;
    TimePoint next_attempt_at;
    TimePoint episode_started_at;
    bool in_flight = false;
    TimePoint in_flight_since;
    std::optional<TimePoint> last_request_at;
    // The next_open whose pre-open attempt was made, and the one a pending kAttemptNow is for.
    std::optional<TimePoint> pre_open_done_for;
    std::optional<TimePoint> pre_open_pending_for;
    std::deque<TimePoint> attempts;
  };

  std::optional<RetryStrategy> Select(const RetryTarget& target, FailureKind kind,
                                      calendar::MarketStatus status) const;
  void StartStrategy(TargetState& s, std::optional<RetryStrategy> strategy, TimePoint now);
  void CompleteAttempt(TargetState& s, TimePoint now);

  RetryPolicy policy_;
  Jitter jitter_;
  std::map<int64_t, RetryStrategy> overrides_;
  std::map<RetryTarget, TargetState> targets_;
};

}  // namespace ibstream::reliability
