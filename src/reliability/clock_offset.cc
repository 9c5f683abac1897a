#include "reliability/clock_offset.h"

namespace ibstream::reliability {

Duration ProvenClockOffset(TimePoint sent, TimePoint received, TimePoint server) {
  if (received < sent) return Duration{0};
  // local - IB is above `low` (IB's clock may have been up to a second past `server`) and at
  // most `high` (IB read it no later than the answer arrived).
  const Duration low = sent - (server + std::chrono::seconds(1));
  const Duration high = received - server;
  if (low >= Duration{0}) return low;
  if (high < Duration{0}) return high;
  return Duration{0};
}

}  // namespace ibstream::reliability
