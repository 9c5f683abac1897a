// The simulator's modelled order book (market depth) and IB's depth updates.
//
// A book is derived from a market's current quote, never stored as history: row 0 of each side is
// the quote itself (price and size), row k lies k minimum ticks further from it, and the size of
// a deeper row is a pure function of (seed, contract, side, price) — so a level keeps its size
// while the quote moves around it, and live depth is reproducible from the seed like the ticks.
//
// IB sends depth as operations by position (protocol::MarketDepth): insert a row at a position
// (the rows from there down move one deeper), update a row in place, delete a row (the rows below
// move up). DiffDepthSide turns two books into such operations; ApplyDepthUpdate is their
// reference semantics (the tests use it as a client would).
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "common/decimal.h"
#include "common/status.h"
#include "protocol/server_messages.h"
#include "sim/catalog.h"

namespace ibstream::sim {

// The most rows a depth request is served (IB's numRows is capped to it).
inline constexpr int kMaxDepthRows = 20;

struct DepthRow {
  double price = 0;
  Decimal size;
  friend bool operator==(const DepthRow&, const DepthRow&) = default;
};

// Row 0 is the best price of the side: the highest bid, the lowest ask.
struct DepthBook {
  std::vector<DepthRow> bids;
  std::vector<DepthRow> asks;
  friend bool operator==(const DepthBook&, const DepthBook&) = default;
};

// The top of the book the depth is built around (the market's current quote).
struct DepthQuote {
  double bid = 0;
  double ask = 0;
  Decimal bid_size;
  Decimal ask_size;
};

// The book of `rows` rows per side (clamped to 0..kMaxDepthRows) around `quote`. Prices are on the
// contract's minimum-tick grid; a bid row whose price would not be positive is left out (the bid
// side is then shorter). Deeper sizes are whole multiples of the profile's size unit, between
// size_min and 3 x size_max.
DepthBook ModelDepthBook(const SimContract& contract, uint64_t seed, const DepthQuote& quote,
                         int rows);

// One depth operation as IB sends it.
struct DepthUpdate {
  int32_t position = 0;
  protocol::DepthOperation operation = protocol::DepthOperation::kInsert;
  protocol::DepthSide side = protocol::DepthSide::kAsk;
  DepthRow row;  // the row inserted or its new value; for a delete, the row removed
  friend bool operator==(const DepthUpdate&, const DepthUpdate&) = default;
};

// Appends to `out` the operations that turn side `side` of a book from `before` into `after`
// (both ordered best first, prices distinct): a row whose price survives is updated in place
// when its size changed, a price that appeared is inserted at its position, a price that left is
// deleted; rows past the end of `after` are deleted from the last one up. Nothing when equal.
void DiffDepthSide(protocol::DepthSide side, const std::vector<DepthRow>& before,
                   const std::vector<DepthRow>& after, std::vector<DepthUpdate>& out);

// Both sides: bids first, then asks.
void DiffDepthBook(const DepthBook& before, const DepthBook& after, std::vector<DepthUpdate>& out);

// Applies one operation to `rows` (the side the update names) as a client keeping the book would.
// InvalidArgument, `rows` unchanged: an insert past the end, an update or delete of a row that is
// not there.
[[nodiscard]] Status ApplyDepthUpdate(const DepthUpdate& update, std::vector<DepthRow>& rows);
[[nodiscard]] Status ApplyDepthUpdate(const DepthUpdate& update, DepthBook& book);

}  // namespace ibstream::sim
