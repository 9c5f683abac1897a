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
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/decimal.h"
#include "model/tick.h"
#include "sim/catalog.h"
#include "sim/market_source.h"

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
  // A recorded event (market_source.h) stands for exactly one recorded tick of kind `only`:
  // kQuote events for BidAsk, MidPoint (its price in `price`) or a stored top-of-book Quote,
  // kTrade events for Last, AllLast or a stored Trade. A generated event has none and makes every
  // kind its kind makes. Quote and Trade events feed reqMktData (and depth) only.
  std::optional<TickType> only;
  // Recorded: the tick's attribute bits (TickAttribute) and special conditions (owned by the
  // source, null: none). Generated events carry these in `unreported`.
  uint8_t attributes = 0;
  const std::string* special_conditions = nullptr;

  double midpoint() const { return (bid + ask) / 2; }
};

enum class SessionPhase : uint8_t { kClosed, kExtended, kLiquid };

class TickGenerator {
 public:
  explicit TickGenerator(uint64_t seed) : seed_(seed) {}
  // Replay: the events come from `recorded` (shared; it lives as long as the longest holder)
  // instead of being generated; null generates.
  TickGenerator(uint64_t seed, std::shared_ptr<const MarketSource> recorded)
      : seed_(seed), recorded_(std::move(recorded)) {}

  uint64_t seed() const { return seed_; }
  bool replaying() const { return recorded_ != nullptr; }

  // Appends the events of `second` (Unix seconds) to `out`, in time order. Nothing when closed.
  // Replaying: the recorded source's events of that second.
  void GenerateSecond(const SimContract& contract, int64_t second, SessionPhase phase,
                      std::vector<MarketEvent>& out) const;

  // Replaying: the recorded source's MarketSource::FirstTickOf / EndSecondOf. A generated market
  // has no recorded first tick and never ends (nullopt).
  std::optional<TimePoint> RecordedFirstTick(const SimContract& contract,
                                             const std::vector<TickType>& kinds) const {
    return recorded_ ? recorded_->FirstTickOf(contract, kinds) : std::nullopt;
  }
  std::optional<int64_t> RecordedEndSecond(const SimContract& contract) const {
    return recorded_ ? recorded_->EndSecondOf(contract) : std::nullopt;
  }

  // The fair (unrounded) price at `t_ns` (Unix ns): exposed for tests.
  double FairPrice(const SimContract& contract, int64_t t_ns) const;

 private:
  uint64_t Hash(uint64_t a, uint64_t b, uint64_t c) const;
  double Uniform(uint64_t a, uint64_t b, uint64_t c) const;  // [0, 1)

  uint64_t seed_;
  std::shared_ptr<const MarketSource> recorded_;
};

}  // namespace ibstream::sim
