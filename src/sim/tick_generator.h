// Deterministic market generation: what happened in one second of one contract's market.
//
// The history is a pure function of (seed, contract, second): GenerateSecond never looks at
// earlier seconds, so live delivery and historical requests (which regenerate any window) agree
// exactly. Prices follow a smooth random path made of hashed value noise at several time scales
// around the profile's base price, quotes sit on the minimum-tick grid with bid < ask, trades
// happen at the bid or the ask of the quote just set, sizes are decimals. Rates depend on whether
// the second is liquid or extended, with burst minutes.
//
// Whether a second trades at all is the caller's business (the simulator asks the market
// calendar built from the contract's hours strings, as a recorder would).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/decimal.h"
#include "sim/catalog.h"

namespace ibstream::sim {

// One market event inside a second. A quote event yields a BidAsk tick (and a MidPoint tick when
// the midpoint moved); a trade yields an AllLast tick and, unless unreported, a Last tick.
struct MarketEvent {
  enum class Kind : uint8_t { kQuote, kTrade };
  Kind kind = Kind::kQuote;
  // Offset inside the second (ns, 0..999'999'999), for spreading delivery over the second.
  int32_t offset_ns = 0;
  // kQuote:
  double bid = 0;
  double ask = 0;
  Decimal bid_size;
  Decimal ask_size;
  bool midpoint_changed = false;  // vs the previous quote of this second (true for the first)
  // kTrade:
  double price = 0;
  Decimal size;
  bool unreported = false;                // special conditions: AllLast only
  const std::string* exchange = nullptr;  // the profile's trade exchange (owned by the contract)

  double midpoint() const { return (bid + ask) / 2; }
};

enum class SessionPhase : uint8_t { kClosed, kExtended, kLiquid };

class TickGenerator {
 public:
  explicit TickGenerator(uint64_t seed) : seed_(seed) {}

  uint64_t seed() const { return seed_; }

  // Appends the events of `second` (Unix seconds) to `out`, in time order. Nothing when closed.
  void GenerateSecond(const SimContract& contract, int64_t second, SessionPhase phase,
                      std::vector<MarketEvent>& out) const;

  // The fair (unrounded) price at `t_ns` (Unix ns): exposed for tests.
  double FairPrice(const SimContract& contract, int64_t t_ns) const;

 private:
  uint64_t Hash(uint64_t a, uint64_t b, uint64_t c) const;
  double Uniform(uint64_t a, uint64_t b, uint64_t c) const;  // [0, 1)

  uint64_t seed_;
};

}  // namespace ibstream::sim
