// Contracts: from the file, from the tracked-contracts variable, and their inheritance.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config/loader_testing.h"
#include "config/values.h"

namespace ibstream::config::loader_contracts_test {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST(LoaderTest, ContractsByConIdAndBySymbol) {
  LoadResult result = LoadText(
      "[reliability]\n"
      "data_staleness_threshold = 240\n"
      "\n"
      "[[contracts]]\n"
      "con_id = 711280073\n"
      "symbol = \"MNQ\"\n"
      "tick_types = [\"bid_ask\", \"last\"]\n"
      "priority = 1\n"
      "buffer_hours = 24\n"
      "\n"
      "[[contracts]]\n"
      "symbol = \"ES\"\n"
      "sec_type = \"FUT\"\n"
      "exchange = \"CME\"\n"
      "currency = \"USD\"\n"
      "roll_days_before_expiry = 8\n"
      "data_staleness_threshold = \"10m\"\n"
      "custom_trading_hours = \"Sun-Thu 17:00-16:00\"\n"
      "timezone_override = \"America/Chicago\"\n");
  ASSERT_TRUE(result.ok()) << Errors(result);
  ASSERT_EQ(result.config.contracts.size(), 2u);
  const ContractConfig& mnq = result.config.contracts[0];
  EXPECT_EQ(mnq.con_id, 711280073);
  EXPECT_EQ(mnq.Describe(), "711280073 (MNQ)");
  EXPECT_EQ(mnq.buffer_hours, 24);
  EXPECT_FALSE(mnq.IsFutureBySymbol());
  EXPECT_EQ(mnq.data_staleness_threshold, seconds(240));  // inherited from [reliability]
  EXPECT_EQ(mnq.retry_strategy, std::nullopt);
  EXPECT_EQ(result.Find("contracts[0].data_staleness_threshold")->source.ToString(),
            "reliability.data_staleness_threshold (ibstream.toml:2)");
  EXPECT_EQ(result.Find("contracts[0].retry_strategy")->source.ToString(),
            "reliability.retry_strategy (default)");
  const ContractConfig& es = result.config.contracts[1];
  EXPECT_FALSE(es.con_id.has_value());
  EXPECT_TRUE(es.IsFutureBySymbol());
  EXPECT_EQ(es.Describe(), "ES FUT CME USD");
  EXPECT_EQ(es.data_staleness_threshold, minutes(10));
  EXPECT_EQ(es.custom_trading_hours.size(), 5u);
  EXPECT_EQ(result.Find("contracts[1].con_id")->value, "(unset)");
  EXPECT_EQ(result.Find("contracts[1].custom_trading_hours")->source.ToString(),
            "ibstream.toml:18");
  EXPECT_EQ(result.Find("contracts[1].custom_trading_hours")->overridden, std::nullopt);
  EXPECT_EQ(result.Find("contracts[1].data_staleness_threshold")->overridden->ToString(),
            "reliability.data_staleness_threshold (ibstream.toml:2)");
}

TEST(LoaderTest, TrackedContractsVariableReplacesTheFileContracts) {
  LoadResult result = LoadText(
      "[reliability]\n"
      "circuit_breaker_threshold = 9\n"
      "[[contracts]]\n"
      "con_id = 1\n",
      {{"IB_STREAM_TRACKED_CONTRACTS", "711280073:MNQ:bid_ask;last:24,495512563:ES"},
       {"IBSTREAM_CONTRACTS_1_PRIORITY", "3"}});
  ASSERT_TRUE(result.ok()) << Errors(result);
  ASSERT_EQ(result.config.contracts.size(), 2u);
  const ContractConfig& mnq = result.config.contracts[0];
  EXPECT_EQ(mnq.con_id, 711280073);
  EXPECT_EQ(mnq.symbol, "MNQ");
  EXPECT_EQ(mnq.tick_types, (std::vector<TickType>{TickType::kBidAsk, TickType::kLast}));
  EXPECT_EQ(mnq.buffer_hours, 24);
  EXPECT_EQ(mnq.circuit_breaker_threshold, 9);
  const ContractConfig& es = result.config.contracts[1];
  EXPECT_EQ(es.con_id, 495512563);
  EXPECT_EQ(es.buffer_hours, 1);
  EXPECT_EQ(es.priority, 3);
  EXPECT_EQ(result.Find("contracts[0].con_id")->source.ToString(),
            "env IB_STREAM_TRACKED_CONTRACTS");
  EXPECT_EQ(result.Find("contracts[1].tick_types")->source.ToString(), "default");
  EXPECT_EQ(result.Find("contracts[1].priority")->source.ToString(),
            "env IBSTREAM_CONTRACTS_1_PRIORITY");
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_EQ(result.warnings[0],
            "env IB_STREAM_TRACKED_CONTRACTS replaces the [[contracts]] of ibstream.toml");
}

TEST(LoaderTest, TrackedContractsErrorsNameTheVariable) {
  LoadResult result =
      LoadText("", {{"IB_STREAM_TRACKED_CONTRACTS", "711280073:MNQ:bid_ask;trades:24"}});
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].ToString(),
            "env IB_STREAM_TRACKED_CONTRACTS: contracts = \"711280073:MNQ:bid_ask;trades:24\": "
            "entry 1 '711280073:MNQ:bid_ask;trades:24': unknown tick type 'trades' (allowed: "
            "bid_ask, last, all_last, mid_point or BidAsk, Last, AllLast, MidPoint); allowed: "
            "conId:symbol[:tickType;tickType...[:bufferHours]] entries separated by ','");
}

TEST(LoaderTest, EmptyTrackedContractsMeansNone) {
  LoadResult result =
      LoadText("[[contracts]]\ncon_id = 1\n", {{"IB_STREAM_TRACKED_CONTRACTS", ""}});
  ASSERT_TRUE(result.ok()) << Errors(result);
  EXPECT_TRUE(result.config.contracts.empty());
}

}  // namespace
}  // namespace ibstream::config::loader_contracts_test
