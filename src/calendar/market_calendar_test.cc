#include "calendar/market_calendar.h"

#include <gtest/gtest.h>

#include <string>

namespace ibstream::calendar::market_calendar_test {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

TimePoint Utc(std::string_view iso) {
  Result<TimePoint> t = ParseIsoTime(iso);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.value_or(TimePoint{});
}

MarketCalendar MustCreate(const ContractHours& contract, const CalendarSettings& settings = {}) {
  Result<MarketCalendar> calendar = MarketCalendar::Create(contract, settings);
  EXPECT_TRUE(calendar.ok()) << calendar.status().ToString();
  return calendar.ok() ? std::move(calendar).value() : MarketCalendar();
}

std::string Show(const std::optional<TimePoint>& t) { return t ? FormatIsoUtc(*t) : "null"; }

// MNQ, one week (CME Globex, daily 16:00-17:00 CT halt).
const ContractHours kMnqWeek{
    "US/Central",
    "20250810:1700-20250811:1600;20250811:1700-20250812:1600;20250812:1700-20250813:1600;"
    "20250813:1700-20250814:1600;20250814:1700-20250815:1600;20250816:CLOSED;"
    "20250817:1700-20250818:1600",
    "20250811:0830-20250811:1600;20250812:0830-20250812:1600;20250813:0830-20250813:1600;"
    "20250814:0830-20250814:1600;20250815:0830-20250815:1600;20250816:CLOSED;20250817:CLOSED"};

TEST(MarketCalendar, DefaultCalendarKnowsNothing) {
  const MarketCalendar calendar;
  EXPECT_FALSE(calendar.has_information());
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-11T14:00:00Z")), MarketStatus::kUnknown);
  EXPECT_EQ(calendar.ActivityAt(Utc("2025-08-11T14:00:00Z")), ExpectedActivity::kUnknown);
  EXPECT_EQ(calendar.coverage_end(), std::nullopt);
}

TEST(MarketCalendar, NotAvailableOrEmptyHoursMeanNoInformation) {
  for (const ContractHours& contract :
       {ContractHours{"N/A", "N/A", "N/A"}, ContractHours{"", "", ""},
        ContractHours{"US/Central", "", "N/A"}}) {
    const MarketCalendar calendar = MustCreate(contract);
    EXPECT_FALSE(calendar.has_information());
    const MarketState state = calendar.StateAt(Utc("2025-08-11T14:00:00Z"));
    EXPECT_EQ(state.status, MarketStatus::kUnknown);
    EXPECT_EQ(state.next_open, std::nullopt);
    EXPECT_EQ(state.next_close, std::nullopt);
  }
}

TEST(MarketCalendar, ErrorsNameTheField) {
  struct Case {
    ContractHours hours;
    CalendarSettings settings;
    const char* expected;
  };
  CalendarSettings bad_override;
  bad_override.timezone_override = "Moon/Tranquility";
  CalendarSettings bad_custom;
  bad_custom.custom_trading_hours = "20250811:0930-16OO";
  CalendarSettings negative;
  negative.break_tolerance = -minutes(1);
  const Case cases[] = {
      {{"Foo/Bar", kMnqWeek.trading_hours, ""}, {}, "timeZoneId: unknown time zone id 'Foo/Bar'"},
      {{"Foo/Bar", "N/A", "N/A"}, {}, "timeZoneId: unknown time zone id 'Foo/Bar'"},
      {{"N/A", kMnqWeek.trading_hours, ""}, {}, "timeZoneId: missing"},
      {kMnqWeek, bad_override, "timezone_override: unknown time zone id 'Moon/Tranquility'"},
      {{"US/Central", "20250811:0930-1600;20250812:0930-16OO", ""},
       {},
       "tradingHours: entry 2 \"20250812:0930-16OO\": bad time \"16OO\""},
      {{"US/Central", "20250811:0930-1600", "20250811:0930+1600"},
       {},
       "liquidHours: entry 1 \"20250811:0930+1600\": time range \"0930+1600\" has no '-'"},
      {kMnqWeek, bad_custom, "custom_trading_hours: entry 1"},
      {kMnqWeek, negative, "market_break_tolerance must not be negative"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expected);
    Result<MarketCalendar> calendar = MarketCalendar::Create(c.hours, c.settings);
    ASSERT_FALSE(calendar.ok());
    EXPECT_NE(calendar.status().message().find(c.expected), std::string::npos)
        << calendar.status().message();
  }
}

TEST(MarketCalendar, StatusAndActivityThroughAWeek) {
  const MarketCalendar calendar = MustCreate(kMnqWeek);
  struct Probe {
    const char* at;
    MarketStatus status;
    ExpectedActivity activity;
  };
  const Probe probes[] = {
      {"2025-08-11T14:00:00Z", MarketStatus::kOpen, ExpectedActivity::kHigh},
      {"2025-08-11T12:00:00Z", MarketStatus::kExtended, ExpectedActivity::kLow},
      {"2025-08-11T21:30:00Z", MarketStatus::kBreak, ExpectedActivity::kNone},
      {"2025-08-16T12:00:00Z", MarketStatus::kWeekend, ExpectedActivity::kNone},
      {"2025-08-09T12:00:00Z", MarketStatus::kUnknown, ExpectedActivity::kUnknown},
      {"2025-08-19T12:00:00Z", MarketStatus::kUnknown, ExpectedActivity::kUnknown},
  };
  for (const Probe& p : probes) {
    SCOPED_TRACE(p.at);
    EXPECT_EQ(calendar.StatusAt(Utc(p.at)), p.status);
    EXPECT_EQ(calendar.ActivityAt(Utc(p.at)), p.activity);
  }
}

TEST(MarketCalendar, BreakToleranceIsPerContract) {
  CalendarSettings strict;
  strict.break_tolerance = minutes(30);
  const MarketCalendar calendar = MustCreate(kMnqWeek, strict);
  // The one-hour halt is longer than 30 minutes: an overnight close, not a break.
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-11T21:30:00Z")), MarketStatus::kClosed);
  CalendarSettings exact;
  exact.break_tolerance = hours(1);
  EXPECT_EQ(MustCreate(kMnqWeek, exact).StatusAt(Utc("2025-08-11T21:30:00Z")),
            MarketStatus::kBreak);
  EXPECT_EQ(MustCreate(kMnqWeek).settings().break_tolerance, hours(2));
}

TEST(MarketCalendar, CoverageEndsWithTheLastSession) {
  const MarketCalendar calendar = MustCreate(kMnqWeek);
  EXPECT_EQ(Show(calendar.coverage_start()), "2025-08-10T05:00:00Z");  // Sun 00:00 CDT
  EXPECT_EQ(Show(calendar.coverage_end()), "2025-08-18T21:00:00Z");    // Mon 16:00 CDT
  EXPECT_EQ(calendar.StatusAt(*calendar.coverage_end() - Duration(1)), MarketStatus::kExtended);
  EXPECT_EQ(calendar.StatusAt(*calendar.coverage_end()), MarketStatus::kUnknown);
  EXPECT_EQ(calendar.StateAt(*calendar.coverage_end()).next_open, std::nullopt);
}

TEST(MarketCalendar, LiquidHoursAloneServeAsTradingHours) {
  const MarketCalendar calendar =
      MustCreate({"US/Eastern", "N/A", "20250811:0930-20250811:1600;20250812:0930-20250812:1600"});
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-11T14:00:00Z")), MarketStatus::kOpen);
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-12T02:00:00Z")), MarketStatus::kClosed);
}

TEST(MarketCalendar, TouchingAndOverlappingSessionsMerge) {
  const MarketCalendar calendar = MustCreate(
      {"US/Eastern",
       "20250811:0400-20250811:0930;20250811:0930-20250811:1200;20250811:1100-20250811:2000", ""});
  ASSERT_EQ(calendar.trading_sessions().size(), 1u);
  const MarketState state = calendar.StateAt(Utc("2025-08-11T13:30:00Z"));
  EXPECT_EQ(state.status, MarketStatus::kOpen);
  EXPECT_EQ(Show(state.next_close), "2025-08-12T00:00:00Z");
}

TEST(MarketCalendar, SessionAcrossSeveralDays) {
  const MarketCalendar calendar =
      MustCreate({"UTC", "20250810:2200-20250813:2100;20250813:2200-20250815:2100", ""});
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-12T00:00:00Z")), MarketStatus::kOpen);
  EXPECT_EQ(Show(calendar.StateAt(Utc("2025-08-12T00:00:00Z")).next_close), "2025-08-13T21:00:00Z");
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-13T21:30:00Z")), MarketStatus::kBreak);
}

TEST(MarketCalendar, SessionsInsideDaylightSavingGapAndOverlap) {
  // US/Central 2025-03-09 02:00 -> 03:00: a session ending at "0230" ends at the change (08:00Z)
  // and touches the one opening at 03:00 CDT.
  const MarketCalendar spring =
      MustCreate({"US/Central", "20250308:1700-20250309:0230;20250309:0300-20250309:1600", ""});
  ASSERT_EQ(spring.trading_sessions().size(), 1u);
  EXPECT_EQ(spring.trading_sessions()[0].start, Utc("2025-03-08T23:00:00Z"));
  EXPECT_EQ(spring.trading_sessions()[0].end, Utc("2025-03-09T21:00:00Z"));
  const MarketCalendar opens_in_gap = MustCreate({"US/Central", "20250309:0230-20250309:1600", ""});
  EXPECT_EQ(opens_in_gap.trading_sessions()[0].start, Utc("2025-03-09T08:00:00Z"));
  // A session entirely inside the gap has no length and is dropped.
  const MarketCalendar empty = MustCreate({"US/Central", "20250309:0200-20250309:0300", ""});
  EXPECT_TRUE(empty.trading_sessions().empty());
  // 2025-11-02 01:30 happens twice: the session ends at the first one (06:30Z).
  const MarketCalendar fall = MustCreate({"US/Central", "20251101:1700-20251102:0130", ""});
  ASSERT_EQ(fall.trading_sessions().size(), 1u);
  EXPECT_EQ(fall.trading_sessions()[0].end, Utc("2025-11-02T06:30:00Z"));
}

TEST(MarketCalendar, TimezoneOverrideReadsTheHoursInAnotherZone) {
  CalendarSettings settings;
  settings.timezone_override = "Europe/London";
  const MarketCalendar calendar = MustCreate(
      {"US/Eastern", "20250811:0800-20250811:1630;20250812:0800-20250812:1630", ""}, settings);
  EXPECT_EQ(calendar.time_zone()->iana_name(), "Europe/London");
  EXPECT_EQ(calendar.trading_sessions()[0].start, Utc("2025-08-11T07:00:00Z"));
}

TEST(MarketCalendar, CustomTradingHoursReplaceIbs) {
  CalendarSettings settings;
  settings.custom_trading_hours = "20250811:0930-20250811:1600;20250812:0930-20250812:1600";
  const MarketCalendar calendar = MustCreate(kMnqWeek, settings);
  ASSERT_EQ(calendar.trading_sessions().size(), 2u);
  // IB's liquid hours (08:30-16:00 CDT) still apply inside the custom sessions.
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-11T15:00:00Z")), MarketStatus::kOpen);
  // 09:00 CDT was IB's extended session; now it is before the first custom session.
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-11T14:00:00Z")), MarketStatus::kUnknown);
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-11T22:30:00Z")), MarketStatus::kClosed);
  settings.custom_liquid_hours = "20250811:1000-20250811:1500";
  const MarketCalendar with_liquid = MustCreate(kMnqWeek, settings);
  EXPECT_EQ(with_liquid.StatusAt(Utc("2025-08-11T14:45:00Z")), MarketStatus::kExtended);
  EXPECT_EQ(with_liquid.StatusAt(Utc("2025-08-11T15:00:00Z")), MarketStatus::kOpen);
}

TEST(MarketCalendar, RefreshExtendsCoverageAndReplacesDescribedDates) {
  MarketCalendar calendar =
      MustCreate({"US/Central", "20250810:1700-20250811:1600;20250811:1700-20250812:1600",
                  "20250811:0830-20250811:1600;20250812:0830-20250812:1600"});
  EXPECT_EQ(Show(calendar.coverage_end()), "2025-08-12T21:00:00Z");
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-13T14:00:00Z")), MarketStatus::kUnknown);
  EXPECT_EQ(calendar.StateAt(Utc("2025-08-12T14:00:00Z")).next_open, std::nullopt);

  // Newer details describe the 11th to the 14th; the 11th's session now closes early at 12:00.
  ASSERT_TRUE(calendar
                  .Update({"US/Central",
                           "20250811:1700-20250812:1200;20250812:1700-20250813:1600;"
                           "20250813:1700-20250814:1600",
                           "20250812:0830-20250812:1200;20250813:0830-20250813:1600;"
                           "20250814:0830-20250814:1600"})
                  .ok());
  EXPECT_EQ(Show(calendar.coverage_end()), "2025-08-14T21:00:00Z");
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-13T14:00:00Z")), MarketStatus::kOpen);
  EXPECT_EQ(Show(calendar.StateAt(Utc("2025-08-12T14:00:00Z")).next_open), "2025-08-12T22:00:00Z");
  // The session of the 10th (not described by the newer strings) is kept.
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-11T14:00:00Z")), MarketStatus::kOpen);
  // The replaced session closes at 12:00 CDT instead of 16:00.
  EXPECT_EQ(Show(calendar.StateAt(Utc("2025-08-12T14:00:00Z")).next_close), "2025-08-12T17:00:00Z");
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-12T18:00:00Z")), MarketStatus::kClosed);
  ASSERT_EQ(calendar.coverage().size(), 1u);
}

TEST(MarketCalendar, RefreshThatLeavesAHoleIsUnknownInTheHole) {
  MarketCalendar calendar =
      MustCreate({"US/Eastern", "20250811:0930-20250811:1600;20250812:0930-20250812:1600", ""});
  ASSERT_TRUE(
      calendar.Update({"US/Eastern", "20250818:0930-20250818:1600;20250819:0930-20250819:1600", ""})
          .ok());
  ASSERT_EQ(calendar.coverage().size(), 2u);
  // Wednesday 13th to Sunday 17th are not described.
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-14T14:00:00Z")), MarketStatus::kUnknown);
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-16T14:00:00Z")), MarketStatus::kUnknown);
  // Within the first stretch the next open is unknown: something may open in the hole.
  EXPECT_EQ(calendar.StateAt(Utc("2025-08-12T14:00:00Z")).next_open, std::nullopt);
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-18T14:00:00Z")), MarketStatus::kOpen);
  EXPECT_EQ(Show(calendar.StateAt(Utc("2025-08-18T14:00:00Z")).next_open), "2025-08-19T13:30:00Z");
}

TEST(MarketCalendar, FailedRefreshLeavesTheCalendarUnchanged) {
  MarketCalendar calendar = MustCreate(kMnqWeek);
  const auto before = calendar.transitions().size();
  const Status status = calendar.Update({"US/Central", "20250818:1700-20250819:16", ""});
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("tradingHours"), std::string::npos);
  EXPECT_EQ(calendar.transitions().size(), before);
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-11T14:00:00Z")), MarketStatus::kOpen);
  EXPECT_FALSE(calendar.Update({"Nowhere/Land", kMnqWeek.trading_hours, ""}).ok());
  EXPECT_EQ(calendar.time_zone()->iana_name(), "America/Chicago");
}

