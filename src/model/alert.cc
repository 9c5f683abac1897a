#include "model/alert.h"

namespace ibstream {

std::string_view AlertSeverityName(AlertSeverity severity) {
  switch (severity) {
    case AlertSeverity::kInfo:
      return "info";
    case AlertSeverity::kWarning:
      return "warning";
    case AlertSeverity::kCritical:
      return "critical";
  }
  return "unknown";
}

std::string_view AlertStateName(AlertState state) {
  return state == AlertState::kFiring ? "firing" : "resolved";
}

}  // namespace ibstream
