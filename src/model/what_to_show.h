// IB's whatToShow for a stream's history: the one mapping the client (reqHistoricalTicks) and
// the recorder's backfill pages share.
#pragma once

#include <string_view>

#include "model/tick.h"

namespace ibstream {

// "BID_ASK" for bid_ask and quote, "MIDPOINT" for mid_point, "TRADES" for last, all_last and
// trade (and for depth, which IB keeps no history of and is never asked for).
constexpr std::string_view TickTypeWhatToShow(TickType type) {
  switch (type) {
    case TickType::kBidAsk:
    case TickType::kQuote:
      return "BID_ASK";
    case TickType::kMidPoint:
      return "MIDPOINT";
    case TickType::kLast:
    case TickType::kAllLast:
    case TickType::kTrade:
    case TickType::kDepth:
      return "TRADES";
  }
  return "TRADES";
}

}  // namespace ibstream
