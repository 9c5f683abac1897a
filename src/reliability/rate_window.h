// Messages per minute over sliding windows: a ring of one-second buckets covering five minutes.
// Add() is O(1) and allocation-free (it runs once per tick); Count() is O(buckets) and runs once
// per health evaluation.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

#include "common/clock.h"

namespace ibstream::reliability {

class RateWindow {
 public:
  static constexpr int kBuckets = 300;  // seconds; the longest window Count() can answer

  void Add(TimePoint now) {
    const int64_t second = ToUnixSeconds(now);
    Bucket& b = buckets_[Index(second)];
    if (b.second != second) {
      b.second = second;
      b.count = 0;
    }
    ++b.count;
  }

  // Messages in the `seconds` whole seconds ending with the one containing `now` (at most
  // kBuckets).
  int64_t Count(TimePoint now, int seconds) const {
    const int64_t last = ToUnixSeconds(now);
    const int64_t first = last - (seconds > kBuckets ? kBuckets : seconds) + 1;
    int64_t total = 0;
    for (const Bucket& b : buckets_) {
      if (b.second >= first && b.second <= last) total += b.count;
    }
    return total;
  }

  // Average messages per minute over the last `seconds` seconds.
  double PerMinute(TimePoint now, int seconds) const {
    return static_cast<double>(Count(now, seconds)) * 60.0 / seconds;
  }

 private:
  struct Bucket {
    int64_t second = INT64_MIN;
    int64_t count = 0;
  };
  static size_t Index(int64_t second) {
    const int64_t m = second % kBuckets;
    return static_cast<size_t>(m < 0 ? m + kBuckets : m);
  }

  std::array<Bucket, kBuckets> buckets_{};
};

}  // namespace ibstream::reliability
