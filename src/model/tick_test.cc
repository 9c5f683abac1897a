#include "model/tick.h"

#include <gtest/gtest.h>

namespace ibstream {
namespace {

TEST(TickTypeTest, NamesRoundTrip) {
  for (TickType type : kAllTickTypes) {
    EXPECT_EQ(*ParseTickType(TickTypeName(type)), type);
    EXPECT_EQ(*ParseTickType(TickTypeIbName(type)), type);
  }
  EXPECT_EQ(TickTypeName(TickType::kMidPoint), "mid_point");
  EXPECT_EQ(TickTypeIbName(TickType::kAllLast), "AllLast");
}

TEST(TickTypeTest, UnknownNameIsAnErrorListingTheAllowedValues) {
  auto r = ParseTickType("bidask");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bid_ask"), std::string::npos);
}

TEST(StreamKeyTest, PrintsContractAndType) {
  EXPECT_EQ(ToString(StreamKey{711280073, TickType::kBidAsk}), "711280073/bid_ask");
}

}  // namespace
}  // namespace ibstream
