// Unit constants the simulator's sources share. Internal to sim/.
#pragma once

#include <cstdint>

namespace ibstream::sim {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;

}  // namespace ibstream::sim
