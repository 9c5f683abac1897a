#include "formats/v3_layout.h"

#include <gtest/gtest.h>

namespace ibstream::formats::v3_layout_test {
namespace {

TEST(V3LayoutTest, DocumentedExamplePath) {
  // docs/ORIGINAL.md §3.2: a bid/ask tick for 711280073 at 2025-08-21 14:xx UTC.
  const TimePoint ts = *ParseIsoTime("2025-08-21T14:37:12Z");
  EXPECT_EQ(V3RelativePath(V3Format::kJson, {711280073, TickType::kBidAsk}, ts),
            "v3/json/2025/08/21/14/711280073_bid_ask_1755784800.jsonl");
  EXPECT_EQ(V3RelativePath(V3Format::kProtobuf, {711280073, TickType::kBidAsk}, ts),
            "v3/protobuf/2025/08/21/14/711280073_bid_ask_1755784800.pb");
}

TEST(V3LayoutTest, HourBoundariesAndOwnTickTypeNames) {
  const TimePoint start = FromUnixSeconds(1755784800);  // 14:00:00 exactly
  EXPECT_EQ(V3HourEpoch(start), 1755784800);
  EXPECT_EQ(V3HourEpoch(start - Duration(1)), 1755781200);  // 13:59:59.999999999
  EXPECT_EQ(V3RelativePath(V3Format::kJson, {5, TickType::kAllLast}, start - Duration(1)),
            "v3/json/2025/08/21/13/5_all_last_1755781200.jsonl");
  EXPECT_EQ(V3RelativePath(V3Format::kProtobuf, {0, TickType::kMidPoint},
                           *ParseIsoTime("2026-01-01T00:00:00Z") - Duration(1)),
            "v3/protobuf/2025/12/31/23/0_mid_point_1767222000.pb");
  EXPECT_EQ(V3HourEpoch(FromUnixSeconds(-1)), -3600);
}

TEST(V3LayoutTest, ParsesFileNames) {
  auto name = ParseV3FileName("v3/json/2025/08/21/14/711280073_bid_ask_1755784800.jsonl");
  ASSERT_TRUE(name.ok()) << name.status().ToString();
  EXPECT_EQ(*name, (V3FileName{711280073, TickType::kBidAsk, 1755784800, V3Format::kJson}));

  name = ParseV3FileName("0_all_last_1755784800.pb");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, (V3FileName{0, TickType::kAllLast, 1755784800, V3Format::kProtobuf}));

  // Files from before 2025-08-01 carry the tick's own second.
  name = ParseV3FileName("/data/v3/json/2025/08/01/01/711280073_bid_ask_1754010291.jsonl");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->epoch, 1754010291);
  EXPECT_EQ(name->type, TickType::kBidAsk);

  name = ParseV3FileName("265598_mid_point_1.jsonl");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->type, TickType::kMidPoint);
}

TEST(V3LayoutTest, PathAndNameRoundTrip) {
  for (TickType type : kAllTickTypes) {
    for (V3Format format : {V3Format::kJson, V3Format::kProtobuf}) {
      const std::string path =
          V3RelativePath(format, {711280073, type}, FromUnixSeconds(1754010291));
      auto name = ParseV3FileName(path);
      ASSERT_TRUE(name.ok()) << path;
      EXPECT_EQ(*name, (V3FileName{711280073, type, 1754010000, format})) << path;
    }
  }
}

TEST(V3LayoutTest, RejectsOtherNames) {
  for (std::string_view bad :
       {"711280073_bid_ask_1755784800.json", "711280073_bid_ask_1755784800",
        "711280073_1755784800.jsonl", "x_bid_ask_1755784800.jsonl", "711280073_bid_ask_.jsonl",
        "711280073_bid_ask_17x.pb", "-1_last_1755784800.pb", "711280073_trades_1755784800.pb",
        "711280073_BidAsk_1755784800.pb", "_last_1.pb", ".pb", "",
        "711280073_bid_ask_99999999999999999999.pb"}) {
    auto name = ParseV3FileName(bad);
    ASSERT_FALSE(name.ok()) << bad;
    EXPECT_EQ(name.status().code(), StatusCode::kParseError);
    EXPECT_NE(name.status().message().find("is not a v3 file name"), std::string::npos);
  }
}

}  // namespace
}  // namespace ibstream::formats::v3_layout_test
