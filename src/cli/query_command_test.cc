// `ibstream query` end to end: the built executable on archives written by V3Writer (--v3) and
// on stores of journals (--data), sound and damaged.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli_run_fixture.h"
#include "formats/v3_json.h"
#include "formats/v3_protobuf.h"
#include "formats/v3_writer.h"
#include "fs/file_system.h"
#include "storage/journal.h"
#include "storage/layout.h"
#include "storage/test_ticks.h"

namespace ibstream::cli::query_command_test {
namespace {

namespace stdfs = std::filesystem;

constexpr int64_t kHour = 1755784800;  // 2025-08-21 14:00:00 UTC
constexpr int64_t kMnq = 711280073;

Tick Quote(int64_t second, double bid) {
  Tick tick;
  tick.contract_id = kMnq;
  tick.type = TickType::kBidAsk;
  tick.exchange_time = FromUnixSeconds(second);
  tick.receive_time = FromUnixSeconds(second) + std::chrono::microseconds(250);
  tick.bid_price = bid;
  tick.bid_size = Decimal::FromInt(4);
  tick.ask_price = bid + 0.25;
  tick.ask_size = Decimal::FromInt(2);
  return tick;
}

Tick Trade(int64_t second, double price) {
  Tick tick;
  tick.contract_id = kMnq;
  tick.type = TickType::kLast;
  tick.exchange_time = FromUnixSeconds(second);
  tick.receive_time = FromUnixSeconds(second) + std::chrono::microseconds(500);
  tick.price = price;
  tick.size = Decimal::FromInt(1);
  return tick;
}

class QueryV3CommandTest : public testing::CliRunTest {
 protected:
  void WriteArchive(const std::vector<Tick>& ticks) {
    formats::V3WriterOptions options;
    options.base_dir = (dir_ / "archive").string();
    formats::V3Writer writer(options);
    for (const Tick& tick : ticks) ASSERT_TRUE(writer.Append(tick).ok());
    ASSERT_TRUE(writer.Close().ok());
  }

