// `ibstream merge` end to end: the built executable merges two stores with different holes; the
// merged store is read back by `query`, `verify` and `gaps` unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "cli/cli_run_fixture.h"
#include "fs/file_system.h"
#include "storage/layout.h"
#include "storage/recovery.h"
#include "storage/store.h"
#include "storage/test_ticks.h"

namespace ibstream::cli::merge_command_test {
namespace {

namespace stdfs = std::filesystem;

constexpr int64_t kT0 = 1755770400;  // 2025-08-21T10:00:00Z
constexpr int64_t kMnq = 711202509;

class MergeCommandTest : public testing::CliRunTest {
 protected:
  // 60 seconds of 2 ticks per second of quotes and trades, without [hole_from, hole_to) (seconds
  // after kT0), which the ledger records as a gap with `cause`; closed files only. With `depth`,
  // also one market-depth record per second.
  std::string WriteSource(const std::string& name, int64_t hole_from, int64_t hole_to,
                          const std::string& cause, bool depth = false) {
    const std::string root = Dir(name);
    storage::StoreOptions options;
    options.root = root;
    options.background_maintenance = false;
    auto store = storage::Store::Open(fs::PosixFileSystem(), clock_, options);
    EXPECT_TRUE(store.ok());
    uint64_t sequence = 1;
    for (TickType type : {TickType::kBidAsk, TickType::kLast}) {
      for (int64_t s = 0; s < 60; ++s) {
        for (int i = 0; i < 2; ++i) {
          const Tick tick = storage::testing::MakeTick(kMnq, type, kT0 + s, sequence++);
          if (s < hole_from || s >= hole_to) {
            EXPECT_TRUE((*store)->writer().Append(tick).ok());
          }
        }
      }
      storage::GapRecord gap;
      gap.stream = {kMnq, type};
      gap.start = FromUnixSeconds(kT0 + hole_from);
      gap.end = FromUnixSeconds(kT0 + hole_to);
      gap.cause = cause;
      EXPECT_TRUE((*store)->ledger().Add(gap).ok());
    }
    for (int64_t s = 0; depth && s < 60; ++s) {
      Tick record = storage::testing::MakeTick(kMnq, TickType::kDepth, kT0 + s, sequence++);
      record.book_operation = s == 0 ? BookOperation::kReset : BookOperation::kUpdate;
      EXPECT_TRUE((*store)->writer().Append(record).ok());
    }
    (*store)->Close();
    store->reset();
    auto hours = storage::ListJournalHours(fs::PosixFileSystem(), root);
    for (TimePoint hour : *hours) {
      storage::ConversionReport report;
      EXPECT_TRUE(storage::ConvertJournalHour(fs::PosixFileSystem(), root, hour, 3, &report).ok());
    }
    return root;
  }

  static size_t Lines(const std::string& text) {
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  }

