// Where a market's events come from when they are not generated: the interface a recorded
// market (`ibstream sim --replay`, src/replay) implements, injected through
// SimulatorOptions::market_source. The synthetic market (tick_generator.h) is the default.
//
// A source answers "what happened in this second of this contract" with MarketEvents; every
// consumer of the simulator (live tick-by-tick and reqMktData, historical ticks, bars, market
// depth) is built on that answer, so a replayed market is served exactly like a generated one.
// A recorded event stands for one recorded tick (MarketEvent::only), so each stored stream is
// served as it was stored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "model/tick.h"

namespace ibstream::sim {

struct MarketEvent;
struct SimContract;
enum class SessionPhase : uint8_t;

class MarketSource {
 public:
  virtual ~MarketSource() = default;

  // Appends the events of `second` (Unix seconds) of `contract` to `out`, in delivery order
  // (offsets non-decreasing). Nothing when there is nothing to serve: a recorded market has no
  // events outside its window and in its gaps. `phase` is the calendar's phase at that second
  // (never kClosed). Called only from the simulator's loop thread; an implementation need not be
  // thread-safe, but must never fail or block for long: damaged input is reported by the source
  // (a counter, a log line) and is an empty second here.
  virtual void EventsOf(const SimContract& contract, int64_t second, SessionPhase phase,
                        std::vector<MarketEvent>& out) const = 0;

  // The exchange time of the first tick of `contract` of one of `kinds` the source serves (a
  // recorded market: the first stored tick of those kinds inside its window): what
  // reqHeadTimestamp answers. Nullopt when it serves none. Called from the loop thread; may read
  // the source's input (a recorded market reads one hour of the store, or more across a gap).
  virtual std::optional<TimePoint> FirstTickOf(const SimContract& contract,
                                               const std::vector<TickType>& kinds) const = 0;

  // The first whole second (Unix seconds) from which the source has no event of `contract`, ever
  // (a recorded market: the second after its last stored tick inside the window, or its window's
  // start when it holds none there); nullopt when its events never end. The simulator then ends
  // the contract's live subscriptions (README, "Replay a recorded day"). Same thread and cost
  // as FirstTickOf.
  virtual std::optional<int64_t> EndSecondOf(const SimContract& contract) const = 0;
};

// A replayed recording ends (MarketSource::EndSecondOf): when the clock reaches the end, every
// live subscription of the contract (tick-by-tick, reqMktData, market depth, real-time bars,
// keepUpToDate bars) gets this error on its request id and is ended, and a request for a live
// subscription of it after the end gets it at once. IB's "Not subscribed to requested market
// data": a terminal error for that request, so a client stops waiting for it (README, "Replay a
// recorded day against your own IB program", says why this code).
inline constexpr int32_t kReplayEndedCode = 354;
// The error's text: the contract and the instant the recording ended.
std::string ReplayEndedText(const SimContract& c, int64_t end_second);

}  // namespace ibstream::sim
