#include "sim/fault_state.h"

#include <gtest/gtest.h>

namespace ibstream::sim::fault_state_test {
namespace {

constexpr int32_t kConId = 711202509;
constexpr int32_t kOtherConId = 265598;

SimContract Contract() {
  SimContract c;
  c.details.contract.con_id = kConId;
  c.farm = "usfuture";
  return c;
}

Subscription TickByTick(TickType type) {
  Subscription s;
  s.con_id = kConId;
  s.type = type;
  return s;
}

Subscription MktData() {
  Subscription s;
  s.con_id = kConId;
  s.mkt_data = true;
  return s;
}

FaultState WithSilence(std::optional<int32_t> client_id, std::optional<int32_t> con_id,
                       std::string tick_type) {
  FaultState state;
  ActiveFault f;
  f.spec.kind = FaultKind::kSilence;
  f.spec.client_id = client_id;
  f.spec.con_id = con_id;
  f.spec.tick_type = std::move(tick_type);
  state.active.push_back(f);
  return state;
}

TEST(FaultStateTest, WithholdsLiveData) {
  FaultState none;
  FaultState connectivity;
  connectivity.connectivity_lost = 1;
  FaultState reset;
  reset.nightly_reset = 1;
  FaultState competing;
  competing.competing = 1;
  FaultState farm_down;
  farm_down.farms_down.insert("usfuture");
  FaultState other_farm_down;
  other_farm_down.farms_down.insert("usfarm");
  FaultState pacing;  // historical only
  pacing.pacing = 1;
  pacing.hmds_down = 1;
  FaultState window_of_other_kind;
  window_of_other_kind.active.push_back(ActiveFault{});
  window_of_other_kind.active.back().spec.kind = FaultKind::kHalfOpen;

  struct Case {
    const char* name;
    FaultState state;
    int32_t client_id;
    Subscription sub;
    bool withheld;
  };
  const Case cases[] = {
      {"no fault", none, 1, TickByTick(TickType::kBidAsk), false},
      {"connectivity lost", connectivity, 1, TickByTick(TickType::kBidAsk), true},
      {"nightly reset", reset, 1, MktData(), true},
      {"competing session", competing, 1, TickByTick(TickType::kLast), true},
      {"its farm down", farm_down, 1, TickByTick(TickType::kAllLast), true},
      {"another farm down", other_farm_down, 1, TickByTick(TickType::kAllLast), false},
      {"pacing and hmds down", pacing, 1, TickByTick(TickType::kBidAsk), false},
      {"another window", window_of_other_kind, 1, TickByTick(TickType::kBidAsk), false},
      {"silence all", WithSilence(std::nullopt, std::nullopt, ""), 1, MktData(), true},
      {"silence its client", WithSilence(1, std::nullopt, ""), 1, TickByTick(TickType::kBidAsk),
       true},
      {"silence another client", WithSilence(2, std::nullopt, ""), 1, TickByTick(TickType::kBidAsk),
       false},
      {"silence its contract", WithSilence(std::nullopt, kConId, ""), 1,
       TickByTick(TickType::kMidPoint), true},
      {"silence another contract", WithSilence(std::nullopt, kOtherConId, ""), 1,
       TickByTick(TickType::kMidPoint), false},
      {"silence its tick type", WithSilence(std::nullopt, std::nullopt, "BidAsk"), 1,
       TickByTick(TickType::kBidAsk), true},
      {"silence another tick type", WithSilence(std::nullopt, std::nullopt, "BidAsk"), 1,
       TickByTick(TickType::kAllLast), false},
      {"silence mkt_data", WithSilence(std::nullopt, std::nullopt, "mkt_data"), 1, MktData(), true},
      {"silence mkt_data, tick-by-tick", WithSilence(std::nullopt, std::nullopt, "mkt_data"), 1,
       TickByTick(TickType::kBidAsk), false},
      {"silence tick-by-tick, mkt_data", WithSilence(std::nullopt, std::nullopt, "BidAsk"), 1,
       MktData(), false},
  };
  const SimContract contract = Contract();
  for (const Case& c : cases) {
    EXPECT_EQ(c.state.WithholdsLiveData(c.client_id, c.sub, contract), c.withheld) << c.name;
  }
}

TEST(FaultStateTest, HistoricalFarmDown) {
  struct Case {
    int hmds_down, nightly_reset, connectivity_lost, pacing;
    bool down;
  };
  const Case cases[] = {
      {0, 0, 0, 0, false}, {1, 0, 0, 0, true},  {0, 1, 0, 0, true},
      {0, 0, 1, 0, true},  {0, 0, 0, 1, false}, {2, 1, 1, 0, true},
  };
  for (const Case& c : cases) {
    FaultState s;
    s.hmds_down = c.hmds_down;
    s.nightly_reset = c.nightly_reset;
    s.connectivity_lost = c.connectivity_lost;
    s.pacing = c.pacing;
    EXPECT_EQ(s.HistoricalFarmDown(), c.down)
        << c.hmds_down << c.nightly_reset << c.connectivity_lost << c.pacing;
  }
}

}  // namespace
}  // namespace ibstream::sim::fault_state_test
