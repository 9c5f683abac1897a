// The stream planner: which wanted tick-by-tick stream is recorded by tick-by-tick, which through
// its contract's reqMktData (the fallback), and which cannot be recorded at all, given IB's
// tick-by-tick allowance and the account's market-data lines (docs/IB-LIMITS.md §3.2).
//
// Pure: PlanStreams() and DiffPlans() read no clock, keep no state and give the same answer for
// the same input, so re-planning after a contract is tracked, untracked or rolled is just planning
// again and diffing the two plans. Thread-safe in the sense that they touch nothing shared.
//
// Accounting (IB's): every tick-by-tick subscription takes one market-data line, and so does every
// reqMktData; one reqMktData per contract serves every fallback stream of that contract.
//
// Order: contract priority (1 first), then the contract's configuration order, then tick type in
// the order bid_ask, last, all_last, mid_point (then contract id, so that the order is total).
//
// Assignment, in that order:
//   1. Lines first make every contract recordable at all: each contract, in order, gets one line
//      while lines remain. A contract left without one is unserved ("no market-data line left
//      (100)"); its streams are not recorded.
//   2. Tick-by-tick slots then go to the streams of served contracts, in order, while slots remain
//      and lines allow: upgrading a stream costs one more line, except the last fallback stream of
//      a contract, whose reqMktData line it takes over. A stream left out is on the fallback with
//      the reason ("tick-by-tick limit 3 reached", "no market-data line left for tick-by-tick
//      (100)").
// So with the defaults (3 slots, 100 lines) the first three streams are tick-by-tick and every
// other stream of up to 97 contracts is recorded through the fallback.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/tick.h"

namespace ibstream::reliability {

// One stream the configuration wants recorded by tick-by-tick.
struct WantedStream {
  StreamKey stream;
  // The contract's priority: 1 is served first. Streams of one contract should carry the same
  // value; a contract is placed by the smallest priority among its streams.
  int priority = 100;
  // The contract's position in the configuration (ties of priority keep this order).
  int config_order = 0;
  // For texts only ("MNQ"); empty: the contract id is shown.
  std::string symbol;

  friend bool operator==(const WantedStream&, const WantedStream&) = default;
};

// What the account allows.
struct StreamBudget {
  // Concurrent tick-by-tick subscriptions; nullopt: no upper bound (TickByTickAllowance gives the
  // effective value). Negative counts as 0.
  std::optional<int> tick_by_tick_limit = 3;
  // Market-data lines (IB's default is 100). Negative counts as 0.
  int market_data_lines = 100;

  friend bool operator==(const StreamBudget&, const StreamBudget&) = default;
};

enum class StreamRoute {
  kTickByTick,  // its own reqTickByTickData
  kFallback,  // its contract's reqMktData (top of book), shared by the contract's fallback streams
  kUnserved,  // not recorded: no line left for its contract (or not a tick-by-tick kind)
};

// "tick_by_tick", "fallback", "unserved".
std::string_view StreamRouteName(StreamRoute route);

struct PlannedStream {
  WantedStream wanted;
  StreamRoute route = StreamRoute::kUnserved;
  // Why the stream is not on tick-by-tick; empty when it is. "tick-by-tick limit 3 reached",
  // "no market-data line left for tick-by-tick (100)", "no market-data line left (100)",
  // "not a tick-by-tick kind".
  std::string reason;

  friend bool operator==(const PlannedStream&, const PlannedStream&) = default;
};

struct StreamPlan {
  StreamBudget budget;
  // Every distinct wanted stream (a repeated one counts once), in planning order.
  std::vector<PlannedStream> streams;
  // The contracts that need one reqMktData (they have a stream on the fallback), in planning order.
  std::vector<int64_t> market_data_contracts;
  int tick_by_tick_used = 0;
  // Tick-by-tick subscriptions plus reqMktData requests.
  int lines_used = 0;

  // The stream's entry, or null when it is not in the plan.
  const PlannedStream* Find(const StreamKey& stream) const;
  // The stream's route; nullopt when it is not in the plan.
  std::optional<StreamRoute> RouteOf(const StreamKey& stream) const;
  bool NeedsMarketData(int64_t contract_id) const;
  // True when every stream is on tick-by-tick.
  bool AllTickByTick() const;

  friend bool operator==(const StreamPlan&, const StreamPlan&) = default;
};

// Plans `wanted` within `budget` (see the top of this file). Deterministic: the input's order
// does not matter beyond the fields above.
StreamPlan PlanStreams(std::vector<WantedStream> wanted, const StreamBudget& budget);

// One request to start or stop when going from one plan to the next.
enum class PlanStepKind {
  kStartMarketData,  // reqMktData for `contract_id`
  kStopMarketData,   // cancelMktData for `contract_id`
  kStartTickByTick,  // reqTickByTickData for `stream`
  kStopTickByTick,   // cancelTickByTickData for `stream`
};

// "start_market_data", "stop_market_data", "start_tick_by_tick", "stop_tick_by_tick".
std::string_view PlanStepKindName(PlanStepKind kind);

struct PlanStep {
  PlanStepKind kind = PlanStepKind::kStartMarketData;
  // The contract (both kinds); with a tick-by-tick step also `stream.contract_id`.
  int64_t contract_id = 0;
  // Tick-by-tick steps only.
  std::optional<StreamKey> stream;

  friend bool operator==(const PlanStep&, const PlanStep&) = default;
};

// A stream whose route differs between two plans (to log and show the switch).
struct RouteChange {
  WantedStream wanted;
  // nullopt: not in that plan (a new or a removed stream).
  std::optional<StreamRoute> from;
  std::optional<StreamRoute> to;
  // The new plan's reason (empty when it is tick-by-tick or removed).
  std::string reason;

  bool IsUpgrade() const { return to == StreamRoute::kTickByTick && from.has_value(); }
  bool IsDowngrade() const { return from == StreamRoute::kTickByTick && to.has_value(); }
  friend bool operator==(const RouteChange&, const RouteChange&) = default;
};

// "MNQ last: fallback -> tick_by_tick", "ES bid_ask: (new) -> fallback (tick-by-tick limit 3
// reached)", "AAPL mid_point: tick_by_tick -> (removed)".
std::string RouteChangeText(const RouteChange& change);

struct PlanDiff {
  // Carry these out in order. The order makes every switch start the new route before the old one
  // is cancelled, and never runs more tick-by-tick subscriptions than the larger of the two plans:
  //   1. stop what nothing replaces: tick-by-tick of streams removed or now unserved, and the
  //      reqMktData of contracts with no stream left on the fallback and none moving to
  //      tick-by-tick;
  //   2. start the reqMktData of contracts new on the fallback;
  //   3. stop tick-by-tick of streams moving to the fallback (their reqMktData is live by now);
  //   4. start tick-by-tick of new and upgraded streams (the slots freed in 1 and 3);
  //   5. stop the reqMktData of contracts whose fallback streams all moved to tick-by-tick.
  // Between 2 and 3, and between 4 and 5, up to the number of switching streams more lines are in
  // use than either plan counts; IB answers 101 if that exceeds the account's lines.
  std::vector<PlanStep> steps;
  // Every stream whose route changed: the new plan's streams in its order, then removed streams
  // in the old plan's order.
  std::vector<RouteChange> changes;

  bool empty() const { return steps.empty() && changes.empty(); }
};

// What to start and stop to go from `before` to `after`.
PlanDiff DiffPlans(const StreamPlan& before, const StreamPlan& after);

}  // namespace ibstream::reliability
