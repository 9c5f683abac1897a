#include "client/token_bucket.h"

#include <algorithm>
#include <cmath>

#include "common/check.h"

namespace ibstream::client {

TokenBucket::TokenBucket(double rate_per_second, int burst, TimePoint now)
    : burst_(burst), theoretical_arrival_(now) {
  IBSTREAM_CHECK(rate_per_second > 0 && std::isfinite(rate_per_second),
                 "token bucket rate must be positive");
  IBSTREAM_CHECK(burst >= 1, "token bucket burst must be at least 1");
  interval_ = Duration(std::max<int64_t>(1, std::llround(1e9 / rate_per_second)));
  tolerance_ = interval_ * (burst - 1);
}

bool TokenBucket::TryTake(TimePoint now) {
  if (theoretical_arrival_ - tolerance_ > now) return false;
  theoretical_arrival_ = std::max(theoretical_arrival_, now) + interval_;
  return true;
}

Duration TokenBucket::TimeUntilAvailable(TimePoint now) const {
  Duration wait = theoretical_arrival_ - tolerance_ - now;
  return std::max(wait, Duration::zero());
}

int TokenBucket::Available(TimePoint now) const {
  if (theoretical_arrival_ <= now) return burst_;
  Duration headroom = tolerance_ - (theoretical_arrival_ - now);
  if (headroom < Duration::zero()) return 0;
  return static_cast<int>(headroom / interval_) + 1;
}

}  // namespace ibstream::client
