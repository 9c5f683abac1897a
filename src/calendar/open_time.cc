#include "calendar/open_time.h"

#include <algorithm>

namespace ibstream::calendar {

std::vector<TimeSpan> ClipToOpenTime(const MarketCalendar& calendar, TimeSpan interval) {
  if (interval.end <= interval.start) return {};
  if (!calendar.has_information()) return {interval};
  std::vector<TimeSpan> open;
  // What the calendar cannot tell about (outside its coverage) is open.
  TimePoint cursor = interval.start;
  for (const TimeSpan& covered : calendar.coverage()) {
    if (covered.end <= interval.start) continue;
    if (covered.start >= interval.end) break;
    if (cursor < covered.start) open.push_back(TimeSpan{cursor, covered.start});
    cursor = std::max(cursor, covered.end);
  }
  if (cursor < interval.end) open.push_back(TimeSpan{cursor, interval.end});
  // Trading sessions (merged, sorted) are open.
  const std::vector<TimeSpan>& sessions = calendar.trading_sessions();
  auto it = std::upper_bound(sessions.begin(), sessions.end(), interval.start,
                             [](TimePoint t, const TimeSpan& s) { return t < s.end; });
  for (; it != sessions.end() && it->start < interval.end; ++it) {
    open.push_back(TimeSpan{std::max(it->start, interval.start), std::min(it->end, interval.end)});
  }
  std::sort(open.begin(), open.end(),
            [](const TimeSpan& a, const TimeSpan& b) { return a.start < b.start; });
  std::vector<TimeSpan> merged;
  for (const TimeSpan& piece : open) {
    if (piece.end <= piece.start) continue;
    if (!merged.empty() && piece.start <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, piece.end);
    } else {
      merged.push_back(piece);
    }
  }
  return merged;
}

}  // namespace ibstream::calendar
