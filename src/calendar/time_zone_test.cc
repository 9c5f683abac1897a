#include "calendar/time_zone.h"

#include <gtest/gtest.h>

namespace ibstream::calendar::time_zone_test {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

LocalSeconds At(int y, unsigned m, unsigned d, int hh, int mm) {
  return LocalDays{date::year{y} / date::month{m} / date::day{d}} + hours(hh) + minutes(mm);
}

TimePoint Utc(std::string_view iso) {
  Result<TimePoint> t = ParseIsoTime(iso);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.value_or(TimePoint{});
}

TimeZone Zone(std::string_view id) {
  Result<TimeZone> zone = TimeZone::Resolve(id);
  EXPECT_TRUE(zone.ok()) << zone.status().ToString();
  return std::move(zone).value();
}

TEST(TimeZone, IbAliasesMapToIanaZones) {
  EXPECT_EQ(Zone("US/Central").iana_name(), "America/Chicago");
  EXPECT_EQ(Zone("MET").iana_name(), "Europe/Berlin");
  EXPECT_EQ(Zone("GB-Eire").iana_name(), "Europe/London");
  EXPECT_EQ(Zone("JST").iana_name(), "Asia/Tokyo");
  EXPECT_EQ(Zone(" US/Eastern ").id(), "US/Eastern");
  EXPECT_EQ(IanaNameForIbZoneId("Hongkong"), std::optional<std::string_view>("Asia/Hong_Kong"));
  EXPECT_EQ(IanaNameForIbZoneId("Europe/Paris"), std::nullopt);
}

TEST(TimeZone, IbEstFollowsDaylightSavingTime) {
  // The tz database's "EST" is a fixed -05:00; IB's EST is New York time.
  const TimeZone est = Zone("EST");
  EXPECT_EQ(est.OffsetAt(Utc("2025-07-01T12:00:00Z")), -hours(4));
  EXPECT_EQ(est.OffsetAt(Utc("2025-01-15T12:00:00Z")), -hours(5));
}

TEST(TimeZone, IanaNamesResolveDirectly) {
  EXPECT_EQ(Zone("Europe/Paris").iana_name(), "Europe/Paris");
  EXPECT_EQ(Zone("Asia/Calcutta").iana_name(), "Asia/Calcutta");
}

TEST(TimeZone, UnknownIdIsAnErrorNotUtc) {
  for (const char* id : {"Mars/Olympus_Mons", "Central Standard Time", "XYZ", "us/central"}) {
    SCOPED_TRACE(id);
    Result<TimeZone> zone = TimeZone::Resolve(id);
    ASSERT_FALSE(zone.ok());
    EXPECT_EQ(zone.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(zone.status().message().find(std::string("'") + id + "'"), std::string::npos)
        << zone.status().message();
  }
  EXPECT_FALSE(TimeZone::Resolve("").ok());
  EXPECT_FALSE(TimeZone::Resolve("  ").ok());
}

TEST(TimeZone, WallTimesInsideASpringForwardGapAreTheInstantOfTheChange) {
  const TimeZone chicago = Zone("US/Central");
  // 2025-03-09: the clock jumps from 01:59:59 CST to 03:00 CDT (08:00Z); 02:00-02:59 never show.
  EXPECT_EQ(chicago.ToUtc(At(2025, 3, 9, 1, 59)), Utc("2025-03-09T07:59:00Z"));
  EXPECT_EQ(chicago.ToUtc(At(2025, 3, 9, 2, 0)), Utc("2025-03-09T08:00:00Z"));
  EXPECT_EQ(chicago.ToUtc(At(2025, 3, 9, 2, 30)), Utc("2025-03-09T08:00:00Z"));
  EXPECT_EQ(chicago.ToUtc(At(2025, 3, 9, 3, 0)), Utc("2025-03-09T08:00:00Z"));
  EXPECT_EQ(chicago.ToUtc(At(2025, 3, 9, 3, 1)), Utc("2025-03-09T08:01:00Z"));
  const TimeZone berlin = Zone("MET");
  // 2025-03-30: 02:00 CET jumps to 03:00 CEST (01:00Z).
  EXPECT_EQ(berlin.ToUtc(At(2025, 3, 30, 2, 30)), Utc("2025-03-30T01:00:00Z"));
}

TEST(TimeZone, WallTimesInsideAFallBackOverlapAreTheFirstOccurrence) {
  const TimeZone chicago = Zone("US/Central");
  // 2025-11-02: 02:00 CDT falls back to 01:00 CST; 01:30 happens twice, first at 06:30Z.
  EXPECT_EQ(chicago.ToUtc(At(2025, 11, 2, 1, 30)), Utc("2025-11-02T06:30:00Z"));
  EXPECT_EQ(chicago.ToUtc(At(2025, 11, 2, 2, 0)), Utc("2025-11-02T08:00:00Z"));
  const TimeZone london = Zone("GB-Eire");
  // 2025-10-26: 02:00 BST falls back to 01:00 GMT; 01:30 first at 00:30Z.
  EXPECT_EQ(london.ToUtc(At(2025, 10, 26, 1, 30)), Utc("2025-10-26T00:30:00Z"));
}

TEST(TimeZone, ConversionIsMonotonicAcrossChanges) {
  for (const char* id : {"US/Central", "MET", "GB-Eire", "Australia/NSW"}) {
    SCOPED_TRACE(id);
    const TimeZone zone = Zone(id);
    for (const LocalDays day :
         {LocalDays{date::year{2025} / 3 / 9}, LocalDays{date::year{2025} / 3 / 30},
          LocalDays{date::year{2025} / 10 / 26}, LocalDays{date::year{2025} / 11 / 2},
          LocalDays{date::year{2025} / 4 / 6}, LocalDays{date::year{2025} / 10 / 5}}) {
      TimePoint previous = zone.ToUtc(LocalSeconds(day) - hours(1));
      for (int minute = -59; minute < 26 * 60; ++minute) {
        const TimePoint t = zone.ToUtc(LocalSeconds(day) + minutes(minute));
        ASSERT_GE(t, previous) << minute;
        previous = t;
      }
    }
  }
}

TEST(TimeZone, LocalViewsOfAnInstant) {
  const TimeZone chicago = Zone("US/Central");
  const TimePoint t = Utc("2025-08-10T22:00:00Z");
  EXPECT_EQ(chicago.ToLocal(t), At(2025, 8, 10, 17, 0));
  EXPECT_EQ(chicago.LocalDate(Utc("2025-08-11T04:59:59Z")), LocalDays{date::year{2025} / 8 / 10});
  EXPECT_EQ(chicago.LocalDate(Utc("2025-08-11T05:00:00Z")), LocalDays{date::year{2025} / 8 / 11});
  EXPECT_EQ(chicago.AbbreviationAt(t), "CDT");
  EXPECT_EQ(chicago.FormatIsoLocal(t), "2025-08-10T17:00:00-05:00");
  EXPECT_EQ(Zone("Asia/Calcutta").FormatIsoLocal(t), "2025-08-11T03:30:00+05:30");
  EXPECT_EQ(Zone("UTC").FormatIsoLocal(t), "2025-08-10T22:00:00+00:00");
}

}  // namespace
}  // namespace ibstream::calendar::time_zone_test
