#include "calendar/time_zone.h"

#include <date/tz.h>

#include <array>
#include <cstdio>
#include <exception>
#include <utility>

namespace ibstream::calendar {
namespace {

struct ZoneAlias {
  std::string_view ib_id;
  std::string_view iana_name;
};

// IB's zone ids that are not (or not reliably) the IANA zone IB means. The first block is the
// table of testdata/market/trading_hours_cases.json ("ib_time_zone_ids"); note that IB's "EST",
// "CST" and "GMT" follow daylight saving time, unlike the fixed-offset tz database entries of the
// same name. The second block holds ids seen in IB's contract details elsewhere (Java's short
// zone ids and a display name reported by TradeBuild users).
constexpr std::array<ZoneAlias, 22> kIbZoneAliases = {{
    {"US/Central", "America/Chicago"},
    {"US/Eastern", "America/New_York"},
    {"US/Mountain", "America/Denver"},
    {"US/Pacific", "America/Los_Angeles"},
    {"CST", "America/Chicago"},
    {"EST", "America/New_York"},
    {"EST5EDT", "America/New_York"},
    {"CST6CDT", "America/Chicago"},
    {"MET", "Europe/Berlin"},
    {"CET", "Europe/Berlin"},
    {"GB-Eire", "Europe/London"},
    {"GB", "Europe/London"},
    {"GMT", "Europe/London"},
    {"JST", "Asia/Tokyo"},
    {"Japan", "Asia/Tokyo"},
    {"Hongkong", "Asia/Hong_Kong"},
    {"Australia/NSW", "Australia/Sydney"},
    {"UTC", "UTC"},
    {"IST", "Asia/Kolkata"},
    {"CTT", "Asia/Shanghai"},
    {"PST", "America/Los_Angeles"},
    {"Central European Time", "Europe/Berlin"},
}};

std::string_view TrimSpacesAndTabs(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string_view> IanaNameForIbZoneId(std::string_view ib_id) {
  for (const ZoneAlias& alias : kIbZoneAliases) {
    if (alias.ib_id == ib_id) return alias.iana_name;
  }
  return std::nullopt;
}

Result<TimeZone> TimeZone::Resolve(std::string_view id) {
  const std::string_view trimmed = TrimSpacesAndTabs(id);
  if (trimmed.empty()) return InvalidArgument("time zone id is empty");
  const std::string_view iana = IanaNameForIbZoneId(trimmed).value_or(trimmed);
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(iana);
  } catch (const std::exception&) {
    // date reports an unknown zone (or an unreadable database) by throwing runtime_error.
    zone = nullptr;
  }
  if (zone == nullptr) {
    return InvalidArgument("unknown time zone id '" + std::string(trimmed) +
                           "' (neither one of IB's zone aliases nor in the tz database)");
  }
  return TimeZone(std::string(trimmed), std::string(iana), zone);
}

TimePoint TimeZone::ToUtc(LocalSeconds wall) const {
  const date::local_info info = zone_->get_info(wall);
  if (info.result == date::local_info::nonexistent) {
    // Inside a gap: the clock jumps over `wall` at the transition, which is the first instant it
    // reads `wall` or later.
    return TimePoint(info.first.end.time_since_epoch());
  }
  // Unique, or in an overlap `first` is the earlier period (its first occurrence).
  const date::sys_seconds utc{wall.time_since_epoch() - info.first.offset};
  return TimePoint(utc.time_since_epoch());
}

LocalSeconds TimeZone::ToLocal(TimePoint t) const {
  const auto seconds =
      date::floor<std::chrono::seconds>(date::sys_time<Duration>(t.time_since_epoch()));
  const date::sys_info info = zone_->get_info(seconds);
  return LocalSeconds{seconds.time_since_epoch() + info.offset};
}

LocalDays TimeZone::LocalDate(TimePoint t) const { return date::floor<date::days>(ToLocal(t)); }

std::chrono::seconds TimeZone::OffsetAt(TimePoint t) const {
  const auto seconds =
      date::floor<std::chrono::seconds>(date::sys_time<Duration>(t.time_since_epoch()));
  return zone_->get_info(seconds).offset;
}

std::string TimeZone::AbbreviationAt(TimePoint t) const {
  const auto seconds =
      date::floor<std::chrono::seconds>(date::sys_time<Duration>(t.time_since_epoch()));
  return zone_->get_info(seconds).abbrev;
}

std::string TimeZone::FormatIsoLocal(TimePoint t) const {
  const auto seconds =
      date::floor<std::chrono::seconds>(date::sys_time<Duration>(t.time_since_epoch()));
  const std::chrono::seconds offset = zone_->get_info(seconds).offset;
  const LocalSeconds wall{seconds.time_since_epoch() + offset};
  std::string out = date::format("%Y-%m-%dT%H:%M:%S", wall);
  // Zone offsets stay within a day, so the int conversion is exact.
  const int total = static_cast<int>(offset.count());
  const int magnitude = total < 0 ? -total : total;
  char suffix[32];
  std::snprintf(suffix, sizeof(suffix), "%c%02d:%02d", total < 0 ? '-' : '+', magnitude / 3600,
                (magnitude % 3600) / 60);
  out += suffix;
  return out;
}

}  // namespace ibstream::calendar
