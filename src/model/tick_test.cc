#include "model/tick.h"

#include <gtest/gtest.h>

#include "model/what_to_show.h"

namespace ibstream::tick_test {
namespace {

TEST(TickTypeTest, NamesRoundTrip) {
  for (TickType type : kAllTickTypes) {
    EXPECT_EQ(*ParseTickType(TickTypeName(type)), type);
    EXPECT_EQ(*ParseTickType(TickTypeIbName(type)), type);
  }
  EXPECT_EQ(TickTypeName(TickType::kMidPoint), "mid_point");
  EXPECT_EQ(TickTypeIbName(TickType::kAllLast), "AllLast");
}

TEST(TickTypeTest, WhatToShowPerTickType) {
  EXPECT_EQ(TickTypeWhatToShow(TickType::kBidAsk), "BID_ASK");
  EXPECT_EQ(TickTypeWhatToShow(TickType::kLast), "TRADES");
  EXPECT_EQ(TickTypeWhatToShow(TickType::kAllLast), "TRADES");
  EXPECT_EQ(TickTypeWhatToShow(TickType::kMidPoint), "MIDPOINT");
  EXPECT_EQ(TickTypeWhatToShow(TickType::kQuote), "BID_ASK");
  EXPECT_EQ(TickTypeWhatToShow(TickType::kTrade), "TRADES");
  EXPECT_EQ(TickTypeWhatToShow(TickType::kDepth), "TRADES");
}

TEST(TickTypeTest, FallbackKindsHaveTheirOwnStableNamesAndNumbers) {
  EXPECT_EQ(static_cast<int>(TickType::kQuote), 5);
  EXPECT_EQ(static_cast<int>(TickType::kTrade), 6);
  for (TickType type : kAllStreamKinds) {
    EXPECT_EQ(*ParseTickType(TickTypeName(type)), type);
    EXPECT_EQ(*ParseTickType(TickTypeIbName(type)), type);
  }
  EXPECT_EQ(TickTypeName(TickType::kQuote), "quote");
  EXPECT_EQ(TickTypeName(TickType::kTrade), "trade");
  EXPECT_EQ(TickTypeIbName(TickType::kQuote), "Quote");
  EXPECT_EQ(TickTypeIbName(TickType::kTrade), "Trade");
  EXPECT_EQ(ToString(StreamKey{265598, TickType::kTrade}), "265598/trade");
}

TEST(TickTypeTest, KindListsKeepTheirMeaning) {
  EXPECT_EQ(std::size(kAllTickTypes), 4u);
  EXPECT_EQ(std::size(kAllStreamKinds), 6u);
  for (size_t i = 0; i < std::size(kAllTickTypes); ++i) {
    EXPECT_EQ(kAllStreamKinds[i], kAllTickTypes[i]);  // tick-by-tick first
    EXPECT_TRUE(IsTickByTick(kAllTickTypes[i]));
  }
  for (size_t i = 0; i < std::size(kFallbackTickTypes); ++i) {
    EXPECT_EQ(kAllStreamKinds[std::size(kAllTickTypes) + i], kFallbackTickTypes[i]);
    EXPECT_FALSE(IsTickByTick(kFallbackTickTypes[i]));
  }
}

TEST(TickTypeTest, FallbackKindOfEveryKind) {
  struct Case {
    TickType type;
    TickType fallback;
  };
  const Case cases[] = {
      {TickType::kBidAsk, TickType::kQuote}, {TickType::kMidPoint, TickType::kQuote},
      {TickType::kLast, TickType::kTrade},   {TickType::kAllLast, TickType::kTrade},
      {TickType::kQuote, TickType::kQuote},  {TickType::kTrade, TickType::kTrade},
  };
  for (const Case& c : cases) EXPECT_EQ(FallbackKind(c.type), c.fallback) << TickTypeName(c.type);
}

TEST(TickTypeTest, UnknownNameIsAnErrorListingTheAllowedValues) {
  auto r = ParseTickType("bidask");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bid_ask"), std::string::npos);
}

TEST(TickTypeTest, DepthIsAStoredKindNamedByItselfWithoutFallback) {
  EXPECT_EQ(static_cast<int>(TickType::kDepth), 7);
  EXPECT_EQ(*ParseTickType("depth"), TickType::kDepth);
  EXPECT_EQ(*ParseTickType("Depth"), TickType::kDepth);
  EXPECT_FALSE(IsTickByTick(TickType::kDepth));
  EXPECT_EQ(FallbackKind(TickType::kDepth), TickType::kDepth);
  EXPECT_EQ(std::size(kAllStoredKinds), 7u);
  EXPECT_EQ(kAllStoredKinds[6], TickType::kDepth);
  for (TickType type : kAllStreamKinds) EXPECT_NE(type, TickType::kDepth);
  EXPECT_EQ(BookOperationName(BookOperation::kReset), "reset");
  EXPECT_EQ(BookOperationName(BookOperation::kDelete), "delete");
  EXPECT_EQ(BookSideName(BookSide::kBid), "bid");
  EXPECT_EQ(ToString(StreamKey{495512563, TickType::kDepth}), "495512563/depth");
}

TEST(StreamKeyTest, PrintsContractAndType) {
  EXPECT_EQ(ToString(StreamKey{711280073, TickType::kBidAsk}), "711280073/bid_ask");
}

}  // namespace
}  // namespace ibstream::tick_test