TEST(MarketCalendar, RefreshWithoutInformationKeepsWhatIsKnown) {
  MarketCalendar calendar = MustCreate(kMnqWeek);
  ASSERT_TRUE(calendar.Update({"US/Central", "N/A", "N/A"}).ok());
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-11T14:00:00Z")), MarketStatus::kOpen);
}

TEST(MarketCalendar, RefreshInAnotherZoneStartsOver) {
  MarketCalendar calendar = MustCreate(kMnqWeek);
  ASSERT_TRUE(calendar.Update({"Europe/Berlin", "20250901:0900-20250901:1730", ""}).ok());
  EXPECT_EQ(calendar.StatusAt(Utc("2025-08-11T14:00:00Z")), MarketStatus::kUnknown);
  EXPECT_EQ(calendar.StatusAt(Utc("2025-09-01T10:00:00Z")), MarketStatus::kOpen);
  // An alias of the same zone is the same zone.
  MarketCalendar same = MustCreate(kMnqWeek);
  ASSERT_TRUE(same.Update({"America/Chicago", "20250825:0830-20250825:1600", ""}).ok());
  EXPECT_EQ(same.StatusAt(Utc("2025-08-11T14:00:00Z")), MarketStatus::kOpen);
}

TEST(MarketCalendar, ScheduleSplitsSessionsIntoLiquidAndExtendedParts) {
  const MarketCalendar calendar = MustCreate(kMnqWeek);
  const std::vector<ScheduledSession> sessions =
      calendar.SessionsBetween(Utc("2025-08-11T12:00:00Z"), Utc("2025-08-12T12:00:00Z"));
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_EQ(sessions[0].start, Utc("2025-08-10T22:00:00Z"));  // whole, not clipped
  EXPECT_EQ(sessions[0].end, Utc("2025-08-11T21:00:00Z"));
  const std::vector<SessionPart> expected = {
      {Utc("2025-08-10T22:00:00Z"), Utc("2025-08-11T13:30:00Z"), false},
      {Utc("2025-08-11T13:30:00Z"), Utc("2025-08-11T21:00:00Z"), true}};
  EXPECT_EQ(sessions[0].parts, expected);
  EXPECT_EQ(sessions[1].start, Utc("2025-08-11T22:00:00Z"));
  ASSERT_EQ(sessions[1].parts.size(), 2u);
  // Sunday's session has no liquid part.
  const auto sunday =
      calendar.SessionsBetween(Utc("2025-08-17T00:00:00Z"), Utc("2025-08-19T00:00:00Z"));
  ASSERT_EQ(sunday.size(), 1u);
  ASSERT_EQ(sunday[0].parts.size(), 1u);
  EXPECT_FALSE(sunday[0].parts[0].liquid);
  EXPECT_TRUE(
      calendar.SessionsBetween(Utc("2025-08-20T00:00:00Z"), Utc("2025-08-21T00:00:00Z")).empty());
}

