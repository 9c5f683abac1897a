#include "reliability/retry_strategy.h"

#include <gtest/gtest.h>

#include <vector>

namespace ibstream::reliability::retry_strategy_test {
namespace {

using S = RetryStrategy;
using M = calendar::MarketStatus;
using F = FailureKind;
constexpr std::optional<RetryStrategy> kNone = std::nullopt;

TEST(RetryStrategyTest, IntervalsAreThePlan) {
  using std::chrono::seconds;
  auto list = [](S s) {
    std::vector<int64_t> out;
    for (Duration d : RetryIntervals(s)) {
      out.push_back(std::chrono::duration_cast<seconds>(d).count());
    }
    return out;
  };
  EXPECT_EQ(list(S::kImmediate), (std::vector<int64_t>{1, 2, 5, 10}));
  EXPECT_EQ(list(S::kStandard), (std::vector<int64_t>{10, 30, 60, 300}));
  EXPECT_EQ(list(S::kConservative), (std::vector<int64_t>{300, 600, 1800}));
  EXPECT_EQ(list(S::kMaintenance), (std::vector<int64_t>{3600}));
}

TEST(RetryStrategyTest, EscalationImmediateToStandardOthersHold) {
  EXPECT_EQ(EscalationOf(S::kImmediate), S::kStandard);
  EXPECT_EQ(EscalationOf(S::kStandard), S::kStandard);
  EXPECT_EQ(EscalationOf(S::kConservative), S::kConservative);
  EXPECT_EQ(EscalationOf(S::kMaintenance), S::kMaintenance);
}

TEST(RetryStrategyTest, NamesRoundTripAndBadNameIsAnError) {
  for (S s : {S::kImmediate, S::kStandard, S::kConservative, S::kMaintenance}) {
    auto parsed = ParseRetryStrategy(RetryStrategyName(s));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, s);
  }
  auto bad = ParseRetryStrategy("aggressive");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("immediate, standard, conservative, maintenance"),
            std::string::npos);
}

struct SelectionCase {
  calendar::MarketStatus status;
  FailureKind kind;
  std::optional<RetryStrategy> expected;
};

// Default policy: market-aware, aggressive during trading, no override.
TEST(RetryStrategyTest, SelectionTableDefaultPolicy) {
  const std::vector<SelectionCase> table = {
      {M::kOpen, F::kStaleData, S::kImmediate},
      {M::kOpen, F::kCompetingSession, S::kImmediate},
      {M::kOpen, F::kFarmDown, S::kStandard},
      {M::kOpen, F::kRequestRejected, S::kStandard},
      {M::kOpen, F::kConnectionLost, S::kStandard},
      {M::kOpen, F::kPermissionDenied, S::kMaintenance},
      {M::kExtended, F::kStaleData, S::kImmediate},
      {M::kExtended, F::kCompetingSession, S::kImmediate},
      {M::kExtended, F::kFarmDown, S::kStandard},
      {M::kExtended, F::kRequestRejected, S::kStandard},
      {M::kExtended, F::kConnectionLost, S::kStandard},
      {M::kExtended, F::kPermissionDenied, S::kMaintenance},
      {M::kBreak, F::kStaleData, kNone},
      {M::kBreak, F::kCompetingSession, kNone},
      {M::kBreak, F::kFarmDown, kNone},
      {M::kBreak, F::kRequestRejected, S::kStandard},
      {M::kBreak, F::kConnectionLost, S::kStandard},
      {M::kBreak, F::kPermissionDenied, S::kMaintenance},
      {M::kClosed, F::kStaleData, kNone},
      {M::kClosed, F::kCompetingSession, kNone},
      {M::kClosed, F::kFarmDown, kNone},
      {M::kClosed, F::kRequestRejected, S::kConservative},
      {M::kClosed, F::kConnectionLost, S::kConservative},
      {M::kClosed, F::kPermissionDenied, S::kMaintenance},
      {M::kUnknown, F::kStaleData, S::kStandard},
      {M::kUnknown, F::kCompetingSession, S::kStandard},
      {M::kUnknown, F::kFarmDown, S::kStandard},
      {M::kUnknown, F::kRequestRejected, S::kStandard},
      {M::kUnknown, F::kConnectionLost, S::kStandard},
      {M::kUnknown, F::kPermissionDenied, S::kMaintenance},
  };
  RetryPolicy policy;
  for (const auto& c : table) {
    EXPECT_EQ(SelectStrategy(c.status, c.kind, policy, std::nullopt), c.expected)
        << calendar::MarketStatusName(c.status) << " " << FailureKindName(c.kind);
  }
  for (M status : {M::kWeekend, M::kHoliday}) {
    for (F kind : {F::kStaleData, F::kCompetingSession, F::kFarmDown, F::kRequestRejected,
                   F::kConnectionLost, F::kPermissionDenied}) {
      EXPECT_EQ(SelectStrategy(status, kind, policy, std::nullopt), kNone)
          << calendar::MarketStatusName(status) << " " << FailureKindName(kind);
    }
  }
}

