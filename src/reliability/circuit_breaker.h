// A circuit breaker around one retried target: a stream's subscription or the gateway session.
//
// CLOSED: attempts allowed; `failure_threshold` consecutive failures open it. OPEN: attempts are
// refused until `recovery_timeout` has passed since it opened, then it is HALF_OPEN: one probe
// attempt is allowed; its success closes the breaker, its failure opens it again (for another
// recovery timeout). Market-aware: while the market trades, an attempt is always allowed (the
// retry strategy paces it) and its outcome moves the breaker as a probe's would.
//
// Pure and single-threaded: the owner passes `now`; every state change is returned as a
// BreakerTransition so the caller can log it, count it and raise `circuit_open`.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "common/clock.h"

namespace ibstream::reliability {

enum class BreakerState {
  kClosed,
  kOpen,
  kHalfOpen,
};

// "closed", "open", "half_open".
std::string_view BreakerStateName(BreakerState state);

struct BreakerOptions {
  // circuit_breaker_threshold: consecutive failures that open the breaker.
  int failure_threshold = 5;
  // How long an open breaker refuses attempts (outside trading hours) before a probe.
  Duration recovery_timeout = std::chrono::seconds(300);
};

struct BreakerTransition {
  BreakerState from = BreakerState::kClosed;
  BreakerState to = BreakerState::kClosed;
  TimePoint at;
  int consecutive_failures = 0;

  friend bool operator==(const BreakerTransition&, const BreakerTransition&) = default;
};

class StreamCircuitBreaker {
 public:
  explicit StreamCircuitBreaker(BreakerOptions options = {}) : options_(options) {}

  // Whether an attempt may start now. `market_trading` (OPEN or EXTENDED) always allows. Asking
  // an OPEN breaker after its recovery timeout moves it to HALF_OPEN (returned in `transition`)
  // and allows the one probe; further asks while that probe is out are refused.
  bool AllowAttempt(TimePoint now, bool market_trading,
                    std::optional<BreakerTransition>* transition = nullptr);

  // The outcome of an attempt (or of the target's own health: data flowing is a success).
  std::optional<BreakerTransition> RecordSuccess(TimePoint now);
  std::optional<BreakerTransition> RecordFailure(TimePoint now);

  BreakerState state() const { return state_; }
  int consecutive_failures() const { return consecutive_failures_; }
  // When the breaker last opened; empty while it never has.
  std::optional<TimePoint> opened_at() const { return opened_at_; }
  const BreakerOptions& options() const { return options_; }

 private:
  std::optional<BreakerTransition> MoveTo(BreakerState to, TimePoint now);

  BreakerOptions options_;
  BreakerState state_ = BreakerState::kClosed;
  int consecutive_failures_ = 0;
  std::optional<TimePoint> opened_at_;
  bool probe_out_ = false;
};

}  // namespace ibstream::reliability
