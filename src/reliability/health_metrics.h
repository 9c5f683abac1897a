// StreamHealthMetrics: one stream's health as /background/health, /metrics and the dashboard
// show it, with a single score in [0, 1].
#pragma once

#include <cstdint>
#include <optional>

#include "calendar/market_status.h"
#include "common/clock.h"
#include "model/tick.h"
#include "reliability/circuit_breaker.h"
#include "reliability/health_status.h"
#include "reliability/stream_health.h"

namespace ibstream::reliability {

struct StreamHealthMetrics {
  StreamKey stream;
  HealthStatus status = HealthStatus::kUnknown;
  DataFlow flow = DataFlow::kUnknown;
  StreamIssue issue = StreamIssue::kNone;
  std::optional<int> error_code;
  calendar::MarketStatus market_status = calendar::MarketStatus::kUnknown;
  calendar::ExpectedActivity expected_activity = calendar::ExpectedActivity::kUnknown;
  std::optional<TimePoint> last_data;
  Duration silence{0};
  Duration staleness_threshold{0};
  double messages_per_minute_1m = 0;
  double messages_per_minute_5m = 0;
  // Time since the gateway session came up; zero while it is down.
  Duration connection_uptime{0};
  bool connected = false;
  // Retry attempts (resubscribes of this stream) started in the last hour.
  int retry_attempts_last_hour = 0;
  BreakerState breaker_state = BreakerState::kClosed;
  // The `frequent_reconnections` limit the retry count is measured against.
  int retry_budget_per_hour = 10;
  // /background/health/{id} "streams": whether the subscription is acknowledged and live, how
  // many IB errors its requests got, and the last one.
  bool subscription_active = false;
  int64_t error_count = 0;
  std::optional<int> last_error_code;

  // One number for dashboards and sorting, in [0, 1]; 1 is perfect.
  //
  //   terminal refusal (permission or limit)           -> 0
  //   otherwise score = connection x (0.6 flow + 0.2 breaker + 0.2 calm)
  //   flow:       flowing 1; awaiting data 1 if the stream delivered before, else 0.5;
  //               silent 0.5; stale 0; not expected 1; break too long 0; unknown market 0.5
  //   breaker:    closed 1, half-open 0.5, open 0
  //   calm:       1 - min(1, retry_attempts_last_hour / retry_budget_per_hour)
  //   connection: 1 when connected with the IB link up, or when no data is expected;
  //               0 when data is expected (or the market is unknown) and the socket is down
  //               or the gateway lost IB
  double health_score() const;
};

// Builds the metrics from an assessment plus the facts only the core knows.
StreamHealthMetrics MakeStreamHealthMetrics(const StreamHealth& health, bool connected,
                                            Duration connection_uptime, int retries_last_hour,
                                            BreakerState breaker_state, int retry_budget_per_hour);

}  // namespace ibstream::reliability
