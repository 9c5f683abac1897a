#include "reliability/health_status.h"

#include <algorithm>

namespace ibstream::reliability {

std::string_view HealthStatusName(HealthStatus status) {
  switch (status) {
    case HealthStatus::kHealthy:
      return "HEALTHY";
    case HealthStatus::kDegraded:
      return "DEGRADED";
    case HealthStatus::kUnhealthy:
      return "UNHEALTHY";
    case HealthStatus::kOffHours:
      return "OFF_HOURS";
    case HealthStatus::kUnknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

HealthStatus CombineHealth(std::span<const HealthStatus> statuses) {
  auto any = [&](HealthStatus s) {
    return std::find(statuses.begin(), statuses.end(), s) != statuses.end();
  };
  if (statuses.empty()) return HealthStatus::kUnknown;
  if (any(HealthStatus::kUnhealthy)) return HealthStatus::kUnhealthy;
  if (any(HealthStatus::kDegraded)) return HealthStatus::kDegraded;
  if (std::all_of(statuses.begin(), statuses.end(),
                  [](HealthStatus s) { return s == HealthStatus::kOffHours; })) {
    return HealthStatus::kOffHours;
  }
  if (any(HealthStatus::kHealthy)) return HealthStatus::kHealthy;
  return HealthStatus::kUnknown;
}

}  // namespace ibstream::reliability
