// Time as the product sees it: one interface, injected everywhere.
//
// Nothing outside SystemClock reads the system clock. Decision logic takes a `TimePoint now`
// argument; components that must ask for the time hold a `const Clock&` that outlives them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace ibstream {

using Duration = std::chrono::nanoseconds;
// Nanoseconds since the Unix epoch, UTC.
using TimePoint = std::chrono::time_point<std::chrono::system_clock, Duration>;

inline constexpr TimePoint FromUnixSeconds(int64_t seconds) {
  return TimePoint(std::chrono::seconds(seconds));
}
inline constexpr int64_t ToUnixSeconds(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}
inline constexpr int64_t ToUnixNanos(TimePoint t) { return t.time_since_epoch().count(); }
inline constexpr TimePoint FromUnixNanos(int64_t nanos) { return TimePoint(Duration(nanos)); }

// "2025-08-11T21:00:00Z" or, with sub-second digits, "2025-08-11T21:00:00.123456789Z".
std::string FormatIsoUtc(TimePoint t);

// The years and offsets ParseIsoTime accepts: well inside what a TimePoint (int64 nanoseconds
// since 1970) holds, 1677-2262, so that no accepted time wraps around.
inline constexpr int kMinIsoYear = 1970;
inline constexpr int kMaxIsoYear = 2200;
inline constexpr std::chrono::minutes kMaxIsoOffset = std::chrono::hours(14);

// Parses ISO 8601 with an explicit offset or `Z`: "2025-08-11T15:55:00-05:00",
// "2025-08-11T20:55:00Z", "2025-08-11T20:55:00.5+00:00". A time without an offset, or not in
// this form (a four-digit year first), is a ParseError; a year outside kMinIsoYear..kMaxIsoYear
// or an offset beyond +-14:00 is OutOfRange ("time out of range: ..."). This is the one parser
// of times from outside (command line, HTTP, files): every caller gets the same bounds.
Result<TimePoint> ParseIsoTime(std::string_view text);

class Clock {
 public:
  virtual ~Clock() = default;

  // The current time on this clock. Thread-safe in every implementation.
  virtual TimePoint Now() const = 0;

  // How long a caller must wait in real time for `span` to pass on this clock. Timers of an event
  // loop use this so that a scaled clock's deadlines fire at the right virtual time.
  virtual Duration ToRealDuration(Duration span) const { return span; }
};

// The one implementation that reads the operating system's clock.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;

  // A process-wide instance.
  static const SystemClock& Instance();
};

// A clock that moves only when told to: for unit tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = FromUnixSeconds(0)) : now_(ToUnixNanos(start)) {}

  TimePoint Now() const override { return FromUnixNanos(now_.load(std::memory_order_acquire)); }

  void Set(TimePoint t) { now_.store(ToUnixNanos(t), std::memory_order_release); }
  void Advance(Duration d) { now_.fetch_add(d.count(), std::memory_order_acq_rel); }

 private:
  std::atomic<int64_t> now_;
};

// Virtual time that starts at `start` when constructed and runs `speed` times faster than `base`
// (`--start TIME --speed N`). With speed 60, one real second is one virtual minute.
class ScaledClock final : public Clock {
 public:
  // `base` must outlive this clock. `speed` must be positive.
  ScaledClock(TimePoint start, double speed, const Clock& base = SystemClock::Instance());

  TimePoint Now() const override;
  Duration ToRealDuration(Duration span) const override;

  double speed() const { return speed_; }

 private:
  TimePoint start_;
  TimePoint base_start_;
  double speed_;
  const Clock& base_;
};

// Real elapsed time, for deadlines of real waits (an SSE client's timeout, a simulator poll's work
// budget, a test waiting for a condition) and for measurements. It never jumps and is not the
// recorder's (possibly virtual) time. Nothing outside SteadyClock::Real() reads
// std::chrono::steady_clock.
using SteadyTimePoint = std::chrono::steady_clock::time_point;

class SteadyClock {
 public:
  virtual ~SteadyClock() = default;

  // Thread-safe in every implementation.
  virtual SteadyTimePoint Now() const = 0;

  // The process-wide clock that reads the operating system's monotonic clock.
  static const SteadyClock& Real();
};

// A steady clock that moves only when told to: for unit tests of real-time deadlines.
class ManualSteadyClock final : public SteadyClock {
 public:
  SteadyTimePoint Now() const override {
    return SteadyTimePoint(std::chrono::nanoseconds(now_.load(std::memory_order_acquire)));
  }
  void Advance(std::chrono::nanoseconds d) { now_.fetch_add(d.count(), std::memory_order_acq_rel); }

 private:
  std::atomic<int64_t> now_{0};
};

}  // namespace ibstream
