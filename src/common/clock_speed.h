#pragma once

#include <cmath>

namespace ibstream {

// The largest speed of a ScaledClock (`--speed`, a scenario's `speed`): a real day is then 27
// virtual years, far from the end of what a TimePoint holds.
inline constexpr double kMaxClockSpeed = 10'000;

// Whether `speed` is a speed a ScaledClock accepts: finite, greater than 0, at most
// kMaxClockSpeed (nan and inf are not).
inline bool IsValidClockSpeed(double speed) {
  return std::isfinite(speed) && speed > 0 && speed <= kMaxClockSpeed;
}

}  // namespace ibstream
