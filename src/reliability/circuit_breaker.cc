#include "reliability/circuit_breaker.h"

namespace ibstream::reliability {

std::string_view BreakerStateName(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed:
      return "closed";
    case BreakerState::kOpen:
      return "open";
    case BreakerState::kHalfOpen:
      return "half_open";
  }
  return "closed";
}

std::optional<BreakerTransition> StreamCircuitBreaker::MoveTo(BreakerState to, TimePoint now) {
  if (to == state_) return std::nullopt;
  BreakerTransition t{state_, to, now, consecutive_failures_};
  state_ = to;
  if (to == BreakerState::kOpen) opened_at_ = now;
  probe_out_ = false;
  return t;
}

bool StreamCircuitBreaker::AllowAttempt(TimePoint now, bool market_trading,
                                        std::optional<BreakerTransition>* transition) {
  if (transition != nullptr) transition->reset();
  switch (state_) {
    case BreakerState::kClosed:
      return true;
    case BreakerState::kOpen:
      if (market_trading) return true;
      if (opened_at_ && now - *opened_at_ >= options_.recovery_timeout) {
        auto t = MoveTo(BreakerState::kHalfOpen, now);
        if (transition != nullptr) *transition = t;
        probe_out_ = true;
        return true;
      }
      return false;
    case BreakerState::kHalfOpen:
      if (market_trading) return true;
      if (probe_out_) return false;
      probe_out_ = true;
      return true;
  }
  return false;
}

std::optional<BreakerTransition> StreamCircuitBreaker::RecordSuccess(TimePoint now) {
  consecutive_failures_ = 0;
  return MoveTo(BreakerState::kClosed, now);
}

std::optional<BreakerTransition> StreamCircuitBreaker::RecordFailure(TimePoint now) {
  ++consecutive_failures_;
  switch (state_) {
    case BreakerState::kClosed:
      if (consecutive_failures_ >= options_.failure_threshold) {
        return MoveTo(BreakerState::kOpen, now);
      }
      return std::nullopt;
    case BreakerState::kHalfOpen:
      return MoveTo(BreakerState::kOpen, now);
    case BreakerState::kOpen:
      // A failed attempt made while trading restarts the recovery period.
      opened_at_ = now;
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace ibstream::reliability
