#include "formats/tick_jsonl.h"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "formats/test_ticks.h"

namespace ibstream::formats::tick_jsonl_test {
namespace {

Tick FullLast() {
  Tick tick;
  tick.contract_id = 711280073;
  tick.type = TickType::kAllLast;
  tick.source = TickSource::kBackfill;
  tick.attributes = kAttrPastLimit;
  tick.exchange_time = FromUnixSeconds(1754010291);
  tick.receive_time = FromUnixNanos(1754010291911022123);
  tick.sequence = 42;
  tick.price = 23261.25;
  tick.size = *Decimal::Parse("3.50");
  tick.exchange = "CME";
  tick.special_conditions = " I\"\\\n";
  return tick;
}

std::string Render(const Tick& tick) {
  std::string out;
  AppendJsonl(tick, out);
  return out;
}

TEST(TickJsonlTest, GoldenTrade) {
  EXPECT_EQ(Render(FullLast()),
            R"({"contract_id":711280073,"tick_type":"all_last","source":"backfill",)"
            R"("exchange_time":"2025-08-01T01:04:51Z","exchange_time_ns":1754010291000000000,)"
            R"("receive_time_ns":1754010291911022123,"sequence":42,"price":23261.25,)"
            R"("size":"3.50","exchange":"CME","special_conditions":" I\"\\\n",)"
            R"("past_limit":true,"unreported":false})"
            "\n");
}

TEST(TickJsonlTest, GoldenQuoteAndMidPoint) {
  Tick quote = testing::VerbatimBidAsk();
  quote.attributes = kAttrAskPastHigh;
  quote.sequence = 1;
  quote.ask_size = Decimal::Unset();
  quote.exchange_time = FromUnixNanos(1754010291500000000);
  EXPECT_EQ(Render(quote),
            R"({"contract_id":711280073,"tick_type":"bid_ask","source":"live",)"
            R"("exchange_time":"2025-08-01T01:04:51.5Z","exchange_time_ns":1754010291500000000,)"
            R"("receive_time_ns":1754010291904096000,"sequence":1,"bid_price":23260.0,)"
            R"("bid_size":"4","ask_price":23260.5,"ask_size":null,"bid_past_low":false,)"
            R"("ask_past_high":true})"
            "\n");

  Tick mid;
  mid.contract_id = 3;
  mid.type = TickType::kMidPoint;
  mid.price = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(Render(mid),
            R"({"contract_id":3,"tick_type":"mid_point","source":"live",)"
            R"("exchange_time":"1970-01-01T00:00:00Z","exchange_time_ns":0,"receive_time_ns":0,)"
            R"("sequence":0,"price":null})"
            "\n");
}

TEST(TickJsonlTest, IsoTimeMatchesFormatIsoUtc) {
  const uint64_t seed = testing::TestSeed(20250805);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int64_t> nanos(-2'000'000'000'000'000'000,
                                               4'000'000'000'000'000'000);
  for (int i = 0; i < 20000; ++i) {
    int64_t value = nanos(random);
    if (i % 3 == 0) value -= value % 1'000'000'000;  // whole seconds
    if (i % 3 == 1) value -= value % 1'000;          // whole microseconds
    std::string out;
    AppendIsoUtc(FromUnixNanos(value), out);
    ASSERT_EQ(out, FormatIsoUtc(FromUnixNanos(value))) << value;
  }
}

// Every line is valid JSON by an independent parser, whatever the strings hold.
TEST(TickJsonlTest, LinesParseWithAnIndependentParser) {
  const uint64_t seed = testing::TestSeed(20250806);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  for (int i = 0; i < 2000; ++i) {
    Tick tick = testing::RandomV3Tick(random);
    tick.sequence = random();
    tick.exchange.resize(random() % 12);
    for (char& c : tick.exchange) c = static_cast<char>(random());
    tick.special_conditions = tick.exchange;
    const std::string line = Render(tick);
    ASSERT_EQ(line.back(), '\n');
    auto json = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(json.is_discarded()) << line;
    EXPECT_EQ(json["contract_id"].get<int64_t>(), tick.contract_id);
    EXPECT_EQ(json["sequence"].get<uint64_t>(), tick.sequence);
    EXPECT_EQ(json["tick_type"].get<std::string>(), TickTypeName(tick.type));
    if (tick.type == TickType::kBidAsk || tick.type == TickType::kQuote) {
      EXPECT_EQ(json["bid_price"].get<double>(), tick.bid_price);
      if (tick.bid_size.is_set()) {
        EXPECT_EQ(*Decimal::Parse(json["bid_size"].get<std::string>()), tick.bid_size);
      }
    } else {
      EXPECT_EQ(json["price"].get<double>(), tick.price);
    }
    if (tick.type == TickType::kTrade && tick.volume.is_set()) {
      EXPECT_EQ(*Decimal::Parse(json["volume"].get<std::string>()), tick.volume);
    }
  }
}

}  // namespace
}  // namespace ibstream::formats::tick_jsonl_test
