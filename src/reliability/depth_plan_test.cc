#include "reliability/depth_plan.h"

#include <gtest/gtest.h>

namespace ibstream::reliability::depth_plan_test {
namespace {

WantedDepth Want(int64_t id, int priority = 100, int order = 0, int rows = 10, bool smart = false) {
  return WantedDepth{id, rows, smart, priority, order, ""};
}

std::vector<int64_t> GrantedIds(const DepthPlan& plan) {
  std::vector<int64_t> out;
  for (const PlannedDepth& p : plan.contracts) {
    if (p.granted) out.push_back(p.wanted.contract_id);
  }
  return out;
}

TEST(DepthPlanTest, AssignsTheAllowanceByPriorityThenConfigurationOrder) {
  struct Case {
    const char* name;
    std::vector<WantedDepth> wanted;
    int limit;
    std::vector<int64_t> granted;
    std::vector<int64_t> refused;
  };
  const Case cases[] = {
      {"nothing wanted", {}, 3, {}, {}},
      {"within IB's default of 3", {Want(1, 100, 0), Want(2, 100, 1)}, 3, {1, 2}, {}},
      {"configuration order when priorities tie",
       {Want(4, 100, 3), Want(3, 100, 2), Want(2, 100, 1), Want(1, 100, 0)},
       3,
       {1, 2, 3},
       {4}},
      {"priority 1 first",
       {Want(1, 100, 0), Want(2, 100, 1), Want(3, 100, 2), Want(4, 1, 3)},
       3,
       {4, 1, 2},
       {3}},
      {"ties of priority and order fall back to the contract id",
       {Want(9, 5, 0), Want(8, 5, 0)},
       1,
       {8},
       {9}},
      {"a limit of 0 records no depth", {Want(1)}, 0, {}, {1}},
      {"a negative limit counts as 0", {Want(1)}, -2, {}, {1}},
      {"a repeated contract counts once, at its best place",
       {Want(1, 100, 0), Want(2, 100, 1), Want(2, 1, 5)},
       1,
       {2},
       {1}},
  };
  for (const Case& c : cases) {
    const DepthPlan plan = PlanDepth(c.wanted, c.limit);
    EXPECT_EQ(GrantedIds(plan), c.granted) << c.name;
    std::vector<int64_t> refused;
    for (const PlannedDepth& p : plan.Refused()) refused.push_back(p.wanted.contract_id);
    EXPECT_EQ(refused, c.refused) << c.name;
    EXPECT_EQ(plan.used, static_cast<int>(c.granted.size())) << c.name;
  }
}

TEST(DepthPlanTest, ARefusedContractSaysWhy) {
  std::vector<WantedDepth> wanted = {Want(1, 100, 0), Want(2, 100, 1)};
  wanted[1].symbol = "MNQ";
  const DepthPlan plan = PlanDepth(wanted, 1);
  ASSERT_NE(plan.Find(2), nullptr);
  EXPECT_FALSE(plan.Granted(2));
  EXPECT_TRUE(plan.Granted(1));
  EXPECT_FALSE(plan.Granted(3));
  EXPECT_EQ(plan.Find(3), nullptr);
  EXPECT_EQ(plan.Find(2)->reason, "market depth limit 1 reached");
  EXPECT_EQ(RefusedDepthText(*plan.Find(2)), "MNQ depth: market depth limit 1 reached");
  EXPECT_TRUE(plan.Find(1)->reason.empty());
}

TEST(DepthPlanTest, DiffStopsBeforeItStartsSoFreedSlotsAreReused) {
  struct Case {
    const char* name;
    std::vector<WantedDepth> before;
    std::vector<WantedDepth> after;
    int limit;
    std::vector<DepthStep> steps;
  };
  const auto start = [](int64_t id, int rows = 10, bool smart = false) {
    return DepthStep{DepthStepKind::kStartDepth, id, rows, smart};
  };
  const auto stop = [](int64_t id, int rows = 10, bool smart = false) {
    return DepthStep{DepthStepKind::kStopDepth, id, rows, smart};
  };
  const Case cases[] = {
      {"same plan: nothing", {Want(1), Want(2, 100, 1)}, {Want(1), Want(2, 100, 1)}, 3, {}},
      {"first plan starts every granted contract",
       {},
       {Want(1, 100, 0), Want(2, 100, 1), Want(3, 100, 2)},
       2,
       {start(1), start(2)}},
      {"untracking a granted contract upgrades the next one",
       {Want(1, 100, 0), Want(2, 100, 1)},
       {Want(2, 100, 1)},
       1,
       {stop(1), start(2)}},
      {"a higher-priority newcomer takes the slot",
       {Want(1, 100, 0)},
       {Want(1, 100, 0), Want(2, 1, 1)},
       1,
       {stop(1), start(2)}},
      {"changed rows restart the subscription",
       {Want(1, 100, 0, 10)},
       {Want(1, 100, 0, 5, true)},
       3,
       {stop(1, 10), start(1, 5, true)}},
      {"a refused contract that stays refused: nothing",
       {Want(1, 100, 0), Want(2, 100, 1)},
       {Want(1, 100, 0), Want(2, 100, 1), Want(3, 100, 2)},
       1,
       {}},
  };
  for (const Case& c : cases) {
    const auto steps = DiffDepthPlans(PlanDepth(c.before, c.limit), PlanDepth(c.after, c.limit));
    EXPECT_EQ(steps, c.steps) << c.name;
  }
  EXPECT_EQ(DepthStepKindName(DepthStepKind::kStopDepth), "stop_depth");
  EXPECT_EQ(DepthStepKindName(DepthStepKind::kStartDepth), "start_depth");
}

}  // namespace
}  // namespace ibstream::reliability::depth_plan_test
