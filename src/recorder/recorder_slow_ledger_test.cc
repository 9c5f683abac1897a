// The recorder on a disk whose gap-ledger fdatasync hangs: the network loop goes on storing
// ticks and publishing views while the ledger's thread waits, and a gap recorded meanwhile is
// still backfilled and marked filled once the disk answers.
#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "common/sanitizers.h"
#include "fs/fault_file_system.h"
#include "recorder/recorder_sim_fixture.h"

namespace ibstream::recorder::recorder_slow_ledger_test {
namespace {

using namespace std::chrono_literals;

constexpr double kSpeed = ReducedUnderSanitizers(600.0, 200.0);

// Holds every sync of a gap-ledger file while closed.
struct LedgerGate {
  std::mutex mu;
  std::condition_variable changed;
  bool closed = false;
  int waiting = 0;  // syncs being held now

  void OnSync(const std::string& path) {
    if (path.find("/gaps/") == std::string::npos) return;
    std::unique_lock lock(mu);
    ++waiting;
    changed.notify_all();
    changed.wait(lock, [this] { return !closed; });
    --waiting;
  }
  void Close() {
    std::lock_guard lock(mu);
    closed = true;
  }
  void Open() {
    {
      std::lock_guard lock(mu);
      closed = false;
    }
    changed.notify_all();
  }
  int Waiting() {
    std::lock_guard lock(mu);
    return waiting;
  }
};

class RecorderSlowLedgerTest : public testing::RecorderSimTest {
 protected:
  void SetUp() override {
    fs_ = &fault_fs_;
    fault_fs_.SetSyncHook([gate = gate_](const std::string& path) { gate->OnSync(path); });
  }
  void TearDown() override {
    gate_->Open();  // a failed assertion must not leave Stop() waiting on the ledger
    RecorderSimTest::TearDown();
  }

  fs::FaultFileSystem fault_fs_;  // outlives the recorder (stopped in TearDown)
  std::shared_ptr<LedgerGate> gate_ = std::make_shared<LedgerGate>();
};

TEST_F(RecorderSlowLedgerTest, LoopKeepsStoringWhileTheLedgerSyncHangsAndTheGapIsStillFilled) {
  StartAll("2025-08-12T10:00:00-05:00", kSpeed);
  RunUntil("2025-08-12T10:02:00-05:00");
  WaitUntilRecording();
  const int64_t id = MnqId();
  ASSERT_NE(id, 0);
  const StreamKey stream{id, TickType::kBidAsk};
  ASSERT_FALSE(Stored(stream).empty());

  gate_->Close();
  const TimePoint from = *ParseIsoTime("2025-08-12T10:01:00-05:00");
  ASSERT_TRUE(recorder_->RequestBackfill(stream, from, from + 20s).ok());
  ASSERT_TRUE(WaitFor([&] { return gate_->Waiting() == 1; }))
      << "the gap's ledger add never reached the disk";

  // The add is stuck in fdatasync: live ticks are still stored and views still published.
  const size_t stored_before = Stored(stream).size();
  const TimePoint view_before = recorder_->View()->now;
  ASSERT_TRUE(WaitFor([&] {
    return Stored(stream).size() > stored_before && recorder_->View()->now > view_before + 30s;
  })) << "the loop stopped while the ledger waited on the disk";
  EXPECT_EQ(gate_->Waiting(), 1);
  EXPECT_TRUE(recorder_->View()->gaps.empty()) << "a gap listed before its add is durable";

  gate_->Open();
  std::shared_ptr<const RecorderView> view;
  const bool filled = WaitFor([&] {
    view = recorder_->View();
    return view->gaps.size() == 1 && view->gaps[0].state == storage::BackfillState::kFilled;
  });
  ASSERT_TRUE(filled) << view->gaps.size() << " gaps"
                      << (view->gaps.empty()
                              ? std::string()
                              : ", state " +
                                    std::string(storage::BackfillStateName(view->gaps[0].state)) +
                                    " reason " + view->gaps[0].reason);
  EXPECT_EQ(view->gaps[0].cause, "requested");
  EXPECT_EQ(view->gaps[0].stream, stream);
  EXPECT_GT(view->counters.ticks_backfilled, 0u);
}

// Untracked while the gap's add waits on the disk: the gap is closed as failed once it has its id,
// like the queued gaps of an untracked contract, and never backfilled.
TEST_F(RecorderSlowLedgerTest, AGapUntrackedBeforeItsAddCompletesIsClosedAsFailed) {
  StartAll("2025-08-12T10:00:00-05:00", kSpeed);
  RunUntil("2025-08-12T10:02:00-05:00");
  WaitUntilRecording();
  const int64_t id = MnqId();
  ASSERT_NE(id, 0);
  const StreamKey stream{id, TickType::kBidAsk};

  gate_->Close();
  const TimePoint from = *ParseIsoTime("2025-08-12T10:01:00-05:00");
  ASSERT_TRUE(recorder_->RequestBackfill(stream, from, from + 20s).ok());
  ASSERT_TRUE(WaitFor([&] { return gate_->Waiting() == 1; }));
  auto untracked = recorder_->Untrack(std::to_string(id));
  ASSERT_TRUE(untracked.ok()) << untracked.status().ToString();
  gate_->Open();

  std::shared_ptr<const RecorderView> view;
  ASSERT_TRUE(WaitFor([&] {
    view = recorder_->View();
    return view->gaps.size() == 1 && view->gaps[0].state == storage::BackfillState::kFailed;
  })) << view->gaps.size()
      << " gaps";
  EXPECT_EQ(view->gaps[0].reason, "contract untracked");
  EXPECT_EQ(view->counters.backfill_requests, 0u);
  EXPECT_EQ(view->counters.ticks_backfilled, 0u);
}

}  // namespace
}  // namespace ibstream::recorder::recorder_slow_ledger_test
