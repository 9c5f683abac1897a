// The pacing decision for outgoing messages: a token bucket, pure and clock-free.
//
// TWS accepts at most 50 messages per second from one client; above that it answers error 100
// and may drop the connection. The client queues every outgoing message and asks this bucket when
// the next one may go. The bucket is a GCRA (generic cell rate algorithm) in integer nanoseconds:
// `rate` tokens per second refill continuously, at most `burst` are stored, and it starts full.
//
// Guarantee: in any time window of length W, at most `burst + floor(W * rate)` messages are
// allowed. So rate 40/s with burst 10 never exceeds 50 in any one-second window, which is why
// those are the client's defaults.
#pragma once

#include <cstdint>

#include "common/clock.h"

namespace ibstream::client {

class TokenBucket {
 public:
  // `rate_per_second` > 0 and `burst` >= 1 (checked). The bucket is full at `now`.
  TokenBucket(double rate_per_second, int burst, TimePoint now);

  TokenBucket(const TokenBucket&) = default;
  TokenBucket& operator=(const TokenBucket&) = default;

  // Takes one token and returns true when one is available at `now`; otherwise changes nothing
  // and returns false. A clock that goes backwards never creates tokens.
  bool TryTake(TimePoint now);

  // Zero when a token is available at `now`, else how long until one is.
  Duration TimeUntilAvailable(TimePoint now) const;

  // Whole tokens available at `now` (0..burst).
  int Available(TimePoint now) const;

  Duration interval() const { return interval_; }
  int burst() const { return burst_; }

 private:
  Duration interval_;   // time to refill one token
  Duration tolerance_;  // (burst - 1) * interval
  int burst_;
  TimePoint theoretical_arrival_;  // when the bucket would be full again if nothing else is taken
};

}  // namespace ibstream::client