TEST(MarketCalendar, HolidaysAreClosedWeekdays) {
  const MarketCalendar calendar =
      MustCreate({"US/Eastern",
                  "20250829:0400-20250829:2000;20250830:CLOSED;20250831:CLOSED;20250901:CLOSED;"
                  "20250902:0400-20250902:2000",
                  ""});
  const std::vector<LocalDays> holidays = calendar.HolidaysBetween(
      LocalDays{date::year{2025} / 8 / 25}, LocalDays{date::year{2025} / 9 / 7});
  EXPECT_EQ(holidays, std::vector<LocalDays>{LocalDays{date::year{2025} / 9 / 1}});
}

TEST(MarketCalendar, TransitionsAreSortedAndDistinct) {
  const MarketCalendar calendar = MustCreate(kMnqWeek);
  const auto& transitions = calendar.transitions();
  ASSERT_GT(transitions.size(), 15u);
  EXPECT_EQ(transitions.front().at, TimePoint::min());
  for (size_t i = 1; i < transitions.size(); ++i) {
    EXPECT_LT(transitions[i - 1].at, transitions[i].at);
    EXPECT_FALSE(transitions[i - 1].state == transitions[i].state);
    EXPECT_EQ(calendar.StateAt(transitions[i].at), transitions[i].state);
    EXPECT_EQ(calendar.StateAt(transitions[i].at - Duration(1)), transitions[i - 1].state);
  }
}

}  // namespace
}  // namespace ibstream::calendar::market_calendar_test
