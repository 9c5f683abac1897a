#include "sim/holidays.h"

#include <string>

namespace ibstream::sim {
namespace {

using date::local_days;
using date::year;
using date::year_month_day;
namespace d = date;

DayRule Closed() { return DayRule{DayKind::kClosed, 0, std::nullopt}; }
DayRule Early(int trading_close, std::optional<int> liquid_close) {
  return DayRule{DayKind::kEarlyClose, trading_close, liquid_close};
}

bool IsWeekday(local_days day) {
  const d::weekday wd{day};
  return wd != d::Saturday && wd != d::Sunday;
}

local_days Fixed(year y, unsigned month, unsigned day) {
  return local_days(year_month_day{y, d::month{month}, d::day{day}});
}

// Federal-style holidays shared by the CME and NYSE rules.
struct UsHolidays {
  local_days new_year;
  local_days mlk;
  local_days presidents;
  local_days good_friday;
  local_days memorial;
  local_days juneteenth;
  local_days independence;
  local_days labor;
  local_days thanksgiving;
  local_days christmas;
};

UsHolidays UsFor(year y) {
  UsHolidays h;
  h.new_year = ObservedUs(year_month_day{y, d::January, d::day{1}});
  h.mlk = NthWeekday(y, d::January, d::Monday, 3);
  h.presidents = NthWeekday(y, d::February, d::Monday, 3);
  h.good_friday = EasterSunday(y) - d::days{2};
  h.memorial = NthWeekday(y, d::May, d::Monday, -1);
  h.juneteenth = ObservedUs(year_month_day{y, d::June, d::day{19}});
  h.independence = ObservedUs(year_month_day{y, d::July, d::day{4}});
  h.labor = NthWeekday(y, d::September, d::Monday, 1);
  h.thanksgiving = NthWeekday(y, d::November, d::Thursday, 4);
  h.christmas = ObservedUs(year_month_day{y, d::December, d::day{25}});
  return h;
}

DayRule CmeRule(local_days day) {
  const year y = year_month_day{day}.year();
  const UsHolidays h = UsFor(y);
  if (day == h.new_year || day == h.good_friday || day == h.christmas) return Closed();
  // 12:00 CT halt, no regular (liquid) session.
  for (local_days early :
       {h.mlk, h.presidents, h.memorial, h.juneteenth, h.independence, h.labor, h.thanksgiving}) {
    if (day == early) return Early(12 * 60, std::nullopt);
  }
  // 12:15 CT close after a short regular session.
  const local_days black_friday = h.thanksgiving + d::days{1};
  const local_days christmas_eve = Fixed(y, 12, 24);
  if (day == black_friday || (day == christmas_eve && IsWeekday(day) && day != h.christmas)) {
    return Early(12 * 60 + 15, 12 * 60 + 15);
  }
  return {};
}

DayRule NyseRule(local_days day) {
  const year y = year_month_day{day}.year();
  const UsHolidays h = UsFor(y);
  // A Saturday January 1 is observed on no day: its "observed" Friday lies in the year before,
  // which UsFor(year of `day`) never produces, so NYSE's rule holds without a special case.
  if (day == h.new_year || day == h.mlk || day == h.presidents || day == h.good_friday ||
      day == h.memorial || day == h.juneteenth || day == h.independence || day == h.labor ||
      day == h.thanksgiving || day == h.christmas) {
    return Closed();
  }
  // 13:00 ET early closes; extended trading then ends at 17:00.
  const local_days july3 = Fixed(y, 7, 3);
  const local_days black_friday = h.thanksgiving + d::days{1};
  const local_days christmas_eve = Fixed(y, 12, 24);
  const bool july3_early =
      day == july3 && IsWeekday(day) && h.independence != july3 && d::weekday{july3} != d::Friday;
  if (july3_early || day == black_friday ||
      (day == christmas_eve && IsWeekday(day) && h.christmas != christmas_eve)) {
    return Early(17 * 60, 13 * 60);
  }
  return {};
}

DayRule EurexRule(local_days day) {
  const year y = year_month_day{day}.year();
  const local_days easter = EasterSunday(y);
  if (day == Fixed(y, 1, 1) || day == easter - d::days{2} || day == easter + d::days{1} ||
      day == Fixed(y, 5, 1) || day == Fixed(y, 12, 24) || day == Fixed(y, 12, 25) ||
      day == Fixed(y, 12, 26) || day == Fixed(y, 12, 31)) {
    return Closed();
  }
  return {};
}

}  // namespace

Result<HolidayRules> ParseHolidayRules(std::string_view name) {
  if (name == "none") return HolidayRules::kNone;
  if (name == "cme") return HolidayRules::kCmeEquity;
  if (name == "nyse") return HolidayRules::kNyse;
  if (name == "eurex") return HolidayRules::kEurex;
  return InvalidArgument("unknown holiday rules '" + std::string(name) +
                         "' (allowed: none, cme, nyse, eurex)");
}

DayRule HolidayRule(HolidayRules rules, local_days day) {
  switch (rules) {
    case HolidayRules::kNone:
      return {};
    case HolidayRules::kCmeEquity:
      return CmeRule(day);
    case HolidayRules::kNyse:
      return NyseRule(day);
    case HolidayRules::kEurex:
      return EurexRule(day);
  }
  return {};
}

local_days EasterSunday(year y) {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const int yr = static_cast<int>(y);
  const int a = yr % 19;
  const int b = yr / 100;
  const int c = yr % 100;
  const int dd = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - dd - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = ((h + l - 7 * m + 114) % 31) + 1;
  return Fixed(y, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

local_days NthWeekday(year y, date::month m, date::weekday wd, int n) {
  if (n == -1) return local_days(d::year_month_weekday_last(y, m, d::weekday_last{wd}));
  return local_days(d::year_month_weekday(y, m, d::weekday_indexed{wd, static_cast<unsigned>(n)}));
}

local_days ObservedUs(year_month_day ymd) {
  const local_days day{ymd};
  const d::weekday wd{day};
  if (wd == d::Saturday) return day - d::days{1};
  if (wd == d::Sunday) return day + d::days{1};
  return day;
}

}  // namespace ibstream::sim
