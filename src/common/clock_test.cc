#include "common/clock.h"

#include <gtest/gtest.h>

namespace ibstream {
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

}  // namespace
}  // namespace ibstream

namespace ibstream {
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
}  // namespace ibstream
