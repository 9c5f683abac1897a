#include "formats/tick_csv.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "formats/test_ticks.h"

namespace ibstream::formats::tick_csv_test {
namespace {

std::string Row(const Tick& tick) {
  std::string out;
  AppendCsvRow(tick, out);
  return out;
}

TEST(TickCsvTest, Header) {
  std::string out;
  AppendCsvHeader(out);
  EXPECT_EQ(out,
            "contract_id,tick_type,source,exchange_time,exchange_time_ns,receive_time_ns,sequence,"
            "price,size,bid_price,bid_size,ask_price,ask_size,exchange,special_conditions,"
            "past_limit,unreported,bid_past_low,ask_past_high,volume\r\n");
}

TEST(TickCsvTest, GoldenRowsOfEveryType) {
  Tick quote = testing::VerbatimBidAsk();
  quote.sequence = 7;
  quote.attributes = kAttrBidPastLow;
  EXPECT_EQ(Row(quote),
            "711280073,bid_ask,live,2025-08-01T01:04:51.904089Z,1754010291904089000,"
            "1754010291904096000,7,,,23260.0,4,23260.5,2,,,,,true,false,\r\n");

  Tick trade = testing::VerbatimLast();
  trade.type = TickType::kAllLast;
  trade.source = TickSource::kBackfill;
  trade.size = *Decimal::Parse("0.0001");
  trade.exchange = "ARCA";
  trade.special_conditions = "I";
  trade.attributes = kAttrUnreported;
  EXPECT_EQ(Row(trade),
            "711280073,all_last,backfill,2025-08-01T01:04:51.911017Z,1754010291911017000,"
            "1754010291911022000,0,23261.0,0.0001,,,,,ARCA,I,false,true,,,\r\n");

  Tick mid;
  mid.contract_id = 9;
  mid.type = TickType::kMidPoint;
  mid.price = 1e-05;
  EXPECT_EQ(Row(mid), "9,mid_point,live,1970-01-01T00:00:00Z,0,0,0,1e-05,,,,,,,,,,,,\r\n");
}

TEST(TickCsvTest, GoldenRowsOfTheFallbackKinds) {
  Tick quote = testing::VerbatimBidAsk();
  quote.type = TickType::kQuote;
  quote.sequence = 3;
  EXPECT_EQ(Row(quote),
            "711280073,quote,live,2025-08-01T01:04:51.904089Z,1754010291904089000,"
            "1754010291904096000,3,,,23260.0,4,23260.5,2,,,,,,,\r\n");

  Tick trade = testing::VerbatimLast();
  trade.type = TickType::kTrade;
  trade.volume = *Decimal::Parse("123456");
  EXPECT_EQ(Row(trade),
            "711280073,trade,live,2025-08-01T01:04:51.911017Z,1754010291911017000,"
            "1754010291911022000,0,23261.0,10,,,,,,,,,,,123456\r\n");
}

TEST(TickCsvTest, Rfc4180Quoting) {
  const struct {
    std::string_view field;
    std::string_view expected;
  } cases[] = {
      {"", ""},
      {"plain", "plain"},
      {"a,b", "\"a,b\""},
      {"say \"hi\"", "\"say \"\"hi\"\"\""},
      {"line\nbreak", "\"line\nbreak\""},
      {"cr\r", "\"cr\r\""},
      {" spaced ", " spaced "},
  };
  for (const auto& c : cases) {
    std::string out;
    AppendCsvField(c.field, out);
    EXPECT_EQ(out, c.expected) << c.field;
  }
  Tick trade = testing::VerbatimLast();
  trade.special_conditions = "a,\"b\"";
  EXPECT_NE(Row(trade).find(",,\"a,\"\"b\"\"\",false,false,,,\r\n"), std::string::npos)
      << Row(trade);
}

TEST(TickCsvTest, EveryRowHasTheHeadersColumnCount) {
  std::mt19937_64 random(99);
  for (int i = 0; i < 1000; ++i) {
    const std::string row = Row(testing::RandomV3Tick(random));
    EXPECT_EQ(std::count(row.begin(), row.end(), ','), 19) << row;
  }
}

}  // namespace
}  // namespace ibstream::formats::tick_csv_test
