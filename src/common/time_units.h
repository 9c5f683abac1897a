// Counts of time units for arithmetic on integer nanoseconds (ToUnixNanos values, offsets within
// a second). Durations and time points themselves use common/clock.h's types.
#pragma once

#include <cstdint>

namespace ibstream {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;

}  // namespace ibstream
