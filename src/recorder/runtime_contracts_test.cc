#include "recorder/runtime_contracts.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fs/fault_file_system.h"

namespace ibstream::recorder::runtime_contracts_test {
namespace {

class RuntimeContractsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("runtime_contracts_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void WriteFile(const std::string& text) { std::ofstream(dir_ / kRuntimeContractsFile) << text; }

  static config::ContractConfig ByConId(int64_t id) {
    config::ContractConfig c;
    c.con_id = id;
    return c;
  }
  static config::ContractConfig Es() {
    config::ContractConfig c;
    c.symbol = "ES";
    c.sec_type = "FUT";
    c.exchange = "CME";
    c.currency = "USD";
    return c;
  }

  std::filesystem::path dir_;
  TimePoint at_ = *ParseIsoTime("2025-08-11T14:00:00Z");
};

TEST_F(RuntimeContractsTest, NoFileMeansNoRuntimeChanges) {
  auto loaded = LoadRuntimeContracts(fs::PosixFileSystem(), dir_.string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE(loaded->empty());
}

TEST_F(RuntimeContractsTest, SavedChangesLoadBackEqual) {
  RuntimeContracts runtime;
  runtime.Track("con_5", "con_id = 5\ntick_types = [\"last\"]\n", at_);
  runtime.Untrack("sym_ES_FUT_CME_USD", /*configured=*/true, at_ + std::chrono::seconds(1));
  ASSERT_TRUE(SaveRuntimeContracts(fs::PosixFileSystem(), dir_.string(), runtime).ok());
  auto loaded = LoadRuntimeContracts(fs::PosixFileSystem(), dir_.string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, runtime);
}

TEST_F(RuntimeContractsTest, TrackAndUntrackUndoEachOther) {
  RuntimeContracts runtime;
  runtime.Untrack("con_1", /*configured=*/true, at_);
  EXPECT_TRUE(runtime.IsUntracked("con_1"));
  runtime.Track("con_1", "con_id = 1\n", at_);
  EXPECT_FALSE(runtime.IsUntracked("con_1"));
  ASSERT_NE(runtime.FindTracked("con_1"), nullptr);
  // A contract only tracked at run time leaves no trace when untracked.
  runtime.Track("con_2", "con_id = 2\n", at_);
  runtime.Untrack("con_2", /*configured=*/false, at_);
  EXPECT_EQ(runtime.FindTracked("con_2"), nullptr);
  EXPECT_FALSE(runtime.IsUntracked("con_2"));
  // Tracking again replaces the earlier version.
  runtime.Track("con_1", "con_id = 1\npriority = 2\n", at_);
  ASSERT_EQ(runtime.tracked.size(), 1u);
  EXPECT_EQ(runtime.tracked[0].contract_toml, "con_id = 1\npriority = 2\n");
}

TEST_F(RuntimeContractsTest, MergeAppliesUntracksReplacementsAndAdditions) {
  config::ReliabilityConfig reliability;
  reliability.data_staleness_threshold = std::chrono::seconds(77);
  auto disabled = ByConId(9);
  disabled.enabled = false;
  const std::vector<config::ContractConfig> configured = {ByConId(1), Es(), ByConId(3), disabled};
  RuntimeContracts runtime;
  runtime.Untrack("sym_ES_FUT_CME_USD", true, at_);
  runtime.Track("con_3", "con_id = 3\ntick_types = [\"mid_point\"]\n", at_);
  runtime.Track("con_4", "con_id = 4\n", at_);
  const EffectiveContracts merged = MergeContracts(configured, runtime, reliability);
  EXPECT_TRUE(merged.errors.empty());
  ASSERT_EQ(merged.contracts.size(), 3u);
  EXPECT_EQ(merged.contracts[0].key, "con_1");
  EXPECT_FALSE(merged.contracts[0].from_api);
  EXPECT_EQ(merged.contracts[1].key, "con_3");
  EXPECT_TRUE(merged.contracts[1].from_api);
  EXPECT_EQ(merged.contracts[1].config.tick_types, std::vector<TickType>{TickType::kMidPoint});
  EXPECT_EQ(merged.contracts[2].key, "con_4");
  // Unset reliability fields of run-time contracts follow the configuration.
  EXPECT_EQ(merged.contracts[2].config.data_staleness_threshold, std::chrono::seconds(77));
}

TEST_F(RuntimeContractsTest, ARuntimeEntryThatNoLongerChecksIsNamedNotApplied) {
  RuntimeContracts runtime;
  runtime.Track("con_1", "con_id = 1\npriority = 1001\n", at_);
  runtime.Track("con_2", "con_id = 3\n", at_);  // key and contract disagree
  const EffectiveContracts merged = MergeContracts({}, runtime, {});
  EXPECT_TRUE(merged.contracts.empty());
  ASSERT_EQ(merged.errors.size(), 2u);
  EXPECT_NE(merged.errors[0].find("priority"), std::string::npos) << merged.errors[0];
  EXPECT_NE(merged.errors[1].find("con_3"), std::string::npos) << merged.errors[1];
}

TEST_F(RuntimeContractsTest, ForgetsUntracksOfContractsNoLongerConfigured) {
  RuntimeContracts runtime;
  runtime.Untrack("con_1", true, at_);
  runtime.Untrack("con_2", true, at_);
  EXPECT_EQ(runtime.ForgetUntracksNotIn({"con_2"}), std::vector<std::string>{"con_1"});
  EXPECT_FALSE(runtime.IsUntracked("con_1"));
  EXPECT_TRUE(runtime.IsUntracked("con_2"));
}

TEST_F(RuntimeContractsTest, DamagedFilesAreParseErrorsNamingTheFile) {
  for (const std::string& text : std::vector<std::string>{
           "", "[]", "{\"format\": 2}", "{\"format\": \"1\"}", "{\"format\": 1, \"tracked\": {}}",
           "{\"format\": 1, \"tracked\": [1]}",
           "{\"format\": 1, \"tracked\": [{\"key\": \"con_1\", \"at\": \"2025-08-11T14:00:00Z\"}]}",
           "{\"format\": 1, \"untracked\": [{\"key\": \"con_1\", \"at\": \"yesterday\"}]}",
           "{\"format\": 1, \"untracked\": [{\"key\": 5, \"at\": \"2025-08-11T14:00:00Z\"}]}",
           std::string("{\"format\": 1,\0", 14)}) {
    WriteFile(text);
    auto loaded = LoadRuntimeContracts(fs::PosixFileSystem(), dir_.string());
    ASSERT_FALSE(loaded.ok()) << text;
    EXPECT_EQ(loaded.status().code(), StatusCode::kParseError) << text;
    EXPECT_NE(loaded.status().message().find(kRuntimeContractsFile), std::string::npos)
        << loaded.status().message();
  }
}

// A power cut at any point of a save leaves the previous list or the new one, never a mix.
TEST(RuntimeContractsCrashTest, CrashDuringSaveLeavesOldOrNewList) {
  const TimePoint at = *ParseIsoTime("2025-08-11T14:00:00Z");
  RuntimeContracts before;
  before.Track("con_1", "con_id = 1\n", at);
  RuntimeContracts after = before;
  after.Track("con_2", "con_id = 2\n", at + std::chrono::seconds(1));
  after.Untrack("con_1", /*configured=*/false, at + std::chrono::seconds(2));
  for (int64_t ops = 0; ops < 8; ++ops) {
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      SCOPED_TRACE("ops=" + std::to_string(ops) + " seed=" + std::to_string(seed));
      fs::FaultFileSystem fs;
      ASSERT_TRUE(fs::CreateDirs(&fs, "/data/contracts").ok());
      ASSERT_TRUE(SaveRuntimeContracts(&fs, "/data/contracts", before).ok());
      fs.DieAfterOperations(ops);
      const Status saved = SaveRuntimeContracts(&fs, "/data/contracts", after);
      fs.Crash(seed);
      auto loaded = LoadRuntimeContracts(&fs, "/data/contracts");
      ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
      if (saved.ok()) {
        EXPECT_EQ(*loaded, after);
      } else {
        EXPECT_TRUE(*loaded == before || *loaded == after);
      }
    }
  }
}

TEST(RuntimeContractsCrashTest, OversizedFileIsRefused) {
  fs::FaultFileSystem fs;
  ASSERT_TRUE(fs.WriteRaw("/data/contracts/runtime.json",
                          std::string(kMaxRuntimeContractsFileBytes + 1, ' '))
                  .ok());
  auto loaded = LoadRuntimeContracts(&fs, "/data/contracts");
  EXPECT_EQ(loaded.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(loaded.status().message().find("runtime.json"), std::string::npos);
}

}  // namespace
}  // namespace ibstream::recorder::runtime_contracts_test
