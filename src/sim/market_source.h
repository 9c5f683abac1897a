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
#include <vector>

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
};

}  // namespace ibstream::sim
