#include "common/clock.h"

#include <gtest/gtest.h>

namespace ibstream::clock_test {
namespace {

using namespace std::chrono_literals;

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(FromUnixSeconds(1754925330));
  EXPECT_EQ(ToUnixSeconds(clock.Now()), 1754925330);
  clock.Advance(1500ms);
  EXPECT_EQ(ToUnixNanos(clock.Now()), 1754925331'500'000'000LL);
  clock.Set(FromUnixSeconds(10));
  EXPECT_EQ(ToUnixSeconds(clock.Now()), 10);
}

TEST(ClockTest, ScaledClockRunsFasterThanItsBase) {
  ManualClock base(FromUnixSeconds(1000));
  ScaledClock scaled(FromUnixSeconds(1754925300), 60.0, base);
  EXPECT_EQ(ToUnixSeconds(scaled.Now()), 1754925300);
  base.Advance(5s);
  EXPECT_EQ(ToUnixSeconds(scaled.Now()), 1754925300 + 300);
  EXPECT_EQ(scaled.ToRealDuration(60s), 1s);
}

TEST(ClockTest, FormatsIsoUtc) {
  EXPECT_EQ(FormatIsoUtc(FromUnixSeconds(1754946000)), "2025-08-11T21:00:00Z");
  EXPECT_EQ(FormatIsoUtc(FromUnixNanos(1754946000'123456000LL)), "2025-08-11T21:00:00.123456Z");
}

TEST(ClockTest, ParsesIsoWithOffsetOrZ) {
  auto with_offset = ParseIsoTime("2025-08-11T15:55:00-05:00");
  ASSERT_TRUE(with_offset.ok()) << with_offset.status().ToString();
  EXPECT_EQ(FormatIsoUtc(*with_offset), "2025-08-11T20:55:00Z");
  auto zulu = ParseIsoTime("2025-08-11T20:55:00Z");
  ASSERT_TRUE(zulu.ok());
  EXPECT_EQ(*zulu, *with_offset);
  auto fraction = ParseIsoTime("2025-08-11T20:55:00.25+00:00");
  ASSERT_TRUE(fraction.ok()) << fraction.status().ToString();
  EXPECT_EQ(ToUnixNanos(*fraction) % 1'000'000'000, 250'000'000);
}

TEST(ClockTest, RejectsTimesWithoutOffsetOrGarbage) {
  EXPECT_FALSE(ParseIsoTime("2025-08-11T15:55:00").ok());
  EXPECT_FALSE(ParseIsoTime("yesterday").ok());
  EXPECT_FALSE(ParseIsoTime("").ok());
  EXPECT_FALSE(ParseIsoTime("2025-08-11T15:55:00Zjunk").ok());
}

// Years and offsets at and beyond the bounds: nothing outside them is accepted, nothing is
// wrapped into another century.
TEST(ClockTest, IsoTimeBoundsTable) {
  struct Case {
    const char* text;
    StatusCode code;  // kOk when accepted
    const char* utc;  // the accepted time, in UTC
  };
  const Case cases[] = {
      {"1970-01-01T00:00:00Z", StatusCode::kOk, "1970-01-01T00:00:00Z"},
      {"2200-12-31T23:59:59Z", StatusCode::kOk, "2200-12-31T23:59:59Z"},
      {"2025-08-11T20:55:00+14:00", StatusCode::kOk, "2025-08-11T06:55:00Z"},
      {"2025-08-11T20:55:00-14:00", StatusCode::kOk, "2025-08-12T10:55:00Z"},
      {"2200-12-31T23:59:59-14:00", StatusCode::kOk, "2201-01-01T13:59:59Z"},
      {"1969-12-31T23:59:59Z", StatusCode::kOutOfRange, ""},
      {"2201-01-01T00:00:00Z", StatusCode::kOutOfRange, ""},
      {"0001-01-01T00:00:00Z", StatusCode::kOutOfRange, ""},
      {"1000-01-01T00:00:00Z", StatusCode::kOutOfRange, ""},
      {"1677-09-21T00:12:44Z", StatusCode::kOutOfRange, ""},
      {"2262-04-11T23:47:17Z", StatusCode::kOutOfRange, ""},
      {"9999-12-31T23:59:59Z", StatusCode::kOutOfRange, ""},
      {"2025-08-11T20:55:00+14:01", StatusCode::kOutOfRange, ""},
      {"2025-08-11T20:55:00-14:01", StatusCode::kOutOfRange, ""},
      {"2025-08-11T20:55:00+99:00", StatusCode::kOutOfRange, ""},
      {"10000-01-01T00:00:00Z", StatusCode::kParseError, ""},
      {"-2025-01-01T00:00:00Z", StatusCode::kParseError, ""},
      {"+2025-01-01T00:00:00Z", StatusCode::kParseError, ""},
      {" 2025-01-01T00:00:00Z", StatusCode::kParseError, ""},
      {"20x5-01-01T00:00:00Z", StatusCode::kParseError, ""},
      {"2025-02-30T00:00:00Z", StatusCode::kParseError, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    Result<TimePoint> parsed = ParseIsoTime(c.text);
    if (c.code == StatusCode::kOk) {
      ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
      EXPECT_EQ(FormatIsoUtc(*parsed), c.utc);
    } else {
      ASSERT_FALSE(parsed.ok()) << FormatIsoUtc(*parsed);
      EXPECT_EQ(parsed.status().code(), c.code) << parsed.status().ToString();
      if (c.code == StatusCode::kOutOfRange) {
        EXPECT_NE(parsed.status().message().find("time out of range"), std::string::npos);
      }
    }
  }
}

}  // namespace
}  // namespace ibstream::clock_test

namespace ibstream::clock_test {
namespace {

TEST(SteadyClockTest, RealNeverGoesBackwards) {
  const SteadyTimePoint first = SteadyClock::Real().Now();
  const SteadyTimePoint second = SteadyClock::Real().Now();
  EXPECT_LE(first, second);
}

TEST(SteadyClockTest, ManualMovesOnlyWhenTold) {
  ManualSteadyClock clock;
  const SteadyTimePoint start = clock.Now();
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(std::chrono::milliseconds(250));
  EXPECT_EQ(clock.Now() - start, std::chrono::milliseconds(250));
}

}  // namespace
}  // namespace ibstream::clock_test