TEST(RetryStrategyTest, WithoutAggressiveRetryStaleDataUsesStandard) {
  RetryPolicy policy;
  policy.aggressive_retry_during_trading = false;
  for (M status : {M::kOpen, M::kExtended}) {
    EXPECT_EQ(SelectStrategy(status, F::kStaleData, policy, std::nullopt), S::kStandard);
    EXPECT_EQ(SelectStrategy(status, F::kCompetingSession, policy, std::nullopt), S::kStandard);
  }
  EXPECT_EQ(SelectStrategy(M::kClosed, F::kConnectionLost, policy, std::nullopt), S::kConservative);
}

TEST(RetryStrategyTest, ContractOverrideWinsExceptRefusalsAndWeekends) {
  RetryPolicy policy;
  for (M status : {M::kOpen, M::kExtended, M::kUnknown}) {
    EXPECT_EQ(SelectStrategy(status, F::kStaleData, policy, S::kConservative), S::kConservative);
  }
  for (M status : {M::kBreak, M::kClosed}) {
    EXPECT_EQ(SelectStrategy(status, F::kStaleData, policy, S::kImmediate), kNone);
  }
  for (M status : {M::kOpen, M::kExtended, M::kBreak, M::kClosed, M::kUnknown}) {
    EXPECT_EQ(SelectStrategy(status, F::kRequestRejected, policy, S::kConservative),
              S::kConservative);
    EXPECT_EQ(SelectStrategy(status, F::kConnectionLost, policy, S::kImmediate), S::kImmediate);
    EXPECT_EQ(SelectStrategy(status, F::kPermissionDenied, policy, S::kImmediate), S::kMaintenance);
  }
  EXPECT_EQ(SelectStrategy(M::kWeekend, F::kStaleData, policy, S::kImmediate), kNone);
  EXPECT_EQ(SelectStrategy(M::kHoliday, F::kStaleData, policy, S::kImmediate), kNone);
}

TEST(RetryStrategyTest, WithoutMarketAwarenessEverythingIsStandardOrOverride) {
  RetryPolicy policy;
  policy.market_aware_retry = false;
  for (M status :
       {M::kOpen, M::kExtended, M::kBreak, M::kClosed, M::kWeekend, M::kHoliday, M::kUnknown}) {
    EXPECT_EQ(SelectStrategy(status, F::kStaleData, policy, std::nullopt), S::kStandard);
    EXPECT_EQ(SelectStrategy(status, F::kConnectionLost, policy, std::nullopt), S::kStandard);
    EXPECT_EQ(SelectStrategy(status, F::kStaleData, policy, S::kConservative), S::kConservative);
    EXPECT_EQ(SelectStrategy(status, F::kPermissionDenied, policy, std::nullopt), S::kMaintenance);
  }
}

TEST(RetryStrategyTest, CapacityIsItsOwnCauseNeverAPermissionFailure) {
  EXPECT_EQ(FailureKindName(F::kCapacity), "capacity");
  EXPECT_NE(FailureKindName(F::kCapacity), FailureKindName(F::kPermissionDenied));
  for (bool market_aware : {true, false}) {
    RetryPolicy policy;
    policy.market_aware_retry = market_aware;
    for (M status : {M::kOpen, M::kExtended, M::kBreak, M::kClosed, M::kUnknown}) {
      // Never a storm, whatever the contract asks for.
      EXPECT_EQ(SelectStrategy(status, F::kCapacity, policy, S::kImmediate), S::kMaintenance)
          << calendar::MarketStatusName(status) << " market_aware=" << market_aware;
    }
  }
}

TEST(JitterTest, FullJitterStaysWithinBoundsAndIsSeeded) {
  const uint64_t seed = 20250811;
  SCOPED_TRACE("seed " + std::to_string(seed));
  Jitter a(seed);
  Jitter b(seed);
  const Duration max = std::chrono::seconds(10);
  Duration lowest = max;
  Duration highest{0};
  for (int i = 0; i < 2000; ++i) {
    Duration d = a.Draw(max);
    EXPECT_EQ(d, b.Draw(max));
    EXPECT_GE(d, Duration{0});
    EXPECT_LE(d, max);
    lowest = std::min(lowest, d);
    highest = std::max(highest, d);
  }
  // Uniform over [0, 10 s]: 2000 draws reach both ends of the range.
  EXPECT_LT(lowest, std::chrono::milliseconds(100));
  EXPECT_GT(highest, std::chrono::milliseconds(9900));
  Jitter other(seed + 1);
  EXPECT_NE(other.Draw(max), Jitter(seed).Draw(max));
}

TEST(JitterTest, DisabledJitterGivesThePlannedDelay) {
  Jitter j(1, /*enabled=*/false);
  EXPECT_EQ(j.Draw(std::chrono::seconds(30)), std::chrono::seconds(30));
  Jitter on(1);
  EXPECT_EQ(on.Draw(Duration{0}), Duration{0});
}

}  // namespace
}  // namespace ibstream::reliability::retry_strategy_test
