// Bars as pure functions of ticks: what one historical or real-time bar holds, given the ticks
// inside it, and the request parameters that decide the bars (bar size, duration, whatToShow).
//
// The simulator serves bars built here from the very ticks it generates (market.h), so a bar
// always agrees with the ticks inside it. Semantics, as IB documents them for each whatToShow:
//   TRADES    open/high/low/close of the reported trades (the Last ticks: trades with special
//             conditions are in no bar, as in reqMktData's volume), volume = their sizes summed,
//             wap = volume-weighted average price, count = number of trades.
//   MIDPOINT  open/high/low/close of the quote midpoints (the MidPoint ticks).
//   BID, ASK  open/high/low/close of the bid (ask) prices of the quotes (the BidAsk ticks).
//   BID_ASK   open = time-average bid, high = highest ask, low = lowest bid, close = time-average
//             ask; each quote weighs the time it stood inside the bar (from its receive time to
//             the next quote's, the last one to the bar's end).
// For all but TRADES volume and wap are -1 and count is -1, as IB sends them. A bar without a
// source tick does not exist (nullopt).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/decimal.h"
#include "common/status.h"
#include "model/tick.h"

namespace ibstream::sim {

enum class BarKind : uint8_t { kTrades, kMidpoint, kBid, kAsk, kBidAsk };

// "TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK" (case-sensitive, as IB); nullopt otherwise.
std::optional<BarKind> BarKindFromWhatToShow(std::string_view what_to_show);
// The tick kind a bar of `kind` is built from: Last, MidPoint or BidAsk.
TickType BarSourceType(BarKind kind);

struct BarValues {
  double open = 0;
  double high = 0;
  double low = 0;
  double close = 0;
  Decimal volume = Decimal::FromInt(-1);
  Decimal wap = Decimal::FromInt(-1);
  int32_t count = -1;

  friend bool operator==(const BarValues&, const BarValues&) = default;
};

// Builds one bar tick by tick (a long bar need not hold its ticks): Add the ticks of the bar,
// oldest first (ticks of another type than BarSourceType(kind) are ignored), then Finish.
// A plain value; pure.
class BarAccumulator {
 public:
  explicit BarAccumulator(BarKind kind) : kind_(kind) {}

  void Add(const Tick& tick);
  // The bar, or nullopt when no tick counted. `end` is the bar's end (exclusive), used by
  // BID_ASK's time weights. Leaves the accumulator empty for the next bar.
  std::optional<BarValues> Finish(TimePoint end);
  // The bar so far, as Finish(end) would give it, without ending it (keepUpToDate's bar in
  // progress).
  std::optional<BarValues> Peek(TimePoint end) const;
  bool empty() const { return n_ == 0; }

 private:
  BarKind kind_;
  BarValues bar_;
  int64_t n_ = 0;
  // TRADES
  Decimal volume_ = Decimal::FromInt(0);
  double notional_ = 0;
  // BID_ASK: the last quote (its prices and receive time) and the time-weighted sums.
  double last_bid_ = 0;
  double last_ask_ = 0;
  TimePoint last_time_;
  double weighted_bid_ = 0;
  double weighted_ask_ = 0;
  double weight_ = 0;
  double bid_sum_ = 0;
  double ask_sum_ = 0;
};

// The bar of `kind` over `ticks` (a BarAccumulator fed with them). nullopt when no tick counts.
std::optional<BarValues> BuildBar(BarKind kind, std::span<const Tick> ticks, TimePoint end);

// IB's bar size settings, 1 s to 1 day: "1 secs", "5 secs", "10 secs", "15 secs", "30 secs",
// "1 min", "2 mins", "3 mins", "5 mins", "10 mins", "15 mins", "20 mins", "30 mins", "1 hour",
// "2 hours", "3 hours", "4 hours", "8 hours", "1 day" (singular and plural spellings both
// accepted). The bar's length in seconds; InvalidArgument otherwise.
Result<int64_t> ParseBarSize(std::string_view text);

// IB's duration strings "<n> S|D|W|M|Y" (n > 0, one space): seconds, days, weeks, months and
// years, taken as n, 86400 n, 7 x 86400 n, 30 x 86400 n and 365 x 86400 n seconds.
// InvalidArgument otherwise.
Result<int64_t> ParseBarDuration(std::string_view text);

// IB's step-size rule: whether bars of `bar_seconds` may cover `duration_seconds` (the smallest
// bar size allowed grows with the duration: 1 s up to 1800 S, 5 s up to 3600 S, 10 s up to
// 14400 S, 30 s up to 28800 S, 1 min up to 1 D, 2 min up to 2 D, 3 min up to 1 W, 30 min up to
// 1 M, 1 day up to 1 Y; nothing beyond a year).
bool StepSizeAllowed(int64_t bar_seconds, int64_t duration_seconds);

// Sum of two set decimals, exact (the larger scale); unset if either is unset or the sum does
// not fit 18 digits at that scale.
Decimal AddDecimals(const Decimal& a, const Decimal& b);

}  // namespace ibstream::sim
