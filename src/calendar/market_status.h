// The vocabulary of market hours that the health monitor and the recorder ask about.
//
// Definitions (from testdata/market/trading_hours_cases.json "definitions"): sessions are
// half-open [start, end) in the contract's time zone. OPEN: inside a liquid session. EXTENDED:
// trading but not liquid. Outside sessions: BREAK (pause no longer than the break tolerance),
// HOLIDAY (a Monday-Friday marked CLOSED), WEEKEND (a Saturday or Sunday lies in the pause),
// CLOSED (an overnight close), UNKNOWN (beyond what IB's strings describe).
#pragma once

#include <optional>
#include <string_view>

#include "common/clock.h"

namespace ibstream::calendar {

enum class MarketStatus {
  kOpen,
  kExtended,
  kBreak,
  kHoliday,
  kWeekend,
  kClosed,
  kUnknown,
};

// "OPEN", "EXTENDED", "BREAK", "HOLIDAY", "WEEKEND", "CLOSED", "UNKNOWN".
std::string_view MarketStatusName(MarketStatus status);

// True for OPEN and EXTENDED: ticks may arrive.
constexpr bool IsTrading(MarketStatus status) {
  return status == MarketStatus::kOpen || status == MarketStatus::kExtended;
}

// The reliability plan's expected_activity_level: high in liquid hours, low in extended hours,
// none when the market is not trading, unknown when the calendar cannot tell.
enum class ExpectedActivity {
  kHigh,
  kLow,
  kNone,
  kUnknown,
};

std::string_view ExpectedActivityName(
    ExpectedActivity activity);  // "high", "low", "none", "unknown"

constexpr ExpectedActivity ExpectedActivityFor(MarketStatus status) {
  switch (status) {
    case MarketStatus::kOpen:
      return ExpectedActivity::kHigh;
    case MarketStatus::kExtended:
      return ExpectedActivity::kLow;
    case MarketStatus::kUnknown:
      return ExpectedActivity::kUnknown;
    default:
      return ExpectedActivity::kNone;
  }
}

// What the calendar knows about one instant.
struct MarketState {
  MarketStatus status = MarketStatus::kUnknown;
  // Start of the first trading session starting after the instant; empty when unknown.
  std::optional<TimePoint> next_open;
  // End of the trading session containing the instant, else of the first one starting after it.
  std::optional<TimePoint> next_close;

  friend bool operator==(const MarketState&, const MarketState&) = default;
};

}  // namespace ibstream::calendar
