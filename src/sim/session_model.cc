#include "sim/session_model.h"

#include <fmt/format.h>

#include <algorithm>

namespace ibstream::sim {

using calendar::ContractHours;
using calendar::LocalDays;
using calendar::LocalSeconds;
using calendar::TimeZone;

namespace {

namespace d = date;

int WeekdayIndex(LocalDays day) { return static_cast<int>(d::weekday{day}.c_encoding()); }

bool IsWeekend(LocalDays day) {
  const int wd = WeekdayIndex(day);
  return wd == 0 || wd == 6;
}

LocalSeconds At(LocalDays day, int minute) { return day + std::chrono::minutes(minute); }

void AppendStamp(LocalSeconds t, std::string& out) {
  const LocalDays day = d::floor<d::days>(t);
  const d::year_month_day ymd{day};
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(t - day).count();
  fmt::format_to(std::back_inserter(out), "{:04}{:02}{:02}:{:02}{:02}",
                 static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                 static_cast<unsigned>(ymd.day()), minutes / 60, minutes % 60);
}

void AppendDate(LocalDays day, std::string& out) {
  const d::year_month_day ymd{day};
  fmt::format_to(std::back_inserter(out), "{:04}{:02}{:02}", static_cast<int>(ymd.year()),
                 static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

}  // namespace

Result<SessionModel> SessionModel::Create(SessionSpec spec) {
  Result<TimeZone> zone = TimeZone::Resolve(spec.time_zone_id);
  if (!zone.ok()) return zone.status();
  if (spec.trading_open_minute >= spec.trading_close_minute) {
    return InvalidArgument("session: trading open must be before close");
  }
  if (spec.liquid_open_minute >= spec.liquid_close_minute ||
      spec.liquid_open_minute < spec.trading_open_minute ||
      spec.liquid_close_minute > spec.trading_close_minute) {
    return InvalidArgument("session: the liquid session must lie inside the trading session");
  }
  if (spec.trading_close_minute - spec.trading_open_minute > 24 * 60) {
    return InvalidArgument("session: a session may last at most 24 hours");
  }
  return SessionModel(std::move(spec), *zone);
}

SessionSpec SessionModel::CmeEquityIndex() {
  SessionSpec spec;
  spec.time_zone_id = "US/Central";
  spec.trading_open_minute = -7 * 60;  // 17:00 the evening before
  spec.trading_close_minute = 16 * 60;
  spec.liquid_open_minute = 8 * 60 + 30;
  spec.liquid_close_minute = 16 * 60;
  spec.holidays = HolidayRules::kCmeEquity;
  return spec;
}

SessionSpec SessionModel::UsStock() {
  SessionSpec spec;
  spec.time_zone_id = "US/Eastern";
  spec.trading_open_minute = 4 * 60;
  spec.trading_close_minute = 20 * 60;
  spec.liquid_open_minute = 9 * 60 + 30;
  spec.liquid_close_minute = 16 * 60;
  spec.holidays = HolidayRules::kNyse;
  return spec;
}

SessionSpec SessionModel::IdealProFx() {
  SessionSpec spec;
  spec.time_zone_id = "US/Eastern";
  spec.trading_open_minute = -(6 * 60 + 45);  // 17:15 the evening before
  spec.trading_close_minute = 17 * 60;
  spec.liquid_open_minute = spec.trading_open_minute;
  spec.liquid_close_minute = spec.trading_close_minute;
  spec.holidays = HolidayRules::kNone;
  return spec;
}

SessionSpec SessionModel::EurexIndex() {
  SessionSpec spec;
  spec.time_zone_id = "MET";
  spec.trading_open_minute = 1 * 60 + 10;
  spec.trading_close_minute = 22 * 60;
  spec.liquid_open_minute = 9 * 60;
  spec.liquid_close_minute = 17 * 60 + 30;
  spec.holidays = HolidayRules::kEurex;
  return spec;
}

DayRule SessionModel::RuleFor(LocalDays day) const {
  if (auto it = spec_.overrides.find(day); it != spec_.overrides.end()) return it->second;
  if (!spec_.trading_weekdays[static_cast<size_t>(WeekdayIndex(day))]) {
    return DayRule{DayKind::kClosed, 0, std::nullopt};
  }
  return HolidayRule(spec_.holidays, day);
}

std::vector<LocalSpan> SessionModel::Sessions(LocalDays first, LocalDays last, bool liquid) const {
  std::vector<LocalSpan> out;
  for (LocalDays day = first; day <= last; day += d::days{1}) {
    const DayRule rule = RuleFor(day);
    if (rule.kind == DayKind::kClosed) continue;
    int open = liquid ? spec_.liquid_open_minute : spec_.trading_open_minute;
    int close = liquid ? spec_.liquid_close_minute : spec_.trading_close_minute;
    if (rule.kind == DayKind::kEarlyClose) {
      if (liquid) {
        if (!rule.liquid_close_minute) continue;
        close = std::min(close, *rule.liquid_close_minute);
      } else {
        close = std::min(close, rule.trading_close_minute);
      }
    }
    if (open >= close) continue;
    out.push_back(LocalSpan{At(day, open), At(day, close)});
  }
  return out;
}

std::vector<LocalSpan> SessionModel::TradingSessions(LocalDays first, LocalDays last) const {
  return Sessions(first, last, false);
}
std::vector<LocalSpan> SessionModel::LiquidSessions(LocalDays first, LocalDays last) const {
  return Sessions(first, last, true);
}

ContractHours SessionModel::HoursFor(LocalDays first, LocalDays last) const {
  // Sessions starting on [first, last] belong to trading days up to one day later.
  const auto trading = TradingSessions(first - d::days{1}, last + d::days{1});
  const auto liquid = LiquidSessions(first - d::days{1}, last + d::days{1});
  // CLOSED marks: weekends and full closures in both strings; early closes without a regular
  // session in liquidHours only (an early close is a trading day, not a holiday).
  std::vector<LocalDays> closed_trading;
  std::vector<LocalDays> closed_liquid;
  for (LocalDays day = first; day <= last; day += d::days{1}) {
    const DayRule rule = RuleFor(day);
    if (IsWeekend(day) || rule.kind == DayKind::kClosed) {
      closed_trading.push_back(day);
      closed_liquid.push_back(day);
    } else if (rule.kind == DayKind::kEarlyClose && !rule.liquid_close_minute) {
      closed_liquid.push_back(day);
    }
  }
  ContractHours hours;
  hours.time_zone_id = spec_.time_zone_id;
  hours.trading_hours = FormatHours(trading, first, last, closed_trading);
  hours.liquid_hours = FormatHours(liquid, first, last, closed_liquid);
  return hours;
}

ContractHours SessionModel::HoursAt(TimePoint now, int days) const {
  // From yesterday, so that the session in progress (opened yesterday evening) is described.
  const LocalDays today = zone_.LocalDate(now);
  return HoursFor(today - d::days{1}, today + d::days{std::max(days, 1) - 1});
}

std::string FormatHours(const std::vector<LocalSpan>& sessions, LocalDays first, LocalDays last,
                        const std::vector<LocalDays>& closed_days) {
  std::string out;
  for (LocalDays day = first; day <= last; day += d::days{1}) {
    bool any = false;
    for (const LocalSpan& s : sessions) {
      if (d::floor<d::days>(s.start) != day) continue;
      if (!out.empty()) out += ';';
      AppendStamp(s.start, out);
      out += '-';
      AppendStamp(s.end, out);
      any = true;
    }
    if (!any && std::find(closed_days.begin(), closed_days.end(), day) != closed_days.end()) {
      if (!out.empty()) out += ';';
      AppendDate(day, out);
      out += ":CLOSED";
    }
  }
  return out;
}

}  // namespace ibstream::sim
