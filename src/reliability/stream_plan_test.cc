#include "reliability/stream_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace ibstream::reliability::stream_plan_test {
namespace {

using T = TickType;
using R = StreamRoute;

constexpr int64_t kMnq = 711280073;
constexpr int64_t kEs = 495512563;
constexpr int64_t kAapl = 265598;
constexpr int64_t kEur = 12087792;

WantedStream W(int64_t id, TickType type, int priority, int order, std::string symbol) {
  return WantedStream{StreamKey{id, type}, priority, order, std::move(symbol)};
}

// Four contracts as `make demo` tracks them, each with bid_ask and last, all at the default
// priority, in configuration order.
std::vector<WantedStream> Demo() {
  return {W(kMnq, T::kBidAsk, 100, 0, "MNQ"),   W(kMnq, T::kLast, 100, 0, "MNQ"),
          W(kEs, T::kBidAsk, 100, 1, "ES"),     W(kEs, T::kLast, 100, 1, "ES"),
          W(kAapl, T::kBidAsk, 100, 2, "AAPL"), W(kAapl, T::kLast, 100, 2, "AAPL"),
          W(kEur, T::kBidAsk, 100, 3, "EUR"),   W(kEur, T::kMidPoint, 100, 3, "EUR")};
}

// "MNQ bid_ask=T" per stream, in plan order: T tick-by-tick, F fallback, U unserved.
std::string Routes(const StreamPlan& plan) {
  std::string out;
  for (const PlannedStream& p : plan.streams) {
    if (!out.empty()) out += " ";
    out += p.wanted.symbol + "." + std::string(TickTypeName(p.wanted.stream.type)) + "=";
    out += p.route == R::kTickByTick ? "T" : p.route == R::kFallback ? "F" : "U";
  }
  return out;
}

struct PlanCase {
  std::string name;
  std::vector<WantedStream> wanted;
  StreamBudget budget;
  std::string routes;
  std::vector<int64_t> market_data;
  int tick_by_tick_used;
  int lines_used;
};

TEST(StreamPlanTest, Table) {
  const std::vector<PlanCase> cases = {
      {"default allowance: the first three streams, the rest on the fallback",
       Demo(),
       {3, 100},
       "MNQ.bid_ask=T MNQ.last=T ES.bid_ask=T ES.last=F AAPL.bid_ask=F AAPL.last=F EUR.bid_ask=F "
       "EUR.mid_point=F",
       {kEs, kAapl, kEur},
       3,
       6},
      {"unlimited (auto before any 10190): everything tick-by-tick",
       Demo(),
       {std::nullopt, 100},
       "MNQ.bid_ask=T MNQ.last=T ES.bid_ask=T ES.last=T AAPL.bid_ask=T AAPL.last=T EUR.bid_ask=T "
       "EUR.mid_point=T",
       {},
       8,
       8},
      {"limit 0: every stream on the fallback, one line per contract",
       Demo(),
       {0, 100},
       "MNQ.bid_ask=F MNQ.last=F ES.bid_ask=F ES.last=F AAPL.bid_ask=F AAPL.last=F EUR.bid_ask=F "
       "EUR.mid_point=F",
       {kMnq, kEs, kAapl, kEur},
       0,
       4},
      {"priority beats configuration order",
       {W(kMnq, T::kBidAsk, 100, 0, "MNQ"), W(kMnq, T::kLast, 100, 0, "MNQ"),
        W(kAapl, T::kLast, 1, 1, "AAPL"), W(kAapl, T::kBidAsk, 1, 1, "AAPL")},
       {3, 100},
       "AAPL.bid_ask=T AAPL.last=T MNQ.bid_ask=T MNQ.last=F",
       {kMnq},
       3,
       4},
      {"ties of priority keep configuration order, then tick type order",
       {W(kEur, T::kMidPoint, 5, 1, "EUR"), W(kEur, T::kAllLast, 5, 1, "EUR"),
        W(kEs, T::kMidPoint, 5, 0, "ES"), W(kEs, T::kAllLast, 5, 0, "ES"),
        W(kEs, T::kLast, 5, 0, "ES"), W(kEs, T::kBidAsk, 5, 0, "ES")},
       {5, 100},
       "ES.bid_ask=T ES.last=T ES.all_last=T ES.mid_point=T EUR.all_last=T EUR.mid_point=F",
       {kEur},
       5,
       6},
      {"a repeated stream counts once",
       {W(kMnq, T::kBidAsk, 1, 0, "MNQ"), W(kMnq, T::kBidAsk, 1, 0, "MNQ")},
       {3, 100},
       "MNQ.bid_ask=T",
       {},
       1,
       1},
      {"lines for every contract first: two lines serve two contracts by the fallback",
       {W(kMnq, T::kBidAsk, 1, 0, "MNQ"), W(kMnq, T::kLast, 1, 0, "MNQ"),
        W(kMnq, T::kAllLast, 1, 0, "MNQ"), W(kEs, T::kBidAsk, 2, 1, "ES")},
       {std::nullopt, 2},
       "MNQ.bid_ask=F MNQ.last=F MNQ.all_last=F ES.bid_ask=T",
       {kMnq},
       1,
       2},
      {"the last fallback stream of a contract takes over its line",
       {W(kMnq, T::kBidAsk, 1, 0, "MNQ"), W(kMnq, T::kLast, 1, 0, "MNQ"),
        W(kEs, T::kBidAsk, 2, 1, "ES")},
       {std::nullopt, 3},
       "MNQ.bid_ask=T MNQ.last=T ES.bid_ask=T",
       {},
       3,
       3},
      {"one spare line upgrades one stream; the rest stay on the fallback",
       {W(kMnq, T::kBidAsk, 1, 0, "MNQ"), W(kMnq, T::kLast, 1, 0, "MNQ"),
        W(kMnq, T::kMidPoint, 1, 0, "MNQ"), W(kEs, T::kBidAsk, 2, 1, "ES")},
       {std::nullopt, 3},
       "MNQ.bid_ask=T MNQ.last=F MNQ.mid_point=F ES.bid_ask=T",
       {kMnq},
       2,
       3},
      {"no line left: the last contracts are unserved",
       Demo(),
       {3, 2},
       "MNQ.bid_ask=F MNQ.last=F ES.bid_ask=F ES.last=F AAPL.bid_ask=U AAPL.last=U EUR.bid_ask=U "
       "EUR.mid_point=U",
       {kMnq, kEs},
       0,
       2},
      {"no lines at all",
       Demo(),
       {3, 0},
       "MNQ.bid_ask=U MNQ.last=U ES.bid_ask=U ES.last=U AAPL.bid_ask=U AAPL.last=U EUR.bid_ask=U "
       "EUR.mid_point=U",
       {},
       0,
       0},
      {"nothing wanted", {}, {3, 100}, "", {}, 0, 0},
  };
  for (const PlanCase& c : cases) {
    const StreamPlan plan = PlanStreams(c.wanted, c.budget);
    EXPECT_EQ(Routes(plan), c.routes) << c.name;
    EXPECT_EQ(plan.market_data_contracts, c.market_data) << c.name;
    EXPECT_EQ(plan.tick_by_tick_used, c.tick_by_tick_used) << c.name;
    EXPECT_EQ(plan.lines_used, c.lines_used) << c.name;
    EXPECT_LE(plan.lines_used, std::max(0, c.budget.market_data_lines)) << c.name;
  }
}

TEST(StreamPlanTest, Reasons) {
  StreamPlan plan = PlanStreams(Demo(), {3, 100});
  EXPECT_EQ(plan.Find({kMnq, T::kBidAsk})->reason, "");
  EXPECT_EQ(plan.Find({kEs, T::kLast})->reason, "tick-by-tick limit 3 reached");
  plan = PlanStreams(Demo(), {3, 2});
  EXPECT_EQ(plan.Find({kAapl, T::kBidAsk})->reason, "no market-data line left (2)");
  EXPECT_EQ(plan.Find({kEs, T::kBidAsk})->reason, "no market-data line left for tick-by-tick (2)");
  plan = PlanStreams({W(kMnq, static_cast<TickType>(9), 1, 0, "MNQ")}, {3, 100});
  EXPECT_EQ(plan.streams[0].route, R::kUnserved);
  EXPECT_EQ(plan.streams[0].reason, "not a tick-by-tick kind");
  EXPECT_EQ(plan.lines_used, 0);
}

TEST(StreamPlanTest, InputOrderDoesNotMatter) {
  const StreamPlan expected = PlanStreams(Demo(), {3, 5});
  std::vector<WantedStream> shuffled = Demo();
  const uint64_t seed = 20261206;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 20; ++i) {
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    EXPECT_EQ(PlanStreams(shuffled, {3, 5}), expected) << "seed " << seed << " round " << i;
  }
}

