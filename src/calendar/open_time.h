// Open time: which parts of an interval a market could have traded in.
//
// An interruption of a stream loses ticks only while the market trades. ClipToOpenTime() takes an
// interval and removes the calendar's closed spans from it (daily halts, overnight closes,
// weekends, holidays), leaving one piece per open stretch. The recorder records (and so
// backfills) a gap for each piece, and none at all when nothing is left.
//
// What counts as open:
//   * inside a trading session (OPEN or EXTENDED; see market_calendar.h);
//   * outside the calendar's coverage, where the calendar cannot tell (nothing is dropped that
//     might have traded);
//   * everywhere, for a calendar without information.
// Inside the coverage, time outside every trading session is closed (including UNKNOWN stretches
// inside the coverage, e.g. before a weekday's first session).
#pragma once

#include <vector>

#include "calendar/market_calendar.h"

namespace ibstream::calendar {

// The open parts of the half-open `interval` [start, end): sorted, disjoint, not touching, each
// non-empty and inside `interval`. Empty when `interval` is empty or wholly closed. Pure; safe to
// call concurrently on a calendar no one updates.
std::vector<TimeSpan> ClipToOpenTime(const MarketCalendar& calendar, TimeSpan interval);

}  // namespace ibstream::calendar