  // Runs `ibstream query ARGS --out out` with stderr to a file; the exit status.
  int Query(const std::string& args) {
    const std::string command = std::string(IBSTREAM_BINARY) + " query " + args + " --out " +
                                (dir_ / "out").string() + " 2> " + (dir_ / "err").string();
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string Archive() const { return (dir_ / "archive").string(); }
};

TEST_F(QueryV3CommandTest, PrintsTheRangeInOrderInTheRequestedFormat) {
  const std::vector<Tick> ticks = {Quote(kHour - 10, 1),   Trade(kHour + 1, 2),
                                   Quote(kHour + 1, 3),    Quote(kHour + 3599, 4),
                                   Trade(kHour + 3600, 5), Quote(kHour + 7200, 6)};
  WriteArchive(ticks);
  // 2025-08-21T14:00:00Z to 16:00:00Z: the first and last quotes are outside.
  const std::string range =
      " --contract 711280073 --from 2025-08-21T14:00:00Z --to 2025-08-21T16:00:00Z";
  ASSERT_EQ(Query("--v3 " + Archive() + range + " --format v3-json"), 0) << Err();
  std::string expected;
  for (const Tick& tick : {ticks[2], ticks[1], ticks[3], ticks[4]})
    formats::AppendV3Json(tick, expected);
  EXPECT_EQ(Out(), expected);
  EXPECT_EQ(Err(), "");

  ASSERT_EQ(Query("--v3 " + Archive() + range + " --v3-prefer protobuf --format v3-protobuf"), 0)
      << Err();
  std::string expected_protobuf;
  for (const Tick& tick : {ticks[2], ticks[1], ticks[3], ticks[4]}) {
    ASSERT_TRUE(formats::AppendV3Protobuf(tick, expected_protobuf).ok());
  }
  EXPECT_EQ(Out(), expected_protobuf);

  ASSERT_EQ(Query("--v3 " + Archive() + "/v3" + range + " --types last --format csv"), 0) << Err();
  const std::string csv = Out();
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);  // header + two trades
}

TEST_F(QueryV3CommandTest, DamageIsSkippedReportedAndExitsOne) {
  WriteArchive({Quote(kHour + 1, 1), Quote(kHour + 2, 2)});
  const stdfs::path file =
      dir_ / "archive/v3/json/2025/08/21/14/711280073_bid_ask_1755784800.jsonl";
  std::ofstream(file, std::ios::app) << "{not json\n";
  ASSERT_EQ(Query("--v3 " + Archive() +
                  " --contract 711280073 --from 2025-08-21T14:00:00Z "
                  "--to 2025-08-21T15:00:00Z --format v3-json"),
            1);
  std::string expected;
  formats::AppendV3Json(Quote(kHour + 1, 1), expected);
  formats::AppendV3Json(Quote(kHour + 2, 2), expected);
  EXPECT_EQ(Out(), expected);
  EXPECT_NE(Err().find("ibstream query: the v3 archive is damaged: 1 bad records and 0 "
                       "unreadable files or directories were skipped"),
            std::string::npos)
      << Err();
  EXPECT_NE(Err().find(file.string() + ": line 3:"), std::string::npos) << Err();
}

TEST_F(QueryV3CommandTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Query("--v3 " + (dir_ / "nothing").string() + " --contract 1"), 2);
  EXPECT_NE(Err().find("ibstream query: no v3 archive in"), std::string::npos) << Err();
  EXPECT_EQ(Query("--contract 1"), 2);
  EXPECT_NE(Err().find("give one of --data DIR, --config FILE and --v3 DIR"), std::string::npos)
      << Err();
  WriteArchive({Quote(kHour + 1, 1)});
  EXPECT_EQ(Query("--v3 " + Archive() + " --contract 1 --v3-prefer xml"), 2);
  EXPECT_NE(Err().find("unknown --v3-prefer 'xml'"), std::string::npos) << Err();
}

// --data: a store whose damage must be reported on stderr with exit status 1.
class QueryDataCommandTest : public QueryV3CommandTest {
 protected:
  std::string Root() const { return (dir_ / "data").string(); }
  // Journal generation `generation` of 2025-08-21 14h holding `n` MNQ quotes; returns its path.
  std::string WriteJournal(uint32_t generation, int n, uint64_t first_sequence) {
    auto file = storage::JournalFile::Create(fs::PosixFileSystem(), Root(), FromUnixSeconds(kHour),
                                             generation, false);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    if (!file.ok()) return "";
    for (int i = 0; i < n; ++i) {
      (*file)->AddTick(storage::testing::MakeTick(kMnq, TickType::kBidAsk, kHour + 1 + i,
                                                  first_sequence + static_cast<uint64_t>(i)));
    }
    EXPECT_TRUE((*file)->Write().ok());
    EXPECT_TRUE((*file)->Sync().ok());
    EXPECT_TRUE((*file)->Close().ok());
    return (*file)->path();
  }
  int QueryData() {
    return Query("--data " + Root() +
                 " --contract 711280073 --from 2025-08-21T00:00:00Z --to 2025-08-22T00:00:00Z");
  }
  size_t OutLines() const {
    const std::string out = Out();
    return static_cast<size_t>(std::count(out.begin(), out.end(), '\n'));
  }
};

TEST_F(QueryDataCommandTest, SoundStoreExitsZeroWithNothingOnStderr) {
  WriteJournal(1, 100, 1);
  ASSERT_EQ(QueryData(), 0) << Err();
  EXPECT_EQ(OutLines(), 100u);
  EXPECT_EQ(Err(), "");
}

TEST_F(QueryDataCommandTest, TheFallbackKindsAreQueriedByDefaultAndByName) {
  auto file =
      storage::JournalFile::Create(fs::PosixFileSystem(), Root(), FromUnixSeconds(kHour), 1, false);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  (*file)->AddTick(storage::testing::MakeTick(kMnq, TickType::kBidAsk, kHour + 1, 1));
  (*file)->AddTick(storage::testing::MakeTick(kMnq, TickType::kQuote, kHour + 2, 1));
  (*file)->AddTick(storage::testing::MakeTick(kMnq, TickType::kTrade, kHour + 3, 1));
  ASSERT_TRUE((*file)->Write().ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Close().ok());

  ASSERT_EQ(QueryData(), 0) << Err();
  EXPECT_EQ(OutLines(), 3u) << Out();
  EXPECT_NE(Out().find("\"tick_type\":\"quote\""), std::string::npos) << Out();
  EXPECT_NE(Out().find("\"tick_type\":\"trade\""), std::string::npos) << Out();
  EXPECT_NE(Out().find("\"volume\":\"1001\""), std::string::npos) << Out();

  ASSERT_EQ(Query("--data " + Root() + " --contract 711280073 --types quote,trade " +
                  "--from 2025-08-21T00:00:00Z --to 2025-08-22T00:00:00Z --format csv"),
            0)
      << Err();
  const std::string csv = Out();
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3) << csv;  // header, quote, trade
  EXPECT_EQ(csv.find("bid_ask,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",trade,live,"), std::string::npos) << csv;
}

TEST_F(QueryDataCommandTest, AFlippedJournalHeaderByteIsReportedAndExitsOne) {
  WriteJournal(1, 100, 1);
  const std::string damaged = WriteJournal(2, 400, 1001);
  {
    std::fstream f(damaged, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(3);
    char c = 0;
    f.read(&c, 1);
    c ^= 0x5a;
    f.seekp(3);
    f.write(&c, 1);
  }
  ASSERT_EQ(QueryData(), 1) << Err();
  EXPECT_EQ(OutLines(), 100u) << "the sound journal is still printed";
  EXPECT_NE(Err().find("ibstream query: the store is damaged: 1 damaged files or regions ("),
            std::string::npos)
      << Err();
  EXPECT_NE(Err().find(damaged + ": " + std::to_string(stdfs::file_size(damaged)) +
                       " bytes skipped: journal header"),
            std::string::npos)
      << Err();
}

TEST_F(QueryDataCommandTest, AFileWhereAnHourDirectoryShouldBeIsReportedAndExitsOne) {
  WriteJournal(1, 100, 1);
  const std::string hour_dir = storage::ClosedHourDir(Root(), FromUnixSeconds(kHour));
  stdfs::create_directories(stdfs::path(hour_dir).parent_path());
  std::ofstream(hour_dir) << "not a directory";
  ASSERT_EQ(QueryData(), 1) << Err();
  EXPECT_EQ(OutLines(), 100u) << "the query goes on";
  EXPECT_NE(Err().find(hour_dir + ": 15 bytes skipped: cannot list as a directory"),
            std::string::npos)
      << Err();
}

}  // namespace
}  // namespace ibstream::cli::query_command_test
