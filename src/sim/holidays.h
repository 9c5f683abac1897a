// Exchange holiday rules for the simulator's built-in markets.
//
// These are models, written from the rules as published (observance shifts, Easter), not an
// authority: real exchanges change their calendars every year. A scenario file can add closed and
// early-close dates on top (scenario.h).
#pragma once

#include <date/date.h>

#include <optional>
#include <string_view>

#include "common/status.h"

namespace ibstream::sim {

// Which holiday rules a market follows.
enum class HolidayRules {
  kNone,       // weekends only (IDEALPRO FX in this simulator)
  kCmeEquity,  // CME Globex equity-index futures
  kNyse,       // US stocks
  kEurex,      // Eurex derivatives
};

Result<HolidayRules> ParseHolidayRules(std::string_view name);  // "none", "cme", "nyse", "eurex"

// What kind of day a trading day is.
enum class DayKind {
  kRegular,
  kClosed,      // no session ends on this day
  kEarlyClose,  // the session ends early; see DayRule
};

// The rule of one trading day (the local date on which its session ends). Minutes are minutes
// after local midnight of that date.
struct DayRule {
  DayKind kind = DayKind::kRegular;
  int trading_close_minute = 0;  // kEarlyClose only
  // kEarlyClose only: the liquid session's close, or nullopt when the day has no liquid session.
  std::optional<int> liquid_close_minute;

  friend bool operator==(const DayRule&, const DayRule&) = default;
};

// The rule of `day` under `rules` (regular when it is no holiday; weekends are not handled here).
DayRule HolidayRule(HolidayRules rules, date::local_days day);

// Helpers, exposed for tests.
date::local_days EasterSunday(date::year y);
// The n-th (1-based) `wd` of a month, or the last one when n == -1.
date::local_days NthWeekday(date::year y, date::month m, date::weekday wd, int n);
// The US "observed" date of a fixed holiday: Saturday -> Friday, Sunday -> Monday.
date::local_days ObservedUs(date::year_month_day ymd);

}  // namespace ibstream::sim