TEST(StreamPlanTest, LookupsAndNames) {
  const StreamPlan plan = PlanStreams(Demo(), {3, 100});
  EXPECT_EQ(plan.RouteOf({kEs, T::kLast}), R::kFallback);
  EXPECT_EQ(plan.RouteOf({kEs, T::kMidPoint}), std::nullopt);
  EXPECT_TRUE(plan.NeedsMarketData(kAapl));
  EXPECT_FALSE(plan.NeedsMarketData(kMnq));
  EXPECT_FALSE(plan.AllTickByTick());
  EXPECT_TRUE(PlanStreams(Demo(), {std::nullopt, 100}).AllTickByTick());
  EXPECT_EQ(StreamRouteName(R::kTickByTick), "tick_by_tick");
  EXPECT_EQ(StreamRouteName(R::kFallback), "fallback");
  EXPECT_EQ(StreamRouteName(R::kUnserved), "unserved");
}

// "start_tick_by_tick MNQ:last" per step.
std::vector<std::string> Steps(const PlanDiff& diff) {
  std::vector<std::string> out;
  for (const PlanStep& s : diff.steps) {
    std::string text = std::string(PlanStepKindName(s.kind)) + " " + std::to_string(s.contract_id);
    if (s.stream) text += ":" + std::string(TickTypeName(s.stream->type));
    out.push_back(text);
  }
  return out;
}

