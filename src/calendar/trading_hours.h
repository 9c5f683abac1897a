// Parser for IB's `tradingHours` / `liquidHours` strings (contract details).
//
// Grammar (entries separated by ';', blanks around parts ignored, empty entries skipped):
//   entry  := DATE ':' ( 'CLOSED' | range ( ',' range )* )
//   range  := HHMM '-' ( HHMM | DATE ':' HHMM )
//   DATE   := YYYYMMDD          HHMM := 0000..2359 (a close may also be 2400, the next midnight)
// This covers the current format `20250810:1700-20250811:1600` (one range with a close date) and
// the legacy same-day format `20090507:0700-1830,1830-2330`, in which a range may also end with a
// close date. The legacy format leaves the days of a range implicit; they are read so:
//   * The first range of an entry whose close time is not after its open (`20130114:1700-1515`) is
//     an overnight session that opened on the previous day: the entry's date is the trading day
//     (CME sessions are dated by the day they close). Read otherwise, such a range never opens.
//   * Every other range opens on the day its predecessor closed (the entry's date for the first),
//     and a close not after the open is on the following day.
// `CLOSED` marks a day with no session. Times are wall-clock times of the contract's timeZoneId.
// "" and "N/A" (any case) mean "no information"; anything else malformed is an error that names
// the entry and the part at fault. Dates must lie in 1900..2199.
#pragma once

#include <string_view>
#include <vector>

#include "calendar/time_zone.h"
#include "common/status.h"

namespace ibstream::calendar {

// One session as written, in wall-clock time: [start, end), start < end.
struct LocalSession {
  LocalSeconds start;
  LocalSeconds end;

  friend bool operator==(const LocalSession&, const LocalSession&) = default;
};

// What one hours string says, unmerged and in the order written.
struct ParsedHours {
  std::vector<LocalSession> sessions;
  std::vector<LocalDays> closed_days;  // dates marked CLOSED
  // Dates the string describes: the first and last among the sessions' start dates and the CLOSED
  // dates. Meaningful only when has_information().
  LocalDays first_day;
  LocalDays last_day;

  bool has_information() const { return !sessions.empty() || !closed_days.empty(); }
};

// Parses one tradingHours or liquidHours string (see the grammar above). Errors are ParseError
// with a message like `entry 3 "20250812:17x0-20250813:1600": bad time "17x0" (expected HHMM)`.
Result<ParsedHours> ParseTradingHours(std::string_view text);

}  // namespace ibstream::calendar
