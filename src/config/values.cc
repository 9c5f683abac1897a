#include "config/values.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <exception>
#include <limits>
#include <utility>

#include "common/time_units.h"
#include "date/tz.h"

namespace ibstream::config {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Parses a run of digits at the start of `text` into `value`; returns the number of digits read
// (0 when there are none or the number overflows uint64_t).
size_t ParseDigits(std::string_view text, uint64_t& value) {
  size_t n = 0;
  while (n < text.size() && IsDigit(text[n])) ++n;
  if (n == 0) return 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + n, value);
  if (ec != std::errc() || ptr != text.data() + n) return 0;
  return n;
}

bool MultiplyFits(uint64_t a, uint64_t b, uint64_t limit) { return b == 0 || a <= limit / b; }

struct Unit {
  std::string_view name;
  uint64_t factor;
};

constexpr int64_t kNanosPerMilli = 1'000'000;

constexpr std::array<Unit, 5> kDurationUnits = {{
    {"d", 86'400ULL * kNanosPerSecond},
    {"h", 3'600ULL * kNanosPerSecond},
    {"m", 60ULL * kNanosPerSecond},
    {"s", static_cast<uint64_t>(kNanosPerSecond)},
    {"ms", static_cast<uint64_t>(kNanosPerMilli)},
}};

constexpr std::array<Unit, 9> kSizeUnits = {{
    {"B", 1},
    {"KB", 1'000ULL},
    {"MB", 1'000'000ULL},
    {"GB", 1'000'000'000ULL},
    {"TB", 1'000'000'000'000ULL},
    {"KiB", 1ULL << 10},
    {"MiB", 1ULL << 20},
    {"GiB", 1ULL << 30},
    {"TiB", 1ULL << 40},
}};

constexpr std::array<std::string_view, 7> kDayNames = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr int kMinutesPerDay = 24 * 60;

Result<int> ParseDay(std::string_view text) {
  for (size_t i = 0; i < kDayNames.size(); ++i) {
    if (EqualsIgnoreCase(text, kDayNames[i])) return static_cast<int>(i);
  }
  return InvalidArgument("unknown day '" + std::string(text) +
                         "' (use Sun Mon Tue Wed Thu Fri Sat)");
}

// "HH:MM" with 00:00..24:00.
Result<int> ParseClock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':' || !IsDigit(text[0]) || !IsDigit(text[1]) ||
      !IsDigit(text[3]) || !IsDigit(text[4])) {
    return InvalidArgument("time '" + std::string(text) + "' is not HH:MM");
  }
  int hours = (text[0] - '0') * 10 + (text[1] - '0');
  int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (minutes > 59 || hours > 24 || (hours == 24 && minutes != 0)) {
    return InvalidArgument("time '" + std::string(text) + "' is out of range 00:00-24:00");
  }
  return hours * 60 + minutes;
}

std::string FormatClock(int minute_of_day) {
  std::string out(5, '0');
  int hours = minute_of_day / 60;
  int minutes = minute_of_day % 60;
  out[0] = static_cast<char>('0' + hours / 10);
  out[1] = static_cast<char>('0' + hours % 10);
  out[2] = ':';
  out[3] = static_cast<char>('0' + minutes / 10);
  out[4] = static_cast<char>('0' + minutes % 10);
  return out;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> SplitList(std::string_view text, std::string_view separators) {
  std::vector<std::string_view> items;
  if (Trim(text).empty()) return items;
  size_t start = 0;
  while (true) {
    size_t end = text.find_first_of(separators, start);
    items.push_back(Trim(text.substr(start, end == std::string_view::npos ? end : end - start)));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return items;
}

Result<Duration> ParseDuration(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return InvalidArgument("empty duration");
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t number = 0;
  size_t digits = ParseDigits(text, number);
  if (digits == 0) {
    return InvalidArgument("'" + std::string(text) + "' does not start with a whole number");
  }
  if (digits == text.size()) {  // a bare number: seconds
    if (!MultiplyFits(number, kNanosPerSecond, kMax)) return InvalidArgument("duration too large");
    return Duration(static_cast<int64_t>(number * kNanosPerSecond));
  }
  uint64_t total = 0;
  size_t pos = 0;
  size_t last_unit = 0;  // index into kDurationUnits + 1 of the previous group, for ordering
  while (pos < text.size()) {
    digits = ParseDigits(text.substr(pos), number);
    if (digits == 0) {
      return InvalidArgument("expected a whole number at '" + std::string(text.substr(pos)) + "'");
    }
    pos += digits;
    size_t unit_end = pos;
    while (unit_end < text.size() && !IsDigit(text[unit_end])) ++unit_end;
    std::string_view unit = text.substr(pos, unit_end - pos);
    auto it = std::find_if(kDurationUnits.begin(), kDurationUnits.end(),
                           [&](const Unit& u) { return u.name == unit; });
    if (it == kDurationUnits.end()) {
      return InvalidArgument("unknown unit '" + std::string(unit) + "' (use ms, s, m, h, d)");
    }
    size_t index = static_cast<size_t>(it - kDurationUnits.begin()) + 1;
    if (index <= last_unit) {
      return InvalidArgument("units must go from largest to smallest, each once");
    }
    last_unit = index;
    if (!MultiplyFits(number, it->factor, kMax) || total > kMax - number * it->factor) {
      return InvalidArgument("duration too large");
    }
    total += number * it->factor;
    pos = unit_end;
  }
  return Duration(static_cast<int64_t>(total));
}

std::string FormatDuration(Duration duration) {
  int64_t nanos = duration.count();
  if (nanos == 0) return "0s";
  std::string out;
  if (nanos < 0) {
    out = "-";
    nanos = -nanos;
  }
  if (nanos % kNanosPerMilli != 0) return out + std::to_string(nanos) + "ns";
  for (const Unit& unit : kDurationUnits) {
    int64_t factor = static_cast<int64_t>(unit.factor);
    if (nanos >= factor) {
      out += std::to_string(nanos / factor);
      out += unit.name;
      nanos %= factor;
    }
  }
  return out;
}

Result<uint64_t> ParseByteSize(std::string_view text) {
  text = Trim(text);
  uint64_t number = 0;
  size_t digits = ParseDigits(text, number);
  if (digits == 0) {
    return InvalidArgument("'" + std::string(text) + "' does not start with a whole number");
  }
  std::string_view unit = Trim(text.substr(digits));
  if (unit.empty()) return number;
  auto it = std::find_if(kSizeUnits.begin(), kSizeUnits.end(),
                         [&](const Unit& u) { return u.name == unit; });
  if (it == kSizeUnits.end()) {
    return InvalidArgument("unknown unit '" + std::string(unit) +
                           "' (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)");
  }
  if (!MultiplyFits(number, it->factor, std::numeric_limits<uint64_t>::max())) {
    return InvalidArgument("size too large");
  }
  return number * it->factor;
}

std::string FormatByteSize(uint64_t bytes) {
  static constexpr std::array<Unit, 4> kBinary = {
      {{"TiB", 1ULL << 40}, {"GiB", 1ULL << 30}, {"MiB", 1ULL << 20}, {"KiB", 1ULL << 10}}};
  for (const Unit& unit : kBinary) {
    if (bytes != 0 && bytes % unit.factor == 0) {
      return std::to_string(bytes / unit.factor) + std::string(unit.name);
    }
  }
  return std::to_string(bytes) + "B";
}

Result<bool> ParseBool(std::string_view text) {
  text = Trim(text);
  for (std::string_view yes : {"true", "1", "yes", "on"}) {
    if (EqualsIgnoreCase(text, yes)) return true;
  }
  for (std::string_view no : {"false", "0", "no", "off"}) {
    if (EqualsIgnoreCase(text, no)) return false;
  }
  return InvalidArgument("'" + std::string(text) + "' is not a boolean");
}

Result<HostPort> ParseHostPort(std::string_view text) {
  text = Trim(text);
  HostPort out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return InvalidArgument("expected [address]:port");
    }
    out.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return InvalidArgument("missing ':port'");
    out.host = std::string(text.substr(0, colon));
    if (out.host.find(':') != std::string::npos) {
      return InvalidArgument("an IPv6 address needs brackets: [address]:port");
    }
    port_text = text.substr(colon + 1);
  }
  if (out.host.empty()) return InvalidArgument("empty host");
  for (char c : out.host) {
    if (IsSpace(c) || c == '/' || c == '[' || c == ']') {
      return InvalidArgument("host '" + out.host + "' contains '" + std::string(1, c) + "'");
    }
  }
  uint64_t port = 0;
  if (port_text.empty() || ParseDigits(port_text, port) != port_text.size() || port > 65535) {
    return InvalidArgument("port '" + std::string(port_text) + "' is not in 0..65535");
  }
  out.port = static_cast<uint16_t>(port);
  return out;
}

std::string ToString(const HostPort& address) {
  if (address.host.find(':') != std::string::npos) {
    return "[" + address.host + "]:" + std::to_string(address.port);
  }
  return address.host + ":" + std::to_string(address.port);
}

Result<std::vector<WeeklySession>> ParseWeeklyHours(std::string_view text) {
  std::vector<WeeklySession> sessions;
  std::vector<std::string_view> groups = SplitList(text, ";");
  if (groups.empty()) return InvalidArgument("no sessions");
  for (std::string_view group : groups) {
    size_t space = group.find_first_of(" \t");
    if (group.empty() || space == std::string_view::npos) {
      return InvalidArgument("'" + std::string(group) + "' is not 'DAYS HH:MM-HH:MM'");
    }
    std::string_view days = group.substr(0, space);
    std::string_view ranges = Trim(group.substr(space));
    size_t dash = days.find('-');
    Result<int> first = ParseDay(days.substr(0, dash));
    if (!first.ok()) return first.status();
    int last_day = *first;
    if (dash != std::string_view::npos) {
      Result<int> last = ParseDay(days.substr(dash + 1));
      if (!last.ok()) return last.status();
      last_day = *last;
    }
    int day_count = (last_day - *first + 7) % 7 + 1;
    for (std::string_view range : SplitList(ranges, ",")) {
      size_t range_dash = range.find('-');
      if (range_dash == std::string_view::npos) {
        return InvalidArgument("range '" + std::string(range) + "' is not HH:MM-HH:MM");
      }
      Result<int> start = ParseClock(Trim(range.substr(0, range_dash)));
      if (!start.ok()) return start.status();
      Result<int> end = ParseClock(Trim(range.substr(range_dash + 1)));
      if (!end.ok()) return end.status();
      if (*start == kMinutesPerDay) {
        return InvalidArgument("a session cannot start at 24:00");
      }
      int length = (*end - *start + kMinutesPerDay) % kMinutesPerDay;
      if (length == 0 && *end != *start) length = kMinutesPerDay;  // 00:00-24:00
      if (length == 0) {
        return InvalidArgument("range '" + std::string(range) + "' is empty");
      }
      for (int i = 0; i < day_count; ++i) {
        sessions.push_back({(*first + i) % 7, *start, length});
      }
    }
  }
  std::sort(sessions.begin(), sessions.end(), [](const WeeklySession& a, const WeeklySession& b) {
    return std::pair(a.weekday, a.start_minute) < std::pair(b.weekday, b.start_minute);
  });
  for (size_t i = 0; sessions.size() > 1 && i < sessions.size(); ++i) {
    const WeeklySession& a = sessions[i];
    const WeeklySession& b = sessions[(i + 1) % sessions.size()];
    int a_start = a.weekday * kMinutesPerDay + a.start_minute;
    int b_start = b.weekday * kMinutesPerDay + b.start_minute;
    int gap = (b_start - a_start + 7 * kMinutesPerDay) % (7 * kMinutesPerDay);
    if (gap < a.length_minutes) {
      return InvalidArgument("sessions starting " + std::string(kDayNames[a.weekday]) + " " +
                             FormatClock(a.start_minute) + " and " +
                             std::string(kDayNames[b.weekday]) + " " + FormatClock(b.start_minute) +
                             " overlap");
    }
  }
  return sessions;
}

std::string FormatWeeklyHours(const std::vector<WeeklySession>& sessions) {
  auto range_of = [](const WeeklySession& s) {
    int end = (s.start_minute + s.length_minutes) % kMinutesPerDay;
    if (end == 0 && s.start_minute + s.length_minutes == kMinutesPerDay) end = kMinutesPerDay;
    return FormatClock(s.start_minute) + "-" + FormatClock(end);
  };
  // Days that have exactly one session can be joined with neighbours that have the same range.
  std::array<int, 7> per_day{};
  for (const WeeklySession& s : sessions) ++per_day[static_cast<size_t>(s.weekday)];
  std::string out;
  size_t i = 0;
  while (i < sessions.size()) {
    const WeeklySession& s = sessions[i];
    size_t j = i + 1;
    if (per_day[static_cast<size_t>(s.weekday)] == 1) {
      while (j < sessions.size() && sessions[j].weekday == sessions[j - 1].weekday + 1 &&
             per_day[static_cast<size_t>(sessions[j].weekday)] == 1 &&
             sessions[j].start_minute == s.start_minute &&
             sessions[j].length_minutes == s.length_minutes) {
        ++j;
      }
    }
    if (!out.empty()) out += "; ";
    out += kDayNames[static_cast<size_t>(s.weekday)];
    if (j - i > 1) {
      out += "-";
      out += kDayNames[static_cast<size_t>(sessions[j - 1].weekday)];
    }
    out += " " + range_of(s);
    i = j;
  }
  return out;
}

Status ValidateUrl(std::string_view url, const std::vector<std::string>& schemes) {
  size_t sep = url.find("://");
  std::string allowed;
  for (const std::string& scheme : schemes) {
    if (!allowed.empty()) allowed += ", ";
    allowed += scheme + "://";
  }
  if (sep == std::string_view::npos) return InvalidArgument("not an absolute URL");
  std::string_view scheme = url.substr(0, sep);
  if (std::none_of(schemes.begin(), schemes.end(),
                   [&](const std::string& s) { return EqualsIgnoreCase(s, scheme); })) {
    return InvalidArgument("scheme '" + std::string(scheme) + "' is not one of " + allowed);
  }
  for (char c : url) {
    if (IsSpace(c) || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return InvalidArgument("URL contains whitespace or a control character");
    }
  }
  std::string_view rest = url.substr(sep + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (authority.empty() || authority.front() == ':') return InvalidArgument("URL has no host");
  return Status::Ok();
}

std::string MaskUrlCredentials(std::string_view url) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return std::string(url);
  size_t authority_start = sep + 3;
  size_t authority_end = url.find_first_of("/?#", authority_start);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  std::string_view authority = url.substr(authority_start, authority_end - authority_start);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  std::string_view userinfo = authority.substr(0, at);
  size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, authority_start)) + std::string(userinfo.substr(0, colon)) +
         ":***" + std::string(url.substr(authority_start + at));
}

Status ValidateEmailAddress(std::string_view address) {
  size_t at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= address.size() ||
      address.find('@', at + 1) != std::string_view::npos) {
    return InvalidArgument("not an address of the form name@domain");
  }
  for (char c : address) {
    if (IsSpace(c) || c == '<' || c == '>' || c == ',' || static_cast<unsigned char>(c) < 0x20 ||
        c == 0x7f) {
      return InvalidArgument("address contains a space, a control character or one of <>,");
    }
  }
  return Status::Ok();
}

Status ValidateTimeZone(std::string_view name) {
  if (name.empty()) return InvalidArgument("empty time zone");
  try {
    (void)date::locate_zone(name);
  } catch (const std::exception&) {
    return InvalidArgument("'" + std::string(name) + "' is not a zone of the tz database");
  }
  return Status::Ok();
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      size_t cost = Lower(a[i - 1]) == Lower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates,
                         size_t max_distance) {
  std::string best;
  size_t best_distance = std::numeric_limits<size_t>::max();
  for (const std::string& candidate : candidates) {
    size_t distance = EditDistance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best_distance <= max_distance ? best : std::string();
}

}  // namespace ibstream::config
