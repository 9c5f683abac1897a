#include "config/contract_table.h"

#include <gtest/gtest.h>

namespace ibstream::config::contract_table_test {
namespace {

using namespace std::chrono_literals;

TEST(ContractTable, ReadsAContractByConIdWithItsTickTypes) {
  auto contract = ParseContractTable(
      "con_id = 711280073\nsymbol = \"MNQ\"\ntick_types = [\"bid_ask\", \"mid_point\"]\n"
      "buffer_hours = 6\n",
      ReliabilityConfig{}, "request");
  ASSERT_TRUE(contract.ok()) << contract.status().ToString();
  ASSERT_TRUE(contract->con_id.has_value());
  EXPECT_EQ(*contract->con_id, 711280073);
  EXPECT_EQ(contract->symbol, "MNQ");
  EXPECT_EQ(contract->tick_types, (std::vector<TickType>{TickType::kBidAsk, TickType::kMidPoint}));
  EXPECT_EQ(contract->buffer_hours, 6);
}

TEST(ContractTable, UnsetReliabilityFieldsFollowTheRunningConfiguration) {
  ReliabilityConfig running;
  running.data_staleness_threshold = 42s;
  running.market_break_tolerance = 3h;
  running.circuit_breaker_threshold = 9;
  auto contract = ParseContractTable(
      "symbol = \"ES\"\nsec_type = \"FUT\"\nexchange = \"CME\"\ncurrency = \"USD\"\n"
      "data_staleness_threshold = \"10s\"\n",
      running, "request");
  ASSERT_TRUE(contract.ok()) << contract.status().ToString();
  EXPECT_EQ(contract->data_staleness_threshold, 10s);  // set: kept
  EXPECT_EQ(contract->market_break_tolerance, 3h);     // unset: inherited
  EXPECT_EQ(contract->circuit_breaker_threshold, 9);
  EXPECT_TRUE(contract->IsFutureBySymbol());
}

TEST(ContractTable, NamesEveryBadKeyAndValue) {
  auto contract =
      ParseContractTable("symbol = \"ES\"\ntick_types = [\"quotes\"]\npriority = 1001\n",
                         ReliabilityConfig{}, "request");
  ASSERT_FALSE(contract.ok());
  const std::string message = contract.status().message();
  EXPECT_NE(message.find("request"), std::string::npos) << message;
  EXPECT_NE(message.find("contracts[0].tick_types"), std::string::npos) << message;
  EXPECT_NE(message.find("contracts[0].priority"), std::string::npos) << message;
  // Without con_id, sec_type and exchange are required.
  EXPECT_NE(message.find("contracts[0].sec_type"), std::string::npos) << message;
  EXPECT_NE(message.find("contracts[0].exchange"), std::string::npos) << message;
}

TEST(ContractTable, QuoteAndTradeAreNotConfigurable) {
  auto contract = ParseContractTable("con_id = 1\ntick_types = [\"bid_ask\", \"trade\"]\n",
                                     ReliabilityConfig{}, "request");
  ASSERT_FALSE(contract.ok());
  const std::string message = contract.status().message();
  EXPECT_NE(message.find("contracts[0].tick_types"), std::string::npos) << message;
  EXPECT_NE(message.find("recorded automatically"), std::string::npos) << message;
}

TEST(ContractTable, UnknownKeysAreErrorsWithASuggestion) {
  auto contract =
      ParseContractTable("con_id = 1\ntick_type = [\"last\"]\n", ReliabilityConfig{}, "request");
  ASSERT_FALSE(contract.ok());
  EXPECT_NE(contract.status().message().find("did you mean tick_types"), std::string::npos)
      << contract.status().message();
}

TEST(ContractTable, ATableCannotReachAnotherSection) {
  // A nested table named like a section stays inside the contract, where it is an unknown key.
  auto contract = ParseContractTable("con_id = 1\n[gateway]\nhost = \"10.0.0.1\"\n",
                                     ReliabilityConfig{}, "request");
  ASSERT_FALSE(contract.ok());
  EXPECT_NE(contract.status().message().find("contracts[0].gateway"), std::string::npos)
      << contract.status().message();
}

TEST(ContractTable, SyntaxErrorsNameTheSourceAndLine) {
  auto contract = ParseContractTable("con_id = 1\nsymbol = \n", ReliabilityConfig{}, "runtime");
  ASSERT_FALSE(contract.ok());
  EXPECT_EQ(contract.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(contract.status().message().rfind("runtime:2:", 0), 0u) << contract.status().message();
}

}  // namespace
}  // namespace ibstream::config::contract_table_test
