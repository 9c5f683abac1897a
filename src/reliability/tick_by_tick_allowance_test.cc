#include "reliability/tick_by_tick_allowance.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace ibstream::reliability::tick_by_tick_allowance_test {
namespace {

// One answer from IB: a 10190 (refused) or an acceptance, with the streams running then.
struct Answer {
  bool refused;
  int active;
};

struct AllowanceCase {
  std::string name;
  std::optional<int> configured;
  std::vector<Answer> answers;
  std::optional<int> effective;
  std::optional<int> learned;
  std::string describe;
};

TEST(TickByTickAllowanceTest, Table) {
  const std::vector<AllowanceCase> cases = {
      {"configured, no answers", 3, {}, 3, std::nullopt, "3"},
      {"auto, no answers: no upper bound", std::nullopt, {}, std::nullopt, std::nullopt, "auto"},
      {"auto learns from the first 10190", std::nullopt, {{true, 4}}, 4, 4, "auto (learned 4)"},
      {"auto: acceptances alone set no bound",
       std::nullopt,
       {{false, 5}},
       std::nullopt,
       5,
       "auto (learned 5)"},
      {"auto: more accepted after a 10190 raises it",
       std::nullopt,
       {{true, 3}, {false, 5}},
       5,
       5,
       "auto (learned 5)"},
      {"auto: a later 10190 lowers it again",
       std::nullopt,
       {{false, 6}, {true, 4}},
       4,
       4,
       "auto (learned 4)"},
      {"configured lowered by a 10190",
       3,
       {{true, 2}},
       2,
       2,
       "2 (configured 3, learned from 10190)"},
      {"never above the configured number", 3, {{true, 5}}, 3, 5, "3"},
      {"acceptances never raise above the configured number",
       3,
       {{true, 1}, {false, 6}},
       3,
       6,
       "3"},
      {"a 10190 with none active: zero", std::nullopt, {{true, 0}}, 0, 0, "auto (learned 0)"},
      {"never below zero", 3, {{true, -2}}, 0, 0, "0 (configured 3, learned from 10190)"},
      {"a negative configured limit counts as zero", -1, {}, 0, std::nullopt, "0"},
      {"configured zero stays zero", 0, {{false, 3}}, 0, 3, "0"},
      {"acceptances of none teach nothing",
       std::nullopt,
       {{false, 0}},
       std::nullopt,
       std::nullopt,
       "auto"},
  };
  for (const AllowanceCase& c : cases) {
    TickByTickAllowance allowance(c.configured);
    for (const Answer& a : c.answers) {
      if (a.refused) {
        allowance.OnLimitReached(a.active, TimePoint{});
      } else {
        allowance.OnAccepted(a.active);
      }
    }
    EXPECT_EQ(allowance.EffectiveLimit(), c.effective) << c.name;
    EXPECT_EQ(allowance.learned(), c.learned) << c.name;
    EXPECT_EQ(allowance.Describe(), c.describe) << c.name;
  }
}

// A dead session IB has not noticed yet (half-open) holds 1 of 3 slots: the reconnected session's
// second stream meets 10190 with 1 running. That is not the account's allowance for good: after
// kRetryAfter the limit goes back up to the 2 IB ran before, and a new 10190 lowers it again.
TEST(TickByTickAllowanceTest, A10190BelowWhatIbRanIsRetriedAfterAWhile) {
  const TimePoint t0 = FromUnixSeconds(1754920800);
  TickByTickAllowance allowance(3);
  allowance.OnAccepted(2);
  allowance.OnLimitReached(1, t0);
  EXPECT_EQ(allowance.EffectiveLimit(), 1);
  allowance.Refresh(t0 + TickByTickAllowance::kRetryAfter - std::chrono::seconds(1));
  EXPECT_EQ(allowance.EffectiveLimit(), 1) << "too early";
  allowance.Refresh(t0 + TickByTickAllowance::kRetryAfter);
  EXPECT_EQ(allowance.EffectiveLimit(), 2) << "back to what IB ran, not beyond";
  allowance.OnLimitReached(1, t0 + std::chrono::minutes(6));
  EXPECT_EQ(allowance.EffectiveLimit(), 1);

  // A 10190 at what IB ran at most is the allowance: no retry.
  TickByTickAllowance exact(std::nullopt);
  exact.OnAccepted(3);
  exact.OnLimitReached(3, t0);
  exact.Refresh(t0 + std::chrono::hours(1));
  EXPECT_EQ(exact.EffectiveLimit(), 3);
}

}  // namespace
}  // namespace ibstream::reliability::tick_by_tick_allowance_test
