#include "calendar/open_time.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ibstream::calendar::open_time_test {
namespace {

TimePoint Utc(std::string_view iso) {
  Result<TimePoint> t = ParseIsoTime(iso);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.value_or(TimePoint{});
}

MarketCalendar MustCreate(const ContractHours& contract) {
  Result<MarketCalendar> calendar = MarketCalendar::Create(contract);
  EXPECT_TRUE(calendar.ok()) << calendar.status().ToString();
  return calendar.ok() ? std::move(calendar).value() : MarketCalendar();
}

std::string Show(const std::vector<TimeSpan>& spans) {
  std::string out;
  for (const TimeSpan& s : spans) {
    if (!out.empty()) out += " ";
    out += "[" + FormatIsoUtc(s.start) + "," + FormatIsoUtc(s.end) + ")";
  }
  return out;
}

// MNQ, one week (CME Globex, daily 16:00-17:00 CT halt = 21:00-22:00 UTC in August), a weekend
// from Friday 21:00 UTC to Sunday 22:00 UTC; coverage ends Monday 2025-08-18 21:00 UTC.
const ContractHours kMnqWeek{
    "US/Central",
    "20250810:1700-20250811:1600;20250811:1700-20250812:1600;20250812:1700-20250813:1600;"
    "20250813:1700-20250814:1600;20250814:1700-20250815:1600;20250816:CLOSED;"
    "20250817:1700-20250818:1600",
    "20250811:0830-20250811:1600;20250812:0830-20250812:1600;20250813:0830-20250813:1600;"
    "20250814:0830-20250814:1600;20250815:0830-20250815:1600;20250816:CLOSED;20250817:CLOSED"};

// A stock-like day session (13:30-20:00 UTC) with a holiday on Tuesday 2025-08-12.
const ContractHours kHoliday{
    "US/Eastern", "20250811:0930-20250811:1600;20250812:CLOSED;20250813:0930-20250813:1600", ""};

TEST(ClipToOpenTime, RemovesClosedSpans) {
  struct Case {
    const char* name;
    const ContractHours* hours;
    const char* start;
    const char* end;
    const char* want;
  };
  const Case cases[] = {
      {"inside a session", &kMnqWeek, "2025-08-12T14:00:00Z", "2025-08-12T15:00:00Z",
       "[2025-08-12T14:00:00Z,2025-08-12T15:00:00Z)"},
      {"wholly inside the daily halt", &kMnqWeek, "2025-08-12T21:10:00Z", "2025-08-12T21:50:00Z",
       ""},
      {"exactly the daily halt", &kMnqWeek, "2025-08-12T21:00:00Z", "2025-08-12T22:00:00Z", ""},
      {"across the daily halt", &kMnqWeek, "2025-08-12T20:30:00Z", "2025-08-12T22:30:00Z",
       "[2025-08-12T20:30:00Z,2025-08-12T21:00:00Z) [2025-08-12T22:00:00Z,2025-08-12T22:30:00Z)"},
      {"across two halts", &kMnqWeek, "2025-08-12T20:00:00Z", "2025-08-13T22:30:00Z",
       "[2025-08-12T20:00:00Z,2025-08-12T21:00:00Z) [2025-08-12T22:00:00Z,2025-08-13T21:00:00Z) "
       "[2025-08-13T22:00:00Z,2025-08-13T22:30:00Z)"},
      {"from inside the halt into the session", &kMnqWeek, "2025-08-12T21:30:00Z",
       "2025-08-12T22:05:00Z", "[2025-08-12T22:00:00Z,2025-08-12T22:05:00Z)"},
      {"wholly inside the weekend", &kMnqWeek, "2025-08-16T12:00:00Z", "2025-08-17T12:00:00Z", ""},
      {"across the weekend", &kMnqWeek, "2025-08-15T20:00:00Z", "2025-08-17T23:00:00Z",
       "[2025-08-15T20:00:00Z,2025-08-15T21:00:00Z) [2025-08-17T22:00:00Z,2025-08-17T23:00:00Z)"},
      {"past the coverage is open", &kMnqWeek, "2025-08-18T20:00:00Z", "2025-08-18T23:00:00Z",
       "[2025-08-18T20:00:00Z,2025-08-18T23:00:00Z)"},
      {"empty interval", &kMnqWeek, "2025-08-12T14:00:00Z", "2025-08-12T14:00:00Z", ""},
      {"reversed interval", &kMnqWeek, "2025-08-12T15:00:00Z", "2025-08-12T14:00:00Z", ""},
      {"wholly inside a holiday", &kHoliday, "2025-08-12T14:00:00Z", "2025-08-12T18:00:00Z", ""},
      {"across a holiday and overnight closes", &kHoliday, "2025-08-11T19:00:00Z",
       "2025-08-13T14:30:00Z",
       "[2025-08-11T19:00:00Z,2025-08-11T20:00:00Z) [2025-08-13T13:30:00Z,2025-08-13T14:30:00Z)"},
  };
  for (const Case& c : cases) {
    const MarketCalendar calendar = MustCreate(*c.hours);
    EXPECT_EQ(Show(ClipToOpenTime(calendar, TimeSpan{Utc(c.start), Utc(c.end)})), c.want) << c.name;
  }
}

TEST(ClipToOpenTime, CalendarWithoutInformationKeepsEverything) {
  const MarketCalendar calendar;
  const TimeSpan interval{Utc("2025-08-16T12:00:00Z"), Utc("2025-08-17T12:00:00Z")};
  EXPECT_EQ(ClipToOpenTime(calendar, interval), std::vector<TimeSpan>{interval});
}

TEST(ClipToOpenTime, SubSecondBoundsAreKept) {
  const MarketCalendar calendar = MustCreate(kMnqWeek);
  const TimePoint start = Utc("2025-08-12T20:59:59Z") + std::chrono::milliseconds(250);
  const TimePoint end = Utc("2025-08-12T22:00:00Z") + std::chrono::milliseconds(750);
  const std::vector<TimeSpan> open = ClipToOpenTime(calendar, TimeSpan{start, end});
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0], (TimeSpan{start, Utc("2025-08-12T21:00:00Z")}));
  EXPECT_EQ(open[1], (TimeSpan{Utc("2025-08-12T22:00:00Z"), end}));
}

}  // namespace
}  // namespace ibstream::calendar::open_time_test
