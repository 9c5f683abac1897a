// Alerts used by the notify tests.
#pragma once

#include "model/alert.h"

namespace ibstream::notify::testing {

// 2025-08-11T21:00:00Z.
inline constexpr int64_t kStartSeconds = 1754946000;

inline Alert StaleAlert() {
  Alert alert;
  alert.rule = "data_stale_during_trading";
  alert.severity = AlertSeverity::kCritical;
  alert.state = AlertState::kFiring;
  alert.contract_id = 711280073;
  alert.summary = "MNQ bid_ask: no data for 312 s while the market is OPEN";
  alert.labels = {{"stream", "711280073/bid_ask"}, {"market_status", "OPEN"}};
  alert.starts_at = FromUnixSeconds(kStartSeconds);
  return alert;
}

inline Alert Resolved(Alert alert, int64_t after_seconds) {
  alert.state = AlertState::kResolved;
  alert.ends_at = alert.starts_at + std::chrono::seconds(after_seconds);
  return alert;
}

inline Alert GatewayDownAlert() {
  Alert alert;
  alert.rule = "gateway_down";
  alert.severity = AlertSeverity::kCritical;
  alert.summary = "gateway 127.0.0.1:4002 unreachable for 75 s";
  alert.starts_at = FromUnixSeconds(kStartSeconds + 60);
  return alert;
}

}  // namespace ibstream::notify::testing
