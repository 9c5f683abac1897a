#include "sim/tick_generator.h"

#include <gtest/gtest.h>

#include <cmath>

#include "sim/catalog.h"
#include "sim/market.h"

namespace ibstream::sim::tick_generator_test {
namespace {

constexpr uint64_t kSeed = 20250811;

const SimContract& Mnq() {
  static const Catalog catalog =
      Catalog::BuiltIn(ParseIsoTime("2025-08-11T14:00:00Z").value()).value();
  return *catalog.FindByConId(711000000 + 202509);
}

const SimContract& Aapl() {
  static const Catalog catalog =
      Catalog::BuiltIn(ParseIsoTime("2025-08-11T14:00:00Z").value()).value();
  return *catalog.FindByConId(265598);
}

bool OnGrid(const SimContract& c, double price) {
  const double ticks =
      price * static_cast<double>(c.tick_denominator) / static_cast<double>(c.tick_numerator);
  return std::abs(ticks - std::round(ticks)) < 1e-6;
}

TEST(TickGeneratorTest, SameSeedSameHistoryOtherSeedOther) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  const TickGenerator a(kSeed), b(kSeed), c(kSeed + 1);
  const int64_t second = 1754920800;
  std::vector<MarketEvent> ea, eb, ec;
  for (int64_t s = second; s < second + 60; ++s) {
    a.GenerateSecond(Mnq(), s, SessionPhase::kLiquid, ea);
    b.GenerateSecond(Mnq(), s, SessionPhase::kLiquid, eb);
    c.GenerateSecond(Mnq(), s, SessionPhase::kLiquid, ec);
  }
  ASSERT_EQ(ea.size(), eb.size());
  bool differs = ea.size() != ec.size();
  for (size_t i = 0; i < ea.size(); ++i) {
    EXPECT_EQ(ea[i].bid, eb[i].bid);
    EXPECT_EQ(ea[i].ask, eb[i].ask);
    EXPECT_EQ(ea[i].price, eb[i].price);
    EXPECT_TRUE(ea[i].size == eb[i].size);
    EXPECT_EQ(ea[i].offset_ns, eb[i].offset_ns);
    if (i < ec.size() && (ea[i].bid != ec[i].bid || ea[i].offset_ns != ec[i].offset_ns)) {
      differs = true;
    }
  }
  EXPECT_TRUE(differs);
}

TEST(TickGeneratorTest, QuotesAndTradesAreWellFormed) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  const TickGenerator gen(kSeed);
  for (const SimContract* c : {&Mnq(), &Aapl()}) {
    std::vector<MarketEvent> events;
    int quotes = 0, trades = 0, unreported = 0;
    double last_bid = 0;
    for (int64_t s = 1754920800; s < 1754920800 + 600; ++s) {
      events.clear();
      gen.GenerateSecond(*c, s, SessionPhase::kLiquid, events);
      const MarketEvent* last_quote = nullptr;
      int32_t last_offset = -1;
      for (const MarketEvent& e : events) {
        EXPECT_GE(e.offset_ns, last_offset);
        EXPECT_LT(e.offset_ns, 1'000'000'000);
        last_offset = e.offset_ns;
        if (e.kind == MarketEvent::Kind::kQuote) {
          ++quotes;
          EXPECT_LT(e.bid, e.ask);
          EXPECT_TRUE(OnGrid(*c, e.bid)) << e.bid;
          EXPECT_TRUE(OnGrid(*c, e.ask)) << e.ask;
          EXPECT_TRUE(e.bid_size.is_set());
          EXPECT_GT(e.bid_size.mantissa(), 0);
          last_quote = &e;
          last_bid = e.bid;
        } else {
          ++trades;
          unreported += e.unreported ? 1 : 0;
          ASSERT_NE(last_quote, nullptr);
          EXPECT_TRUE(e.price == last_quote->bid || e.price == last_quote->ask);
          EXPECT_EQ(e.size.scale(), c->profile.size_scale);
        }
      }
    }
    // Rates are means: 10 minutes of liquid trading is well above these floors.
    EXPECT_GT(quotes, 600 * c->profile.quotes_per_second_liquid / 2);
    EXPECT_GT(trades, 600 * c->profile.trades_per_second_liquid / 2);
    EXPECT_GT(unreported, 0);
    EXPECT_LT(unreported, trades);
    // The price stays near the base price.
    EXPECT_NEAR(last_bid, c->profile.base_price, c->profile.base_price * 0.1);
  }
}

TEST(TickGeneratorTest, ClosedSecondsHaveNoEvents) {
  const TickGenerator gen(kSeed);
  std::vector<MarketEvent> events;
  gen.GenerateSecond(Mnq(), 1754920800, SessionPhase::kClosed, events);
  EXPECT_TRUE(events.empty());
}

TEST(MarketTest, NoTicksInTheCmeHaltAndHistoryIsWholeSeconds) {
  const TimePoint now = ParseIsoTime("2025-08-11T22:30:00Z").value();
  const Catalog catalog = Catalog::BuiltIn(now).value();
  auto contract = catalog.contracts().front();
  ASSERT_EQ(contract->symbol(), "MNQ");
  auto market = SimMarket::Create(contract, now, 5).value();
  const TickGenerator gen(kSeed);
  std::vector<MarketEvent> events;
  // 16:00-17:00 CT = 21:00-22:00Z: nothing; 15:59:59 CT and 17:00:00 CT: something.
  for (int64_t s = 1754946000; s < 1754949600; s += 7) {
    market->EventsOf(gen, s, events);
    EXPECT_TRUE(events.empty()) << s;
  }
  market->EventsOf(gen, 1754945999, events);
  EXPECT_FALSE(events.empty());
  market->EventsOf(gen, 1754949600, events);
  EXPECT_FALSE(events.empty());
  // Historical ticks from 15:59:00 CT forward stop at the halt and resume at 17:00.
  auto ticks =
      market->HistoricalTicks(gen, TickType::kBidAsk, ParseIsoTime("2025-08-11T20:59:00Z").value(),
                              std::nullopt, 1000, false, false, now);
  ASSERT_GE(ticks.size(), 1000u);
  int64_t last_second = 0;
  for (const Tick& t : ticks) {
    const int64_t s = ToUnixSeconds(t.exchange_time);
    EXPECT_TRUE(s < 1754946000 || s >= 1754949600) << s;
    EXPECT_GE(s, last_second);
    last_second = s;
  }
  // The last second is complete: the next tick (if any) is in a later second.
  auto more = market->HistoricalTicks(gen, TickType::kBidAsk, ticks.back().exchange_time,
                                      std::nullopt, 1, false, false, now);
  size_t same_second_in_more = 0;
  for (const Tick& t : more) same_second_in_more += t.exchange_time == ticks.back().exchange_time;
  size_t same_second_in_ticks = 0;
  for (const Tick& t : ticks) same_second_in_ticks += t.exchange_time == ticks.back().exchange_time;
  EXPECT_EQ(same_second_in_more, same_second_in_ticks);
}

}  // namespace
}  // namespace ibstream::sim::tick_generator_test
