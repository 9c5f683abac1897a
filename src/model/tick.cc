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
  }
  return "Unknown";
}

Result<TickType> ParseTickType(std::string_view text) {
  for (TickType type : kAllTickTypes) {
    if (text == TickTypeName(type) || text == TickTypeIbName(type)) return type;
  }
  return InvalidArgument("unknown tick type '" + std::string(text) +
                         "' (allowed: bid_ask, last, all_last, mid_point or BidAsk, Last, "
                         "AllLast, MidPoint)");
}

std::string ToString(const StreamKey& key) {
  return std::to_string(key.contract_id) + "/" + std::string(TickTypeName(key.type));
}

}  // namespace ibstream
