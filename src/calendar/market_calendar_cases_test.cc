// Every case of testdata/market/trading_hours_cases.json.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "calendar/market_calendar.h"

namespace ibstream::calendar::market_calendar_cases_test {
namespace {

using nlohmann::json;

json LoadCases() {
  const std::string path = std::string(IBSTREAM_TESTDATA_DIR) + "/market/trading_hours_cases.json";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  return json::parse(in);
}

std::optional<TimePoint> ExpectedTime(const json& value) {
  if (value.is_null()) return std::nullopt;
  Result<TimePoint> t = ParseIsoTime(value.get<std::string>());
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.value_or(TimePoint{});
}

std::string Show(const std::optional<TimePoint>& t) { return t ? FormatIsoUtc(*t) : "null"; }

TEST(MarketCalendarCases, EveryCaseOfTheCasesFile) {
  const json cases = LoadCases();
  const auto tolerance = std::chrono::seconds(cases.at("break_tolerance_seconds").get<int64_t>());
  int samples = 0;
  int checked = 0;
  for (const json& sample : cases.at("samples")) {
    ++samples;
    SCOPED_TRACE(sample.at("name").get<std::string>());
    const ContractHours hours{sample.at("timeZoneId").get<std::string>(),
                              sample.at("tradingHours").get<std::string>(),
                              sample.value("liquidHours", std::string())};
    CalendarSettings settings;
    settings.break_tolerance = tolerance;
    Result<MarketCalendar> calendar = MarketCalendar::Create(hours, settings);
    ASSERT_TRUE(calendar.ok()) << calendar.status().ToString();
    for (const json& c : sample.at("cases")) {
      const std::string at_text = c.at("at").get<std::string>();
      SCOPED_TRACE(at_text);
      Result<TimePoint> at = ParseIsoTime(at_text);
      ASSERT_TRUE(at.ok()) << at.status().ToString();
      const MarketState state = calendar->StateAt(*at);
      EXPECT_EQ(MarketStatusName(state.status), c.at("status").get<std::string>());
      EXPECT_EQ(Show(state.next_open), Show(ExpectedTime(c.at("next_open"))));
      EXPECT_EQ(Show(state.next_close), Show(ExpectedTime(c.at("next_close"))));
      ++checked;
    }
  }
  // The file holds 8 samples with 49 cases; a case that is skipped must fail the test.
  EXPECT_EQ(samples, 8);
  EXPECT_EQ(checked, 49);
}

TEST(MarketCalendarCases, EveryAliasOfTheCasesFileResolvesToItsIanaZone) {
  const json cases = LoadCases();
  int checked = 0;
  for (const auto& [ib_id, iana] : cases.at("ib_time_zone_ids").items()) {
    SCOPED_TRACE(ib_id);
    Result<TimeZone> zone = TimeZone::Resolve(ib_id);
    ASSERT_TRUE(zone.ok()) << zone.status().ToString();
    EXPECT_EQ(zone->id(), ib_id);
    EXPECT_EQ(zone->iana_name(), iana.get<std::string>());
    ++checked;
  }
  EXPECT_EQ(checked, 18);
}

}  // namespace
}  // namespace ibstream::calendar::market_calendar_cases_test
