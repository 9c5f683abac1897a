// The next step the commands name: where a store's data is when a query finds nothing, the usual
// gateway ports on a refused connection, the flag that moves a port in use, and `--config` in
// place of --data/--url. Unit tests of user_hints, then the built executable.
#include "cli/user_hints.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "cli/cli_run_fixture.h"
#include "fs/file_system.h"
#include "storage/journal.h"
#include "storage/test_ticks.h"

namespace ibstream::cli::user_hints_test {
namespace {

namespace stdfs = std::filesystem;

constexpr int64_t kHour = 1755784800;  // 2025-08-21 14:00:00 UTC
constexpr int64_t kMnq = 711280073;
constexpr int64_t kEs = 495512563;

TEST(UserHintsTest, ARefusedConnectionNamesTheUsualPortsAndTheFlag) {
  const std::string hint =
      ConnectRefusedHint("cannot connect to 127.0.0.1 port 4999: Connection refused");
  EXPECT_NE(hint.find("7497 (TWS paper)"), std::string::npos) << hint;
  EXPECT_NE(hint.find("4002 (IB Gateway paper, and `ibstream sim`)"), std::string::npos) << hint;
  EXPECT_NE(hint.find("--port"), std::string::npos) << hint;
  EXPECT_EQ(ConnectRefusedHint("cannot connect to 127.0.0.1 port 4002: timed out"), "");
}

TEST(UserHintsTest, APortInUseNamesHowToMoveIt) {
  EXPECT_EQ(PortInUseHint("listen on 127.0.0.1:4002: Address already in use", "use --listen"),
            "another program listens on that port; use --listen");
  EXPECT_EQ(PortInUseHint("listen on 127.0.0.1:4002: Permission denied", "use --listen"), "");
}

TEST(UserHintsTest, AnEmptyAnswerSaysWhereTheContractsDataIs) {
  storage::StoreInventory inventory;
  inventory.streams[{kMnq, TickType::kBidAsk}] = {FromUnixSeconds(kHour),
                                                  FromUnixSeconds(kHour + 7200)};
  inventory.streams[{kMnq, TickType::kQuote}] = {FromUnixSeconds(kHour),
                                                 FromUnixSeconds(kHour + 60)};
  inventory.streams[{kEs, TickType::kLast}] = {FromUnixSeconds(kHour), FromUnixSeconds(kHour + 1)};
  const EmptyAnswer answer =
      ExplainEmptyAnswer(inventory, kMnq, {TickType::kBidAsk}, FromUnixSeconds(kHour + 86400),
                         FromUnixSeconds(kHour + 90000));
  EXPECT_TRUE(answer.contract_known);
  ASSERT_EQ(answer.lines.size(), 3u);
  EXPECT_EQ(answer.lines[0],
            "no ticks of contract 711280073 (bid_ask) from 2025-08-22T14:00:00Z to "
            "2025-08-22T15:00:00Z");
  EXPECT_EQ(answer.lines[1],
            "the store holds bid_ask of contract 711280073 from about 2025-08-21T14:00:00Z to "
            "2025-08-21T16:00:00Z");
  EXPECT_NE(answer.lines[2].find("quote of contract 711280073"), std::string::npos);
  EXPECT_NE(answer.lines[2].find("(not asked for: see --types)"), std::string::npos);

  const EmptyAnswer unknown = ExplainEmptyAnswer(inventory, 42, {TickType::kBidAsk},
                                                 FromUnixSeconds(0), FromUnixSeconds(kHour));
  EXPECT_FALSE(unknown.contract_known);
  EXPECT_EQ(unknown.lines.back(),
            "the store holds no ticks of contract 42; it holds contracts 495512563, 711280073");
  EXPECT_EQ(ExplainEmptyAnswer({}, 42, {TickType::kLast}, FromUnixSeconds(0), FromUnixSeconds(1))
                .lines.back(),
            "the store holds no ticks at all");
}

TEST(UserHintsTest, AStreamAskedForInABreakSaysWhenTheMarketOpens) {
  const std::string trading = "20250810:1700-20250811:1600;20250811:1700-20250812:1600";
  // 16:30 CDT: the CME daily halt.
  EXPECT_EQ(
      MarketClosedNote("MNQ", "US/Central", trading, "", *ParseIsoTime("2025-08-11T21:30:00Z")),
      "MNQ's market is BREAK now; it opens at 2025-08-11T22:00:00Z and ticks start then "
      "(Ctrl-C stops)");
  EXPECT_EQ(
      MarketClosedNote("MNQ", "US/Central", trading, "", *ParseIsoTime("2025-08-11T15:00:00Z")), "")
      << "open: nothing to say";
  EXPECT_EQ(MarketClosedNote("MNQ", "Nowhere/Zone", "garbage", "", FromUnixSeconds(0)), "")
      << "unknown hours: nothing to say";
}

// The built executable: exit status, stdout and stderr of one command.
class CommandGuidanceTest : public testing::CliRunTest {
 protected:
  void WriteStore() {
    auto file = storage::JournalFile::Create(fs::PosixFileSystem(), Store(), FromUnixSeconds(kHour),
                                             1, false);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    for (int i = 0; i < 10; ++i) {
      (*file)->AddTick(storage::testing::MakeTick(kMnq, TickType::kBidAsk, kHour + 1 + i,
                                                  static_cast<uint64_t>(i + 1)));
    }
    ASSERT_TRUE((*file)->Write().ok());
    ASSERT_TRUE((*file)->Sync().ok());
    ASSERT_TRUE((*file)->Close().ok());
  }
  std::string WriteConfig() {
    const stdfs::path path = dir_ / "ibstream.toml";
    std::ofstream(path) << "[storage]\npath = \"" << Store() << "\"\n\n[http]\nlisten = "
                        << "\"127.0.0.1:1\"\n";
    return path.string();
  }
};

TEST_F(CommandGuidanceTest, QueryOfAMissingStoreIsAnError) {
  EXPECT_EQ(Run("query --data " + (dir_ / "nothing").string() + " --contract 1"), 2);
  EXPECT_NE(Err().find("ibstream query: no store at"), std::string::npos) << Err();
  stdfs::create_directories(dir_ / "empty");
  EXPECT_EQ(Run("query --data " + (dir_ / "empty").string() + " --contract 1"), 2);
  EXPECT_NE(Err().find("none of a store's journal/, closed/ and gaps/"), std::string::npos)
      << Err();
}

TEST_F(CommandGuidanceTest, AnEmptyQuerySaysWhereTheDataIs) {
  WriteStore();
  EXPECT_EQ(Run("query --data " + Store() +
                " --contract 711280073 --from 2025-08-22T00:00:00Z --to 2025-08-23T00:00:00Z"),
            0)
      << Err();
  EXPECT_EQ(Out(), "");
  EXPECT_NE(Err().find("ibstream query: no ticks of contract 711280073"), std::string::npos)
      << Err();
  EXPECT_NE(Err().find("the store holds bid_ask of contract 711280073 from about "
                       "2025-08-21T14:00:01Z to 2025-08-21T14:00:10Z"),
            std::string::npos)
      << Err();
}

TEST_F(CommandGuidanceTest, AContractTheStoreDoesNotHoldIsAnError) {
  WriteStore();
  EXPECT_EQ(Run("query --data " + Store() + " --contract 42"), 2);
  EXPECT_NE(Err().find("the store holds no ticks of contract 42; it holds contracts 711280073"),
            std::string::npos)
      << Err();
}

TEST_F(CommandGuidanceTest, ConfigGivesQueryGapsAndVerifyTheirStore) {
  WriteStore();
  const std::string config = WriteConfig();
  ASSERT_EQ(Run("query --config " + config + " --contract 711280073"), 0) << Err();
  const std::string out = Out();
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 10) << out;
  EXPECT_EQ(Run("gaps --config " + config), 0) << Err();
  EXPECT_NE(Err().find("ibstream gaps: no gaps recorded in " + Store()), std::string::npos)
      << Err();
  EXPECT_EQ(Run("verify --config " + config), 0) << Err();
  EXPECT_EQ(Run("query --config " + (dir_ / "missing.toml").string() + " --contract 1"), 2);
  EXPECT_NE(Err().find("missing.toml"), std::string::npos) << Err();
}

TEST_F(CommandGuidanceTest, GapsOfAMissingStoreIsAnError) {
  EXPECT_EQ(Run("gaps --data " + (dir_ / "nothing").string()), 2);
  EXPECT_NE(Err().find("ibstream gaps: no store at"), std::string::npos) << Err();
}

TEST_F(CommandGuidanceTest, StatusReadsTheRecorderUrlFromTheConfigAndSaysWhatToCheck) {
  const std::string config = WriteConfig();
  EXPECT_EQ(Run("status --config " + config), 1);
  EXPECT_NE(Err().find("http://127.0.0.1:1/v1/status"), std::string::npos) << Err();
  EXPECT_NE(Err().find("is the recorder running"), std::string::npos) << Err();
}

TEST_F(CommandGuidanceTest, HoursWithoutArgumentsPrintsItsUsage) {
  EXPECT_EQ(Run("hours"), 2);
  EXPECT_NE(Err().find("give --contract ID"), std::string::npos) << Err();
  EXPECT_NE(Err().find("--trading"), std::string::npos) << Err();
  EXPECT_NE(Err().find("--at"), std::string::npos) << "the whole usage follows: " << Err();
}

TEST_F(CommandGuidanceTest, ARefusedGatewayConnectionNamesThePorts) {
  // Port 1 on loopback: nothing listens there without privileges.
  EXPECT_EQ(Run("contract MNQ --port 1 --timeout 5"), 1);
  EXPECT_NE(Err().find("Connection refused"), std::string::npos) << Err();
  EXPECT_NE(Err().find("7496 (TWS live)"), std::string::npos) << Err();
}

TEST_F(CommandGuidanceTest, ADemoDirectoryWithAPreviousRunIsRefusedUnlessFresh) {
  const stdfs::path data = dir_ / "demo";
  stdfs::create_directories(data / "store");
  std::ofstream(data / "truth.jsonl") << "{}\n";
  EXPECT_EQ(Run("demo --data " + data.string() + " --port 0 --duration 1"), 1);
  EXPECT_NE(Err().find("holds a previous demo run"), std::string::npos) << Err();
  EXPECT_NE(Err().find("--fresh"), std::string::npos) << Err();
  EXPECT_TRUE(stdfs::exists(data / "truth.jsonl")) << "nothing is deleted without --fresh";

  std::ofstream(data / "notes.txt") << "mine\n";
  EXPECT_EQ(Run("demo --data " + data.string() + " --port 0 --duration 1 --fresh"), 1);
  EXPECT_NE(Err().find("also holds 'notes.txt'"), std::string::npos) << Err();
  EXPECT_TRUE(stdfs::exists(data / "truth.jsonl")) << "a directory not only the demo's is kept";

  stdfs::remove(data / "notes.txt");
  std::ofstream(data / "truth.jsonl") << "OLD-RUN-MARKER\n";
  EXPECT_EQ(Run("demo --data " + data.string() + " --port 0 --duration 1 --fresh"), 0) << Err();
  EXPECT_EQ(testing::ReadFileText(data / "truth.jsonl").find("OLD-RUN-MARKER"), std::string::npos)
      << "the previous truth was replaced by this run's";
}

// The demo tells its story on the terminal: contracts and their conIds, the market's state, the
// scripted gateway restart, the gap and its backfill, the alert firing and resolving, and a
// summary; the detailed log goes to its file.
TEST_F(CommandGuidanceTest, TheDemoNarratesTheFaultAndSummarizesTheRun) {
  const stdfs::path data = dir_ / "demo";
  ASSERT_EQ(Run("demo --data " + data.string() +
                " --port 0 --speed 120 --start 2025-08-11T17:05:00-05:00 --fault-after 2 "
                "--duration 15"),
            0)
      << Err();
  const std::string out = Out();
  for (const char* expected : {
           "contract  MNQ FUT CME USD is conId ",
           "market    MNQ EXTENDED, closes 21:00:00Z",
           "fault:    the gateway restarts at 2025-08-11T22:07:00Z (virtual) for 3 minutes",
           "gateway   connection lost",
           "gap       #",
           "backfill  #",
           "ALERT     gateway_down firing",
           "alert     gateway_down resolved",
           "ibstream demo: stopped. Recorded in ",
           "MNQ (",
           " filled from IB's history",
       }) {
    EXPECT_NE(out.find(expected), std::string::npos) << "missing '" << expected << "' in\n" << out;
  }
  EXPECT_EQ(out.find("event="), std::string::npos) << "raw log lines stay in the log file";
  const std::string log = testing::ReadFileText(data / "demo.log");
  EXPECT_NE(log.find("event=connected"), std::string::npos) << "the log file has the details";
}

}  // namespace
}  // namespace ibstream::cli::user_hints_test
