// Text forms of configuration values: the grammar shared by the TOML file, environment variables
// and `.env` files, and the canonical rendering used by `ibstream config check`.
//
// Every parser is pure. An error is InvalidArgument with a short reason ("unknown unit 'x'");
// the loader adds the key, the value and what is allowed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"

namespace ibstream::config {

// Splits on any of `separators`, trims ASCII whitespace around each item. "" gives no items; an
// empty item between separators is kept (as "") so callers can reject it.
std::vector<std::string_view> SplitList(std::string_view text, std::string_view separators);
std::string_view Trim(std::string_view text);

// A bare integer is seconds ("300"); otherwise one or more <integer><unit> groups with units
// ms, s, m, h, d: "250ms", "90s", "5m", "2h", "1d", "1h30m". No signs, no fractions.
Result<Duration> ParseDuration(std::string_view text);
// The shortest exact form: "0s", "250ms", "90s", "5m", "2h", "1h30m", "1d".
std::string FormatDuration(Duration duration);

// A bare integer is bytes; otherwise <integer><unit> with B, KB, MB, GB, TB (powers of 1000) or
// KiB, MiB, GiB, TiB (powers of 1024), e.g. "500MB", "1GiB".
Result<uint64_t> ParseByteSize(std::string_view text);
// "1GiB" when an exact binary multiple, else "<n>B".
std::string FormatByteSize(uint64_t bytes);

// true/false, 1/0, yes/no, on/off, case-insensitive.
Result<bool> ParseBool(std::string_view text);

// "host:port" or "[v6-address]:port"; port 0..65535.
Result<HostPort> ParseHostPort(std::string_view text);

// Weekly trading hours: groups separated by ';', each `DAYS RANGE[,RANGE...]` where DAYS is a day
// (Sun Mon Tue Wed Thu Fri Sat, any case) or a span of days ("Mon-Fri", "Sun-Thu") and RANGE is
// HH:MM-HH:MM in the contract's time zone. An end at or before the start runs past midnight into
// the next day: "Sun-Thu 17:00-16:00" is CME Globex, "Mon-Fri 09:30-16:00" US equities.
Result<std::vector<WeeklySession>> ParseWeeklyHours(std::string_view text);
// Canonical form; consecutive days with the same single range are joined: "Sun-Thu 17:00-16:00".
std::string FormatWeeklyHours(const std::vector<WeeklySession>& sessions);

// An absolute URL whose scheme is one of `schemes` and whose host is not empty.
Status ValidateUrl(std::string_view url, const std::vector<std::string>& schemes);
// The URL with a password in its user-info replaced by "***".
std::string MaskUrlCredentials(std::string_view url);

// A plain address "local@domain": no spaces, angle brackets or control characters.
Status ValidateEmailAddress(std::string_view address);

// A time zone the tz database knows ("America/Chicago", "US/Central").
Status ValidateTimeZone(std::string_view name);

// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Levenshtein distance (for "did you mean" hints).
size_t EditDistance(std::string_view a, std::string_view b);

// The closest of `candidates` to `word` when at most `max_distance` edits away (a likely typo),
// else "".
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates,
                         size_t max_distance);

}  // namespace ibstream::config
