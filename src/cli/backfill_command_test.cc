// `ibstream backfill` end to end: the built executable against the simulator, on a store whose
// recorder is stopped. It fills the ledger's open and retryable gaps durably (and leaves a gap
// failed for a permanent cause alone), fills a given window as a new "requested" gap, writes the
// shared pacing state, and refuses while a recorder holds the store.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/clock.h"
#include "fs/file_system.h"
#include "sim/simulator.h"
#include "storage/gap_ledger.h"
#include "storage/query.h"
#include "storage/store_lock.h"

namespace ibstream::cli::backfill_command_test {
namespace {

namespace stdfs = std::filesystem;
using namespace std::chrono_literals;

constexpr int64_t kAapl = 265598;

TimePoint At(const std::string& local) { return *ParseIsoTime("2025-08-12T" + local + "-04:00"); }

std::string Slurp(const stdfs::path& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

class BackfillCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = stdfs::temp_directory_path() /
           ("backfill_command_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    stdfs::remove_all(dir_);
    stdfs::create_directories(dir_);
    clock_ = std::make_unique<ScaledClock>(At("11:00:00"), 1.0);
    sim::SimulatorOptions options;
    options.listen_port = 0;
    options.quiet = true;
    options.seed = 7;
    options.history_days = 3;
    simulator_ = std::make_unique<sim::Simulator>(*clock_, options);
    ASSERT_TRUE(simulator_->Start().ok());
    std::ofstream config(dir_ / "ibstream.toml");
    config << "[gateway]\nports = [" << simulator_->port() << "]\n"
           << "[storage]\npath = \"" << Data() << "\"\n"
           << "[[contracts]]\ncon_id = " << kAapl
           << "\nexchange = \"SMART\"\ntick_types = [\"bid_ask\", \"last\"]\n";
  }
  void TearDown() override {
    if (simulator_) simulator_->Stop();
    if (!HasFailure()) stdfs::remove_all(dir_);
  }

  std::string Data() const { return (dir_ / "data").string(); }

  // Runs `ibstream backfill --config FILE ARGS`; the exit status (stdout and stderr to files).
  int Backfill(const std::string& args) {
    const std::string command = std::string(IBSTREAM_BINARY) + " backfill --config " +
                                (dir_ / "ibstream.toml").string() + " " + args + " > " +
                                (dir_ / "out").string() + " 2> " + (dir_ / "err").string();
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string Out() const { return Slurp(dir_ / "out"); }
  std::string Err() const { return Slurp(dir_ / "err"); }

  uint64_t AddGap(TickType type, const std::string& from, const std::string& to,
                  storage::BackfillState state, const std::string& reason) {
    auto ledger = storage::GapLedger::Open(fs::PosixFileSystem(), Data(), At("11:00:00"));
    EXPECT_TRUE(ledger.ok()) << ledger.status().ToString();
    storage::GapRecord gap;
    gap.stream = StreamKey{kAapl, type};
    gap.start = At(from);
    gap.end = At(to);
    gap.cause = "disconnect";
    gap.state = state;
    gap.reason = reason;
    gap.updated_at = At("11:00:00");
    auto id = (*ledger)->Add(gap);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }

  std::vector<storage::GapRecord> Ledger() {
    auto gaps = storage::GapLedger::ReadAll(fs::PosixFileSystem(), Data(), nullptr);
    EXPECT_TRUE(gaps.ok());
    return gaps.ok() ? *gaps : std::vector<storage::GapRecord>{};
  }

  const storage::GapRecord* Find(const std::vector<storage::GapRecord>& gaps, uint64_t id) {
    for (const auto& g : gaps) {
      if (g.id == id) return &g;
    }
    return nullptr;
  }

  // The stored ticks of a stream in [from, to), all from backfill.
  std::vector<Tick> Stored(TickType type, TimePoint from, TimePoint to) {
    std::vector<Tick> out;
    const Status st = storage::QueryTicks(
        fs::PosixFileSystem(), Data(), storage::QueryRequest{{StreamKey{kAapl, type}}, from, to},
        [&](const Tick& t) {
          out.push_back(t);
          return Status::Ok();
        },
        nullptr);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  stdfs::path dir_;
  std::unique_ptr<ScaledClock> clock_;
  std::unique_ptr<sim::Simulator> simulator_;
};

TEST_F(BackfillCommandTest, FillsTheLedgersOpenAndRetryableGapsDurably) {
  const uint64_t pending =
      AddGap(TickType::kBidAsk, "10:58:00", "10:58:30", storage::BackfillState::kPending, "");
  const uint64_t paced = AddGap(TickType::kLast, "10:57:00", "10:58:00",
                                storage::BackfillState::kFailed, "pacing: IB error 162");
  const uint64_t denied = AddGap(TickType::kLast, "10:55:00", "10:56:00",
                                 storage::BackfillState::kFailed, "no_permission: IB error 354");
  ASSERT_EQ(Backfill(""), 0) << Out() << Err();

  const auto gaps = Ledger();
  ASSERT_EQ(gaps.size(), 3u);
  ASSERT_NE(Find(gaps, pending), nullptr);
  EXPECT_EQ(Find(gaps, pending)->state, storage::BackfillState::kFilled)
      << Find(gaps, pending)->reason;
  EXPECT_EQ(Find(gaps, paced)->state, storage::BackfillState::kFilled) << Find(gaps, paced)->reason;
  // A permanent cause is left alone (an operator can still name it with --gap).
  EXPECT_EQ(Find(gaps, denied)->state, storage::BackfillState::kFailed);
  EXPECT_EQ(Find(gaps, denied)->reason, "no_permission: IB error 354");

  const auto quotes = Stored(TickType::kBidAsk, At("10:58:00"), At("10:58:30"));
  ASSERT_FALSE(quotes.empty());
  for (const Tick& t : quotes) EXPECT_EQ(t.source, TickSource::kBackfill);
  EXPECT_FALSE(Stored(TickType::kLast, At("10:57:00"), At("10:58:00")).empty());
  EXPECT_TRUE(Stored(TickType::kLast, At("10:55:00"), At("10:56:00")).empty());
  // The historical budget it spent is there for the recorder.
  EXPECT_TRUE(stdfs::exists(dir_ / "data" / "gaps" / "pacer.state"));
  EXPECT_NE(Out().find("requests="), std::string::npos);

  // Nothing left open: a second run has nothing to do.
  ASSERT_EQ(Backfill(""), 0) << Out() << Err();
  EXPECT_NE(Err().find("no open gaps"), std::string::npos) << Err();
}

TEST_F(BackfillCommandTest, FillsAWindowAsARequestedGap) {
  ASSERT_EQ(Backfill("--contract 265598 --from 2025-08-12T14:58:00Z --to 2025-08-12T14:58:20Z "
                     "--type bid_ask"),
            0)
      << Out() << Err();
  const auto gaps = Ledger();
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].cause, "requested");
  EXPECT_EQ(gaps[0].stream, (StreamKey{kAapl, TickType::kBidAsk}));
  EXPECT_EQ(gaps[0].state, storage::BackfillState::kFilled) << gaps[0].reason;
  EXPECT_FALSE(Stored(TickType::kBidAsk, At("10:58:00"), At("10:58:20")).empty());
}

TEST_F(BackfillCommandTest, RefusesWhileARecorderHoldsTheStore) {
  const uint64_t pending =
      AddGap(TickType::kBidAsk, "10:58:00", "10:58:30", storage::BackfillState::kPending, "");
  {
    auto lock = storage::StoreLock::Acquire(Data());
    ASSERT_TRUE(lock.ok()) << lock.status().ToString();
    EXPECT_EQ(Backfill(""), 2);
    EXPECT_NE(Err().find("in use"), std::string::npos) << Err();
    EXPECT_NE(Err().find("pid " + std::to_string(::getpid())), std::string::npos) << Err();
    EXPECT_EQ(Find(Ledger(), pending)->state, storage::BackfillState::kPending);
  }
  // Released (as when the recorder stops): it runs.
  EXPECT_EQ(Backfill("--gap " + std::to_string(pending)), 0) << Out() << Err();
}

TEST_F(BackfillCommandTest, NamesAnUnknownOrFilledGap) {
  const uint64_t pending =
      AddGap(TickType::kBidAsk, "10:58:00", "10:58:10", storage::BackfillState::kPending, "");
  EXPECT_EQ(Backfill("--gap 99"), 2);
  EXPECT_NE(Err().find("no gap 99"), std::string::npos) << Err();
  ASSERT_EQ(Backfill("--gap " + std::to_string(pending)), 0) << Out() << Err();
  EXPECT_EQ(Backfill("--gap " + std::to_string(pending)), 2);
  EXPECT_NE(Err().find("filled already"), std::string::npos) << Err();
  EXPECT_EQ(Backfill("--contract 265598 --from 2025-08-12T14:58:00Z"), 2);
  EXPECT_NE(Err().find("--to"), std::string::npos) << Err();
}

}  // namespace
}  // namespace ibstream::cli::backfill_command_test
