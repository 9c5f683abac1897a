#include "reliability/clock_offset.h"

#include <gtest/gtest.h>

namespace ibstream::reliability::clock_offset_test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ProvenClockOffsetTest, Table) {
  // IB answers 1000 (whole seconds); the local clock sent and received around it.
  const TimePoint server = FromUnixSeconds(1000);
  struct Case {
    const char* name;
    Duration sent;  // relative to `server`
    Duration received;
    Duration offset;
  };
  const Case cases[] = {
      {"in step, a quick answer", milliseconds(200), milliseconds(210), Duration{0}},
      {"in step, IB's whole second hides up to a second", milliseconds(990), milliseconds(999),
       Duration{0}},
      {"local 5 s ahead", seconds(5) + milliseconds(300), seconds(5) + milliseconds(310),
       seconds(4) + milliseconds(300)},
      {"local 5 s behind", seconds(-5) + milliseconds(300), seconds(-5) + milliseconds(310),
       seconds(-5) + milliseconds(310)},
      {"a slow answer proves nothing it could explain", seconds(-3), seconds(3), Duration{0}},
      {"a slow answer still proves a larger skew", seconds(-30), seconds(-20), seconds(-20)},
      {"exactly one second past IB's second: may still agree", seconds(1), seconds(1), Duration{0}},
      {"received before sent: no measurement", seconds(10), seconds(9), Duration{0}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ProvenClockOffset(server + c.sent, server + c.received, server), c.offset) << c.name;
  }
}

TEST(ProvenClockOffsetTest, NeverExceedsTheTrueSkewWhateverTheLatency) {
  // IB's true clock is local - 7.25 s; IB reads it at any instant of the exchange.
  const Duration skew = seconds(7) + milliseconds(250);
  for (int latency_ms : {0, 1, 50, 900, 5000, 20000}) {
    for (int read_at_ms = 0; read_at_ms <= latency_ms; read_at_ms += latency_ms / 4 + 1) {
      const TimePoint sent = FromUnixSeconds(5000);
      const TimePoint received = sent + milliseconds(latency_ms);
      const TimePoint ib_now = sent + milliseconds(read_at_ms) - skew;
      const TimePoint server = std::chrono::floor<seconds>(ib_now);
      const Duration offset = ProvenClockOffset(sent, received, server);
      EXPECT_GE(offset, Duration{0}) << latency_ms << " " << read_at_ms;
      EXPECT_LE(offset, skew) << latency_ms << " " << read_at_ms;
      if (latency_ms <= 50) {
        EXPECT_GT(offset, seconds(6)) << latency_ms << " " << read_at_ms;
      }
    }
  }
}

}  // namespace
}  // namespace ibstream::reliability::clock_offset_test
