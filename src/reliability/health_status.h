// The health vocabulary of /background/health: per stream, per contract and overall.
#pragma once

#include <span>
#include <string_view>

namespace ibstream::reliability {

enum class HealthStatus {
  kHealthy,    // data flows as the market says it should
  kDegraded,   // trading, data not (yet) confirmed: awaiting first data, silent, farm down ...
  kUnhealthy,  // trading and stale, disconnected, or a terminal refusal
  kOffHours,   // the market is not trading and no data is expected
  kUnknown,    // the calendar cannot tell whether data is expected
};

// "HEALTHY", "DEGRADED", "UNHEALTHY", "OFF_HOURS", "UNKNOWN".
std::string_view HealthStatusName(HealthStatus status);

// The original's roll-up: any UNHEALTHY -> UNHEALTHY; any DEGRADED -> DEGRADED; all OFF_HOURS ->
// OFF_HOURS; any HEALTHY -> HEALTHY; otherwise (including an empty list) UNKNOWN.
HealthStatus CombineHealth(std::span<const HealthStatus> statuses);

}  // namespace ibstream::reliability
