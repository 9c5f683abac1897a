#include "reliability/health_metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ibstream::reliability::health_metrics_test {
namespace {

using H = HealthStatus;

TEST(HealthStatusTest, CombineTable) {
  struct Case {
    std::vector<H> in;
    H out;
  };
  const std::vector<Case> table = {
      {{}, H::kUnknown},
      {{H::kHealthy}, H::kHealthy},
      {{H::kHealthy, H::kOffHours}, H::kHealthy},
      {{H::kOffHours, H::kOffHours}, H::kOffHours},
      {{H::kOffHours, H::kUnknown}, H::kUnknown},
      {{H::kHealthy, H::kUnknown}, H::kHealthy},
      {{H::kHealthy, H::kDegraded}, H::kDegraded},
      {{H::kDegraded, H::kUnhealthy, H::kHealthy}, H::kUnhealthy},
      {{H::kOffHours, H::kUnhealthy}, H::kUnhealthy},
  };
  for (const Case& c : table) {
    EXPECT_EQ(CombineHealth(c.in), c.out) << HealthStatusName(c.out);
  }
  EXPECT_EQ(HealthStatusName(H::kOffHours), "OFF_HOURS");
}

StreamHealthMetrics Metrics(DataFlow flow, StreamIssue issue, BreakerState breaker, int retries,
                            bool delivered_before = true) {
  StreamHealthMetrics m;
  m.flow = flow;
  m.issue = issue;
  m.breaker_state = breaker;
  m.retry_attempts_last_hour = retries;
  m.retry_budget_per_hour = 10;
  if (delivered_before) m.last_data = FromUnixSeconds(1);
  return m;
}

TEST(HealthScoreTest, FormulaTable) {
  using F = DataFlow;
  using I = StreamIssue;
  using B = BreakerState;
  struct Case {
    std::string name;
    StreamHealthMetrics m;
    double score;
  };
  const std::vector<Case> table = {
      {"flowing, calm", Metrics(F::kFlowing, I::kNone, B::kClosed, 0), 1.0},
      {"off hours, calm", Metrics(F::kNotExpected, I::kNone, B::kClosed, 0), 1.0},
      {"off hours, socket down by design", Metrics(F::kNotExpected, I::kSocketDown, B::kClosed, 0),
       1.0},
      {"stale", Metrics(F::kStale, I::kNoData, B::kClosed, 0), 0.4},
      {"stale, breaker open, 10 retries", Metrics(F::kStale, I::kNoData, B::kOpen, 10), 0.0},
      {"silent, half-open, 5 retries", Metrics(F::kSilent, I::kNoData, B::kHalfOpen, 5),
       0.6 * 0.5 + 0.2 * 0.5 + 0.2 * 0.5},
      {"awaiting first data ever", Metrics(F::kAwaitingData, I::kNone, B::kClosed, 0, false),
       0.6 * 0.5 + 0.4},
      {"awaiting after a reopen", Metrics(F::kAwaitingData, I::kNone, B::kClosed, 0), 1.0},
      {"trading, socket down", Metrics(F::kFlowing, I::kSocketDown, B::kClosed, 0), 0.0},
      {"trading, gateway lost IB", Metrics(F::kStale, I::kGatewayLostIb, B::kClosed, 0), 0.0},
      {"unknown market", Metrics(F::kUnknown, I::kNone, B::kClosed, 0), 0.7},
      {"unknown market, socket down", Metrics(F::kUnknown, I::kSocketDown, B::kClosed, 0), 0.0},
      {"permission refused", Metrics(F::kNotExpected, I::kPermissionDenied, B::kClosed, 0), 0.0},
      {"limit reached", Metrics(F::kFlowing, I::kLimitReached, B::kClosed, 0), 0.0},
      {"retries beyond budget count as budget", Metrics(F::kFlowing, I::kNone, B::kClosed, 50),
       0.8},
      {"break too long", Metrics(F::kBreakTooLong, I::kNoData, B::kClosed, 0), 0.4},
  };
  for (const Case& c : table) {
    const double score = c.m.health_score();
    EXPECT_NEAR(score, c.score, 1e-9) << c.name;
    EXPECT_GE(score, 0.0) << c.name;
    EXPECT_LE(score, 1.0) << c.name;
  }
}

TEST(HealthScoreTest, MakeMetricsCarriesTheAssessment) {
  StreamHealth h;
  h.stream = StreamKey{1, TickType::kLast};
  h.status = H::kHealthy;
  h.flow = DataFlow::kFlowing;
  h.market_status = calendar::MarketStatus::kOpen;
  h.expected_activity = calendar::ExpectedActivity::kHigh;
  h.messages_per_minute_1m = 42;
  auto m = MakeStreamHealthMetrics(h, true, std::chrono::seconds(90), 3, BreakerState::kClosed, 10);
  EXPECT_EQ(m.stream, h.stream);
  EXPECT_EQ(m.connection_uptime, std::chrono::seconds(90));
  EXPECT_EQ(m.retry_attempts_last_hour, 3);
  EXPECT_DOUBLE_EQ(m.messages_per_minute_1m, 42);
  EXPECT_NEAR(m.health_score(), 0.6 + 0.2 + 0.2 * 0.7, 1e-9);
  auto down =
      MakeStreamHealthMetrics(h, false, std::chrono::seconds(90), 0, BreakerState::kClosed, 10);
  EXPECT_EQ(down.connection_uptime, Duration{0});
}

}  // namespace
}  // namespace ibstream::reliability::health_metrics_test