  ManualClock clock_{FromUnixSeconds(kT0 + 7200)};
};

TEST_F(MergeCommandTest, MergedStoreIsReadByQueryVerifyAndGaps) {
  const std::string a = WriteSource("a", 5, 20, "disconnect");
  const std::string b = WriteSource("b", 15, 40, "stall");
  const std::string merged = Dir("merged");
  ASSERT_EQ(Run("merge --from " + a + " --from gw-b=" + b + " --out " + merged), 0) << Err();
  EXPECT_NE(Out().find("711202509/bid_ask 2025-08-21T10:00:00Z..2025-08-21T10:01:00Z: 110 ticks, "
                       "a 45 s, gw-b 10 s, 2 switches, 5 s lost by every source"),
            std::string::npos)
      << Out();

  // Every tick but the 5 seconds both lost, once: 2 streams x 55 s x 2 ticks.
  ASSERT_EQ(Run("query --data " + merged + " --contract 711202509 --types bid_ask,last"), 0)
      << Err();
  EXPECT_EQ(Lines(Out()), 220u);
  ASSERT_EQ(Run("verify --data " + merged), 0) << Out() << Err();
  ASSERT_EQ(Run("gaps --data " + merged), 0) << Err();
  EXPECT_EQ(Lines(Out()), 2u) << Out();
  EXPECT_NE(Out().find("2025-08-21T10:00:15Z .. 2025-08-21T10:00:20Z  cause=disconnect+stall  "
                       "backfill=failed  reason=lost by every recorder: a (disconnect), gw-b "
                       "(stall)"),
            std::string::npos)
      << Out();

  // Again: nothing new, nothing duplicated.
  ASSERT_EQ(Run("merge --from " + a + " --from gw-b=" + b + " --out " + merged), 0) << Err();
  EXPECT_NE(Out().find("0 ticks written"), std::string::npos) << Out();
  ASSERT_EQ(Run("query --data " + merged + " --contract 711202509 --types bid_ask,last"), 0);
  EXPECT_EQ(Lines(Out()), 220u);
}

TEST_F(MergeCommandTest, DamagedSourceIsReportedAndTheOtherSourceUsed) {
  const std::string a = WriteSource("a", 0, 0, "none");
  const std::string b = WriteSource("b", 30, 40, "disconnect");
  for (const auto& entry :
       stdfs::directory_iterator(storage::ClosedHourDir(a, FromUnixSeconds(kT0)))) {
    std::fstream f(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    f.write("\xff\xff\xff\xff", 4);
  }
  const std::string merged = Dir("merged");
  ASSERT_EQ(Run("merge --from " + a + " --from " + b + " --out " + merged), 1) << Err();
  EXPECT_NE(Err().find("ibstream merge: source a is damaged: 2 damaged files or regions"),
            std::string::npos)
      << Err();
  ASSERT_EQ(Run("gaps --data " + merged), 0) << Err();
  EXPECT_NE(Out().find("cause=damaged+disconnect"), std::string::npos) << Out();
  ASSERT_EQ(Run("verify --data " + merged), 0) << Out() << Err();
}

TEST_F(MergeCommandTest, MarketDepthIsNamedAndNotMerged) {
  const std::string a = WriteSource("a", 5, 20, "disconnect", /*depth=*/true);
  const std::string b = WriteSource("b", 15, 40, "stall", /*depth=*/true);
  const std::string merged = Dir("merged");
  ASSERT_EQ(Run("merge --from " + a + " --from " + b + " --out " + merged), 0) << Err();
  EXPECT_NE(Err().find("ibstream merge: 711202509/depth not merged: market depth cannot be merged"),
            std::string::npos)
      << Err();
  EXPECT_EQ(Out().find("/depth"), std::string::npos) << Out();
  ASSERT_EQ(Run("query --data " + merged + " --contract 711202509 --types bid_ask,last"), 0)
      << Err();
  EXPECT_EQ(Lines(Out()), 220u);
  ASSERT_EQ(Run("query --data " + merged + " --contract 711202509 --types depth"), 0) << Err();
  EXPECT_EQ(Out().find("depth"), std::string::npos) << Out();
}

TEST_F(MergeCommandTest, RefusesBadArguments) {
  const std::string a = WriteSource("a", 0, 0, "none");
  EXPECT_EQ(Run("merge --from " + a + " --out " + a), 2);
  EXPECT_NE(Err().find("is also a --from"), std::string::npos) << Err();
  EXPECT_EQ(Run("merge --from " + Dir("missing") + " --out " + Dir("m")), 2);
  EXPECT_NE(Err().find("no store at"), std::string::npos) << Err();
  EXPECT_EQ(Run("merge --from " + a + " --from " + a + " --out " + Dir("m")), 2);
  EXPECT_NE(Err().find("two sources are named 'a'"), std::string::npos) << Err();
  EXPECT_EQ(Run("merge --from " + a + " --out " + Dir("m") + " --end yesterday"), 2);
  EXPECT_EQ(Run("merge --from " + a + " --out " + Dir("m") +
                " --start 2025-08-21T10:00:10Z --end 2025-08-21T10:00:05Z"),
            2);
}

// --until-caught-up with NATS unreachable (nothing listens on port 1) gives up after --timeout
// with a clear error, instead of waiting forever; --http prints the port it serves on first.
TEST_F(MergeCommandTest, UntilCaughtUpGivesUpWhenNatsStaysUnreachable) {
  EXPECT_EQ(Run("merge --nats nats://127.0.0.1:1 --out " + Dir("m") +
                " --until-caught-up --timeout 0.5 --http 127.0.0.1:0"),
            2);
  EXPECT_NE(Err().find("ibstream merge: Unavailable: NATS at nats://127.0.0.1:1 unreachable for"),
            std::string::npos)
      << Err();
  EXPECT_NE(Out().find("serving the merged store at http://127.0.0.1:"), std::string::npos)
      << Out();
  EXPECT_EQ(Out().find("(port 0)"), std::string::npos) << Out();
}

TEST_F(MergeCommandTest, HttpGoesWithNatsAndTimeoutWithUntilCaughtUp) {
  const std::string a = WriteSource("a", 0, 0, "none");
  EXPECT_EQ(Run("merge --from " + a + " --out " + Dir("m") + " --http 127.0.0.1:0"), 2);
  EXPECT_NE(Err().find("--http serves a running merge: it goes with --nats"), std::string::npos)
      << Err();
  EXPECT_EQ(Run("merge --nats nats://127.0.0.1:1 --out " + Dir("m") + " --http nowhere"), 2);
  EXPECT_NE(Err().find("--http 'nowhere'"), std::string::npos) << Err();
  EXPECT_EQ(Run("merge --nats nats://127.0.0.1:1 --out " + Dir("m") + " --timeout 0"), 2);
  EXPECT_EQ(Run("merge --nats nats://127.0.0.1:1 --out " + Dir("m") + " --timeout 5"), 2);
  EXPECT_NE(Err().find("--timeout goes with --until-caught-up"), std::string::npos) << Err();
}

TEST_F(MergeCommandTest, TokenFileGoesWithHttpAndIsChecked) {
  const std::string token = Dir("token");
  std::ofstream(token) << "too-short\n";
  EXPECT_EQ(Run("merge --nats nats://127.0.0.1:1 --out " + Dir("m") + " --token-file " + token), 2);
  EXPECT_NE(Err().find("--token-file goes with --http"), std::string::npos) << Err();
  EXPECT_EQ(Run("merge --nats nats://127.0.0.1:1 --out " + Dir("m") +
                " --until-caught-up --timeout 0.5 --http 127.0.0.1:0 --token-file " + token),
            2);
  EXPECT_NE(Err().find("--token-file " + token + ": the token is too short"), std::string::npos)
      << Err();
  EXPECT_EQ(Out().find("serving the merged store"), std::string::npos) << Out();
  EXPECT_EQ(
      Run("merge --nats nats://127.0.0.1:1 --out " + Dir("m") +
          " --until-caught-up --timeout 0.5 --http 127.0.0.1:0 --token-file " + Dir("absent")),
      2);
  EXPECT_NE(Err().find("--token-file " + Dir("absent")), std::string::npos) << Err();
}

}  // namespace
}  // namespace ibstream::cli::merge_command_test
