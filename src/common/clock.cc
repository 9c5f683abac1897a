#include "common/clock.h"

#include <date/date.h>

#include <cmath>
#include <sstream>

namespace ibstream {

TimePoint SystemClock::Now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

const SystemClock& SystemClock::Instance() {
  static const SystemClock clock;
  return clock;
}

namespace {

class RealSteadyClock final : public SteadyClock {
 public:
  SteadyTimePoint Now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace

const SteadyClock& SteadyClock::Real() {
  static const RealSteadyClock clock;
  return clock;
}

ScaledClock::ScaledClock(TimePoint start, double speed, const Clock& base)
    : start_(start), base_start_(base.Now()), speed_(speed), base_(base) {
  IBSTREAM_CHECK(speed > 0 && std::isfinite(speed), "ScaledClock speed must be positive");
}

TimePoint ScaledClock::Now() const {
  const auto elapsed = static_cast<double>((base_.Now() - base_start_).count());
  return start_ + Duration(static_cast<int64_t>(std::llround(elapsed * speed_)));
}

Duration ScaledClock::ToRealDuration(Duration span) const {
  return Duration(static_cast<int64_t>(std::llround(static_cast<double>(span.count()) / speed_)));
}

std::string FormatIsoUtc(TimePoint t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto nanos = (t - seconds).count();
  std::string out = date::format("%Y-%m-%dT%H:%M:%S", seconds);
  if (nanos != 0) {
    char digits[16];
    std::snprintf(digits, sizeof(digits), ".%09lld", static_cast<long long>(nanos));
    std::string fraction(digits);
    while (fraction.back() == '0') fraction.pop_back();
    out += fraction;
  }
  out += 'Z';
  return out;
}

Result<TimePoint> ParseIsoTime(std::string_view text) {
  const auto not_iso = [&] {
    return ParseError("'" + std::string(text) +
                      "' is not an ISO 8601 time with an offset (e.g. 2025-08-11T15:55:00-05:00 "
                      "or 2025-08-11T20:55:00Z)");
  };
  // The year is checked before date::parse converts to nanoseconds since the epoch, which would
  // silently wrap for years outside 1677-2262.
  if (text.size() < 5 || text[4] != '-') return not_iso();
  int year = 0;
  for (size_t i = 0; i < 4; ++i) {
    if (text[i] < '0' || text[i] > '9') return not_iso();
    year = year * 10 + (text[i] - '0');
  }
  if (year < kMinIsoYear || year > kMaxIsoYear) {
    return OutOfRange("time out of range: '" + std::string(text) + "': the year must be from " +
                      std::to_string(kMinIsoYear) + " to " + std::to_string(kMaxIsoYear));
  }
  // date::parse understands %z as "+hh:mm" only with the E modifier (%Ez) and not 'Z': handle
  // the trailing Z ourselves.
  std::string input(text);
  bool utc = false;
  if (!input.empty() && (input.back() == 'Z' || input.back() == 'z')) {
    utc = true;
    input.pop_back();
  }
  std::istringstream in(input);
  date::sys_time<Duration> tp;
  std::chrono::minutes offset{0};
  if (utc) {
    in >> date::parse("%Y-%m-%dT%H:%M:%S", tp);
  } else {
    in >> date::parse("%Y-%m-%dT%H:%M:%S%Ez", tp, offset);
  }
  if (in.fail() || in.peek() != std::char_traits<char>::eof()) return not_iso();
  if (offset > kMaxIsoOffset || offset < -kMaxIsoOffset) {
    return OutOfRange("time out of range: '" + std::string(text) +
                      "': the offset must be from -14:00 to +14:00");
  }
  // %Ez already applied the offset: tp is UTC.
  return TimePoint(tp.time_since_epoch());
}

}  // namespace ibstream