std::vector<WantedStream> Without(std::vector<WantedStream> wanted, int64_t contract) {
  std::erase_if(wanted, [&](const WantedStream& w) { return w.stream.contract_id == contract; });
  return wanted;
}

TEST(StreamPlanDiffTest, UntrackingAContractUpgradesTheNextStreamBeforeItsFallbackStops) {
  // ES last is on the fallback; MNQ goes away, freeing two slots: ES last and AAPL bid_ask move
  // to tick-by-tick. ES keeps no fallback stream, so its reqMktData stops after the upgrade.
  const StreamPlan before = PlanStreams(Demo(), {3, 100});
  const StreamPlan after = PlanStreams(Without(Demo(), kMnq), {3, 100});
  const PlanDiff diff = DiffPlans(before, after);
  EXPECT_EQ(Steps(diff), (std::vector<std::string>{
                             "stop_tick_by_tick 711280073:bid_ask",
                             "stop_tick_by_tick 711280073:last",
                             "start_tick_by_tick 495512563:last",
                             "start_tick_by_tick 265598:bid_ask",
                             "stop_market_data 495512563",
                         }));
  std::vector<std::string> changes;
  for (const RouteChange& c : diff.changes) changes.push_back(RouteChangeText(c));
  EXPECT_EQ(changes, (std::vector<std::string>{
                         "ES last: fallback -> tick_by_tick",
                         "AAPL bid_ask: fallback -> tick_by_tick",
                         "MNQ bid_ask: tick_by_tick -> (removed)",
                         "MNQ last: tick_by_tick -> (removed)",
                     }));
  EXPECT_TRUE(diff.changes[0].IsUpgrade());
  EXPECT_FALSE(diff.changes[2].IsUpgrade());
}

