// A contract's market calendar: IB's trading hours turned into market status, next open and
// close, and a session schedule.
//
// Sessions are half-open [start, end). Touching or overlapping sessions are merged. liquidHours
// that say nothing make the trading sessions liquid; tradingHours that say nothing make the liquid
// sessions the trading ones. Liquid time counts only inside a trading session.
//
// Status of an instant t (testdata/market/trading_hours_cases.json, "definitions"):
//   OPEN      inside a liquid session          EXTENDED  inside a trading session, not liquid
// Outside trading sessions, with prev_end = end of the last trading session ending <= t and
// next_start = start of the first one starting > t:
//   BREAK     next_start - prev_end <= break tolerance (default 2 h)
//   HOLIDAY   t's local date is a Monday..Friday marked CLOSED (in either string)
//   WEEKEND   a local Saturday or Sunday lies within [prev_end, next_start]
//   CLOSED    anything else (an overnight close)
//   UNKNOWN   prev_end or next_start is not known (see coverage), except that t on a described
//             local Saturday/Sunday is still WEEKEND and on a CLOSED weekday still HOLIDAY.
// next_open is the start of the first trading session starting > t; next_close the end of the
// session containing t, else of the first session starting > t. Both are empty when unknown.
//
// Coverage. Each hours string describes the local dates from its first to its last date (dates of
// session starts and CLOSED days): every session starting on those dates is listed. Its coverage is
// [start of its first date, max(end of its last date, end of its last session)). A calendar's
// coverage is the union over what it was given. prev_end and next_start are known when both
// exist and the pause between them lies in one stretch of coverage; next_open/next_close are known
// when the session lies in the same stretch as t. Past coverage_end() everything is UNKNOWN.
//
// Refresh. IB's strings reach only a few days ahead, so the recorder merges newer contract details
// with Update(): each newer string replaces, for the dates it describes, what the calendar knew
// from strings of its kind (trading or liquid sessions starting on those dates, CLOSED marks);
// knowledge of other dates is kept. (Each kind separately, because IB's trading string of a CME
// future starts the evening before its liquid string does.)
//
// Lookups are binary searches over precomputed UTC transition points (the status, next open and
// next close are constant between two points).
//
// Thread safety: const methods may run concurrently; Update() must not run concurrently with
// anything else on the same calendar (share an immutable calendar and replace it instead).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "calendar/market_status.h"
#include "calendar/time_zone.h"
#include "calendar/trading_hours.h"
#include "common/clock.h"
#include "common/status.h"

namespace ibstream::calendar {

// The hours fields of IB's contract details, as received (missing ones empty or "N/A").
struct ContractHours {
  std::string time_zone_id;   // timeZoneId
  std::string trading_hours;  // tradingHours
  std::string liquid_hours;   // liquidHours
};

// Per-contract settings (tracked-contract configuration).
struct CalendarSettings {
  // market_break_tolerance: the longest pause outside sessions still called a BREAK.
  Duration break_tolerance = std::chrono::hours(2);
  // timezone_override: interpret the hours in this zone instead of the contract's timeZoneId
  // (empty: no override). Same id rules as TimeZone::Resolve.
  std::string timezone_override;
  // custom_trading_hours: used instead of IB's tradingHours (empty: no override). IB's format.
  std::string custom_trading_hours;
  // Used instead of IB's liquidHours (empty: no override). IB's format.
  std::string custom_liquid_hours;
};

// A UTC interval [start, end).
struct TimeSpan {
  TimePoint start;
  TimePoint end;

  friend bool operator==(const TimeSpan&, const TimeSpan&) = default;
};

// One part of a trading session: liquid (regular hours) or extended.
struct SessionPart {
  TimePoint start;
  TimePoint end;
  bool liquid = false;

  friend bool operator==(const SessionPart&, const SessionPart&) = default;
};

// A (merged) trading session and its liquid and extended parts, in order, covering it exactly.
struct ScheduledSession {
  TimePoint start;
  TimePoint end;
  std::vector<SessionPart> parts;

  friend bool operator==(const ScheduledSession&, const ScheduledSession&) = default;
};

// The state of the market from `at` until the next transition.
struct CalendarTransition {
  TimePoint at;
  MarketState state;
};

class MarketCalendar {
 public:
  // A calendar that knows nothing: UNKNOWN everywhere.
  MarketCalendar() = default;

