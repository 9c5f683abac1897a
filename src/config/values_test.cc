#include "config/values.h"

#include <gtest/gtest.h>

namespace ibstream::config::values_test {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(SplitListTest, TrimsAndKeepsEmptyItems) {
  EXPECT_EQ(SplitList(" a , b,c ", ","), (std::vector<std::string_view>{"a", "b", "c"}));
  EXPECT_EQ(SplitList("a,,b", ","), (std::vector<std::string_view>{"a", "", "b"}));
  EXPECT_EQ(SplitList("a;b,c", ";,"), (std::vector<std::string_view>{"a", "b", "c"}));
  EXPECT_TRUE(SplitList("   ", ",").empty());
  EXPECT_EQ(SplitList("a,", ","), (std::vector<std::string_view>{"a", ""}));
}

TEST(DurationTest, ParsesEveryForm) {
  struct Case {
    std::string_view text;
    Duration expected;
  };
  const Case cases[] = {
      {"300", seconds(300)},
      {"0", Duration::zero()},
      {"90s", seconds(90)},
      {"5m", minutes(5)},
      {"2h", hours(2)},
      {"1d", hours(24)},
      {"250ms", milliseconds(250)},
      {"1h30m", minutes(90)},
      {" 7s ", seconds(7)},
      {"1d2h3m4s5ms", hours(26) + minutes(3) + seconds(4) + milliseconds(5)},
  };
  for (const Case& c : cases) {
    Result<Duration> parsed = ParseDuration(c.text);
    ASSERT_TRUE(parsed.ok()) << c.text << ": " << parsed.status().ToString();
    EXPECT_EQ(*parsed, c.expected) << c.text;
  }
}

TEST(DurationTest, RejectsMalformedText) {
  for (std::string_view text : {"", "s", "-5", "5x", "1.5h", "5 m", "1m1h", "1s1s", "h5",
                                "99999999999999999999", "200000000000000000s"}) {
    EXPECT_FALSE(ParseDuration(text).ok()) << "'" << text << "'";
  }
  EXPECT_EQ(ParseDuration("5x").status().message(), "unknown unit 'x' (use ms, s, m, h, d)");
}

TEST(DurationTest, FormatsTheShortestExactForm) {
  EXPECT_EQ(FormatDuration(Duration::zero()), "0s");
  EXPECT_EQ(FormatDuration(seconds(300)), "5m");
  EXPECT_EQ(FormatDuration(seconds(90)), "1m30s");
  EXPECT_EQ(FormatDuration(hours(2)), "2h");
  EXPECT_EQ(FormatDuration(hours(48)), "2d");
  EXPECT_EQ(FormatDuration(milliseconds(1250)), "1s250ms");
  EXPECT_EQ(FormatDuration(Duration(1500)), "1500ns");
  for (Duration d : {Duration(seconds(1)), Duration(minutes(61)), Duration(hours(25)),
                     Duration(milliseconds(3))}) {
    EXPECT_EQ(*ParseDuration(FormatDuration(d)), d);
  }
}

TEST(ByteSizeTest, ParsesAndFormats) {
  EXPECT_EQ(*ParseByteSize("1024"), 1024u);
  EXPECT_EQ(*ParseByteSize("500MB"), 500'000'000u);
  EXPECT_EQ(*ParseByteSize("5GiB"), uint64_t{5} << 30);
  EXPECT_EQ(*ParseByteSize("2 KiB"), 2048u);
  EXPECT_EQ(*ParseByteSize("1TB"), 1'000'000'000'000u);
  EXPECT_FALSE(ParseByteSize("5gb").ok());
  EXPECT_FALSE(ParseByteSize("GiB").ok());
  EXPECT_FALSE(ParseByteSize("99999999999TiB").ok());
  EXPECT_EQ(FormatByteSize(uint64_t{1} << 30), "1GiB");
  EXPECT_EQ(FormatByteSize(1536), "1536B");
  EXPECT_EQ(FormatByteSize(3072), "3KiB");
  EXPECT_EQ(FormatByteSize(0), "0B");
}

TEST(BoolTest, AcceptsCommonSpellings) {
  for (std::string_view yes : {"true", "TRUE", "1", "yes", "On"}) EXPECT_TRUE(*ParseBool(yes));
  for (std::string_view no : {"false", "False", "0", "no", "OFF"}) EXPECT_FALSE(*ParseBool(no));
  for (std::string_view bad : {"", "2", "y", "truee"}) EXPECT_FALSE(ParseBool(bad).ok()) << bad;
}

TEST(HostPortTest, ParsesHostsAndBrackets) {
  EXPECT_EQ(*ParseHostPort("127.0.0.1:8851"), (HostPort{"127.0.0.1", 8851}));
  EXPECT_EQ(*ParseHostPort("[::1]:80"), (HostPort{"::1", 80}));
  EXPECT_EQ(*ParseHostPort("localhost:0"), (HostPort{"localhost", 0}));
  EXPECT_EQ(ToString(HostPort{"::1", 80}), "[::1]:80");
  EXPECT_EQ(ToString(HostPort{"0.0.0.0", 8851}), "0.0.0.0:8851");
  for (std::string_view bad :
       {"localhost", ":80", "host:", "host:65536", "host:x", "::1:80", "[::1]80", "a b:1"}) {
    EXPECT_FALSE(ParseHostPort(bad).ok()) << bad;
  }
}

TEST(WeeklyHoursTest, ParsesCmeAndEquityHours) {
  Result<std::vector<WeeklySession>> cme = ParseWeeklyHours("Sun-Thu 17:00-16:00");
  ASSERT_TRUE(cme.ok()) << cme.status().ToString();
  ASSERT_EQ(cme->size(), 5u);
  EXPECT_EQ((*cme)[0], (WeeklySession{0, 17 * 60, 23 * 60}));
  EXPECT_EQ((*cme)[4], (WeeklySession{4, 17 * 60, 23 * 60}));
  EXPECT_EQ(FormatWeeklyHours(*cme), "Sun-Thu 17:00-16:00");

  Result<std::vector<WeeklySession>> stocks =
      ParseWeeklyHours("mon-fri 09:30-16:00; Sat 10:00-12:00");
  ASSERT_TRUE(stocks.ok()) << stocks.status().ToString();
  EXPECT_EQ(stocks->size(), 6u);
  EXPECT_EQ(FormatWeeklyHours(*stocks), "Mon-Fri 09:30-16:00; Sat 10:00-12:00");

  Result<std::vector<WeeklySession>> split = ParseWeeklyHours("Mon 09:00-12:00,13:00-17:00");
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(FormatWeeklyHours(*split), "Mon 09:00-12:00; Mon 13:00-17:00");

  Result<std::vector<WeeklySession>> whole_day = ParseWeeklyHours("Fri-Mon 00:00-24:00");
  ASSERT_TRUE(whole_day.ok()) << whole_day.status().ToString();
  EXPECT_EQ(whole_day->size(), 4u);
  EXPECT_EQ((*whole_day)[0], (WeeklySession{0, 0, 24 * 60}));
}

TEST(WeeklyHoursTest, RejectsBadText) {
  for (std::string_view bad :
       {"", "Mon", "Mon 9:30-16:00", "Funday 09:00-10:00", "Mon 09:00", "Mon 10:00-10:00",
        "Mon 24:00-01:00", "Mon 09:60-10:00", "Mon 25:00-26:00",
        "Mon-Tue 09:00-12:00; Tue 11:00-13:00", "Sun-Sat 12:00-13:00; Sat 23:00-12:30"}) {
    EXPECT_FALSE(ParseWeeklyHours(bad).ok()) << "'" << bad << "'";
  }
}

TEST(UrlTest, ChecksSchemeAndHost) {
  EXPECT_TRUE(ValidateUrl("http://127.0.0.1:9093/hook", {"http", "https"}).ok());
  EXPECT_TRUE(ValidateUrl("HTTPS://example.com", {"http", "https"}).ok());
  EXPECT_FALSE(ValidateUrl("ftp://example.com", {"http", "https"}).ok());
  EXPECT_FALSE(ValidateUrl("example.com/hook", {"http"}).ok());
  EXPECT_FALSE(ValidateUrl("http:///path", {"http"}).ok());
  EXPECT_FALSE(ValidateUrl("http://user@/path", {"http"}).ok());
  EXPECT_FALSE(ValidateUrl("http://a b", {"http"}).ok());
  EXPECT_EQ(ValidateUrl("ftp://x", {"http", "https"}).message(),
            "scheme 'ftp' is not one of http://, https://");
}

TEST(UrlTest, MasksPasswords) {
  EXPECT_EQ(MaskUrlCredentials("smtp://user:secret@mail.example.com:25"),
            "smtp://user:***@mail.example.com:25");
  EXPECT_EQ(MaskUrlCredentials("https://example.com/a@b"), "https://example.com/a@b");
  EXPECT_EQ(MaskUrlCredentials("https://user@example.com/"), "https://user@example.com/");
}

TEST(EmailTest, AcceptsPlainAddressesOnly) {
  EXPECT_TRUE(ValidateEmailAddress("ops@example.com").ok());
  for (std::string_view bad : {"", "ops", "@example.com", "ops@", "a@b@c", "Ops <ops@example.com>",
                               "a b@c", "a@b\r\nBcc: x@y"}) {
    EXPECT_FALSE(ValidateEmailAddress(bad).ok()) << bad;
  }
}

TEST(TimeZoneTest, KnowsTheDatabase) {
  EXPECT_TRUE(ValidateTimeZone("America/Chicago").ok());
  EXPECT_TRUE(ValidateTimeZone("US/Central").ok());
  EXPECT_FALSE(ValidateTimeZone("Mars/Olympus").ok());
  EXPECT_FALSE(ValidateTimeZone("").ok());
}

TEST(ClosestMatchTest, SuggestsOnlyNearbyWords) {
  std::vector<std::string> keys = {"gateway.host", "gateway.ports", "storage.path"};
  EXPECT_EQ(ClosestMatch("gateway.hots", keys, 2), "gateway.host");
  EXPECT_EQ(ClosestMatch("gatway.port", keys, 2), "gateway.ports");
  EXPECT_EQ(ClosestMatch("gateway.hots", keys, 1), "");
  EXPECT_EQ(ClosestMatch("logging.level", keys, 2), "");
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
}

}  // namespace
}  // namespace ibstream::config::values_test
