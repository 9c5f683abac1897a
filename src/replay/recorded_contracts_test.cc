// The replayed contracts come from the recorder's details cache in the store, with the hours as
// recorded; a contract without one is still served (by conId), and a damaged cache file is a
// warning, never a failure.
#include "replay/recorded_contracts.h"

#include <gtest/gtest.h>

#include "fs/fault_file_system.h"
#include "recorder/contract_resolution.h"

namespace ibstream::replay::recorded_contracts_test {
namespace {

const std::string kRoot = "/store";

protocol::ContractDetails Mnq() {
  protocol::ContractDetails d;
  d.contract.con_id = 711280073;
  d.contract.symbol = "MNQ";
  d.contract.sec_type = "FUT";
  d.contract.exchange = "CME";
  d.contract.currency = "USD";
  d.contract.local_symbol = "MNQU5";
  d.contract.last_trade_date_or_contract_month = "20250919";
  d.last_trade_date = "20250919";
  d.min_tick = 0.25;
  d.time_zone_id = "US/Central";
  d.trading_hours = "20250810:1700-20250811:1600;20250811:1700-20250812:1600";
  d.liquid_hours = "20250811:0830-20250811:1600;20250812:0830-20250812:1600";
  return d;
}

TEST(RecordedContractsTest, CachedDetailsWithTheirRecordedHours) {
  fs::FaultFileSystem fs;
  const std::string dir = fs::JoinPath(kRoot, "contracts");
  ASSERT_TRUE(fs::CreateDirs(&fs, dir).ok());
  ASSERT_TRUE(recorder::SaveContractDetails(&fs, dir, "sym_MNQ_FUT_CME_USD", Mnq()).ok());
  auto loaded = LoadRecordedContracts(&fs, kRoot, {711280073});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->contracts.size(), 1u);
  const sim::SimContract& c = loaded->contracts[0];
  EXPECT_EQ(c.con_id(), 711280073);
  EXPECT_EQ(c.symbol(), "MNQ");
  EXPECT_EQ(c.details.contract.local_symbol, "MNQU5");
  EXPECT_EQ(c.details.last_trade_date, "20250919");
  ASSERT_TRUE(c.recorded_hours.has_value());
  EXPECT_EQ(c.recorded_hours->time_zone_id, "US/Central");
  EXPECT_EQ(c.recorded_hours->trading_hours, Mnq().trading_hours);
  EXPECT_EQ(c.recorded_hours->liquid_hours, Mnq().liquid_hours);
  EXPECT_EQ(c.farm, "usfuture");
  EXPECT_TRUE(loaded->warnings.empty());
  // The replayed market is open around the clock: every stored tick is served.
  const auto spans = c.sessions->TradingSessions(calendar::LocalDays(date::year{2025} / 8 / 9),
                                                 calendar::LocalDays(date::year{2025} / 8 / 10));
  ASSERT_EQ(spans.size(), 2u) << "a Saturday and a Sunday";
  EXPECT_EQ(spans[0].end, spans[1].start);
}

TEST(RecordedContractsTest, UncachedOrDamagedIsServedByConIdWithAWarning) {
  fs::FaultFileSystem fs;
  const std::string dir = fs::JoinPath(kRoot, "contracts");
  ASSERT_TRUE(fs::CreateDirs(&fs, dir).ok());
  ASSERT_TRUE(fs.WriteRaw(fs::JoinPath(dir, "con_265598.json"), "{ not json").ok());
  ASSERT_TRUE(fs.WriteRaw(fs::JoinPath(dir, "runtime.json"), "{}").ok());
  auto loaded = LoadRecordedContracts(&fs, kRoot, {265598});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->contracts.size(), 1u);
  EXPECT_EQ(loaded->contracts[0].con_id(), 265598);
  EXPECT_EQ(loaded->contracts[0].symbol(), "CONID265598");
  EXPECT_FALSE(loaded->contracts[0].recorded_hours.has_value());
  ASSERT_EQ(loaded->warnings.size(), 2u);
  EXPECT_NE(loaded->warnings[0].find("con_265598.json"), std::string::npos) << loaded->warnings[0];
  EXPECT_NE(loaded->warnings[1].find("served by conId only"), std::string::npos);
}

}  // namespace
}  // namespace ibstream::replay::recorded_contracts_test
