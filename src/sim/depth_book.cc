#include "sim/depth_book.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace ibstream::sim {
namespace {

using protocol::DepthOperation;
using protocol::DepthSide;

// splitmix64 finaliser: the sizes' hash (independent of the tick generator's streams).
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

int64_t TicksOf(const SimContract& c, double price) {
  return std::llround(price * static_cast<double>(c.tick_denominator) /
                      static_cast<double>(c.tick_numerator));
}

// The size of the level `price_ticks` on `side` below the top (the top uses the quote's size).
Decimal LevelSize(const SimContract& c, uint64_t seed, DepthSide side, int64_t price_ticks) {
  const TickProfile& p = c.profile;
  const uint64_t h =
      Mix(seed ^ Mix(static_cast<uint64_t>(c.con_id()) * 2 + static_cast<uint64_t>(side)) ^
          Mix(static_cast<uint64_t>(price_ticks)));
  const int64_t low = p.size_min;
  const int64_t high = std::max(low, p.size_max * 3);
  const int64_t units = low + static_cast<int64_t>(h % static_cast<uint64_t>(high - low + 1));
  return Decimal::FromParts(units, p.size_scale);
}

// Whether price `a` ranks before `b` on `side` (bids: higher first; asks: lower first).
bool RanksBefore(DepthSide side, double a, double b) {
  return side == DepthSide::kBid ? a > b : a < b;
}

}  // namespace

DepthBook ModelDepthBook(const SimContract& contract, uint64_t seed, const DepthQuote& quote,
                         int rows) {
  rows = std::clamp(rows, 0, kMaxDepthRows);
  DepthBook book;
  if (rows == 0) return book;
  const int64_t bid_ticks = TicksOf(contract, quote.bid);
  const int64_t ask_ticks = TicksOf(contract, quote.ask);
  book.bids.push_back({quote.bid, quote.bid_size});
  book.asks.push_back({quote.ask, quote.ask_size});
  for (int k = 1; k < rows; ++k) {
    const int64_t b = bid_ticks - k;
    if (b > 0) {
      book.bids.push_back(
          {contract.PriceOfTicks(b), LevelSize(contract, seed, DepthSide::kBid, b)});
    }
    const int64_t a = ask_ticks + k;
    book.asks.push_back({contract.PriceOfTicks(a), LevelSize(contract, seed, DepthSide::kAsk, a)});
  }
  return book;
}

void DiffDepthSide(DepthSide side, const std::vector<DepthRow>& before,
                   const std::vector<DepthRow>& after, std::vector<DepthUpdate>& out) {
  // `current` is what the client holds after the operations emitted so far.
  std::vector<DepthRow> current = before;
  for (size_t j = 0; j < after.size(); ++j) {
    const DepthRow& want = after[j];
    // Rows ranking before the j-th wanted row are gone from the book.
    while (j < current.size() && RanksBefore(side, current[j].price, want.price)) {
      out.push_back({static_cast<int32_t>(j), DepthOperation::kDelete, side, current[j]});
      current.erase(current.begin() + static_cast<std::ptrdiff_t>(j));
    }
    if (j < current.size() && current[j].price == want.price) {
      if (current[j].size != want.size) {
        out.push_back({static_cast<int32_t>(j), DepthOperation::kUpdate, side, want});
        current[j] = want;
      }
    } else {
      out.push_back({static_cast<int32_t>(j), DepthOperation::kInsert, side, want});
      current.insert(current.begin() + static_cast<std::ptrdiff_t>(j), want);
    }
  }
  while (current.size() > after.size()) {
    out.push_back(
        {static_cast<int32_t>(current.size() - 1), DepthOperation::kDelete, side, current.back()});
    current.pop_back();
  }
}

void DiffDepthBook(const DepthBook& before, const DepthBook& after, std::vector<DepthUpdate>& out) {
  DiffDepthSide(DepthSide::kBid, before.bids, after.bids, out);
  DiffDepthSide(DepthSide::kAsk, before.asks, after.asks, out);
}

Status ApplyDepthUpdate(const DepthUpdate& update, std::vector<DepthRow>& rows) {
  const int32_t position = update.position;
  const auto size = static_cast<int32_t>(rows.size());
  switch (update.operation) {
    case DepthOperation::kInsert:
      if (position < 0 || position > size) break;
      rows.insert(rows.begin() + position, update.row);
      return Status::Ok();
    case DepthOperation::kUpdate:
      if (position < 0 || position >= size) break;
      rows[static_cast<size_t>(position)] = update.row;
      return Status::Ok();
    case DepthOperation::kDelete:
      if (position < 0 || position >= size) break;
      rows.erase(rows.begin() + position);
      return Status::Ok();
  }
  return InvalidArgument("depth operation " + std::to_string(static_cast<int>(update.operation)) +
                         " at position " + std::to_string(position) + " of a side with " +
                         std::to_string(size) + " rows");
}

Status ApplyDepthUpdate(const DepthUpdate& update, DepthBook& book) {
  return ApplyDepthUpdate(update, update.side == DepthSide::kBid ? book.bids : book.asks);
}

}  // namespace ibstream::sim
