// kill -9 against a real writer process: the child appends and reports its durable position;
// the test kills it at random points, recovers the store and checks that every tick reported
// durable is there, exactly once and unchanged, and that nothing else appears. Bounded: a fixed
// number of iterations, each a fraction of a second. (kill -9 keeps the page cache: this tests
// the recovery logic; power loss is the fault-injecting file system's job.)
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>
#include <string>

#include "common/clock.h"
#include "storage/query.h"
#include "storage/recovery.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

extern char** environ;

namespace ibstream::storage::kill_test {

using fs::PosixFileSystem;
namespace {

struct Child {
  pid_t pid = -1;
  std::FILE* out = nullptr;
};

Child Spawn(const std::string& dir, uint64_t first, const char* policy) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  const std::string first_text = std::to_string(first);
  const char* argv[] = {STORAGE_CRASH_WRITER, dir.c_str(), first_text.c_str(), policy, nullptr};
  Child child;
  EXPECT_EQ(posix_spawn(&child.pid, STORAGE_CRASH_WRITER, &actions, nullptr,
                        const_cast<char**>(argv), environ),
            0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  child.out = ::fdopen(fds[0], "r");
  return child;
}

TEST(KillTest, SigkillAtRandomPointsLosesNothingDurable) {
  const uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const std::string dir = ::testing::TempDir() + "/kill_test_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto deadline = SteadyClock::Real().Now() + std::chrono::seconds(25);
  uint64_t next = 1;
  int iterations = 0;
  for (; iterations < 20 && SteadyClock::Real().Now() < deadline; ++iterations) {
    const char* policy = rng() % 2 ? "always" : "batch";
    Child child = Spawn(dir, next, policy);
    ASSERT_NE(child.out, nullptr);
    // Let it report a random number of durable positions, then kill it mid-flight.
    const int reports = 1 + static_cast<int>(rng() % 60);
    uint64_t durable = next - 1;
    char line[128];
    int seen = 0;
    while (seen < reports && std::fgets(line, sizeof(line), child.out) != nullptr) {
      unsigned long long value;
      if (std::sscanf(line, "durable %llu", &value) == 1) {
        durable = value;
        ++seen;
      }
    }
    ::kill(child.pid, SIGKILL);
    int wstatus = 0;
    ::waitpid(child.pid, &wstatus, 0);
    std::fclose(child.out);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "the writer exited by itself: status " << wstatus;

    auto report = RecoverStore(PosixFileSystem(), dir, nullptr);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_EQ(report->files_quarantined, 0u) << "kill -9 must never damage the middle of a file";
    std::set<uint64_t> seqs;
    QueryStats stats;
    ASSERT_TRUE(QueryTicks(
                    PosixFileSystem(), dir,
                    {{{711280073, TickType::kBidAsk}, {711280073, TickType::kLast}},
                     FromUnixSeconds(0),
                     FromUnixSeconds(testing::kHour0 + 86400 * 365)},
                    [&](const Tick& t) {
                      EXPECT_TRUE(seqs.insert(t.sequence).second) << "duplicate " << t.sequence;
                      const Tick expected = testing::MakeTick(
                          t.contract_id, t.type,
                          testing::kHour0 + static_cast<int64_t>(t.sequence / 100), t.sequence);
                      EXPECT_TRUE(SameStoredTick(t, expected)) << t.sequence;
                      return Status::Ok();
                    },
                    &stats)
                    .ok());
    ASSERT_EQ(stats.duplicates_dropped, 0u);
    ASSERT_FALSE(seqs.empty());
    // Everything durable is there; what is there is a gap-free prefix of what was written.
    ASSERT_GE(*seqs.rbegin(), durable);
    ASSERT_EQ(*seqs.begin(), 1u);
    ASSERT_EQ(seqs.size(), *seqs.rbegin()) << "a hole in the recovered sequence";
    next = *seqs.rbegin() + 1;
  }
  EXPECT_GE(iterations, 5);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ibstream::storage::kill_test
