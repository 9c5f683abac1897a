// A market's session model: when it trades, written out as IB's tradingHours / liquidHours.
//
// A session is described by its trading day D (the local date on which it ends, as CME dates its
// sessions): it opens at D + open_minute (negative = on the evening before) and closes at
// D + close_minute, both local wall-clock times of the model's zone. Holiday rules (holidays.h)
// and explicit dates from a scenario close a trading day or end it early.
//
// The strings follow IB's current format (docs/PROTOCOL.md §6; the samples in
// testdata/market/trading_hours_cases.json): one entry per session, keyed by the local date the
// session starts on, `YYYYMMDD:HHMM-YYYYMMDD:HHMM`; a Saturday, Sunday or holiday on which no
// session starts is `YYYYMMDD:CLOSED`; a weekday on which no session starts (a Friday on CME) is
// left out. Times are local, so daylight-saving changes need nothing special: the calendar reading
// the strings converts them with the zone.
//
// Pure and immutable after construction: every method is const and thread-safe.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "calendar/market_calendar.h"
#include "calendar/time_zone.h"
#include "sim/holidays.h"

namespace ibstream::sim {

struct SessionSpec {
  std::string time_zone_id;  // IB's id, e.g. "US/Central"
  int trading_open_minute = 0;
  int trading_close_minute = 24 * 60;
  int liquid_open_minute = 0;
  int liquid_close_minute = 24 * 60;
  // Trading days by weekday (index: 0 = Sunday .. 6 = Saturday).
  std::array<bool, 7> trading_weekdays = {false, true, true, true, true, true, false};
  HolidayRules holidays = HolidayRules::kNone;
  // Explicit day rules (from a scenario), keyed by trading day; they win over `holidays`.
  std::map<calendar::LocalDays, DayRule> overrides;
};

// One session in local wall-clock time.
struct LocalSpan {
  calendar::LocalSeconds start;
  calendar::LocalSeconds end;
  friend bool operator==(const LocalSpan&, const LocalSpan&) = default;
};

class SessionModel {
 public:
  // Errors: an unknown zone id; open not before close; a liquid session outside the trading one.
  static Result<SessionModel> Create(SessionSpec spec);

  // The built-in models (see README.md, "Markets").
  static SessionSpec CmeEquityIndex();  // Sun-Fri 17:00-16:00 CT, liquid 08:30-16:00
  static SessionSpec UsStock();         // 04:00-20:00 ET, liquid 09:30-16:00
  static SessionSpec IdealProFx();      // Sun-Fri 17:15-17:00 ET, liquid = trading
  static SessionSpec EurexIndex();      // 01:10-22:00 MET, liquid 09:00-17:30

  const SessionSpec& spec() const { return spec_; }
  const calendar::TimeZone& zone() const { return zone_; }

  // The rule of trading day `day` (weekends are kClosed).
  DayRule RuleFor(calendar::LocalDays day) const;
  // Trading and liquid sessions of trading days [first, last].
  std::vector<LocalSpan> TradingSessions(calendar::LocalDays first, calendar::LocalDays last) const;
  std::vector<LocalSpan> LiquidSessions(calendar::LocalDays first, calendar::LocalDays last) const;

  // IB's strings describing the local dates [first, last] (sessions starting on those dates).
  calendar::ContractHours HoursFor(calendar::LocalDays first, calendar::LocalDays last) const;
  // The strings IB would send at `now`: from the day before the local date of `now` (so the
  // session in progress is described) to `days` days ahead.
  calendar::ContractHours HoursAt(TimePoint now, int days = 7) const;

 private:
  SessionModel(SessionSpec spec, calendar::TimeZone zone)
      : spec_(std::move(spec)), zone_(std::move(zone)) {}
  std::vector<LocalSpan> Sessions(calendar::LocalDays first, calendar::LocalDays last,
                                  bool liquid) const;

  SessionSpec spec_;
  calendar::TimeZone zone_;
};

// "20250810:1700-20250811:1600;20250816:CLOSED;..." for sessions starting on [first, last].
// `closed_days` lists dates that get a CLOSED entry when no session starts on them.
std::string FormatHours(const std::vector<LocalSpan>& sessions, calendar::LocalDays first,
                        calendar::LocalDays last,
                        const std::vector<calendar::LocalDays>& closed_days);

}  // namespace ibstream::sim
