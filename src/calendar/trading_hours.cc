#include "calendar/trading_hours.h"

#include <algorithm>
#include <optional>
#include <string>

namespace ibstream::calendar {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

// Bounds that keep hostile strings from producing absurd calendars (IB's strings reach a few days
// to about a month ahead).
constexpr days kMaxSessionLength{31};
constexpr int kMaxDescribedDays = 400;

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int Number(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Parses one entry of the string; `context` prefixes every error.
class EntryParser {
 public:
  EntryParser(std::string_view entry, int index, ParsedHours& out)
      : entry_(entry), context_("entry " + std::to_string(index) + " " + Quote(entry)), out_(out) {}

  Status Parse() {
    const size_t colon = entry_.find(':');
    if (colon == std::string_view::npos) {
      return Error("missing ':' after the date (expected YYYYMMDD:...)");
    }
    const std::string_view date_text = Trim(entry_.substr(0, colon));
    std::optional<LocalDays> date = ParseDate(date_text);
    if (!date) return Error("bad date " + Quote(date_text) + " (expected YYYYMMDD)");
    const std::string_view rest = Trim(entry_.substr(colon + 1));
    if (rest.empty()) return Error("nothing after the date (expected CLOSED or HHMM-...)");
    if (EqualsIgnoreCase(rest, "CLOSED")) {
      out_.closed_days.push_back(*date);
      NoteDay(*date);
      return Status::Ok();
    }

    LocalDays current_day = *date;
    bool first = true;
    std::string_view ranges = rest;
    while (true) {
      const size_t comma = ranges.find(',');
      const std::string_view range = Trim(ranges.substr(0, comma));
      IBSTREAM_RETURN_IF_ERROR(ParseRange(range, *date, first, current_day));
      first = false;
      if (comma == std::string_view::npos) break;
      ranges.remove_prefix(comma + 1);
    }
    return Status::Ok();
  }

 private:
  Status Error(const std::string& what) const { return ParseError(context_ + ": " + what); }

  static std::optional<LocalDays> ParseDate(std::string_view text) {
    if (text.size() != 8 || !AllDigits(text)) return std::nullopt;
    const int y = Number(text.substr(0, 4));
    const unsigned m = static_cast<unsigned>(Number(text.substr(4, 2)));
    const unsigned d = static_cast<unsigned>(Number(text.substr(6, 2)));
    if (y < 1900 || y > 2199) return std::nullopt;
    const date::year_month_day ymd{date::year{y}, date::month{m}, date::day{d}};
    if (!ymd.ok()) return std::nullopt;
    return LocalDays{ymd};
  }

  // "HHMM" as an offset into the day; 2400 only where `allow_2400`.
  static std::optional<minutes> ParseTime(std::string_view text, bool allow_2400) {
    if (text.size() != 4 || !AllDigits(text)) return std::nullopt;
    const int hh = Number(text.substr(0, 2));
    const int mm = Number(text.substr(2, 2));
    if (allow_2400 && hh == 24 && mm == 0) return hours(24);
    if (hh > 23 || mm > 59) return std::nullopt;
    return hours(hh) + minutes(mm);
  }

  Status ParseRange(std::string_view range, LocalDays entry_date, bool first,
                    LocalDays& current_day) {
    if (range.empty()) return Error("empty time range");
    const size_t dash = range.find('-');
    if (dash == std::string_view::npos) {
      return Error("time range " + Quote(range) + " has no '-' (expected HHMM-HHMM)");
    }
    const std::string_view open_text = Trim(range.substr(0, dash));
    const std::string_view close_text = Trim(range.substr(dash + 1));
    const std::optional<minutes> open = ParseTime(open_text, /*allow_2400=*/false);
    if (!open) return Error("bad time " + Quote(open_text) + " (expected HHMM)");

    LocalSeconds start;
    LocalSeconds end;
    const size_t colon = close_text.find(':');
    if (colon != std::string_view::npos) {
      // HHMM-YYYYMMDD:HHMM: both days explicit.
      const std::string_view close_date_text = Trim(close_text.substr(0, colon));
      const std::string_view close_time_text = Trim(close_text.substr(colon + 1));
      const std::optional<LocalDays> close_date = ParseDate(close_date_text);
      if (!close_date) {
        return Error("bad date " + Quote(close_date_text) + " (expected YYYYMMDD)");
      }
      const std::optional<minutes> close = ParseTime(close_time_text, /*allow_2400=*/true);
      if (!close) return Error("bad time " + Quote(close_time_text) + " (expected HHMM)");
      start = current_day + *open;
      end = *close_date + *close;
      if (end <= start) {
        return Error("time range " + Quote(range) + " does not close after it opens");
      }
    } else {
      // HHMM-HHMM: the days are implied (see the header).
      const std::optional<minutes> close = ParseTime(close_text, /*allow_2400=*/true);
      if (!close) return Error("bad time " + Quote(close_text) + " (expected HHMM)");
      if (first && *close <= *open) {
        start = entry_date - days(1) + *open;
        end = entry_date + *close;
      } else {
        start = current_day + *open;
        end = current_day + *close;
        if (end <= start) end += days(1);
      }
    }
    if (end - start > kMaxSessionLength) {
      return Error("time range " + Quote(range) + " lasts more than " +
                   std::to_string(kMaxSessionLength.count()) + " days");
    }
    NoteDay(date::floor<days>(start));
    out_.sessions.push_back(LocalSession{start, end});
    current_day = date::floor<days>(end);
    return Status::Ok();
  }

  void NoteDay(LocalDays day) {
    if (!seen_any_day_) {
      out_.first_day = day;
      out_.last_day = day;
      seen_any_day_ = true;
    } else {
      out_.first_day = std::min(out_.first_day, day);
      out_.last_day = std::max(out_.last_day, day);
    }
  }

  std::string_view entry_;
  std::string context_;
  ParsedHours& out_;
  // Whether out_.first_day/last_day hold a day yet.
  bool seen_any_day_ = false;
};

}  // namespace

Result<ParsedHours> ParseTradingHours(std::string_view text) {
  ParsedHours out;
  const std::string_view trimmed = Trim(text);
  if (trimmed.empty() || EqualsIgnoreCase(trimmed, "N/A")) return out;

  bool seen_day = false;
  LocalDays first_day;
  LocalDays last_day;
  int index = 0;
  std::string_view rest = trimmed;
  while (true) {
    const size_t semicolon = rest.find(';');
    const std::string_view entry = Trim(rest.substr(0, semicolon));
    if (!entry.empty()) {
      ++index;
      ParsedHours one;
      EntryParser parser(entry, index, one);
      IBSTREAM_RETURN_IF_ERROR(parser.Parse());
      // A parsed entry always holds a session or a CLOSED day, so its days are set.
      first_day = seen_day ? std::min(first_day, one.first_day) : one.first_day;
      last_day = seen_day ? std::max(last_day, one.last_day) : one.last_day;
      seen_day = true;
      out.sessions.insert(out.sessions.end(), one.sessions.begin(), one.sessions.end());
      out.closed_days.insert(out.closed_days.end(), one.closed_days.begin(), one.closed_days.end());
    }
    if (semicolon == std::string_view::npos) break;
    rest.remove_prefix(semicolon + 1);
  }
  if (!seen_day) {
    return ParseError("no entries in " + Quote(trimmed));
  }
  if ((last_day - first_day).count() >= kMaxDescribedDays) {
    return ParseError("the string spans " + std::to_string((last_day - first_day).count() + 1) +
                      " days, more than the " + std::to_string(kMaxDescribedDays) + " accepted");
  }
  out.first_day = first_day;
  out.last_day = last_day;
  std::sort(out.closed_days.begin(), out.closed_days.end());
  out.closed_days.erase(std::unique(out.closed_days.begin(), out.closed_days.end()),
                        out.closed_days.end());
  return out;
}

}  // namespace ibstream::calendar
