// `ibstream query --book` end to end: the built executable on a store holding depth records.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli_run_fixture.h"
#include "fs/file_system.h"
#include "storage/journal.h"

namespace ibstream::cli::query_book_test {
namespace {

namespace stdfs = std::filesystem;

constexpr int64_t kHour = 1755784800;  // 2025-08-21 14:00:00 UTC
constexpr int64_t kEs = 495512563;

Tick Depth(BookOperation operation, BookSide side, int position, double price, int64_t size,
           int64_t millis, std::string maker = "") {
  Tick t;
  t.contract_id = kEs;
  t.type = TickType::kDepth;
  t.book_operation = operation;
  t.book_side = side;
  t.book_position = position;
  t.price = price;
  t.size = size > 0 ? Decimal::FromInt(size) : Decimal::Unset();
  t.exchange = std::move(maker);
  t.exchange_time = FromUnixSeconds(kHour) + std::chrono::milliseconds(millis);
  t.receive_time = t.exchange_time;
  return t;
}

class QueryBookCommandTest : public testing::CliRunTest {
 protected:
  std::string Root() const { return (dir_ / "data").string(); }
  void WriteJournal(const std::vector<Tick>& records) {
    auto file = storage::JournalFile::Create(fs::PosixFileSystem(), Root(), FromUnixSeconds(kHour),
                                             1, false);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    uint64_t sequence = 0;
    for (Tick t : records) {
      t.sequence = ++sequence;
      (*file)->AddTick(t);
    }
    ASSERT_TRUE((*file)->Write().ok());
    ASSERT_TRUE((*file)->Sync().ok());
    ASSERT_TRUE((*file)->Close().ok());
  }
  int Query(const std::string& args) {
    const std::string command = std::string(IBSTREAM_BINARY) + " query " + args + " --out " +
                                (dir_ / "out").string() + " 2> " + (dir_ / "err").string();
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
};

const std::vector<Tick> kRecords = {
    Depth(BookOperation::kReset, BookSide::kAsk, 0, 0, 0, 1000),
    Depth(BookOperation::kInsert, BookSide::kBid, 0, 6400.25, 5, 1100),
    Depth(BookOperation::kInsert, BookSide::kAsk, 0, 6400.5, 7, 1200),
    Depth(BookOperation::kInsert, BookSide::kBid, 1, 6400.0, 12, 1300),
    Depth(BookOperation::kUpdate, BookSide::kBid, 0, 6400.25, 9, 2000),
    Depth(BookOperation::kDelete, BookSide::kAsk, 0, 0, 0, 3000),
};

TEST_F(QueryBookCommandTest, PrintsTheBookAtAnInstantAsJson) {
  WriteJournal(kRecords);
  ASSERT_EQ(Query("--data " + Root() +
                  " --contract 495512563 --book --at 2025-08-21T14:00:02Z --format json"),
            0)
      << Err();
  EXPECT_EQ(Out(),
            "{\"contract_id\":495512563,\"at\":\"2025-08-21T14:00:02Z\",\"rows\":0,"
            "\"restarted\":true,\"last_update\":\"2025-08-21T14:00:02Z\",\"records\":5,"
            "\"rejected\":0,"
            "\"bids\":[{\"position\":0,\"price\":6400.25,\"size\":\"9\",\"market_maker\":\"\"},"
            "{\"position\":1,\"price\":6400.0,\"size\":\"12\",\"market_maker\":\"\"}],"
            "\"asks\":[{\"position\":0,\"price\":6400.5,\"size\":\"7\",\"market_maker\":\"\"}]}\n");
  EXPECT_EQ(Err(), "");
}

TEST_F(QueryBookCommandTest, TextTableWithRowsAndTheInstantBeforeAnUpdate) {
  WriteJournal(kRecords);
  ASSERT_EQ(Query("--data " + Root() +
                  " --contract 495512563 --book --at 2025-08-21T14:00:01.5Z --rows 1"),
            0)
      << Err();
  EXPECT_EQ(Out(),
            "book of 495512563 at 2025-08-21T14:00:01.5Z (last update "
            "2025-08-21T14:00:01.3Z)\n"
            "row  bid (size @ price)          ask (size @ price)\n"
            "0    5 @ 6400.25                 7 @ 6400.5\n");
  // After the ask was deleted.
  ASSERT_EQ(Query("--data " + Root() + " --contract 495512563 --book --at 2025-08-21T14:00:05Z"),
            0);
  EXPECT_NE(Out().find("0    9 @ 6400.25\n1    12 @ 6400.0\n"), std::string::npos) << Out();
}

TEST_F(QueryBookCommandTest, NoDepthRecordsAndUsageErrorsExitTwo) {
  WriteJournal(kRecords);
  EXPECT_EQ(Query("--data " + Root() + " --contract 495512563 --book --at 2025-08-21T13:00:00Z"),
            2);
  EXPECT_NE(Err().find("no depth records of contract 495512563"), std::string::npos) << Err();
  EXPECT_EQ(Query("--data " + Root() + " --contract 495512563 --book"), 2);
  EXPECT_NE(Err().find("--book needs --at"), std::string::npos) << Err();
  EXPECT_EQ(Query("--data " + Root() +
                  " --contract 495512563 --book --at 2025-08-21T14:00:02Z --format csv"),
            2);
  EXPECT_EQ(Query("--data " + Root() + " --contract 495512563 --at 2025-08-21T14:00:02Z"), 2);
  EXPECT_NE(Err().find("go with --book"), std::string::npos) << Err();
  EXPECT_EQ(Query("--data " + Root() + " --contract 495512563 --types depth --format csv"), 2);
}

TEST_F(QueryBookCommandTest, ABookWithoutItsRestartInTheWindowExitsOne) {
  WriteJournal(kRecords);
  // The window [14:00:01.5, 14:00:02.5] holds the update of a bid row it never saw inserted.
  ASSERT_EQ(Query("--data " + Root() +
                  " --contract 495512563 --book --at 2025-08-21T14:00:02.5Z --lookback 1s"),
            1)
      << Err();
  EXPECT_NE(Err().find("no book restart"), std::string::npos) << Err();
  EXPECT_NE(Err().find("1 depth records did not fit"), std::string::npos) << Err();
}

TEST_F(QueryBookCommandTest, RawDepthRecordsByName) {
  WriteJournal(kRecords);
  ASSERT_EQ(Query("--data " + Root() +
                  " --contract 495512563 --types depth --from 2025-08-21T14:00:00Z "
                  "--to 2025-08-21T15:00:00Z"),
            0)
      << Err();
  const std::string out = Out();
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 6) << out;
  EXPECT_NE(out.find("\"operation\":\"reset\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"operation\":\"update\",\"side\":\"bid\",\"position\":0"), std::string::npos)
      << out;
  // Not among the default kinds.
  ASSERT_EQ(Query("--data " + Root() +
                  " --contract 495512563 --from 2025-08-21T14:00:00Z --to 2025-08-21T15:00:00Z"),
            0);
  EXPECT_EQ(Out(), "");
}

}  // namespace
}  // namespace ibstream::cli::query_book_test