TEST(StreamPlanDiffTest, ALowerLimitStartsTheFallbackBeforeTheTickByTickStops) {
  // A 10190 taught a limit of 1: ES bid_ask and MNQ last move to the fallback; MNQ needs a
  // reqMktData first.
  const StreamPlan before = PlanStreams(Demo(), {3, 100});
  const StreamPlan after = PlanStreams(Demo(), {1, 100});
  const PlanDiff diff = DiffPlans(before, after);
  EXPECT_EQ(Steps(diff), (std::vector<std::string>{
                             "start_market_data 711280073",
                             "stop_tick_by_tick 711280073:last",
                             "stop_tick_by_tick 495512563:bid_ask",
                         }));
  ASSERT_EQ(diff.changes.size(), 2u);
  EXPECT_TRUE(diff.changes[0].IsDowngrade());
  EXPECT_EQ(RouteChangeText(diff.changes[1]),
            "ES bid_ask: tick_by_tick -> fallback (tick-by-tick limit 1 reached)");
}

TEST(StreamPlanDiffTest, TrackingAHigherPriorityContract) {
  // A new priority-1 contract takes the first slot; ES bid_ask (the third) moves to the fallback,
  // which ES already has; AAPL's fallback is unchanged. The new stream starts after the slot is
  // freed.
  std::vector<WantedStream> wanted = Demo();
  wanted.push_back(W(1, T::kLast, 1, 4, "NEW"));
  const PlanDiff diff = DiffPlans(PlanStreams(Demo(), {3, 100}), PlanStreams(wanted, {3, 100}));
  EXPECT_EQ(Steps(diff), (std::vector<std::string>{
                             "stop_tick_by_tick 495512563:bid_ask",
                             "start_tick_by_tick 1:last",
                         }));
  ASSERT_EQ(diff.changes.size(), 2u);
  EXPECT_EQ(RouteChangeText(diff.changes[0]), "NEW last: (new) -> tick_by_tick");
}

TEST(StreamPlanDiffTest, UntrackingAFallbackContractFreesItsLineFirst) {
  const PlanDiff diff =
      DiffPlans(PlanStreams(Demo(), {3, 100}), PlanStreams(Without(Demo(), kEur), {3, 100}));
  EXPECT_EQ(Steps(diff), (std::vector<std::string>{"stop_market_data 12087792"}));
  EXPECT_EQ(diff.changes.size(), 2u);
}

TEST(StreamPlanDiffTest, SamePlanNothingToDo) {
  const StreamPlan plan = PlanStreams(Demo(), {3, 100});
  EXPECT_TRUE(DiffPlans(plan, plan).empty());
  // From nothing: the first plan is all starts, market data first.
  const PlanDiff first = DiffPlans(StreamPlan{}, PlanStreams(Demo(), {1, 100}));
  EXPECT_EQ(Steps(first).front(), "start_market_data 711280073");
  EXPECT_EQ(Steps(first).back(), "start_tick_by_tick 711280073:bid_ask");
  EXPECT_EQ(first.steps.size(), 5u);  // four reqMktData, one tick-by-tick
}

TEST(StreamPlanDiffTest, NeverMoreTickByTickThanEitherPlan) {
  // Walk every pair of limits 0..4 over the demo streams: replaying the steps never runs more
  // tick-by-tick subscriptions than the larger plan, and ends on the new plan's.
  for (int a = 0; a <= 4; ++a) {
    for (int b = 0; b <= 4; ++b) {
      const StreamPlan before = PlanStreams(Demo(), {a, 100});
      const StreamPlan after = PlanStreams(Demo(), {b, 100});
      int running = before.tick_by_tick_used;
      for (const PlanStep& s : DiffPlans(before, after).steps) {
        if (s.kind == PlanStepKind::kStartTickByTick) ++running;
        if (s.kind == PlanStepKind::kStopTickByTick) --running;
        EXPECT_LE(running, std::max(before.tick_by_tick_used, after.tick_by_tick_used))
            << a << " -> " << b;
      }
      EXPECT_EQ(running, after.tick_by_tick_used) << a << " -> " << b;
    }
  }
}

}  // namespace
}  // namespace ibstream::reliability::stream_plan_test
