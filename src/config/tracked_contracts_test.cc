#include "config/tracked_contracts.h"

#include <gtest/gtest.h>

namespace ibstream::config::tracked_contracts_test {
namespace {

TEST(TrackedContractsTest, ParsesTheProductionValue) {
  Result<std::vector<TrackedContractEntry>> entries =
      ParseTrackedContracts("711280073:MNQ:bid_ask;last:24");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 1u);
  const TrackedContractEntry& e = (*entries)[0];
  EXPECT_EQ(e.con_id, 711280073);
  EXPECT_EQ(e.symbol, "MNQ");
  EXPECT_EQ(e.tick_types, (std::vector<TickType>{TickType::kBidAsk, TickType::kLast}));
  EXPECT_EQ(e.buffer_hours, 24);
  EXPECT_TRUE(e.has_tick_types);
  EXPECT_TRUE(e.has_buffer_hours);
}

TEST(TrackedContractsTest, AppliesTheLegacyDefaultsToShortEntries) {
  Result<std::vector<TrackedContractEntry>> entries =
      ParseTrackedContracts(" 1:ES , 2:NQ:AllLast;MidPoint ,3:CL:last:2");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].tick_types, (std::vector<TickType>{TickType::kBidAsk, TickType::kLast}));
  EXPECT_EQ((*entries)[0].buffer_hours, 1);
  EXPECT_FALSE((*entries)[0].has_tick_types);
  EXPECT_FALSE((*entries)[0].has_buffer_hours);
  EXPECT_EQ((*entries)[1].tick_types,
            (std::vector<TickType>{TickType::kAllLast, TickType::kMidPoint}));
  EXPECT_EQ((*entries)[1].buffer_hours, 1);
  EXPECT_EQ((*entries)[2].tick_types, (std::vector<TickType>{TickType::kLast}));
  EXPECT_EQ((*entries)[2].buffer_hours, 2);
  EXPECT_EQ(FormatTrackedContracts(*entries),
            "1:ES:bid_ask;last:1,2:NQ:all_last;mid_point:1,3:CL:last:2");
}

TEST(TrackedContractsTest, EmptyMeansNoContracts) {
  EXPECT_TRUE(ParseTrackedContracts("")->empty());
  EXPECT_TRUE(ParseTrackedContracts("  ")->empty());
}

TEST(TrackedContractsTest, NeverSkipsABadEntry) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"711280073",
       "entry 1 '711280073': expected conId:symbol[:tickTypes[:bufferHours]], got 1 part(s)"},
      {"1:ES:last:1:x",
       "entry 1 '1:ES:last:1:x': expected conId:symbol[:tickTypes[:bufferHours]], got 5 part(s)"},
      {"1:ES,x:NQ", "entry 2 'x:NQ': contract id 'x' is not a positive integer"},
      {"0:ES", "entry 1 '0:ES': contract id '0' is not a positive integer"},
      {"-5:ES", "entry 1 '-5:ES': contract id '-5' is not a positive integer"},
      {"1: ", "entry 1 '1:': empty symbol"},
      {"1:ES:trades",
       "entry 1 '1:ES:trades': unknown tick type 'trades' (allowed: bid_ask, last, all_last, "
       "mid_point or BidAsk, Last, AllLast, MidPoint)"},
      {"1:ES:last;last", "entry 1 '1:ES:last;last': tick type 'last' appears twice"},
      {"1:ES:last;", "entry 1 '1:ES:last;': empty tick type"},
      {"1:ES:last:0", "entry 1 '1:ES:last:0': buffer hours '0' is not an integer from 1 to 8784"},
      {"1:ES:last:1.5",
       "entry 1 '1:ES:last:1.5': buffer hours '1.5' is not an integer from 1 to 8784"},
      {"1:ES,1:ES2", "entry 2 '1:ES2': contract id 1 is listed twice"},
      {"1:ES,", "entry 2 '': empty entry (entries are separated by ',')"},
  };
  for (const Case& c : cases) {
    Result<std::vector<TrackedContractEntry>> entries = ParseTrackedContracts(c.text);
    ASSERT_FALSE(entries.ok()) << c.text;
    EXPECT_EQ(entries.status().message(), c.message) << c.text;
  }
}

TEST(TickTypeListTest, AcceptsBothSeparatorsAndSpellings) {
  EXPECT_EQ(*ParseTickTypeList("bid_ask,Last;mid_point"),
            (std::vector<TickType>{TickType::kBidAsk, TickType::kLast, TickType::kMidPoint}));
  EXPECT_FALSE(ParseTickTypeList("").ok());
  EXPECT_EQ(FormatTickTypes({TickType::kAllLast, TickType::kBidAsk}, ";"), "all_last;bid_ask");
}

TEST(TickTypeListTest, FallbackKindsAreRecordedAutomaticallyNotConfigured) {
  for (const char* text : {"quote", "bid_ask;trade", "Quote", "Trade"}) {
    auto types = ParseTickTypeList(text);
    ASSERT_FALSE(types.ok()) << text;
    const std::string message = types.status().message();
    EXPECT_NE(message.find("recorded automatically"), std::string::npos) << message;
    EXPECT_NE(message.find("no tick-by-tick slot is free"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace ibstream::config::tracked_contracts_test
