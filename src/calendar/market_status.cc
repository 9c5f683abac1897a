#include "calendar/market_status.h"

namespace ibstream::calendar {

std::string_view MarketStatusName(MarketStatus status) {
  switch (status) {
    case MarketStatus::kOpen:
      return "OPEN";
    case MarketStatus::kExtended:
      return "EXTENDED";
    case MarketStatus::kBreak:
      return "BREAK";
    case MarketStatus::kHoliday:
      return "HOLIDAY";
    case MarketStatus::kWeekend:
      return "WEEKEND";
    case MarketStatus::kClosed:
      return "CLOSED";
    case MarketStatus::kUnknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::string_view ExpectedActivityName(ExpectedActivity activity) {
  switch (activity) {
    case ExpectedActivity::kHigh:
      return "high";
    case ExpectedActivity::kLow:
      return "low";
    case ExpectedActivity::kNone:
      return "none";
    case ExpectedActivity::kUnknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace ibstream::calendar