  // Builds the calendar of one contract. Errors (with the field named: "tradingHours: entry 2
  // ...", "time zone: unknown time zone id 'Foo/Bar' ..."): a malformed hours string, an unknown
  // zone id, hours without a zone id, a negative break tolerance. Strings that say nothing ("",
  // "N/A") are not errors: the calendar then knows nothing (and needs no zone).
  static Result<MarketCalendar> Create(const ContractHours& hours,
                                       const CalendarSettings& settings = {});

  // Merges newer contract details (see "Refresh" above). On error the calendar is unchanged. If
  // the zone resolves to another IANA zone than before, what the calendar knew is dropped and it
  // starts over from `hours` (local dates of different zones do not mix).
  [[nodiscard]] Status Update(const ContractHours& hours);

  // Status, next open and next close at `t`. O(log n), no allocation.
  MarketState StateAt(TimePoint t) const { return transitions_[IndexAt(t)].state; }
  MarketStatus StatusAt(TimePoint t) const { return StateAt(t).status; }
  ExpectedActivity ActivityAt(TimePoint t) const { return ExpectedActivityFor(StatusAt(t)); }

  // Whether the calendar was given any session or CLOSED day.
  bool has_information() const { return !described_.empty(); }
  // The zone the strings are read in; empty while no zone was given.
  const std::optional<TimeZone>& time_zone() const { return zone_; }
  const CalendarSettings& settings() const { return settings_; }

  // Where the calendar's knowledge begins and ends: before coverage_start() and at or after
  // coverage_end() the state is UNKNOWN with no next open or close (there may be UNKNOWN stretches
  // in between, e.g. before the first session of a weekday). Refresh the contract details well
  // before coverage_end(). Empty while the calendar knows nothing.
  std::optional<TimePoint> coverage_start() const;
  std::optional<TimePoint> coverage_end() const;
  // The stretches the strings describe (see "Coverage" above), sorted and disjoint; several
  // after a refresh that left a hole.
  const std::vector<TimeSpan>& coverage() const { return coverage_; }

  // Trading sessions (merged) that overlap [from, until), whole, in order, with their parts.
  std::vector<ScheduledSession> SessionsBetween(TimePoint from, TimePoint until) const;
  // Local Monday..Friday dates in [first, last] marked CLOSED (the HOLIDAY dates).
  std::vector<LocalDays> HolidaysBetween(LocalDays first, LocalDays last) const;

  // Merged trading and liquid sessions (liquid clipped to trading), sorted.
  const std::vector<TimeSpan>& trading_sessions() const { return trading_; }
  const std::vector<TimeSpan>& liquid_sessions() const { return liquid_; }

  // Every point where the state changes, sorted; the first is at the earliest representable time
  // (UNKNOWN). The state at t is that of the last transition at or before t.
  const std::vector<CalendarTransition>& transitions() const { return transitions_; }

 private:
  struct DayRange {
    LocalDays first;
    LocalDays last;
  };
  // What one update (a trading/liquid string pair) says, in UTC. Each string is the truth for the
  // dates it describes.
  struct Knowledge {
    std::vector<TimeSpan> trading;  // sorted by start, unmerged
    std::vector<TimeSpan> liquid;   // sorted by start, unmerged
    std::vector<LocalDays> trading_closed;
    std::vector<LocalDays> liquid_closed;
    DayRange trading_days;
    DayRange liquid_days;
  };

  Status Apply(const ContractHours& hours);
  static Knowledge Interpret(const TimeZone& zone, const ParsedHours& trading,
                             const ParsedHours& liquid);
  void Merge(Knowledge knowledge);
  void Rebuild();
  MarketState Evaluate(TimePoint t) const;
  size_t IndexAt(TimePoint t) const;

  CalendarSettings settings_;
  std::optional<TimeZone> zone_;

  // Raw knowledge, merged across updates.
  std::vector<TimeSpan> raw_trading_;      // sorted by start
  std::vector<TimeSpan> raw_liquid_;       // sorted by start
  std::vector<LocalDays> trading_closed_;  // sorted
  std::vector<LocalDays> liquid_closed_;   // sorted
  std::vector<DayRange> described_;        // sorted, disjoint, not touching

  // Derived by Rebuild().
  std::vector<TimeSpan> trading_;
  std::vector<TimeSpan> liquid_;
  std::vector<TimeSpan> coverage_;
  std::vector<LocalDays> closed_days_;  // both strings' CLOSED days, sorted, unique
  // Parallel to transitions_, for the binary search.
  std::vector<TimePoint> transition_times_ = {TimePoint::min()};
  std::vector<CalendarTransition> transitions_ = {
      CalendarTransition{TimePoint::min(), MarketState{}}};
};

}  // namespace ibstream::calendar
