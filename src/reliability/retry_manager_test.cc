#include "reliability/retry_manager.h"

#include <gtest/gtest.h>

#include <vector>

namespace ibstream::reliability::retry_manager_test {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using M = calendar::MarketStatus;

const TimePoint kT0 = FromUnixSeconds(1'754'920'800);  // Mon 2025-08-11 09:00 CT
const StreamKey kStream{711280073, TickType::kBidAsk};
const RetryTarget kTarget = RetryTarget::Stream(kStream);
const calendar::MarketState kOpen{M::kOpen, std::nullopt, std::nullopt};

RetryPolicy ExactPolicy() {
  RetryPolicy p;
  p.jitter = false;
  p.min_rerequest_interval = Duration{0};
  return p;
}

// Runs attempts as soon as they are due, each completing (without success) right away, and
// returns the gaps between consecutive attempts in seconds.
std::vector<int64_t> AttemptGaps(AdaptiveRetryManager& retry, const RetryTarget& target,
                                 const calendar::MarketState& market, TimePoint start,
                                 int attempts) {
  std::vector<int64_t> gaps;
  TimePoint now = start;
  TimePoint previous = start;
  while (static_cast<int>(gaps.size()) < attempts) {
    RetryDecision d = retry.Decide(target, market, now);
    if (d.verdict == RetryVerdict::kAttemptNow) {
      gaps.push_back(std::chrono::duration_cast<seconds>(now - previous).count());
      retry.AttemptStarted(target, now);
      retry.AttemptCompleted(target, now);
      previous = now;
      continue;
    }
    if (d.verdict != RetryVerdict::kWait || !d.at) break;
    now = *d.at;
  }
  return gaps;
}

TEST(RetryManagerTest, ImmediateThenEscalatesToStandardThenHoldsItsLastInterval) {
  AdaptiveRetryManager retry(ExactPolicy(), 1);
  retry.ReportFailure(kTarget, FailureKind::kStaleData, M::kOpen, kT0);
  EXPECT_EQ(retry.Status(kTarget).strategy, RetryStrategy::kImmediate);
  EXPECT_EQ(AttemptGaps(retry, kTarget, kOpen, kT0, 11),
            (std::vector<int64_t>{1, 2, 5, 10, 10, 30, 60, 300, 300, 300, 300}));
  RetryStatus s = retry.Status(kTarget);
  EXPECT_TRUE(s.exhausted);
  EXPECT_EQ(s.strategy, RetryStrategy::kStandard);
  EXPECT_EQ(s.attempts_in_episode, 11);
  retry.ReportSuccess(kTarget, kT0 + minutes(60));
  EXPECT_FALSE(retry.Status(kTarget).failing);
  EXPECT_EQ(retry.Decide(kTarget, kOpen, kT0 + minutes(60)).verdict, RetryVerdict::kIdle);
}

TEST(RetryManagerTest, ScheduleTablePerMarketStatus) {
  struct Case {
    calendar::MarketStatus status;
    FailureKind kind;
    std::vector<int64_t> gaps;
  };
  const std::vector<Case> table = {
      {M::kOpen, FailureKind::kConnectionLost, {10, 30, 60, 300, 300}},
      {M::kExtended, FailureKind::kCompetingSession, {1, 2, 5, 10, 10}},
      {M::kBreak, FailureKind::kRequestRejected, {10, 30, 60, 300, 300}},
      {M::kClosed, FailureKind::kConnectionLost, {300, 600, 1800, 1800}},
      {M::kUnknown, FailureKind::kRequestRejected, {10, 30, 60, 300, 300}},
      {M::kOpen, FailureKind::kPermissionDenied, {3600, 3600, 3600}},
  };
  for (const Case& c : table) {
    AdaptiveRetryManager retry(ExactPolicy(), 1);
    retry.ReportFailure(kTarget, c.kind, c.status, kT0);
    EXPECT_EQ(AttemptGaps(retry, kTarget, calendar::MarketState{c.status, {}, {}}, kT0,
                          static_cast<int>(c.gaps.size())),
              c.gaps)
        << calendar::MarketStatusName(c.status) << " " << FailureKindName(c.kind);
  }
}

// The strategies alone, without the fast gateway cadence while trading.
RetryPolicy StrategyOnlyPolicy() {
  RetryPolicy policy = ExactPolicy();
  policy.gateway_trading_interval = Duration::zero();
  return policy;
}

TEST(RetryManagerTest, SingleFlightUntilOutcomeOrTimeout) {
  AdaptiveRetryManager retry(StrategyOnlyPolicy(), 1);
  const RetryTarget gateway = RetryTarget::Gateway();
  retry.ReportFailure(gateway, FailureKind::kConnectionLost, M::kOpen, kT0);
  ASSERT_EQ(retry.Decide(gateway, kOpen, kT0 + seconds(10)).verdict, RetryVerdict::kAttemptNow);
  retry.AttemptStarted(gateway, kT0 + seconds(10));
  for (int s = 10; s < 40; ++s) {
    EXPECT_EQ(retry.Decide(gateway, kOpen, kT0 + seconds(s)).verdict, RetryVerdict::kInFlight) << s;
  }
  // No outcome within attempt_timeout (30 s): failed, next after the second interval (30 s).
  RetryDecision d = retry.Decide(gateway, kOpen, kT0 + seconds(40));
  EXPECT_EQ(d.verdict, RetryVerdict::kWait);
  EXPECT_EQ(d.at, kT0 + seconds(70));
  // An explicit failure while in flight completes the attempt once, not twice.
  retry.AttemptStarted(gateway, kT0 + seconds(70));
  retry.ReportFailure(gateway, FailureKind::kConnectionLost, M::kOpen, kT0 + seconds(71));
  retry.ReportFailure(gateway, FailureKind::kConnectionLost, M::kOpen, kT0 + seconds(71));
  EXPECT_EQ(retry.Decide(gateway, kOpen, kT0 + seconds(71)).at, kT0 + seconds(131));
}

TEST(RetryManagerTest, TickByTickRerequestSpacing) {
  RetryPolicy policy = ExactPolicy();
  policy.min_rerequest_interval = seconds(15);
  AdaptiveRetryManager retry(policy, 1);
  retry.NoteRequest(kTarget, kT0);  // first subscription
  retry.ReportFailure(kTarget, FailureKind::kCompetingSession, M::kOpen, kT0 + seconds(2));
  RetryDecision d = retry.Decide(kTarget, kOpen, kT0 + seconds(3));
  EXPECT_EQ(d.verdict, RetryVerdict::kWait);
  EXPECT_EQ(d.at, kT0 + seconds(15));
  EXPECT_EQ(AttemptGaps(retry, kTarget, kOpen, kT0, 4), (std::vector<int64_t>{15, 15, 15, 15}));
  // The gateway session is not a tick-by-tick request.
  EXPECT_EQ(retry.EarliestRequest(RetryTarget::Gateway()), TimePoint::min());
}

TEST(RetryManagerTest, WeekendWaitsForOnePreOpenAttempt) {
  AdaptiveRetryManager retry(ExactPolicy(), 1);
  const TimePoint saturday = FromUnixSeconds(1'755'345'600);  // 2025-08-16T12:00Z
  const TimePoint open = FromUnixSeconds(1'755'468'000);      // 2025-08-17T22:00Z
  const calendar::MarketState weekend{M::kWeekend, open, open + minutes(23 * 60)};
  retry.ReportFailure(kTarget, FailureKind::kConnectionLost, M::kWeekend, saturday);
  RetryDecision d = retry.Decide(kTarget, weekend, saturday);
  EXPECT_EQ(d.verdict, RetryVerdict::kWait);
  EXPECT_EQ(d.at, open - seconds(60));
  EXPECT_TRUE(d.pre_open);
  EXPECT_FALSE(d.strategy.has_value());
  EXPECT_EQ(retry.Decide(kTarget, weekend, open - seconds(61)).verdict, RetryVerdict::kWait);
  d = retry.Decide(kTarget, weekend, open - seconds(60));
  EXPECT_EQ(d.verdict, RetryVerdict::kAttemptNow);
  EXPECT_TRUE(d.pre_open);
  retry.AttemptStarted(kTarget, open - seconds(60));
  retry.ReportFailure(kTarget, FailureKind::kConnectionLost, M::kWeekend, open - seconds(59));
  // The one attempt is spent: nothing more until the market opens.
  d = retry.Decide(kTarget, weekend, open - seconds(30));
  EXPECT_EQ(d.verdict, RetryVerdict::kWait);
  EXPECT_EQ(d.at, open);
  EXPECT_FALSE(d.pre_open);
  // Open: the trading strategy takes over at once.
  d = retry.Decide(kTarget, kOpen, open);
  EXPECT_EQ(d.strategy, RetryStrategy::kStandard);
  EXPECT_EQ(d.at, open + seconds(10));
  EXPECT_EQ(retry.RetriesInLastHour(kTarget, open), 1);
}

TEST(RetryManagerTest, StaleEpisodeCarriedIntoABreakWaitsForThePreOpenAttempt) {
  AdaptiveRetryManager retry(ExactPolicy(), 1);
  const TimePoint close = kT0 + minutes(420);  // 16:00 CT
  const TimePoint open = close + minutes(60);
  retry.ReportFailure(kTarget, FailureKind::kStaleData, M::kOpen, close - minutes(2));
  const calendar::MarketState halt{M::kBreak, open, open + minutes(23 * 60)};
  for (TimePoint t = close; t < open - seconds(60); t += seconds(1)) {
    RetryDecision d = retry.Decide(kTarget, halt, t);
    ASSERT_EQ(d.verdict, RetryVerdict::kWait) << FormatIsoUtc(t);
    ASSERT_EQ(d.at, open - seconds(60));
  }
  EXPECT_EQ(retry.Decide(kTarget, halt, open - seconds(60)).verdict, RetryVerdict::kAttemptNow);
  retry.AttemptStarted(kTarget, open - seconds(60));
  retry.AttemptCompleted(kTarget, open - seconds(59));
  EXPECT_EQ(retry.Decide(kTarget, halt, open - seconds(1)).at, open);
  // Trading again and still no data: the immediate strategy resumes.
  RetryDecision d = retry.Decide(kTarget, calendar::MarketState{M::kExtended, {}, {}}, open);
  EXPECT_EQ(d.strategy, RetryStrategy::kImmediate);
  EXPECT_EQ(d.at, open + seconds(1));
}

TEST(RetryManagerTest, ProbesCountAsRetriesAndSpaceRequests) {
  RetryPolicy policy = ExactPolicy();
  policy.min_rerequest_interval = seconds(15);
  AdaptiveRetryManager retry(policy, 1);
  retry.RecordProbe(kTarget, kT0);
  EXPECT_EQ(retry.RetriesInLastHour(kTarget, kT0), 1);
  EXPECT_EQ(retry.EarliestRequest(kTarget), kT0 + seconds(15));
  EXPECT_FALSE(retry.Status(kTarget).failing);
  EXPECT_EQ(retry.Decide(kTarget, kOpen, kT0).verdict, RetryVerdict::kIdle);
}

TEST(RetryManagerTest, HolidayWithoutKnownOpenWaitsForTheCalendar) {
  AdaptiveRetryManager retry(ExactPolicy(), 1);
  retry.ReportFailure(kTarget, FailureKind::kStaleData, M::kHoliday, kT0);
  RetryDecision d =
      retry.Decide(kTarget, calendar::MarketState{M::kHoliday, {}, {}}, kT0 + minutes(600));
  EXPECT_EQ(d.verdict, RetryVerdict::kWait);
  EXPECT_FALSE(d.at.has_value());
}

TEST(RetryManagerTest, MarketChangeRebasesTheStrategy) {
  AdaptiveRetryManager retry(StrategyOnlyPolicy(), 1);
  const RetryTarget gateway = RetryTarget::Gateway();
  retry.ReportFailure(gateway, FailureKind::kConnectionLost, M::kClosed, kT0);
  EXPECT_EQ(retry.Decide(gateway, calendar::MarketState{M::kClosed, {}, {}}, kT0).at,
            kT0 + seconds(300));
  // The market opens 60 s later: no waiting for the conservative 300 s.
  RetryDecision d = retry.Decide(gateway, kOpen, kT0 + seconds(60));
  EXPECT_EQ(d.strategy, RetryStrategy::kStandard);
  EXPECT_EQ(d.at, kT0 + seconds(70));
}

TEST(RetryManagerTest, LostGatewayIsTriedEverySecondWhileTrading) {
  AdaptiveRetryManager retry(ExactPolicy(), 1);
  const RetryTarget gateway = RetryTarget::Gateway();
  retry.ReportFailure(gateway, FailureKind::kConnectionLost, M::kOpen, kT0);
  ASSERT_EQ(retry.Decide(gateway, kOpen, kT0).verdict, RetryVerdict::kAttemptNow);
  TimePoint t = kT0;
  for (int attempt = 0; attempt < 30; ++attempt) {
    retry.AttemptStarted(gateway, t);
    retry.ReportFailure(gateway, FailureKind::kConnectionLost, M::kOpen, t + milliseconds(5));
    const RetryDecision d = retry.Decide(gateway, kOpen, t + milliseconds(10));
    ASSERT_EQ(d.verdict, RetryVerdict::kWait) << attempt;
    ASSERT_EQ(d.at, t + seconds(1)) << attempt;
    t += seconds(1);
  }
  // Streams keep their strategies and IB's 15 s rule.
  retry.ReportFailure(kTarget, FailureKind::kRequestRejected, M::kOpen, kT0);
  EXPECT_EQ(retry.Decide(kTarget, kOpen, kT0).at, kT0 + seconds(10));
  // Outside trading the gateway follows the strategy (conservative when closed).
  AdaptiveRetryManager closed(ExactPolicy(), 1);
  closed.ReportFailure(gateway, FailureKind::kConnectionLost, M::kClosed, kT0);
  EXPECT_EQ(closed.Decide(gateway, calendar::MarketState{M::kClosed, {}, {}}, kT0).at,
            kT0 + seconds(300));
}

TEST(RetryManagerTest, ContractOverrideAndRefusalRestart) {
  AdaptiveRetryManager retry(ExactPolicy(), 1);
  retry.SetContractOverride(kStream.contract_id, RetryStrategy::kConservative);
  retry.ReportFailure(kTarget, FailureKind::kStaleData, M::kOpen, kT0);
  EXPECT_EQ(retry.Decide(kTarget, kOpen, kT0).at, kT0 + seconds(300));
  // The gateway has no contract: no override.
  retry.ReportFailure(RetryTarget::Gateway(), FailureKind::kConnectionLost, M::kOpen, kT0);
  EXPECT_EQ(retry.Status(RetryTarget::Gateway()).strategy, RetryStrategy::kStandard);
  // A refusal during the episode switches to maintenance.
  retry.ReportFailure(kTarget, FailureKind::kPermissionDenied, M::kOpen, kT0 + seconds(5));
  EXPECT_EQ(retry.Status(kTarget).strategy, RetryStrategy::kMaintenance);
  EXPECT_EQ(retry.Decide(kTarget, kOpen, kT0 + seconds(5)).at, kT0 + seconds(3605));
  retry.SetContractOverride(kStream.contract_id, std::nullopt);
}

TEST(RetryManagerTest, RetriesInTheLastHourSlide) {
  AdaptiveRetryManager retry(ExactPolicy(), 1);
  for (int i = 0; i < 12; ++i) retry.AttemptStarted(kTarget, kT0 + minutes(5 * i));
  EXPECT_EQ(retry.RetriesInLastHour(kTarget, kT0 + minutes(55)), 12);
  EXPECT_EQ(retry.RetriesInLastHour(kTarget, kT0 + minutes(60)), 11);
  EXPECT_EQ(retry.RetriesInLastHour(kTarget, kT0 + minutes(200)), 0);
  EXPECT_EQ(retry.RetriesInLastHour(RetryTarget::Gateway(), kT0), 0);
}

TEST(RetryManagerTest, JitteredDelaysStayWithinThePlanAndFollowTheSeed) {
  const uint64_t seed = 77;
  SCOPED_TRACE("seed " + std::to_string(seed));
  RetryPolicy policy;
  policy.min_rerequest_interval = Duration{0};
  auto run = [&] {
    AdaptiveRetryManager retry(policy, seed);
    retry.ReportFailure(kTarget, FailureKind::kConnectionLost, M::kOpen, kT0);
    std::vector<TimePoint> at;
    TimePoint now = kT0;
    for (int i = 0; i < 4; ++i) {
      RetryDecision d = retry.Decide(kTarget, kOpen, now);
      if (d.verdict == RetryVerdict::kWait) now = *d.at;
      at.push_back(now);
      retry.AttemptStarted(kTarget, now);
      retry.AttemptCompleted(kTarget, now);
    }
    return at;
  };
  const std::vector<TimePoint> a = run();
  EXPECT_EQ(a, run());
  const std::vector<Duration> plan = {seconds(10), seconds(30), seconds(60), seconds(300)};
  TimePoint previous = kT0;
  bool any_shorter = false;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_GE(a[i] - previous, Duration{0});
    EXPECT_LE(a[i] - previous, plan[i]);
    any_shorter = any_shorter || a[i] - previous < plan[i];
    previous = a[i];
  }
  EXPECT_TRUE(any_shorter);
  EXPECT_EQ(ToString(kTarget), "711280073/bid_ask");
  EXPECT_EQ(ToString(RetryTarget::Gateway()), "gateway");
}

}  // namespace
}  // namespace ibstream::reliability::retry_manager_test
