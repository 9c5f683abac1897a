// What the running faults currently change about the simulated gateway: which farms are down,
// whether connectivity is lost, whether historical data is refused, which streams are silenced.
// FaultInjector (fault_injector.h) changes it as faults start and end; the request handlers and
// the market fan-out read it.
//
// Threading: owned by the loop thread.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/catalog.h"
#include "sim/client_session.h"
#include "sim/fault.h"
#include "sim/simulator.h"

namespace ibstream::sim {

// Built-in farms announced at connect (2104) besides the catalog's.
inline constexpr std::string_view kHistoricalFarm = "ushmds";
inline constexpr std::string_view kSecDefFarm = "secdefil";

// A fault with a window (started, not ended yet).
struct ActiveFault {
  FaultSpec spec;
  TimePoint start;
  std::optional<TimePoint> end;
  std::vector<uint64_t> sessions;  // half_open: the sessions it froze
};

struct FaultState {
  // Whether the running faults withhold live data of `sub` (of contract `c`) from the client
  // `client_id`: connectivity lost, nightly reset, competing session, the contract's farm down,
  // or a matching silence.
  bool WithholdsLiveData(int32_t client_id, const Subscription& sub, const SimContract& c) const;
  // Historical requests are refused (HMDS down, nightly reset, connectivity lost).
  bool HistoricalFarmDown() const {
    return hmds_down > 0 || nightly_reset > 0 || connectivity_lost > 0;
  }
  bool FarmDown(const std::string& farm) const { return farms_down.count(farm) > 0; }

  // Nesting counts: overlapping faults of one kind each hold their own count.
  int connectivity_lost = 0;
  int nightly_reset = 0;
  int competing = 0;
  int pacing = 0;
  int hmds_down = 0;
  bool listener_down = false;
  std::multiset<std::string> farms_down;
  // The account's allowances (SimulatorOptions); `tick_by_tick_limit` faults change the first.
  int32_t max_tick_by_tick = kIbTickByTickLimit;
  int32_t market_data_lines = kIbMarketDataLines;
  std::vector<ActiveFault> active;  // in start order
};

}  // namespace ibstream::sim
