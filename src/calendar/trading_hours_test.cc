#include "calendar/trading_hours.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace ibstream::calendar::trading_hours_test {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

LocalDays Day(int y, unsigned m, unsigned d) {
  return LocalDays{date::year{y} / date::month{m} / date::day{d}};
}
LocalSeconds At(int y, unsigned m, unsigned d, int hh, int mm) {
  return Day(y, m, d) + hours(hh) + minutes(mm);
}

ParsedHours MustParse(std::string_view text) {
  Result<ParsedHours> parsed = ParseTradingHours(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? *parsed : ParsedHours{};
}

TEST(ParseTradingHours, CurrentFormatWithClosedDays) {
  const ParsedHours p = MustParse(
      "20250810:1700-20250811:1600;20250811:1700-20250812:1600;20250816:CLOSED;"
      "20250817:1700-20250818:1600");
  ASSERT_EQ(p.sessions.size(), 3u);
  EXPECT_EQ(p.sessions[0], (LocalSession{At(2025, 8, 10, 17, 0), At(2025, 8, 11, 16, 0)}));
  EXPECT_EQ(p.sessions[2], (LocalSession{At(2025, 8, 17, 17, 0), At(2025, 8, 18, 16, 0)}));
  ASSERT_EQ(p.closed_days.size(), 1u);
  EXPECT_EQ(p.closed_days[0], Day(2025, 8, 16));
  EXPECT_EQ(p.first_day, Day(2025, 8, 10));
  EXPECT_EQ(p.last_day, Day(2025, 8, 17));  // the last session starts on the 17th
  EXPECT_TRUE(p.has_information());
}

TEST(ParseTradingHours, SeveralSessionsOnOneDay) {
  const ParsedHours p = MustParse("20250811:0930-20250811:1200;20250811:1300-20250811:1600");
  ASSERT_EQ(p.sessions.size(), 2u);
  EXPECT_EQ(p.sessions[1], (LocalSession{At(2025, 8, 11, 13, 0), At(2025, 8, 11, 16, 0)}));
}

TEST(ParseTradingHours, LegacySameDayRanges) {
  const ParsedHours p = MustParse("20090507:0700-1830,1830-2330;20090508:CLOSED");
  ASSERT_EQ(p.sessions.size(), 2u);
  EXPECT_EQ(p.sessions[0], (LocalSession{At(2009, 5, 7, 7, 0), At(2009, 5, 7, 18, 30)}));
  EXPECT_EQ(p.sessions[1], (LocalSession{At(2009, 5, 7, 18, 30), At(2009, 5, 7, 23, 30)}));
  EXPECT_EQ(p.closed_days, std::vector<LocalDays>{Day(2009, 5, 8)});
  EXPECT_EQ(p.first_day, Day(2009, 5, 7));
  EXPECT_EQ(p.last_day, Day(2009, 5, 8));
}

TEST(ParseTradingHours, LegacyOvernightRangeOpenedTheDayBefore) {
  // ESH3 as IB reported it on Monday 2013-01-14: the Globex session of the 14th opened on Sunday.
  const ParsedHours p = MustParse("20130114:1700-1515,1530-1615;20130115:1700-1515,1530-1615");
  ASSERT_EQ(p.sessions.size(), 4u);
  EXPECT_EQ(p.sessions[0], (LocalSession{At(2013, 1, 13, 17, 0), At(2013, 1, 14, 15, 15)}));
  EXPECT_EQ(p.sessions[1], (LocalSession{At(2013, 1, 14, 15, 30), At(2013, 1, 14, 16, 15)}));
  EXPECT_EQ(p.sessions[2], (LocalSession{At(2013, 1, 14, 17, 0), At(2013, 1, 15, 15, 15)}));
  EXPECT_EQ(p.first_day, Day(2013, 1, 13));
  EXPECT_EQ(p.last_day, Day(2013, 1, 15));
}

TEST(ParseTradingHours, LegacyLaterRangeWrappingClosesTheNextDay) {
  const ParsedHours p = MustParse("20250811:0930-1600,2200-0200,0300-0400");
  ASSERT_EQ(p.sessions.size(), 3u);
  EXPECT_EQ(p.sessions[1], (LocalSession{At(2025, 8, 11, 22, 0), At(2025, 8, 12, 2, 0)}));
  // The next range opens on the day its predecessor closed.
  EXPECT_EQ(p.sessions[2], (LocalSession{At(2025, 8, 12, 3, 0), At(2025, 8, 12, 4, 0)}));
}

TEST(ParseTradingHours, LegacyRangeWithCloseDate) {
  const ParsedHours p = MustParse("20250811:0930-1200,1700-20250812:1600");
  ASSERT_EQ(p.sessions.size(), 2u);
  EXPECT_EQ(p.sessions[1], (LocalSession{At(2025, 8, 11, 17, 0), At(2025, 8, 12, 16, 0)}));
}

TEST(ParseTradingHours, MidnightAs2400AndBlanks) {
  const ParsedHours p = MustParse(" 20250811:0000-2400 ; 20250812 : 0930 - 1600 ;; ");
  ASSERT_EQ(p.sessions.size(), 2u);
  EXPECT_EQ(p.sessions[0], (LocalSession{At(2025, 8, 11, 0, 0), At(2025, 8, 12, 0, 0)}));
  EXPECT_EQ(p.sessions[1], (LocalSession{At(2025, 8, 12, 9, 30), At(2025, 8, 12, 16, 0)}));
}

TEST(ParseTradingHours, ClosedInAnyCase) {
  const ParsedHours p = MustParse("20250816:closed");
  EXPECT_EQ(p.closed_days, std::vector<LocalDays>{Day(2025, 8, 16)});
  EXPECT_TRUE(p.sessions.empty());
  EXPECT_TRUE(p.has_information());
}

TEST(ParseTradingHours, EmptyAndNotAvailableMeanNoInformation) {
  for (const char* text : {"", "   ", "N/A", "n/a"}) {
    SCOPED_TRACE(text);
    const ParsedHours p = MustParse(text);
    EXPECT_FALSE(p.has_information());
  }
}

struct BadCase {
  const char* text;
  const char* expected;  // must appear in the error message
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.text; }

class ParseTradingHoursErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ParseTradingHoursErrors, NameTheBadPart) {
  const BadCase& c = GetParam();
  Result<ParsedHours> parsed = ParseTradingHours(c.text);
  ASSERT_FALSE(parsed.ok()) << c.text;
  EXPECT_EQ(parsed.status().code(), StatusCode::kParseError);
  EXPECT_NE(parsed.status().message().find(c.expected), std::string::npos)
      << "message: " << parsed.status().message() << "\nexpected to contain: " << c.expected;
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, ParseTradingHoursErrors,
    ::testing::Values(BadCase{"20250811:17x0-20250812:1600",
                              "entry 1 \"20250811:17x0-20250812:1600\": bad time \"17x0\""},
                      BadCase{"20250810:CLOSED;20250811:1700-20250812:16",
                              "entry 2 \"20250811:1700-20250812:16\": bad time \"16\""},
                      BadCase{"2025081:1700-20250812:1600",
                              "bad date \"2025081\" (expected YYYYMMDD)"},
                      BadCase{"20251332:CLOSED", "bad date \"20251332\""},
                      BadCase{"20250230:CLOSED", "bad date \"20250230\""},
                      BadCase{"18991231:CLOSED", "bad date \"18991231\""},
                      BadCase{"20250811:1700-2025081x:1600", "bad date \"2025081x\""},
                      BadCase{"20250811", "entry 1 \"20250811\": missing ':'"},
                      BadCase{"20250811:", "nothing after the date"},
                      BadCase{"20250811:1700", "time range \"1700\" has no '-'"},
                      BadCase{"20250811:1700-2500", "bad time \"2500\""},
                      BadCase{"20250811:2400-0100", "bad time \"2400\""},
                      BadCase{"20250811:0960-1000", "bad time \"0960\""},
                      BadCase{"20250811:0930-1600,", "empty time range"},
                      BadCase{"20250811:1700-20250810:1600",
                              "time range \"1700-20250810:1600\" does not close after it opens"},
                      BadCase{"20250811:1700-20250811:1700", "does not close after it opens"},
                      BadCase{"20250811:0930-1600;OPEN", "entry 2 \"OPEN\": missing ':'"},
                      BadCase{"20250811:OPEN", "time range \"OPEN\" has no '-'"},
                      BadCase{"20250801:0000-20250910:0000", "lasts more than 31 days"},
                      BadCase{"20250101:CLOSED;20270101:CLOSED", "spans 731 days"},
                      BadCase{";;", "no entries"}),
    [](const ::testing::TestParamInfo<BadCase>& param) {
      return "Case" + std::to_string(param.index);
    });

}  // namespace
}  // namespace ibstream::calendar::trading_hours_test
