// An alert as the reliability core decides it and the notification sinks deliver it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace ibstream {

enum class AlertSeverity {
  kInfo,
  kWarning,
  kCritical,
};

// "info", "warning", "critical".
std::string_view AlertSeverityName(AlertSeverity severity);

enum class AlertState {
  kFiring,
  kResolved,
};

// "firing", "resolved" (Alertmanager's words).
std::string_view AlertStateName(AlertState state);

struct Alert {
  // The rule that raised it, e.g. "data_stale_during_trading", "gateway_down".
  std::string rule;
  AlertSeverity severity = AlertSeverity::kWarning;
  AlertState state = AlertState::kFiring;
  // The contract it concerns; empty for gateway- or process-wide alerts.
  std::optional<int64_t> contract_id;
  // One line for a human: "MNQ bid_ask: no data for 312 s while the market is OPEN".
  std::string summary;
  // Extra key/value context (stream, tick type, market status, error code ...).
  std::map<std::string, std::string> labels;
  TimePoint starts_at;
  // Set when resolved.
  std::optional<TimePoint> ends_at;

  friend bool operator==(const Alert&, const Alert&) = default;
};

}  // namespace ibstream
