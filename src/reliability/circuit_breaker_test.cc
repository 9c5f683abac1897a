#include "reliability/circuit_breaker.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ibstream::reliability::circuit_breaker_test {
namespace {

using std::chrono::seconds;
using B = BreakerState;

const TimePoint kT0 = FromUnixSeconds(1'754'920'800);  // 2025-08-11T14:00:00Z

// One step of a breaker table: an action at t0 + `at` seconds, what it returns, the state after.
struct Step {
  enum Kind { kFail, kSucceed, kAsk, kAskTrading } kind;
  int at;
  bool allowed;  // for asks
  B state_after;
  std::optional<B> transition_to;
};

void RunTable(const std::string& name, const std::vector<Step>& steps, BreakerOptions options) {
  SCOPED_TRACE(name);
  StreamCircuitBreaker breaker(options);
  int i = 0;
  for (const Step& s : steps) {
    SCOPED_TRACE("step " + std::to_string(i++));
    const TimePoint now = kT0 + seconds(s.at);
    std::optional<BreakerTransition> t;
    switch (s.kind) {
      case Step::kFail:
        t = breaker.RecordFailure(now);
        break;
      case Step::kSucceed:
        t = breaker.RecordSuccess(now);
        break;
      case Step::kAsk:
      case Step::kAskTrading:
        EXPECT_EQ(breaker.AllowAttempt(now, s.kind == Step::kAskTrading, &t), s.allowed);
        break;
    }
    EXPECT_EQ(breaker.state(), s.state_after);
    EXPECT_EQ(t.has_value(), s.transition_to.has_value());
    if (t && s.transition_to) {
      EXPECT_EQ(t->to, *s.transition_to);
      EXPECT_EQ(t->at, now);
    }
  }
}

TEST(CircuitBreakerTest, TransitionTable) {
  BreakerOptions options;  // threshold 5, recovery 300 s
  using S = Step;
  RunTable("closed stays closed below the threshold; success resets the count",
           {{S::kFail, 0, false, B::kClosed, {}},
            {S::kFail, 1, false, B::kClosed, {}},
            {S::kFail, 2, false, B::kClosed, {}},
            {S::kFail, 3, false, B::kClosed, {}},
            {S::kSucceed, 4, false, B::kClosed, {}},
            {S::kFail, 5, false, B::kClosed, {}},
            {S::kAsk, 6, true, B::kClosed, {}}},
           options);
  RunTable("five failures open; open refuses off-hours until the recovery timeout",
           {{S::kFail, 0, false, B::kClosed, {}},
            {S::kFail, 1, false, B::kClosed, {}},
            {S::kFail, 2, false, B::kClosed, {}},
            {S::kFail, 3, false, B::kClosed, {}},
            {S::kFail, 4, false, B::kOpen, B::kOpen},
            {S::kAsk, 5, false, B::kOpen, {}},
            {S::kAsk, 303, false, B::kOpen, {}},
            {S::kAsk, 304, true, B::kHalfOpen, B::kHalfOpen},
            {S::kAsk, 305, false, B::kHalfOpen, {}},  // one probe at a time
            {S::kSucceed, 306, false, B::kClosed, B::kClosed},
            {S::kAsk, 307, true, B::kClosed, {}}},
           options);
  RunTable("a failed probe re-opens for another recovery period",
           {{S::kFail, 0, false, B::kClosed, {}},
            {S::kFail, 0, false, B::kClosed, {}},
            {S::kFail, 0, false, B::kClosed, {}},
            {S::kFail, 0, false, B::kClosed, {}},
            {S::kFail, 0, false, B::kOpen, B::kOpen},
            {S::kAsk, 300, true, B::kHalfOpen, B::kHalfOpen},
            {S::kFail, 310, false, B::kOpen, B::kOpen},
            {S::kAsk, 600, false, B::kOpen, {}},
            {S::kAsk, 610, true, B::kHalfOpen, B::kHalfOpen}},
           options);
  RunTable("while the market trades an open breaker always allows, paced by the strategy",
           {{S::kFail, 0, false, B::kClosed, {}},
            {S::kFail, 0, false, B::kClosed, {}},
            {S::kFail, 0, false, B::kClosed, {}},
            {S::kFail, 0, false, B::kClosed, {}},
            {S::kFail, 0, false, B::kOpen, B::kOpen},
            {S::kAskTrading, 1, true, B::kOpen, {}},
            {S::kFail, 2, false, B::kOpen, {}},
            {S::kAskTrading, 3, true, B::kOpen, {}},
            {S::kAsk, 4, false, B::kOpen, {}},  // market closed again: recovery restarted at 2
            {S::kAsk, 302, true, B::kHalfOpen, B::kHalfOpen},
            {S::kAskTrading, 303, true, B::kHalfOpen, {}},
            {S::kSucceed, 304, false, B::kClosed, B::kClosed}},
           options);
  BreakerOptions tight;
  tight.failure_threshold = 1;
  tight.recovery_timeout = seconds(10);
  RunTable("threshold and recovery are configurable",
           {{S::kFail, 0, false, B::kOpen, B::kOpen},
            {S::kAsk, 9, false, B::kOpen, {}},
            {S::kAsk, 10, true, B::kHalfOpen, B::kHalfOpen}},
           tight);
}

TEST(CircuitBreakerTest, TransitionCarriesTheFailureCount) {
  StreamCircuitBreaker breaker;
  std::optional<BreakerTransition> t;
  for (int i = 0; i < 5; ++i) t = breaker.RecordFailure(kT0);
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, (BreakerTransition{B::kClosed, B::kOpen, kT0, 5}));
  EXPECT_EQ(breaker.opened_at(), kT0);
  EXPECT_EQ(BreakerStateName(B::kHalfOpen), "half_open");
}

}  // namespace
}  // namespace ibstream::reliability::circuit_breaker_test
