#include "reliability/retry_manager.h"

#include <algorithm>

namespace ibstream::reliability {
namespace {

constexpr Duration kRetryWindow = std::chrono::hours(1);

}  // namespace

std::string ToString(const RetryTarget& target) {
  return target.stream ? ToString(*target.stream) : std::string("gateway");
}

AdaptiveRetryManager::AdaptiveRetryManager(RetryPolicy policy, uint64_t seed)
    : policy_(policy), jitter_(seed, policy.jitter) {}

void AdaptiveRetryManager::SetContractOverride(int64_t contract_id,
                                               std::optional<RetryStrategy> strategy) {
  if (strategy) {
    overrides_[contract_id] = *strategy;
  } else {
    overrides_.erase(contract_id);
  }
}

std::optional<RetryStrategy> AdaptiveRetryManager::Select(const RetryTarget& target,
                                                          FailureKind kind,
                                                          calendar::MarketStatus status) const {
  std::optional<RetryStrategy> override_strategy;
  if (target.stream) {
    auto it = overrides_.find(target.stream->contract_id);
    if (it != overrides_.end()) override_strategy = it->second;
  }
  return SelectStrategy(status, kind, policy_, override_strategy);
}

void AdaptiveRetryManager::StartStrategy(TargetState& s, std::optional<RetryStrategy> strategy,
                                         TimePoint now) {
  s.selected = strategy;
  s.current = strategy.value_or(RetryStrategy::kStandard);
  s.attempts_in_strategy = 0;
  s.exhausted = false;
  s.next_attempt_at = now + jitter_.Draw(RetryIntervals(s.current).front());
}

void AdaptiveRetryManager::CompleteAttempt(TargetState& s, TimePoint now) {
  s.in_flight = false;
  ++s.attempts_in_strategy;
  auto intervals = RetryIntervals(s.current);
  Duration delay;
  if (s.attempts_in_strategy < static_cast<int>(intervals.size())) {
    delay = intervals[static_cast<size_t>(s.attempts_in_strategy)];
  } else {
    s.exhausted = true;
    const RetryStrategy next = EscalationOf(s.current);
    if (next != s.current) {
      s.current = next;
      s.attempts_in_strategy = 0;
      delay = RetryIntervals(next).front();
    } else {
      delay = intervals.back();
    }
  }
  s.next_attempt_at = now + jitter_.Draw(delay);
}

void AdaptiveRetryManager::ReportFailure(const RetryTarget& target, FailureKind kind,
                                         calendar::MarketStatus status, TimePoint now) {
  TargetState& s = targets_[target];
  const std::optional<RetryStrategy> selected = Select(target, kind, status);
  if (!s.failing) {
    s.failing = true;
    s.failure = kind;
    s.episode_started_at = now;
    s.attempts_in_episode = 0;
    s.in_flight = false;
    StartStrategy(s, selected, now);
    return;
  }
  if (s.in_flight) CompleteAttempt(s, now);
  if (kind != s.failure && selected != s.selected) {
    s.failure = kind;
    StartStrategy(s, selected, now);
  }
}

void AdaptiveRetryManager::ReportSuccess(const RetryTarget& target, TimePoint /*now*/) {
  Abandon(target);
}

void AdaptiveRetryManager::Abandon(const RetryTarget& target) {
  auto it = targets_.find(target);
  if (it == targets_.end()) return;
  TargetState& s = it->second;
  s.failing = false;
  s.in_flight = false;
  s.exhausted = false;
  s.selected.reset();
  s.attempts_in_strategy = 0;
  s.attempts_in_episode = 0;
  s.pre_open_pending_for.reset();
}

RetryDecision AdaptiveRetryManager::Decide(const RetryTarget& target,
                                           const calendar::MarketState& market, TimePoint now) {
  auto it = targets_.find(target);
  if (it == targets_.end() || !it->second.failing) return {};
  TargetState& s = it->second;
  if (s.in_flight) {
    if (now - s.in_flight_since < policy_.attempt_timeout) {
      return {RetryVerdict::kInFlight, std::nullopt, s.current, false};
    }
    CompleteAttempt(s, now);
  }

  const std::optional<RetryStrategy> selected = Select(target, s.failure, market.status);
  if (!selected) {
    // No retries now: one attempt shortly before the next open, nothing else. The strategy
    // starts afresh when retries are allowed again.
    s.selected.reset();
    s.pre_open_pending_for.reset();
    if (!market.next_open) return {RetryVerdict::kWait, std::nullopt, std::nullopt, true};
    const TimePoint open = *market.next_open;
    if (s.pre_open_done_for == open) return {RetryVerdict::kWait, open, std::nullopt, false};
    const TimePoint at = std::max(open - policy_.pre_open_lead, EarliestRequest(target));
    if (now >= at) {
      s.pre_open_pending_for = open;
      return {RetryVerdict::kAttemptNow, now, std::nullopt, true};
    }
    return {RetryVerdict::kWait, at, std::nullopt, true};
  }
  if (selected != s.selected) StartStrategy(s, selected, now);
  TimePoint at = std::max(s.next_attempt_at, EarliestRequest(target));
  if (target.is_gateway() && calendar::IsTrading(market.status) &&
      policy_.gateway_trading_interval > Duration::zero()) {
    const TimePoint fast =
        s.last_request_at ? *s.last_request_at + policy_.gateway_trading_interval : now;
    at = std::min(at, fast);
  }
  if (now >= at) return {RetryVerdict::kAttemptNow, now, s.current, false};
  return {RetryVerdict::kWait, at, s.current, false};
}

void AdaptiveRetryManager::AttemptStarted(const RetryTarget& target, TimePoint now) {
  TargetState& s = targets_[target];
  s.in_flight = true;
  s.in_flight_since = now;
  s.last_request_at = now;
  ++s.attempts_in_episode;
  s.attempts.push_back(now);
  while (!s.attempts.empty() && s.attempts.front() <= now - kRetryWindow) s.attempts.pop_front();
  if (s.pre_open_pending_for) {
    s.pre_open_done_for = s.pre_open_pending_for;
    s.pre_open_pending_for.reset();
  }
}

void AdaptiveRetryManager::AttemptCompleted(const RetryTarget& target, TimePoint now) {
  auto it = targets_.find(target);
  if (it == targets_.end() || !it->second.in_flight) return;
  CompleteAttempt(it->second, now);
}

void AdaptiveRetryManager::RecordProbe(const RetryTarget& target, TimePoint now) {
  TargetState& s = targets_[target];
  s.last_request_at = now;
  s.attempts.push_back(now);
  while (!s.attempts.empty() && s.attempts.front() <= now - kRetryWindow) s.attempts.pop_front();
}

void AdaptiveRetryManager::NoteRequest(const RetryTarget& target, TimePoint now) {
  targets_[target].last_request_at = now;
}

TimePoint AdaptiveRetryManager::EarliestRequest(const RetryTarget& target) const {
  if (target.is_gateway()) return TimePoint::min();
  auto it = targets_.find(target);
  if (it == targets_.end() || !it->second.last_request_at) return TimePoint::min();
  return *it->second.last_request_at + policy_.min_rerequest_interval;
}

int AdaptiveRetryManager::RetriesInLastHour(const RetryTarget& target, TimePoint now) const {
  auto it = targets_.find(target);
  if (it == targets_.end()) return 0;
  const auto& attempts = it->second.attempts;
  return static_cast<int>(std::count_if(attempts.begin(), attempts.end(),
                                        [&](TimePoint t) { return t > now - kRetryWindow; }));
}

RetryStatus AdaptiveRetryManager::Status(const RetryTarget& target) const {
  RetryStatus r;
  auto it = targets_.find(target);
  if (it == targets_.end()) return r;
  const TargetState& s = it->second;
  r.failing = s.failing;
  r.failure = s.failure;
  r.last_request_at = s.last_request_at;
  if (!s.failing) return r;
  r.strategy = s.selected ? std::optional<RetryStrategy>(s.current) : std::nullopt;
  r.attempts_in_strategy = s.attempts_in_strategy;
  r.attempts_in_episode = s.attempts_in_episode;
  r.exhausted = s.exhausted;
  r.in_flight = s.in_flight;
  r.next_attempt_at = s.next_attempt_at;
  r.episode_started_at = s.episode_started_at;
  return r;
}

}  // namespace ibstream::reliability
