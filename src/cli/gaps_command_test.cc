// `ibstream gaps --data` end to end: the built executable on a store whose ledger keeps how a
// gap was filled, and on a ledger written before it kept that.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_run_fixture.h"
#include "common/clock.h"
#include "fs/file_system.h"
#include "storage/gap_ledger.h"
#include "storage/layout.h"
#include "storage/log_format.h"
#include "storage/log_writer.h"

namespace ibstream::cli::gaps_command_test {
namespace {

namespace stdfs = std::filesystem;
using namespace std::chrono_literals;

constexpr int64_t kT0 = 1755784800;  // 2025-08-21T14:00:00Z
constexpr int64_t kMnq = 711280073;

storage::GapRecord MnqGap() {
  storage::GapRecord gap;
  gap.stream = {kMnq, TickType::kBidAsk};
  gap.start = FromUnixSeconds(kT0);
  gap.end = FromUnixSeconds(kT0 + 60);
  gap.cause = "disconnect";
  return gap;
}

using GapsCommandTest = testing::CliRunTest;

TEST_F(GapsCommandTest, AFilledGapShowsHowItWasFilledFromTheLedger) {
  {
    auto ledger = storage::GapLedger::Open(fs::PosixFileSystem(), Store(), FromUnixSeconds(kT0));
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    auto filled = (*ledger)->Add(MnqGap());
    auto failed = (*ledger)->Add(MnqGap());
    ASSERT_TRUE(filled.ok() && failed.ok());
    storage::GapFill fill;
    fill.queued_at = FromUnixSeconds(kT0 + 61);
    fill.filled_at = FromUnixSeconds(kT0 + 95);
    fill.requests = 12;
    fill.requests_needed = 11;
    fill.pacing_minimum = 4s;
    fill.round_trip = 250ms;
    ASSERT_TRUE((*ledger)
                    ->Update(*filled, storage::BackfillState::kFilled, "",
                             FromUnixSeconds(kT0 + 95), std::nullopt, fill)
                    .ok());
    ASSERT_TRUE((*ledger)
                    ->Update(*failed, storage::BackfillState::kFailed, "no permission",
                             FromUnixSeconds(kT0 + 70))
                    .ok());
  }
  ASSERT_EQ(Run("gaps --data " + Store()), 0) << Err();
  EXPECT_EQ(Out(),
            "1  711280073/bid_ask  2025-08-21T14:00:00Z .. 2025-08-21T14:01:00Z  cause=disconnect"
            "  backfill=filled  time_to_fill=34.0s requests=12 needed=11 pacing_minimum=4.0s "
            "round_trip=0.25s least_time=4.2s ratio=8.00\n"
            "2  711280073/bid_ask  2025-08-21T14:00:00Z .. 2025-08-21T14:01:00Z  cause=disconnect"
            "  backfill=failed  reason=no permission\n");

  ASSERT_EQ(Run("gaps --json --data " + Store()), 0) << Err();
  const nlohmann::json gaps = nlohmann::json::parse(Out());
  ASSERT_EQ(gaps.size(), 2u);
  const nlohmann::json& f = gaps[0]["fill"];
  ASSERT_TRUE(f.is_object()) << gaps.dump();
  EXPECT_EQ(f["queued_at"], "2025-08-21T14:01:01Z");
  EXPECT_EQ(f["filled_at"], "2025-08-21T14:01:35Z");
  EXPECT_EQ(f["requests"], 12);
  EXPECT_EQ(f["requests_needed"], 11);
  EXPECT_DOUBLE_EQ(f["time_to_fill_seconds"].get<double>(), 34.0);
  EXPECT_DOUBLE_EQ(f["pacing_minimum_seconds"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(f["round_trip_seconds"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(f["least_time_seconds"].get<double>(), 4.25);
  EXPECT_DOUBLE_EQ(f["ratio_to_minimum"].get<double>(), 8.0);
  EXPECT_TRUE(gaps[1]["fill"].is_null());
}

// A ledger written before fills were kept (GAP records only) lists as it always did.
TEST_F(GapsCommandTest, ALedgerWithoutFillsListsAsBefore) {
  storage::log::FileHeader header;
  header.magic = "IBSGAPS1";
  header.content_version = 1;
  header.salt = 0x5eed;
  header.generation = 1;
  std::string bytes = storage::log::EncodeFileHeader(header);
  storage::log::Writer writer(header.salt);
  storage::GapRecord gap = MnqGap();
  gap.id = 1;
  gap.state = storage::BackfillState::kFilled;
  writer.AddRecord(std::string(1, '\x10') + storage::EncodeGapRecord(gap), &bytes);
  stdfs::create_directories(storage::GapsRoot(Store()));
  std::ofstream(stdfs::path(storage::GapsRoot(Store())) / "ledger.1.log", std::ios::binary)
      << bytes;

  ASSERT_EQ(Run("gaps --data " + Store()), 0) << Err();
  EXPECT_EQ(Out(),
            "1  711280073/bid_ask  2025-08-21T14:00:00Z .. 2025-08-21T14:01:00Z  cause=disconnect"
            "  backfill=filled\n");
  EXPECT_EQ(Err(), "");
  ASSERT_EQ(Run("gaps --json --data " + Store()), 0) << Err();
  EXPECT_TRUE(nlohmann::json::parse(Out())[0]["fill"].is_null());
}

// A ledger cut short (a torn last record) is read up to the cut, said on stderr, exit 1.
TEST_F(GapsCommandTest, ACutLedgerListsWhatItCouldReadSaysSoAndExitsOne) {
  {
    auto ledger = storage::GapLedger::Open(fs::PosixFileSystem(), Store(), FromUnixSeconds(kT0));
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    ASSERT_TRUE((*ledger)->Add(MnqGap()).ok());
    ASSERT_TRUE((*ledger)->Add(MnqGap()).ok());
  }
  stdfs::path file;
  for (const auto& entry : stdfs::directory_iterator(storage::GapsRoot(Store()))) {
    if (entry.path().extension() == ".log") file = entry.path();
  }
  ASSERT_FALSE(file.empty());
  stdfs::resize_file(file, stdfs::file_size(file) - 10);

  EXPECT_EQ(Run("gaps --data " + Store()), 1);
  EXPECT_EQ(Out(),
            "1  711280073/bid_ask  2025-08-21T14:00:00Z .. 2025-08-21T14:01:00Z  cause=disconnect"
            "  backfill=pending\n");
  EXPECT_NE(Err().find("damaged ledger bytes were skipped"), std::string::npos) << Err();
  // Standard output is the list alone, so --json still parses.
  EXPECT_EQ(Run("gaps --json --data " + Store()), 1);
  EXPECT_EQ(nlohmann::json::parse(Out(), nullptr, false).size(), 1u) << Out();
}

}  // namespace
}  // namespace ibstream::cli::gaps_command_test
