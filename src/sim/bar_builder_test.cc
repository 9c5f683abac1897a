// The bar builder as table tests: OHLC, volume, WAP and count of TRADES bars; MIDPOINT, BID,
// ASK and BID_ASK (time-weighted) semantics; the bar size, duration and step-size rules.
#include "sim/bar_builder.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace ibstream::sim::bar_builder_test {
namespace {

constexpr int64_t kT0 = 1754925120;  // 2025-08-11 15:12:00 UTC

TimePoint At(int64_t second, int64_t ms = 0) {
  return FromUnixNanos(second * 1'000'000'000 + ms * 1'000'000);
}

Decimal D(const char* text) { return Decimal::Parse(text).value(); }

Tick Trade(int64_t second, double price, const char* size, TickType type = TickType::kLast) {
  Tick t;
  t.type = type;
  t.exchange_time = At(second);
  t.receive_time = At(second);
  t.price = price;
  t.size = D(size);
  return t;
}

Tick Quote(int64_t second, int64_t ms, double bid, double ask) {
  Tick t;
  t.type = TickType::kBidAsk;
  t.exchange_time = At(second);
  t.receive_time = At(second, ms);
  t.bid_price = bid;
  t.ask_price = ask;
  t.bid_size = D("1");
  t.ask_size = D("1");
  return t;
}

Tick Mid(int64_t second, double price) {
  Tick t;
  t.type = TickType::kMidPoint;
  t.exchange_time = At(second);
  t.receive_time = At(second);
  t.price = price;
  return t;
}

BarValues Values(double o, double h, double l, double c, const char* volume, const char* wap,
                 int32_t count) {
  return BarValues{o, h, l, c, D(volume), D(wap), count};
}

TEST(BarBuilderTest, TradesTable) {
  struct Case {
    const char* name;
    std::vector<Tick> ticks;
    std::optional<BarValues> want;
  };
  const std::vector<Case> cases = {
      {"no trade: no bar", {}, std::nullopt},
      {"one trade",
       {Trade(kT0, 100.25, "3")},
       Values(100.25, 100.25, 100.25, 100.25, "3", "100.25", 1)},
      {"ohlc, volume, wap, count",
       {Trade(kT0, 100, "1"), Trade(kT0, 102, "2"), Trade(kT0 + 1, 99, "1"),
        Trade(kT0 + 2, 101, "4")},
       // wap = (100 + 204 + 99 + 404) / 8 = 100.875
       Values(100, 102, 99, 101, "8", "100.875", 4)},
      {"fractional sizes add exactly",
       {Trade(kT0, 10, "0.1"), Trade(kT0, 10, "0.2"), Trade(kT0, 10, "1.7")},
       Values(10, 10, 10, 10, "2", "10", 3)},
      {"unreported trades (AllLast only) are in no bar",
       {Trade(kT0, 100, "1"), Trade(kT0, 500, "9", TickType::kAllLast), Trade(kT0, 101, "1")},
       Values(100, 101, 100, 101, "2", "100.5", 2)},
      {"quotes are ignored", {Quote(kT0, 0, 99, 101)}, std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(BuildBar(BarKind::kTrades, c.ticks, At(kT0 + 60)), c.want);
  }
}

TEST(BarBuilderTest, QuoteKindsTable) {
  const std::vector<Tick> quotes = {Quote(kT0, 0, 100, 101), Quote(kT0, 500, 99.5, 100.5),
                                    Quote(kT0 + 1, 0, 100.5, 102), Quote(kT0 + 2, 0, 100, 100.75)};
  const std::vector<Tick> mids = {Mid(kT0, 100.5), Mid(kT0, 100), Mid(kT0 + 1, 101.25),
                                  Mid(kT0 + 2, 100.375)};
  struct Case {
    const char* name;
    BarKind kind;
    const std::vector<Tick>* ticks;
    BarValues want;
  };
  const std::vector<Case> cases = {
      {"MIDPOINT: ohlc of midpoints", BarKind::kMidpoint, &mids,
       Values(100.5, 101.25, 100, 100.375, "-1", "-1", -1)},
      {"BID: ohlc of bids", BarKind::kBid, &quotes, Values(100, 100.5, 99.5, 100, "-1", "-1", -1)},
      {"ASK: ohlc of asks", BarKind::kAsk, &quotes,
       Values(101, 102, 100.5, 100.75, "-1", "-1", -1)},
      // Weights: 0.5 s, 0.5 s, 1 s, 2 s (to the bar's end at kT0 + 4); total 4 s.
      // bid: (100 * 0.5 + 99.5 * 0.5 + 100.5 * 1 + 100 * 2) / 4 = 100.0625
      // ask: (101 * 0.5 + 100.5 * 0.5 + 102 * 1 + 100.75 * 2) / 4 = 101.0625
      {"BID_ASK: time-average bid, max ask, min bid, time-average ask", BarKind::kBidAsk, &quotes,
       Values(100.0625, 102, 99.5, 101.0625, "-1", "-1", -1)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(BuildBar(c.kind, *c.ticks, At(kT0 + 4)), c.want);
  }
  // A quote kind over trades only: no bar.
  const std::vector<Tick> trades = {Trade(kT0, 1, "1")};
  EXPECT_EQ(BuildBar(BarKind::kBidAsk, trades, At(kT0 + 4)), std::nullopt);
  // Quotes that stand no time (all at the bar's end): their plain average.
  const std::vector<Tick> at_end = {Quote(kT0, 0, 10, 12), Quote(kT0, 0, 11, 13)};
  EXPECT_EQ(BuildBar(BarKind::kBidAsk, at_end, At(kT0)),
            Values(10.5, 13, 10, 12.5, "-1", "-1", -1));
}

TEST(BarBuilderTest, AccumulatorPeeksWithoutEndingAndFinishesEmpty) {
  BarAccumulator acc(BarKind::kTrades);
  acc.Add(Trade(kT0, 100, "1"));
  EXPECT_EQ(acc.Peek(At(kT0 + 5)), Values(100, 100, 100, 100, "1", "100", 1));
  acc.Add(Trade(kT0 + 1, 102, "1"));
  EXPECT_EQ(acc.Finish(At(kT0 + 5)), Values(100, 102, 100, 102, "2", "101", 2));
  EXPECT_TRUE(acc.empty());
  EXPECT_EQ(acc.Finish(At(kT0 + 10)), std::nullopt);
}

TEST(BarBuilderTest, WhatToShowTable) {
  EXPECT_EQ(BarKindFromWhatToShow("TRADES"), BarKind::kTrades);
  EXPECT_EQ(BarKindFromWhatToShow("MIDPOINT"), BarKind::kMidpoint);
  EXPECT_EQ(BarKindFromWhatToShow("BID"), BarKind::kBid);
  EXPECT_EQ(BarKindFromWhatToShow("ASK"), BarKind::kAsk);
  EXPECT_EQ(BarKindFromWhatToShow("BID_ASK"), BarKind::kBidAsk);
  for (const char* bad : {"", "trades", "ADJUSTED_LAST", "HISTORICAL_VOLATILITY"}) {
    EXPECT_EQ(BarKindFromWhatToShow(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(BarSourceType(BarKind::kTrades), TickType::kLast);
  EXPECT_EQ(BarSourceType(BarKind::kMidpoint), TickType::kMidPoint);
  EXPECT_EQ(BarSourceType(BarKind::kBidAsk), TickType::kBidAsk);
}

TEST(BarBuilderTest, BarSizeTable) {
  const std::vector<std::pair<const char*, int64_t>> good = {
      {"1 secs", 1},      {"1 sec", 1},       {"5 secs", 5},     {"30 secs", 30},
      {"1 min", 60},      {"2 mins", 120},    {"30 mins", 1800}, {"1 hour", 3600},
      {"4 hours", 14400}, {"8 hours", 28800}, {"1 day", 86400}};
  for (const auto& [text, seconds] : good) {
    Result<int64_t> got = ParseBarSize(text);
    ASSERT_TRUE(got.ok()) << text;
    EXPECT_EQ(*got, seconds) << text;
  }
  for (const char* bad : {"", "1min", "7 secs", "1 week", "1W", "2 days", "1  min", "60"}) {
    EXPECT_FALSE(ParseBarSize(bad).ok()) << bad;
  }
}

TEST(BarBuilderTest, DurationTable) {
  const std::vector<std::pair<const char*, int64_t>> good = {{"1800 S", 1800},
                                                             {"1 D", 86400},
                                                             {"2 W", 14 * 86400},
                                                             {"1 M", 30 * 86400},
                                                             {"1 Y", 365 * 86400}};
  for (const auto& [text, seconds] : good) {
    Result<int64_t> got = ParseBarDuration(text);
    ASSERT_TRUE(got.ok()) << text;
    EXPECT_EQ(*got, seconds) << text;
  }
  for (const char* bad : {"", "S", "0 S", "-5 S", "10S", "10 s", "10 H", "1.5 D", " 1 D", "1 D "}) {
    EXPECT_FALSE(ParseBarDuration(bad).ok()) << bad;
  }
}

TEST(BarBuilderTest, StepSizeTable) {
  struct Case {
    int64_t bar;
    int64_t duration;
    bool allowed;
  };
  const std::vector<Case> cases = {{1, 60, true},
                                   {1, 1800, true},
                                   {1, 1801, false},
                                   {5, 3600, true},
                                   {5, 3601, false},
                                   {10, 14400, true},
                                   {30, 28800, true},
                                   {30, 28801, false},
                                   {60, 86400, true},
                                   {60, 2 * 86400, false},
                                   {120, 2 * 86400, true},
                                   {180, 7 * 86400, true},
                                   {1800, 30 * 86400, true},
                                   {3600, 31 * 86400, false},
                                   {86400, 365 * 86400, true},
                                   {86400, 366 * 86400, false}};
  for (const Case& c : cases) {
    EXPECT_EQ(StepSizeAllowed(c.bar, c.duration), c.allowed)
        << c.bar << " s bars over " << c.duration << " s";
  }
}

TEST(BarBuilderTest, AddDecimalsIsExact) {
  EXPECT_EQ(AddDecimals(D("0.1"), D("0.2")), D("0.3"));
  EXPECT_EQ(AddDecimals(D("3"), D("0.0001")), D("3.0001"));
  EXPECT_FALSE(AddDecimals(D("3"), Decimal::Unset()).is_set());
  const Decimal big = AddDecimals(D("900000000000000000"), D("900000000000000000"));
  EXPECT_EQ(big.mantissa(), 1'800'000'000'000'000'000);
  EXPECT_EQ(big.scale(), 0);
  // Sums that do not fit 18 digits at the larger scale: unset, never an overflow.
  EXPECT_FALSE(AddDecimals(D("900000000000000000"), D("0.01")).is_set());
  EXPECT_FALSE(AddDecimals(D("90000000000"), D("0.000000001")).is_set());
}

}  // namespace
}  // namespace ibstream::sim::bar_builder_test
