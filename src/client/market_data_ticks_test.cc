// Table tests of the reqMktData fold: which TICK_PRICE / TICK_SIZE / TICK_STRING sequences give
// which quote and trade ticks. Values follow the conformance vectors (testdata/conformance).
#include "client/market_data_ticks.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

namespace ibstream::client::market_data_ticks_test {
namespace {

constexpr int64_t kConId = 711280073;
const TimePoint kStart = FromUnixSeconds(1754925330);

protocol::TickPrice Price(int32_t type, double price, int64_t size, bool past_limit = false) {
  protocol::TickPrice m;
  m.req_id = 3001;
  m.tick_type = type;
  m.price = price;
  m.size = Decimal::FromInt(size);
  m.attrib.past_limit = past_limit;
  return m;
}

protocol::TickSize Size(int32_t type, int64_t size) {
  return protocol::TickSize{3001, type, Decimal::FromInt(size)};
}

protocol::TickString String(int32_t type, std::string_view value) {
  return protocol::TickString{3001, type, value};
}

using Message = std::variant<protocol::TickPrice, protocol::TickSize, protocol::TickString>;

// Feeds the messages one per millisecond from kStart; returns every tick emitted.
std::vector<Tick> Fold(const std::vector<Message>& messages, MarketDataTicks* state = nullptr) {
  MarketDataTicks own(kConId);
  MarketDataTicks& fold = state ? *state : own;
  std::vector<Tick> out;
  Tick scratch;
  TimePoint now = kStart;
  for (const Message& m : messages) {
    now += std::chrono::milliseconds(1);
    const bool emitted = std::visit(
        [&](const auto& message) {
          using T = std::decay_t<decltype(message)>;
          if constexpr (std::is_same_v<T, protocol::TickPrice>) {
            return fold.OnTickPrice(message, now, scratch);
          } else if constexpr (std::is_same_v<T, protocol::TickSize>) {
            return fold.OnTickSize(message, now, scratch);
          } else {
            return fold.OnTickString(message, now, scratch);
          }
        },
        m);
    if (emitted) out.push_back(scratch);
  }
  return out;
}

TimePoint At(int millis) { return kStart + std::chrono::milliseconds(millis); }

TEST(MarketDataTicksTest, QuoteCarriesTheWholeTopOfBookOnEveryChange) {
  const auto ticks = Fold({
      Price(1, 21500.25, 3),  // bid: quote
      Size(0, 3),             // the size IB repeats after the price: nothing
      Price(2, 21500.5, 5),   // ask: quote
      Size(3, 5),             // repeat: nothing
      Size(3, 9),             // ask size changes: quote
      Size(0, 7),             // bid size changes: quote
      Price(1, 21500.25, 7),  // same bid price and size: nothing
      Price(1, 21500.0, 7),   // bid price changes: quote
  });
  ASSERT_EQ(ticks.size(), 5u);
  struct Want {
    int at;
    double bid, ask;
    int64_t bid_size, ask_size;
  };
  const Want want[] = {{1, 21500.25, 0, 3, 0},
                       {3, 21500.25, 21500.5, 3, 5},
                       {5, 21500.25, 21500.5, 3, 9},
                       {6, 21500.25, 21500.5, 7, 9},
                       {8, 21500.0, 21500.5, 7, 9}};
  for (size_t i = 0; i < ticks.size(); ++i) {
    SCOPED_TRACE(i);
    const Tick& t = ticks[i];
    EXPECT_EQ(t.type, TickType::kQuote);
    EXPECT_EQ(t.contract_id, kConId);
    EXPECT_EQ(t.source, TickSource::kLive);
    EXPECT_EQ(t.receive_time, At(want[i].at));
    EXPECT_EQ(t.exchange_time, At(want[i].at));
    EXPECT_EQ(t.bid_price, want[i].bid);
    EXPECT_EQ(t.ask_price, want[i].ask);
    EXPECT_EQ(t.bid_size, Decimal::FromInt(want[i].bid_size));
    if (want[i].ask_size == 0) {
      EXPECT_FALSE(t.ask_size.is_set());
    } else {
      EXPECT_EQ(t.ask_size, Decimal::FromInt(want[i].ask_size));
    }
  }
}

TEST(MarketDataTicksTest, TradeOnEachLastTimestamp) {
  const auto ticks = Fold({
      Price(4, 21500.5, 2, /*past_limit=*/true),
      Size(5, 2),  // repeat of the size the price carried
      Size(8, 12345),
      String(45, "1754925331"),
      Price(4, 21500.75, 1),
      Size(8, 12346),
      String(45, "1754925332"),
  });
  ASSERT_EQ(ticks.size(), 2u);
  const Tick& a = ticks[0];
  EXPECT_EQ(a.type, TickType::kTrade);
  EXPECT_EQ(a.price, 21500.5);
  EXPECT_EQ(a.size, Decimal::FromInt(2));
  EXPECT_EQ(a.volume, Decimal::FromInt(12345));
  EXPECT_EQ(a.attributes, kAttrPastLimit);
  EXPECT_EQ(a.exchange_time, FromUnixSeconds(1754925331));
  EXPECT_EQ(a.receive_time, At(4));
  const Tick& b = ticks[1];
  EXPECT_EQ(b.price, 21500.75);
  EXPECT_EQ(b.size, Decimal::FromInt(1));
  EXPECT_EQ(b.volume, Decimal::FromInt(12346));
  EXPECT_EQ(b.attributes, 0);
  EXPECT_EQ(b.exchange_time, FromUnixSeconds(1754925332));
}

TEST(MarketDataTicksTest, ALastUpdateWithoutTimestampIsStampedWithItsReceiveTime) {
  const auto ticks = Fold({
      Price(4, 21500.5, 2),      // 1: no 45 follows
      Size(8, 100),              // 2
      Size(5, 3),                // 3: a new size at the same price: emits the first
      Price(4, 21501.0, 1),      // 4: emits the second (stamped 3)
      String(45, "1754925340"),  // 5: the third, with IB's time
      String(46, "ignored"),     // another string type: nothing
      Price(6, 21600.75, 0),     // high: nothing
  });
  ASSERT_EQ(ticks.size(), 3u);
  EXPECT_EQ(ticks[0].price, 21500.5);
  EXPECT_EQ(ticks[0].size, Decimal::FromInt(2));
  EXPECT_EQ(ticks[0].exchange_time, At(1));
  EXPECT_EQ(ticks[0].receive_time, At(3));
  EXPECT_EQ(ticks[1].price, 21500.5);
  EXPECT_EQ(ticks[1].size, Decimal::FromInt(3));
  EXPECT_EQ(ticks[1].exchange_time, At(3));
  EXPECT_EQ(ticks[1].receive_time, At(4));
  EXPECT_EQ(ticks[2].price, 21501.0);
  EXPECT_EQ(ticks[2].exchange_time, FromUnixSeconds(1754925340));
  for (const Tick& t : ticks) EXPECT_EQ(t.volume, Decimal::FromInt(100));
}

TEST(MarketDataTicksTest, EdgeCases) {
  struct Case {
    const char* name;
    std::vector<Message> messages;
    size_t ticks;
  };
  const Case cases[] = {
      {"timestamp before any last price", {String(45, "1754925330")}, 0},
      {"size before any last price", {Size(5, 3), String(45, "1754925330")}, 0},
      {"unset size", {protocol::TickSize{3001, 0, Decimal()}}, 0},
      {"volume alone", {Size(8, 5)}, 0},
      {"two timestamps, one update: a trade each",
       {Price(4, 1, 1), String(45, "1"), String(45, "2")},
       2},
      {"delayed bid", {Price(66, 229.51, 300)}, 0},
      {"bid with no quote (-1) is still a change", {Price(1, 1, 1), Price(1, -1, 0)}, 2},
  };
  for (const Case& c : cases) EXPECT_EQ(Fold(c.messages).size(), c.ticks) << c.name;
}

TEST(MarketDataTicksTest, ABadTimestampFallsBackToTheReceiveTimeAndIsCounted) {
  MarketDataTicks fold(kConId);
  const auto ticks =
      Fold({Price(4, 10, 1), String(45, "soon"), Price(4, 11, 1), String(45, "")}, &fold);
  ASSERT_EQ(ticks.size(), 2u);
  EXPECT_EQ(ticks[0].exchange_time, At(2));
  EXPECT_EQ(ticks[1].exchange_time, At(4));
  EXPECT_EQ(fold.bad_timestamps(), 2u);
}

TEST(MarketDataTicksTest, OverwritesEveryFieldOfTheReusedTick) {
  MarketDataTicks fold(kConId);
  Tick scratch;
  scratch.exchange = "CME";
  scratch.special_conditions = "T";
  scratch.sequence = 9;
  scratch.source = TickSource::kBackfill;
  scratch.price = 5;
  ASSERT_TRUE(fold.OnTickPrice(Price(1, 1.5, 2), kStart, scratch));
  EXPECT_TRUE(scratch.exchange.empty());
  EXPECT_TRUE(scratch.special_conditions.empty());
  EXPECT_EQ(scratch.sequence, 0u);
  EXPECT_EQ(scratch.source, TickSource::kLive);
  EXPECT_EQ(scratch.price, 0);
}

}  // namespace
}  // namespace ibstream::client::market_data_ticks_test
