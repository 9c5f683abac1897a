#include "sim/session_model.h"

#include <gtest/gtest.h>

#include "calendar/market_calendar.h"
#include "sim/catalog.h"

namespace ibstream::sim::session_model_test {

using calendar::ContractHours;
using calendar::LocalDays;
using calendar::MarketCalendar;
using calendar::MarketStatus;
using calendar::MarketStatusName;

namespace {

using date::days;

LocalDays Day(int y, unsigned m, unsigned d) {
  return LocalDays(date::year_month_day{date::year{y}, date::month{m}, date::day{d}});
}

TimePoint At(const char* iso) { return ParseIsoTime(iso).value(); }

SessionModel Model(SessionSpec spec) { return SessionModel::Create(std::move(spec)).value(); }

MarketCalendar CalendarOf(const SessionModel& model, LocalDays first, LocalDays last) {
  auto calendar = MarketCalendar::Create(model.HoursFor(first, last));
  EXPECT_TRUE(calendar.ok()) << calendar.status().ToString();
  return std::move(calendar).value();
}

// The strings match IB's (testdata/market/trading_hours_cases.json samples) byte for byte.
TEST(SessionModelTest, CmeRegularWeekMatchesIbSample) {
  const SessionModel mnq = Model(SessionModel::CmeEquityIndex());
  const ContractHours hours = mnq.HoursFor(Day(2025, 8, 10), Day(2025, 8, 17));
  EXPECT_EQ(hours.time_zone_id, "US/Central");
  EXPECT_EQ(hours.trading_hours,
            "20250810:1700-20250811:1600;20250811:1700-20250812:1600;20250812:1700-20250813:1600;"
            "20250813:1700-20250814:1600;20250814:1700-20250815:1600;20250816:CLOSED;"
            "20250817:1700-20250818:1600");
  // IB's sample starts its liquidHours on the Monday; ours describe the same first day (Sunday)
  // in both strings, so that Sunday is marked CLOSED.
  EXPECT_EQ(hours.liquid_hours,
            "20250810:CLOSED;20250811:0830-20250811:1600;20250812:0830-20250812:1600;20250813:0830-"
            "20250813:1600;"
            "20250814:0830-20250814:1600;20250815:0830-20250815:1600;20250816:CLOSED;"
            "20250817:CLOSED");
}

TEST(SessionModelTest, IdealProMatchesIbSample) {
  const ContractHours hours =
      Model(SessionModel::IdealProFx()).HoursFor(Day(2025, 8, 10), Day(2025, 8, 17));
  const std::string expected =
      "20250810:1715-20250811:1700;20250811:1715-20250812:1700;20250812:1715-20250813:1700;"
      "20250813:1715-20250814:1700;20250814:1715-20250815:1700;20250816:CLOSED;"
      "20250817:1715-20250818:1700";
  EXPECT_EQ(hours.trading_hours, expected);
  EXPECT_EQ(hours.liquid_hours, expected);
}

TEST(SessionModelTest, UsStockLaborDayMatchesIbSample) {
  const ContractHours hours =
      Model(SessionModel::UsStock()).HoursFor(Day(2025, 8, 29), Day(2025, 9, 2));
  EXPECT_EQ(hours.trading_hours,
            "20250829:0400-20250829:2000;20250830:CLOSED;20250831:CLOSED;20250901:CLOSED;"
            "20250902:0400-20250902:2000");
  EXPECT_EQ(hours.liquid_hours,
            "20250829:0930-20250829:1600;20250830:CLOSED;20250831:CLOSED;20250901:CLOSED;"
            "20250902:0930-20250902:1600");
}

TEST(SessionModelTest, CmeThanksgivingEarlyCloses) {
  const ContractHours hours =
      Model(SessionModel::CmeEquityIndex()).HoursFor(Day(2025, 11, 25), Day(2025, 11, 30));
  EXPECT_EQ(hours.trading_hours,
            "20251125:1700-20251126:1600;20251126:1700-20251127:1200;"
            "20251127:1700-20251128:1215;20251129:CLOSED;20251130:1700-20251201:1600");
  EXPECT_EQ(hours.liquid_hours,
            "20251125:0830-20251125:1600;20251126:0830-20251126:1600;20251127:CLOSED;"
            "20251128:0830-20251128:1215;20251129:CLOSED;20251130:CLOSED");
}

struct StatusCase {
  const char* name;
  SessionSpec (*spec)();
  const char* at;
  MarketStatus status;
};

class CatalogStatusTest : public ::testing::TestWithParam<StatusCase> {};

TEST_P(CatalogStatusTest, StringsParseWithTheCalendarAndGiveTheStatus) {
  const StatusCase& c = GetParam();
  const SessionModel model = Model(c.spec());
  const TimePoint t = At(c.at);
  const LocalDays today = model.zone().LocalDate(t);
  const MarketCalendar calendar = CalendarOf(model, today - days{10}, today + days{10});
  EXPECT_EQ(MarketStatusName(calendar.StatusAt(t)), MarketStatusName(c.status)) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    KnownInstants, CatalogStatusTest,
    ::testing::Values(
        StatusCase{"CME liquid", SessionModel::CmeEquityIndex, "2025-08-11T14:00:00Z",
                   MarketStatus::kOpen},
        StatusCase{"CME overnight", SessionModel::CmeEquityIndex, "2025-08-12T03:00:00Z",
                   MarketStatus::kExtended},
        StatusCase{"CME daily halt 16:30 CT", SessionModel::CmeEquityIndex, "2025-08-11T21:30:00Z",
                   MarketStatus::kBreak},
        StatusCase{"CME Saturday", SessionModel::CmeEquityIndex, "2025-08-16T15:00:00Z",
                   MarketStatus::kWeekend},
        StatusCase{"CME Good Friday 2026", SessionModel::CmeEquityIndex, "2026-04-03T15:00:00Z",
                   MarketStatus::kHoliday},
        // 12:00 -> 17:00 CT is longer than the 2 h break tolerance, on a CLOSED (liquid) weekday.
        StatusCase{"CME Labor Day after the 12:00 halt", SessionModel::CmeEquityIndex,
                   "2025-09-01T18:00:00Z", MarketStatus::kHoliday},
        StatusCase{"CME Labor Day morning", SessionModel::CmeEquityIndex, "2025-09-01T15:00:00Z",
                   MarketStatus::kExtended},
        // DST ends 2025-11-02: the Sunday open at 17:00 CST is 23:00Z, not 22:00Z.
        StatusCase{"CME DST Sunday before open", SessionModel::CmeEquityIndex,
                   "2025-11-02T22:30:00Z", MarketStatus::kWeekend},
        StatusCase{"CME DST Sunday after open", SessionModel::CmeEquityIndex,
                   "2025-11-02T23:00:00Z", MarketStatus::kExtended},
        StatusCase{"AAPL regular", SessionModel::UsStock, "2025-08-11T15:00:00Z",
                   MarketStatus::kOpen},
        StatusCase{"AAPL pre-market", SessionModel::UsStock, "2025-08-11T09:00:00Z",
                   MarketStatus::kExtended},
        StatusCase{"AAPL night", SessionModel::UsStock, "2025-08-12T02:00:00Z",
                   MarketStatus::kClosed},
        StatusCase{"AAPL Labor Day", SessionModel::UsStock, "2025-09-01T15:00:00Z",
                   MarketStatus::kHoliday},
        StatusCase{"AAPL Juneteenth 2026", SessionModel::UsStock, "2026-06-19T15:00:00Z",
                   MarketStatus::kHoliday},
        StatusCase{"EUR.USD daily pause", SessionModel::IdealProFx, "2025-08-11T21:05:00Z",
                   MarketStatus::kBreak},
        StatusCase{"EUR.USD Tuesday", SessionModel::IdealProFx, "2025-08-12T12:00:00Z",
                   MarketStatus::kOpen},
        StatusCase{"EUR.USD Saturday", SessionModel::IdealProFx, "2025-08-16T12:00:00Z",
                   MarketStatus::kWeekend},
        // MET in summer is UTC+2: 09:00-17:30 local liquid, 01:10-22:00 trading.
        StatusCase{"Eurex liquid", SessionModel::EurexIndex, "2025-08-11T08:00:00Z",
                   MarketStatus::kOpen},
        StatusCase{"Eurex early", SessionModel::EurexIndex, "2025-08-11T00:00:00Z",
                   MarketStatus::kExtended},
        StatusCase{"Eurex night", SessionModel::EurexIndex, "2025-08-11T21:00:00Z",
                   MarketStatus::kClosed},
        StatusCase{"Eurex Christmas Eve", SessionModel::EurexIndex, "2025-12-24T10:00:00Z",
                   MarketStatus::kHoliday}),
    [](const ::testing::TestParamInfo<StatusCase>& param_info) {
      std::string name = param_info.param.name;
      for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

TEST(HolidaysTest, EasterAndObservance) {
  EXPECT_EQ(EasterSunday(date::year{2025}), Day(2025, 4, 20));
  EXPECT_EQ(EasterSunday(date::year{2026}), Day(2026, 4, 5));
  EXPECT_EQ(ObservedUs(date::year_month_day{Day(2026, 7, 4)}), Day(2026, 7, 3));  // Saturday
  EXPECT_EQ(ObservedUs(date::year_month_day{Day(2027, 12, 25)}), Day(2027, 12, 24));
  EXPECT_EQ(ObservedUs(date::year_month_day{Day(2022, 12, 25)}), Day(2022, 12, 26));  // Sunday
  EXPECT_EQ(HolidayRule(HolidayRules::kNyse, Day(2025, 11, 28)).kind, DayKind::kEarlyClose);
  EXPECT_EQ(HolidayRule(HolidayRules::kCmeEquity, Day(2025, 12, 25)).kind, DayKind::kClosed);
  EXPECT_EQ(HolidayRule(HolidayRules::kNone, Day(2025, 12, 25)).kind, DayKind::kRegular);
}

TEST(CatalogTest, FrontMonthsFollowTheStartTime) {
  const auto months = QuarterlyMonths(Day(2025, 8, 11), 2);
  ASSERT_EQ(months.size(), 2u);
  EXPECT_EQ(months[0].yyyymm, 202509);
  EXPECT_EQ(months[0].last_trade_date, "20250919");
  EXPECT_EQ(months[0].local_symbol_suffix, "U5");
  EXPECT_EQ(months[1].yyyymm, 202512);
  // On expiry day the expiring month is still the front; the day after it is not.
  EXPECT_EQ(QuarterlyMonths(Day(2025, 9, 19), 1)[0].yyyymm, 202509);
  EXPECT_EQ(QuarterlyMonths(Day(2025, 9, 20), 1)[0].yyyymm, 202512);
}

TEST(CatalogTest, MatchesLikeIb) {
  const TimePoint now = At("2025-08-11T14:00:00Z");
  const Catalog catalog = Catalog::BuiltIn(now).value();
  protocol::Contract q;
  q.symbol = "MNQ";
  q.sec_type = "FUT";
  q.exchange = "CME";
  EXPECT_EQ(catalog.Match(q, now).size(), 2u);  // both listed months
  q.last_trade_date_or_contract_month = "202509";
  ASSERT_EQ(catalog.Match(q, now).size(), 1u);
  EXPECT_EQ(catalog.Match(q, now)[0]->details.contract.local_symbol, "MNQU5");
  q.last_trade_date_or_contract_month = "";
  q.sec_type = "CONTFUT";
  ASSERT_EQ(catalog.Match(q, now).size(), 1u);
  EXPECT_EQ(catalog.Match(q, now)[0]->con_id(), 711000000 + 202509);
  protocol::Contract by_id;
  by_id.con_id = 265598;
  ASSERT_EQ(catalog.Match(by_id, now).size(), 1u);
  EXPECT_EQ(catalog.Match(by_id, now)[0]->symbol(), "AAPL");
  protocol::Contract stock;
  stock.symbol = "aapl";
  stock.sec_type = "STK";
  stock.exchange = "SMART";
  stock.currency = "USD";
  EXPECT_EQ(catalog.Match(stock, now).size(), 1u);
  stock.exchange = "CME";
  EXPECT_TRUE(catalog.Match(stock, now).empty());
  const auto samples = catalog.MatchingSymbols("MNQ");
  ASSERT_FALSE(samples.empty());
  EXPECT_EQ(samples[0].symbol, "NQ");
  EXPECT_EQ(samples[0].sec_type, "IND");
}

}  // namespace
}  // namespace ibstream::sim::session_model_test
