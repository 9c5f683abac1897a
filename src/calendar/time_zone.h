// The time zone of a contract's trading hours: IB's zone ids resolved to the system tz database.
//
// IB reports `timeZoneId` with legacy Java ids ("US/Central", "MET", "JST", "GB-Eire", ...). Ids in
// IB's alias table map to an IANA zone; any other id must name a zone of the system database
// (/usr/share/zoneinfo through Howard Hinnant's date/tz). An id that is neither is an error: there
// is no fallback to UTC, because a wrong zone shifts every session by hours without a trace.
//
// Daylight-saving rule for wall times (ToUtc): a wall time is the first instant at which the local
// clock reads that time or later. A wall time inside a spring-forward gap (02:30 on a US change
// day, which the clock skips from 01:59:59 CST to 03:00 CDT) is therefore the instant of the
// change (03:00 CDT); a wall time that occurs twice in a fall-back overlap (01:30) is its first
// occurrence (01:30 CDT). The conversion is monotonic, so a session never turns around: one that
// lies entirely inside a gap becomes empty. (java.time shifts gap times later by the gap's length
// instead, which is not monotonic: 02:30 would come after 03:00. Exchanges do not put session
// edges inside a gap, so the two agree on real strings.)
#pragma once

#include <date/date.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/clock.h"
#include "common/status.h"

namespace date {
class time_zone;
}  // namespace date

namespace ibstream::calendar {

// Wall-clock time in some zone, to the second.
using LocalSeconds = date::local_seconds;
// A wall-clock date.
using LocalDays = date::local_days;

// The IANA name for one of IB's non-IANA zone ids ("US/Central" -> "America/Chicago"); empty when
// the id is not in IB's alias table (it may still be a valid IANA name).
std::optional<std::string_view> IanaNameForIbZoneId(std::string_view ib_id);

// A resolved zone. Cheap to copy; the zone data belongs to the process-wide tz database, which
// lives until exit. All methods are const and thread-safe.
class TimeZone {
 public:
  // Resolves `id` (IB's timeZoneId, or an IANA name). Surrounding blanks are ignored. Errors:
  // InvalidArgument for an empty id or one the alias table and the tz database do not know.
  static Result<TimeZone> Resolve(std::string_view id);

  // The id as given ("US/Central").
  const std::string& id() const { return id_; }
  // The IANA zone it resolved to ("America/Chicago").
  const std::string& iana_name() const { return iana_name_; }

  // The instant of a wall time, by the rule in the file comment (gap: the instant of the change;
  // overlap: the first occurrence).
  TimePoint ToUtc(LocalSeconds wall) const;
  // The wall time of an instant, to the second (floored).
  LocalSeconds ToLocal(TimePoint t) const;
  // The local date of an instant.
  LocalDays LocalDate(TimePoint t) const;
  // UTC offset in force at `t` (e.g. -5 h for CDT).
  std::chrono::seconds OffsetAt(TimePoint t) const;
  // Zone abbreviation in force at `t` ("CDT", "CET", "+08" where the database has none).
  std::string AbbreviationAt(TimePoint t) const;

  // ISO 8601 wall time with offset: "2025-08-10T17:00:00-05:00" (sub-seconds dropped).
  std::string FormatIsoLocal(TimePoint t) const;

  // Same IANA zone.
  friend bool operator==(const TimeZone& a, const TimeZone& b) {
    return a.iana_name_ == b.iana_name_;
  }

 private:
  TimeZone(std::string id, std::string iana_name, const date::time_zone* zone)
      : id_(std::move(id)), iana_name_(std::move(iana_name)), zone_(zone) {}

  std::string id_;
  std::string iana_name_;
  const date::time_zone* zone_;  // Not owned: an entry of date's tz database.
};

}  // namespace ibstream::calendar
