#include "reliability/tick_by_tick_allowance.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace ibstream::reliability {
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
        allowance.OnLimitReached(a.active);
      } else {
        allowance.OnAccepted(a.active);
      }
    }
    EXPECT_EQ(allowance.EffectiveLimit(), c.effective) << c.name;
    EXPECT_EQ(allowance.learned(), c.learned) << c.name;
    EXPECT_EQ(allowance.Describe(), c.describe) << c.name;
  }
}

}  // namespace
}  // namespace ibstream::reliability
