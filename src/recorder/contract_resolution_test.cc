#include "recorder/contract_resolution.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fs/fault_file_system.h"

namespace ibstream::recorder::contract_resolution_test {
namespace {

protocol::ContractDetails Future(int32_t con_id, std::string last_trade) {
  protocol::ContractDetails d;
  d.contract.con_id = con_id;
  d.contract.symbol = "MNQ";
  d.contract.sec_type = "FUT";
  d.contract.last_trade_date_or_contract_month = last_trade;
  return d;
}

TEST(ContractResolutionTest, RequestByConIdOrBySymbol) {
  config::ContractConfig by_id;
  by_id.con_id = 711280073;
  by_id.exchange = "CME";
  auto r = RequestFor(by_id);
  EXPECT_EQ(r.con_id, 711280073);
  EXPECT_TRUE(r.symbol.empty());

  config::ContractConfig by_symbol;
  by_symbol.symbol = "MNQ";
  by_symbol.sec_type = "FUT";
  by_symbol.exchange = "CME";
  by_symbol.currency = "USD";
  r = RequestFor(by_symbol);
  EXPECT_EQ(r.con_id, 0);
  EXPECT_EQ(r.symbol, "MNQ");
  EXPECT_EQ(r.sec_type, "FUT");
  EXPECT_TRUE(r.last_trade_date_or_contract_month.empty()) << "all months are asked for";
}

TEST(ContractResolutionTest, FrontMonthRollsBeforeExpiry) {
  const std::vector<protocol::ContractDetails> months = {
      Future(3, "20251219"), Future(1, "20250620"), Future(2, "20250919")};
  const TimePoint june_1 = *ParseIsoTime("2025-06-01T12:00:00Z");
  const TimePoint june_13 = *ParseIsoTime("2025-06-13T12:00:00Z");
  const TimePoint june_11 = *ParseIsoTime("2025-06-11T23:00:00Z");
  EXPECT_EQ(SelectFrontMonth(months, june_1, 8), std::optional<size_t>(1));
  // 8 days before 2025-06-20 is 2025-06-12: from then on, September.
  EXPECT_EQ(SelectFrontMonth(months, june_11, 8), std::optional<size_t>(1));
  EXPECT_EQ(SelectFrontMonth(months, june_13, 8), std::optional<size_t>(2));
  EXPECT_EQ(SelectFrontMonth(months, *ParseIsoTime("2026-01-01T00:00:00Z"), 8), std::nullopt);
  EXPECT_EQ(SelectFrontMonth({Future(9, "")}, june_1, 8), std::nullopt);
}

TEST(ContractResolutionTest, CacheKeysAreFileNames) {
  config::ContractConfig c;
  c.con_id = 12087792;
  EXPECT_EQ(CacheKey(c), "con_12087792");
  config::ContractConfig s;
  s.symbol = "EUR";
  s.sec_type = "CASH";
  s.exchange = "IDEALPRO";
  s.currency = "USD/../x";
  EXPECT_EQ(CacheKey(s), "sym_EUR_CASH_IDEALPRO_USD_.._x");
}

TEST(ContractResolutionTest, CacheRoundTripAndDamage) {
  const auto dir = std::filesystem::path(testing::TempDir()) / "contract_cache_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  protocol::ContractDetails d = Future(711280073, "20250919");
  d.time_zone_id = "US/Central";
  d.trading_hours = "20250810:1700-20250811:1600";
  d.liquid_hours = "20250811:0830-20250811:1600";
  d.min_tick = 0.25;
  d.long_name = "Micro E-Mini Nasdaq-100";
  ASSERT_TRUE(SaveContractDetails(fs::PosixFileSystem(), dir.string(), "k", d).ok());
  auto loaded = LoadContractDetails(fs::PosixFileSystem(), dir.string(), "k");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->contract.con_id, 711280073);
  EXPECT_EQ(loaded->trading_hours, d.trading_hours);
  EXPECT_EQ(loaded->min_tick, 0.25);

  EXPECT_EQ(LoadContractDetails(fs::PosixFileSystem(), dir.string(), "missing").status().code(),
            StatusCode::kNotFound);
  std::ofstream(dir / "bad.json") << "{\"version\": 1, \"con_id\": \"x\"}";
  auto bad = LoadContractDetails(fs::PosixFileSystem(), dir.string(), "bad");
  EXPECT_EQ(bad.status().code(), StatusCode::kParseError);
  EXPECT_NE(bad.status().message().find("bad.json"), std::string::npos);
}

TEST(ContractResolutionTest, WeeklySessionsBecomeIbHours) {
  // Monday 09:30 for 390 minutes; 2025-08-10 is a Sunday (day 20310 since the epoch).
  const int64_t sunday = 20310;
  const std::string hours = WeeklySessionsToIbHours({{1, 570, 390}}, sunday, 3);
  EXPECT_EQ(hours, "20250810:CLOSED;20250811:0930-20250811:1600;20250812:CLOSED");
  // A session running past midnight.
  EXPECT_EQ(WeeklySessionsToIbHours({{0, 17 * 60, 23 * 60}}, sunday, 1),
            "20250810:1700-20250811:1600");
}

// The cache goes through the file system it is given: a power cut during a save leaves the old
// details or the new ones, and a file over the limit is refused rather than read.
TEST(ContractResolutionTest, CacheSurvivesCrashes) {
  protocol::ContractDetails old_details = Future(711280073, "20250919");
  old_details.trading_hours = "20250810:1700-20250811:1600";
  protocol::ContractDetails new_details = Future(722222222, "20251219");
  new_details.trading_hours = "20251110:1700-20251111:1600";
  for (int64_t ops = 0; ops < 8; ++ops) {
    SCOPED_TRACE("ops=" + std::to_string(ops));
    fs::FaultFileSystem fs;
    ASSERT_TRUE(fs::CreateDirs(&fs, "/data/contracts").ok());
    ASSERT_TRUE(SaveContractDetails(&fs, "/data/contracts", "k", old_details).ok());
    fs.DieAfterOperations(ops);
    const Status saved = SaveContractDetails(&fs, "/data/contracts", "k", new_details);
    fs.Crash(ops + 1);
    auto loaded = LoadContractDetails(&fs, "/data/contracts", "k");
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    if (saved.ok()) {
      EXPECT_EQ(loaded->contract.con_id, 722222222);
    } else {
      EXPECT_TRUE(loaded->contract.con_id == 711280073 || loaded->contract.con_id == 722222222);
    }
    EXPECT_EQ(loaded->trading_hours, loaded->contract.con_id == 711280073
                                         ? old_details.trading_hours
                                         : new_details.trading_hours);
  }

  fs::FaultFileSystem fs;
  ASSERT_TRUE(
      fs.WriteRaw("/data/contracts/big.json", std::string(kMaxContractCacheFileBytes + 1, ' '))
          .ok());
  EXPECT_EQ(LoadContractDetails(&fs, "/data/contracts", "big").status().code(),
            StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace ibstream::recorder::contract_resolution_test
