#include "model/tick.h"

namespace ibstream {

std::string_view TickTypeName(TickType type) {
  switch (type) {
    case TickType::kBidAsk:
      return "bid_ask";
    case TickType::kLast:
      return "last";
    case TickType::kAllLast:
      return "all_last";
    case TickType::kMidPoint:
      return "mid_point";
    case TickType::kQuote:
      return "quote";
    case TickType::kTrade:
      return "trade";
    case TickType::kDepth:
      return "depth";
  }
  return "unknown";
}

std::string_view TickTypeIbName(TickType type) {
  switch (type) {
    case TickType::kBidAsk:
      return "BidAsk";
    case TickType::kLast:
      return "Last";
    case TickType::kAllLast:
      return "AllLast";
    case TickType::kMidPoint:
      return "MidPoint";
    case TickType::kQuote:
      return "Quote";
    case TickType::kTrade:
      return "Trade";
    case TickType::kDepth:
      return "Depth";
  }
  return "Unknown";
}

bool IsTickByTick(TickType type) {
  switch (type) {
    case TickType::kBidAsk:
    case TickType::kLast:
    case TickType::kAllLast:
    case TickType::kMidPoint:
      return true;
    case TickType::kQuote:
    case TickType::kTrade:
    case TickType::kDepth:
      return false;
  }
  return false;
}

TickType FallbackKind(TickType type) {
  switch (type) {
    case TickType::kBidAsk:
    case TickType::kMidPoint:
    case TickType::kQuote:
      return TickType::kQuote;
    case TickType::kLast:
    case TickType::kAllLast:
    case TickType::kTrade:
      return TickType::kTrade;
    case TickType::kDepth:  // depth has no fallback
      return TickType::kDepth;
  }
  return TickType::kQuote;
}

Result<TickType> ParseTickType(std::string_view text) {
  for (TickType type : kAllStoredKinds) {
    if (text == TickTypeName(type) || text == TickTypeIbName(type)) return type;
  }
  return InvalidArgument("unknown tick type '" + std::string(text) +
                         "' (allowed: bid_ask, last, all_last, mid_point, quote, trade, depth or "
                         "BidAsk, Last, AllLast, MidPoint, Quote, Trade, Depth)");
}

std::string_view BookOperationName(BookOperation operation) {
  switch (operation) {
    case BookOperation::kInsert:
      return "insert";
    case BookOperation::kUpdate:
      return "update";
    case BookOperation::kDelete:
      return "delete";
    case BookOperation::kReset:
      return "reset";
  }
  return "unknown";
}

std::string_view BookSideName(BookSide side) { return side == BookSide::kBid ? "bid" : "ask"; }

std::string ToString(const StreamKey& key) {
  return std::to_string(key.contract_id) + "/" + std::string(TickTypeName(key.type));
}

}  // namespace ibstream
