#include "reliability/health_metrics.h"

#include <algorithm>

namespace ibstream::reliability {

double StreamHealthMetrics::health_score() const {
  if (issue == StreamIssue::kPermissionDenied || issue == StreamIssue::kLimitReached) return 0.0;

  double flow_score = 0.0;
  switch (flow) {
    case DataFlow::kFlowing:
    case DataFlow::kNotExpected:
      flow_score = 1.0;
      break;
    case DataFlow::kAwaitingData:
      flow_score = last_data ? 1.0 : 0.5;
      break;
    case DataFlow::kSilent:
    case DataFlow::kUnknown:
      flow_score = 0.5;
      break;
    case DataFlow::kStale:
    case DataFlow::kBreakTooLong:
      flow_score = 0.0;
      break;
  }
  double breaker_score = 1.0;
  if (breaker_state == BreakerState::kHalfOpen) breaker_score = 0.5;
  if (breaker_state == BreakerState::kOpen) breaker_score = 0.0;
  const double budget = std::max(1, retry_budget_per_hour);
  const double calm = 1.0 - std::min(1.0, retry_attempts_last_hour / budget);

  const bool data_expected = flow != DataFlow::kNotExpected;
  const bool link_problem =
      issue == StreamIssue::kSocketDown || issue == StreamIssue::kGatewayLostIb;
  const double connection = data_expected && link_problem ? 0.0 : 1.0;

  const double score = connection * (0.6 * flow_score + 0.2 * breaker_score + 0.2 * calm);
  return std::clamp(score, 0.0, 1.0);
}

StreamHealthMetrics MakeStreamHealthMetrics(const StreamHealth& health, bool connected,
                                            Duration connection_uptime, int retries_last_hour,
                                            BreakerState breaker_state, int retry_budget_per_hour) {
  StreamHealthMetrics m;
  m.stream = health.stream;
  m.status = health.status;
  m.flow = health.flow;
  m.issue = health.issue;
  m.error_code = health.error_code;
  m.market_status = health.market_status;
  m.expected_activity = health.expected_activity;
  m.last_data = health.last_data;
  m.silence = health.silence;
  m.staleness_threshold = health.threshold;
  m.messages_per_minute_1m = health.messages_per_minute_1m;
  m.messages_per_minute_5m = health.messages_per_minute_5m;
  m.connected = connected;
  m.connection_uptime = connected ? connection_uptime : Duration{0};
  m.retry_attempts_last_hour = retries_last_hour;
  m.breaker_state = breaker_state;
  m.retry_budget_per_hour = retry_budget_per_hour;
  return m;
}

}  // namespace ibstream::reliability
