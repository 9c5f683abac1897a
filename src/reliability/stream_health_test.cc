#include "reliability/stream_health.h"

#include <gtest/gtest.h>

namespace ibstream::reliability::stream_health_test {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using M = calendar::MarketStatus;

const TimePoint kT0 = FromUnixSeconds(1'754'920'800);  // Mon 2025-08-11 09:00 CT
const StreamKey kBidAsk{711280073, TickType::kBidAsk};
const StreamKey kLast{711280073, TickType::kLast};

calendar::MarketState State(calendar::MarketStatus status,
                            std::optional<TimePoint> next_open = std::nullopt,
                            std::optional<TimePoint> next_close = std::nullopt) {
  return calendar::MarketState{status, next_open, next_close};
}

class StreamHealthTest : public ::testing::Test {
 protected:
  StreamHealthTest() {
    monitor_.AddStream(kBidAsk, options_);
    monitor_.AddStream(kLast, options_);
    monitor_.OnSocketUp(kT0 - minutes(60));
  }
  StreamHealth At(TimePoint t, const StreamKey& key = kBidAsk) { return monitor_.Assess(key, t); }

  ContractReliabilityOptions options_;
  StreamHealthMonitor monitor_;
};

TEST_F(StreamHealthTest, OpenMarketStaleAfterThresholdWithoutData) {
  monitor_.OnMarketState(kBidAsk.contract_id, State(M::kOpen), kT0 - minutes(30));
  monitor_.OnData(kBidAsk, kT0);
  auto h = At(kT0 + seconds(300));
  EXPECT_EQ(h.flow, DataFlow::kFlowing);
  EXPECT_EQ(h.status, HealthStatus::kHealthy);
  EXPECT_EQ(h.silence, seconds(300));
  EXPECT_EQ(h.threshold, seconds(300));
  EXPECT_EQ(h.expected_activity, calendar::ExpectedActivity::kHigh);
  h = At(kT0 + seconds(301));
  EXPECT_EQ(h.flow, DataFlow::kStale);
  EXPECT_EQ(h.status, HealthStatus::kUnhealthy);
  EXPECT_EQ(h.issue, StreamIssue::kNoData);
  monitor_.OnData(kBidAsk, kT0 + seconds(302));
  EXPECT_EQ(At(kT0 + seconds(302)).status, HealthStatus::kHealthy);
}

TEST_F(StreamHealthTest, ExtendedHoursUseTheirOwnThreshold) {
  monitor_.OnMarketState(kBidAsk.contract_id, State(M::kExtended), kT0 - minutes(30));
  monitor_.OnData(kBidAsk, kT0);
  EXPECT_EQ(At(kT0 + seconds(900)).flow, DataFlow::kFlowing);
  EXPECT_EQ(At(kT0 + seconds(900)).expected_activity, calendar::ExpectedActivity::kLow);
  EXPECT_EQ(At(kT0 + seconds(901)).flow, DataFlow::kStale);
}

TEST_F(StreamHealthTest, StatusTableOutsideTradingHours) {
  struct Case {
    calendar::MarketStatus status;
    DataFlow flow;
    HealthStatus health;
  };
  for (const Case& c : {Case{M::kBreak, DataFlow::kNotExpected, HealthStatus::kOffHours},
                        Case{M::kClosed, DataFlow::kNotExpected, HealthStatus::kOffHours},
                        Case{M::kWeekend, DataFlow::kNotExpected, HealthStatus::kOffHours},
                        Case{M::kHoliday, DataFlow::kNotExpected, HealthStatus::kOffHours},
                        Case{M::kUnknown, DataFlow::kUnknown, HealthStatus::kUnknown}}) {
    StreamHealthMonitor m;
    m.AddStream(kBidAsk, options_);
    m.OnSocketUp(kT0);
    m.OnMarketState(kBidAsk.contract_id, State(c.status), kT0);
    // Never delivered, hours of silence: still nothing is expected.
    auto h = m.Assess(kBidAsk, kT0 + minutes(90));
    EXPECT_EQ(h.flow, c.flow) << calendar::MarketStatusName(c.status);
    EXPECT_EQ(h.status, c.health) << calendar::MarketStatusName(c.status);
    EXPECT_EQ(h.silence, Duration{0});
  }
}

TEST_F(StreamHealthTest, MarketNeverReportedIsUnknownNotGuessed) {
  auto h = At(kT0);
  EXPECT_EQ(h.market_status, M::kUnknown);
  EXPECT_EQ(h.status, HealthStatus::kUnknown);
  EXPECT_EQ(h.expected_activity, calendar::ExpectedActivity::kUnknown);
}

TEST_F(StreamHealthTest, BreakBeyondToleranceIsUnhealthy) {
  monitor_.OnMarketState(kBidAsk.contract_id, State(M::kBreak), kT0);
  EXPECT_EQ(At(kT0 + seconds(7200)).status, HealthStatus::kOffHours);
  auto h = At(kT0 + seconds(7201));
  EXPECT_EQ(h.flow, DataFlow::kBreakTooLong);
  EXPECT_EQ(h.status, HealthStatus::kUnhealthy);
}

TEST_F(StreamHealthTest, NeverDeliveredWhileOpenIsNotHealthy) {
  monitor_.OnMarketState(kBidAsk.contract_id, State(M::kOpen), kT0);
  monitor_.OnSubscribed(kBidAsk, kT0);
  auto h = At(kT0 + seconds(10));
  EXPECT_EQ(h.flow, DataFlow::kAwaitingData);
  EXPECT_EQ(h.status, HealthStatus::kDegraded);
  h = At(kT0 + seconds(31));
  EXPECT_EQ(h.flow, DataFlow::kSilent);
  EXPECT_EQ(h.status, HealthStatus::kDegraded);
  EXPECT_EQ(h.issue, StreamIssue::kNoData);
  h = At(kT0 + seconds(301));
  EXPECT_EQ(h.flow, DataFlow::kStale);
  EXPECT_EQ(h.status, HealthStatus::kUnhealthy);
}

// A stream added mid-session (upgraded from the fallback to tick-by-tick) is silent from its first
// subscription, not from the session's start; resubscribing does not restart that count.
TEST_F(StreamHealthTest, AStreamAddedMidSessionIsSilentFromItsFirstSubscription) {
  monitor_.OnMarketState(kBidAsk.contract_id, State(M::kOpen), kT0);
  monitor_.OnSubscribed(kLast, kT0 + seconds(115));
  EXPECT_EQ(At(kT0 + seconds(116), kLast).silence, seconds(1));
  EXPECT_NE(At(kT0 + seconds(116), kLast).flow, DataFlow::kStale);
  monitor_.OnSubscribed(kLast, kT0 + seconds(130));
  EXPECT_EQ(At(kT0 + seconds(420), kLast).silence, seconds(305));
  EXPECT_EQ(At(kT0 + seconds(420), kLast).flow, DataFlow::kStale) << "threshold 300 s";
}

// ... and from when it was added, before its subscription is even sent.
TEST_F(StreamHealthTest, AStreamAddedMidSessionIsNotSilentBeforeItExisted) {
  monitor_.OnMarketState(kBidAsk.contract_id, State(M::kOpen), kT0);
  const StreamKey mid{kBidAsk.contract_id, TickType::kMidPoint};
  monitor_.AddStream(mid, options_, kT0 + seconds(400));
  EXPECT_EQ(At(kT0 + seconds(401), mid).silence, seconds(1));
  EXPECT_NE(At(kT0 + seconds(401), mid).flow, DataFlow::kStale);
  EXPECT_EQ(At(kT0 + seconds(401)).flow, DataFlow::kStale) << "a stream there from the start";
}

TEST_F(StreamHealthTest, ReopeningRestartsTheSilenceAtTheAnnouncedOpen) {
  const TimePoint close = kT0 + minutes(420);  // 16:00 CT
  const TimePoint open = close + minutes(60);  // 17:00 CT
  monitor_.OnMarketState(kBidAsk.contract_id, State(M::kOpen, open, close), kT0);
  monitor_.OnSubscribed(kBidAsk, kT0);
  monitor_.OnData(kBidAsk, close - seconds(1));
  monitor_.OnMarketState(kBidAsk.contract_id, State(M::kBreak, open, close + minutes(1440)),
                         close + seconds(1));
  EXPECT_EQ(At(close + minutes(59)).status, HealthStatus::kOffHours);
  // The calendar is asked a little after the open; the open itself is what counts.
  monitor_.OnMarketState(kBidAsk.contract_id, State(M::kExtended), open + seconds(1));
  auto h = At(open + seconds(20));
  EXPECT_EQ(h.silence, seconds(20));
  EXPECT_EQ(h.flow, DataFlow::kAwaitingData);
  EXPECT_EQ(h.status, HealthStatus::kHealthy);  // it delivered before the halt
  h = At(open + seconds(31));
  EXPECT_EQ(h.flow, DataFlow::kSilent);
  EXPECT_EQ(h.status, HealthStatus::kDegraded);
  monitor_.OnData(kBidAsk, open + seconds(32));
  EXPECT_EQ(At(open + seconds(33)).flow, DataFlow::kFlowing);
}

TEST_F(StreamHealthTest, TellsConnectionCausesApart) {
  monitor_.OnMarketState(kBidAsk.contract_id, State(M::kOpen), kT0);
  monitor_.OnData(kBidAsk, kT0);
  monitor_.OnData(kLast, kT0);

  monitor_.OnConnectionNotice(IbErrorClass::kIbLinkLost, kT0 + seconds(1));
  EXPECT_EQ(At(kT0 + seconds(2)).issue, StreamIssue::kGatewayLostIb);
  EXPECT_EQ(At(kT0 + seconds(2)).status, HealthStatus::kUnhealthy);
  EXPECT_TRUE(monitor_.socket_up());
  monitor_.OnConnectionNotice(IbErrorClass::kIbLinkRestoredDataKept, kT0 + seconds(400));
  auto h = At(kT0 + seconds(401));
  EXPECT_EQ(h.issue, StreamIssue::kNone);
  EXPECT_EQ(h.silence, seconds(1));  // counted from the restore, not from the last tick

  monitor_.OnSocketDown(kT0 + seconds(500));
  EXPECT_EQ(At(kT0 + seconds(501)).issue, StreamIssue::kSocketDown);
  EXPECT_EQ(At(kT0 + seconds(501)).status, HealthStatus::kUnhealthy);
  monitor_.OnSocketUp(kT0 + seconds(510));

  // A farm blip: streams silent since the 2103 are attributed to it.
  monitor_.OnData(kBidAsk, kT0 + seconds(511));
  monitor_.OnData(kLast, kT0 + seconds(511));
  monitor_.OnConnectionNotice(IbErrorClass::kFarmDown, kT0 + seconds(512));
  monitor_.OnData(kLast, kT0 + seconds(513));
  EXPECT_EQ(At(kT0 + seconds(514)).issue, StreamIssue::kFarmDown);
  EXPECT_EQ(At(kT0 + seconds(514)).status, HealthStatus::kDegraded);
  EXPECT_EQ(At(kT0 + seconds(514), kLast).issue, StreamIssue::kNone);
  monitor_.OnConnectionNotice(IbErrorClass::kFarmOk, kT0 + seconds(520));
  EXPECT_EQ(At(kT0 + seconds(521)).issue, StreamIssue::kNone);
  EXPECT_EQ(At(kT0 + seconds(521)).flow, DataFlow::kAwaitingData);
}

TEST_F(StreamHealthTest, SubscriptionLevelCauses) {
  monitor_.OnMarketState(kBidAsk.contract_id, State(M::kOpen), kT0);
  monitor_.OnData(kBidAsk, kT0);
  monitor_.OnStreamError(kBidAsk, IbErrorClass::kCompetingSession, 10197, kT0 + seconds(1));
  auto h = At(kT0 + seconds(2));
  EXPECT_EQ(h.issue, StreamIssue::kCompetingSession);
  EXPECT_EQ(h.error_code, 10197);
  EXPECT_EQ(h.status, HealthStatus::kDegraded);
  EXPECT_EQ(At(kT0 + seconds(2), kLast).issue, StreamIssue::kNone);  // only that subscription
  EXPECT_EQ(At(kT0 + seconds(400)).status, HealthStatus::kUnhealthy);
  monitor_.OnData(kBidAsk, kT0 + seconds(401));
  EXPECT_EQ(At(kT0 + seconds(401)).issue, StreamIssue::kNone);

  monitor_.OnStreamError(kLast, IbErrorClass::kPermissionDenied, 10189, kT0 + seconds(5));
  h = At(kT0 + seconds(6), kLast);
  EXPECT_EQ(h.issue, StreamIssue::kPermissionDenied);
  EXPECT_EQ(h.status, HealthStatus::kUnhealthy);
  // A refusal is unhealthy even when no data is expected.
  monitor_.OnMarketState(kBidAsk.contract_id, State(M::kWeekend), kT0 + seconds(7));
  EXPECT_EQ(At(kT0 + seconds(8), kLast).status, HealthStatus::kUnhealthy);
  EXPECT_EQ(At(kT0 + seconds(8), kBidAsk).status, HealthStatus::kOffHours);

  StreamHealthMonitor m;
  m.AddStream(kBidAsk, options_);
  m.OnSocketUp(kT0);
  m.OnMarketState(kBidAsk.contract_id, State(M::kOpen), kT0);
  m.OnStreamError(kBidAsk, IbErrorClass::kLimitReached, 10190, kT0);
  EXPECT_EQ(m.Assess(kBidAsk, kT0).issue, StreamIssue::kLimitReached);
  m.ClearRefusal(kBidAsk);
  m.OnData(kBidAsk, kT0);
  m.OnStreamError(kBidAsk, IbErrorClass::kAdvisory, 10167, kT0);
  EXPECT_EQ(m.Assess(kBidAsk, kT0).issue, StreamIssue::kDelayedData);
  EXPECT_EQ(m.Assess(kBidAsk, kT0).status, HealthStatus::kDegraded);
}

TEST_F(StreamHealthTest, MessagesPerMinuteOverSlidingWindows) {
  monitor_.OnMarketState(kBidAsk.contract_id, State(M::kOpen), kT0);
  // 2 ticks per second for 5 minutes, then 1 minute of silence.
  for (int s = 0; s < 300; ++s) {
    monitor_.OnData(kBidAsk, kT0 + seconds(s));
    monitor_.OnData(kBidAsk, kT0 + seconds(s) + std::chrono::milliseconds(500));
  }
  auto h = At(kT0 + seconds(299));
  EXPECT_DOUBLE_EQ(h.messages_per_minute_1m, 120.0);
  EXPECT_DOUBLE_EQ(h.messages_per_minute_5m, 120.0);
  h = At(kT0 + seconds(359));
  EXPECT_DOUBLE_EQ(h.messages_per_minute_1m, 0.0);
  EXPECT_DOUBLE_EQ(h.messages_per_minute_5m, 96.0);  // 480 ticks in the last 5 minutes
  EXPECT_DOUBLE_EQ(At(kT0 + seconds(2000)).messages_per_minute_5m, 0.0);
}

TEST_F(StreamHealthTest, UntrackedStreamIsUnknownAndDataForItIsIgnored) {
  const StreamKey other{42, TickType::kMidPoint};
  monitor_.OnData(other, kT0);
  EXPECT_FALSE(monitor_.IsTracked(other));
  EXPECT_EQ(monitor_.Assess(other, kT0).status, HealthStatus::kUnknown);
}

TEST_F(StreamHealthTest, CapacityRefusalIsDegradedNotFailedForGood) {
  monitor_.OnMarketState(kBidAsk.contract_id, State(M::kOpen), kT0 - minutes(30));
  monitor_.OnData(kBidAsk, kT0);
  monitor_.OnStreamError(kLast, IbErrorClass::kLimitReached, 10190, kT0);
  // Long past the staleness threshold: still DEGRADED (its data goes through the fallback once
  // re-planned), where a permission refusal is UNHEALTHY.
  StreamHealth h = At(kT0 + minutes(20), kLast);
  EXPECT_EQ(h.issue, StreamIssue::kLimitReached);
  EXPECT_EQ(h.error_code, 10190);
  EXPECT_EQ(h.status, HealthStatus::kDegraded);
  monitor_.OnStreamError(kBidAsk, IbErrorClass::kPermissionDenied, 10189, kT0);
  EXPECT_EQ(At(kT0 + minutes(20), kBidAsk).status, HealthStatus::kUnhealthy);

  // Off hours it is simply off hours.
  monitor_.OnMarketState(kBidAsk.contract_id, State(M::kWeekend), kT0 + minutes(21));
  EXPECT_EQ(At(kT0 + minutes(21), kLast).status, HealthStatus::kOffHours);
  EXPECT_EQ(At(kT0 + minutes(21), kBidAsk).status, HealthStatus::kUnhealthy);

  // A new subscription clears a capacity refusal (not a permission refusal).
  monitor_.OnSubscribed(kLast, kT0 + minutes(22));
  monitor_.OnSubscribed(kBidAsk, kT0 + minutes(22));
  EXPECT_EQ(At(kT0 + minutes(22), kLast).issue, StreamIssue::kNone);
  EXPECT_EQ(At(kT0 + minutes(22), kBidAsk).issue, StreamIssue::kPermissionDenied);
  for (int code : {101, 309}) {
    monitor_.OnStreamError(kLast, ClassifyIbError(code), code, kT0 + minutes(23));
    EXPECT_EQ(At(kT0 + minutes(23), kLast).issue, StreamIssue::kLimitReached) << code;
    monitor_.ClearRefusal(kLast);
    EXPECT_EQ(At(kT0 + minutes(23), kLast).issue, StreamIssue::kNone) << code;
  }
}

}  // namespace
}  // namespace ibstream::reliability::stream_health_test
