// Virtual time for the recorder-against-simulator tests: like ScaledClock, `speed` times faster
// than its base clock from `start`, but a test may change the speed while the clock runs, to
// hurry through a stretch in which nothing it watches happens (a market's daily halt). Time stays
// continuous across a change, and ToRealDuration() follows the current speed, so timers armed
// after a change fire at the right virtual time.
//
// Thread-safe. The base clock must outlive this clock.
#pragma once

#include <cmath>
#include <mutex>

#include "common/check.h"
#include "common/clock.h"

namespace ibstream::recorder::testing {

class VariableSpeedClock final : public Clock {
 public:
  // `speed` must be positive.
  VariableSpeedClock(TimePoint start, double speed, const Clock& base = SystemClock::Instance())
      : base_(base), virtual_anchor_(start), base_anchor_(base.Now()), speed_(speed) {
    IBSTREAM_CHECK(speed > 0 && std::isfinite(speed), "VariableSpeedClock speed must be positive");
  }

  VariableSpeedClock(const VariableSpeedClock&) = delete;
  VariableSpeedClock& operator=(const VariableSpeedClock&) = delete;

  TimePoint Now() const override {
    std::lock_guard lock(mutex_);
    return NowLocked(base_.Now());
  }

  Duration ToRealDuration(Duration span) const override {
    std::lock_guard lock(mutex_);
    return Duration(std::llround(static_cast<double>(span.count()) / speed_));
  }

  // From now on, virtual time runs `speed` (positive) times faster than the base clock.
  void SetSpeed(double speed) {
    IBSTREAM_CHECK(speed > 0 && std::isfinite(speed), "VariableSpeedClock speed must be positive");
    std::lock_guard lock(mutex_);
    const TimePoint base_now = base_.Now();
    virtual_anchor_ = NowLocked(base_now);
    base_anchor_ = base_now;
    speed_ = speed;
  }

  double speed() const {
    std::lock_guard lock(mutex_);
    return speed_;
  }

 private:
  TimePoint NowLocked(TimePoint base_now) const {
    const auto elapsed = static_cast<double>((base_now - base_anchor_).count());
    return virtual_anchor_ + Duration(std::llround(elapsed * speed_));
  }

  const Clock& base_;
  mutable std::mutex mutex_;
  TimePoint virtual_anchor_;
  TimePoint base_anchor_;
  double speed_;
};

}  // namespace ibstream::recorder::testing
