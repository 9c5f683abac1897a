#include "storage/async_gap_ledger.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "fs/fault_file_system.h"
#include "storage/store.h"

namespace ibstream::storage::async_gap_ledger_test {
namespace {

using namespace std::chrono_literals;

constexpr char kRoot[] = "/data";
constexpr int64_t kHour0 = 1755784800;

GapRecord Gap(int64_t contract_id, std::string cause) {
  GapRecord gap;
  gap.stream = {contract_id, TickType::kBidAsk};
  gap.start = FromUnixSeconds(kHour0);
  gap.end = FromUnixSeconds(kHour0 + 60);
  gap.cause = std::move(cause);
  return gap;
}

// What the completions saw, in the order they ran; waited on with a deadline.
class Completions {
 public:
  GapLedgerCompletion Callback(int tag) {
    return [this, tag](Status status, uint64_t id) {
      std::lock_guard lock(mu_);
      seen_.push_back({tag, std::move(status), id, std::this_thread::get_id()});
      cv_.notify_all();
    };
  }
  struct Seen {
    int tag;
    Status status;
    uint64_t id;
    std::thread::id thread;
  };
  // The completions so far once there are at least `n` (fails the test after 10 s).
  std::vector<Seen> WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    EXPECT_TRUE(cv_.wait_for(lock, 10s, [&] { return seen_.size() >= n; }))
        << "only " << seen_.size() << " of " << n << " completions";
    return seen_;
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return seen_.size();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Seen> seen_;
};

// Holds the worker inside a completion until Release().
class Gate {
 public:
  GapLedgerCompletion Callback() {
    return [this](Status, uint64_t) {
      std::unique_lock lock(mu_);
      entered_ = true;
      cv_.notify_all();
      cv_.wait(lock, [&] { return open_; });
    };
  }
  void WaitEntered() {
    std::unique_lock lock(mu_);
    ASSERT_TRUE(cv_.wait_for(lock, 10s, [&] { return entered_; }));
  }
  void Release() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool open_ = false;
};

class AsyncGapLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ledger = GapLedger::Open(&fs_, kRoot, FromUnixSeconds(kHour0));
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    ledger_ = std::move(*ledger);
  }

  fs::FaultFileSystem fs_;
  std::unique_ptr<GapLedger> ledger_;
};

TEST_F(AsyncGapLedgerTest, RequestsCompleteInOrderOnTheWorkerThread) {
  Completions done;
  AsyncGapLedger async(ledger_.get());
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(async.AddAsync(Gap(i, "disconnect"), done.Callback(i)).ok());
  }
  ASSERT_TRUE(async
                  .UpdateAsync(3, BackfillState::kFilled, "", FromUnixSeconds(kHour0 + 90),
                               FromUnixSeconds(kHour0 + 61), done.Callback(100))
                  .ok());
  const auto seen = done.WaitFor(21);
  ASSERT_EQ(seen.size(), 21u);
  for (int i = 0; i < 20; ++i) {
    const auto& s = seen[static_cast<size_t>(i)];
    EXPECT_EQ(s.tag, i);
    EXPECT_TRUE(s.status.ok()) << s.status.ToString();
    EXPECT_EQ(s.id, static_cast<uint64_t>(i + 1)) << "ids follow submission order";
    EXPECT_NE(s.thread, std::this_thread::get_id());
  }
  EXPECT_EQ(seen[20].tag, 100);
  EXPECT_TRUE(seen[20].status.ok()) << seen[20].status.ToString();
  EXPECT_EQ(seen[20].id, 3u);
  const auto all = ledger_->List();
  ASSERT_EQ(all.size(), 20u);
  EXPECT_EQ(all[2].stream.contract_id, 2);
  EXPECT_EQ(all[2].state, BackfillState::kFilled);
  EXPECT_EQ(all[2].end, FromUnixSeconds(kHour0 + 61));
  EXPECT_EQ(all[3].state, BackfillState::kPending);
  async.Stop();
  EXPECT_EQ(async.pending(), 0u);
}

TEST_F(AsyncGapLedgerTest, ErrorsReachTheCompletion) {
  Completions done;
  AsyncGapLedger async(ledger_.get());
  ASSERT_TRUE(
      async.UpdateAsync(42, BackfillState::kFilled, "", TimePoint(), std::nullopt, done.Callback(0))
          .ok());
  ASSERT_TRUE(async.AddAsync(Gap(1, std::string(70000, 'x')), done.Callback(1)).ok());
  auto seen = done.WaitFor(2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].status.code(), StatusCode::kNotFound);
  EXPECT_EQ(seen[0].id, 42u);
  EXPECT_EQ(seen[1].status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(seen[1].id, 0u);

  // A write error reaches its completion; once writes work again the ledger starts a new
  // generation and takes the next request (gap_ledger.h).
  fs_.SetWriteError(true);
  ASSERT_TRUE(async.AddAsync(Gap(2, "stall"), done.Callback(2)).ok());
  done.WaitFor(3);
  fs_.SetWriteError(false);
  ASSERT_TRUE(async.AddAsync(Gap(3, "stall"), done.Callback(3)).ok());
  seen = done.WaitFor(4);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[2].status.code(), StatusCode::kIoError) << seen[2].status.ToString();
  EXPECT_EQ(seen[2].id, 0u);
  ASSERT_TRUE(seen[3].status.ok()) << seen[3].status.ToString();
  const auto listed = ledger_->List();
  ASSERT_EQ(listed.size(), 1u) << "only the add that was written";
  EXPECT_EQ(listed[0].id, seen[3].id);
}

TEST_F(AsyncGapLedgerTest, CompletedEntriesSurviveACrash) {
  Completions done;
  {
    AsyncGapLedger async(ledger_.get());
    ASSERT_TRUE(async.AddAsync(Gap(1, "disconnect"), done.Callback(1)).ok());
    ASSERT_TRUE(async.AddAsync(Gap(2, "queue_full"), done.Callback(2)).ok());
    ASSERT_TRUE(async
                    .UpdateAsync(1, BackfillState::kPartial, "pacing", FromUnixSeconds(kHour0 + 5),
                                 std::nullopt, done.Callback(3))
                    .ok());
    const auto seen = done.WaitFor(3);
    for (const auto& s : seen) ASSERT_TRUE(s.status.ok()) << s.status.ToString();
  }
  ledger_.reset();
  fs_.Crash(9);  // what was completed OK had been fdatasync'ed
  auto reopened = GapLedger::Open(&fs_, kRoot, FromUnixSeconds(kHour0));
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  const auto all = (*reopened)->List();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].state, BackfillState::kPartial);
  EXPECT_EQ(all[0].reason, "pacing");
  EXPECT_EQ(all[1].cause, "queue_full");
}

TEST_F(AsyncGapLedgerTest, StopDrainsAcceptedRequestsAndRefusesNewOnes) {
  Completions done;
  Gate gate;
  AsyncGapLedger async(ledger_.get());
  ASSERT_TRUE(async.AddAsync(Gap(0, "disconnect"), gate.Callback()).ok());
  gate.WaitEntered();  // the worker is held inside the first completion
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(async.AddAsync(Gap(i, "disconnect"), done.Callback(i)).ok());
  }
  EXPECT_EQ(async.pending(), 6u);
  std::thread stopper([&] { async.Stop(); });
  // Once stopping, new requests are refused (and their completion never runs).
  Status refused;
  for (int tries = 0; tries < 10000; ++tries) {
    refused = async.AddAsync(Gap(99, "late"), done.Callback(99));
    if (!refused.ok()) break;
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
  gate.Release();
  stopper.join();
  EXPECT_EQ(async.pending(), 0u);
  const auto seen = done.WaitFor(5);
  std::vector<int> tags;
  for (const auto& s : seen) {
    if (s.tag == 99) continue;  // accepted before Stop() began; completed like the others
    tags.push_back(s.tag);
    EXPECT_TRUE(s.status.ok()) << s.status.ToString();
  }
  EXPECT_EQ(tags, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(ledger_->List().size(), seen.size() + 1);
  EXPECT_EQ(async.AddAsync(Gap(7, "x"), done.Callback(7)).code(), StatusCode::kFailedPrecondition);
}

TEST_F(AsyncGapLedgerTest, FullQueueIsRefused) {
  Completions done;
  Gate gate;
  AsyncGapLedger async(ledger_.get(), /*capacity=*/2);
  ASSERT_TRUE(async.AddAsync(Gap(0, "disconnect"), gate.Callback()).ok());
  gate.WaitEntered();  // taken off the queue: the queue is empty again
  ASSERT_TRUE(async.AddAsync(Gap(1, "disconnect"), done.Callback(1)).ok());
  ASSERT_TRUE(async.AddAsync(Gap(2, "disconnect"), done.Callback(2)).ok());
  const Status full = async.AddAsync(Gap(3, "disconnect"), done.Callback(3));
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted) << full.ToString();
  gate.Release();
  const auto seen = done.WaitFor(2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].tag, 1);
  EXPECT_EQ(seen[1].tag, 2);
}

TEST_F(AsyncGapLedgerTest, FullQueueRefusalIsReportedToTheCallerOnly) {
  Completions done;
  Gate gate;
  AsyncGapLedger async(ledger_.get(), /*capacity=*/1);
  ASSERT_TRUE(async.AddAsync(Gap(0, "disconnect"), gate.Callback()).ok());
  gate.WaitEntered();
  ASSERT_TRUE(async.AddAsync(Gap(1, "disconnect"), done.Callback(1)).ok());
  // Both kinds of request are refused while the one waiting fills the queue: the caller gets
  // the status (naming the limit), the refusal is counted, and its completion never runs.
  const Status add = async.AddAsync(Gap(2, "disconnect"), done.Callback(2));
  EXPECT_EQ(add.code(), StatusCode::kResourceExhausted) << add.ToString();
  EXPECT_EQ(add.message(), "gap ledger queue full (1 waiting)");
  const Status update = async.UpdateAsync(1, BackfillState::kFilled, "", FromUnixSeconds(kHour0),
                                          std::nullopt, done.Callback(3));
  EXPECT_EQ(update.code(), StatusCode::kResourceExhausted) << update.ToString();
  EXPECT_EQ(async.refused_full(), 2u);
  EXPECT_EQ(async.pending(), 2u);
  gate.Release();
  async.Stop();  // drains what was accepted
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done.WaitFor(1)[0].tag, 1);
  const auto all = ledger_->List();
  ASSERT_EQ(all.size(), 2u) << "the refused add was not written";
  EXPECT_EQ(all[0].state, BackfillState::kPending) << "the refused update was not applied";
  EXPECT_EQ(async.refused_full(), 2u) << "a refusal after Stop() is not a full queue";
  EXPECT_EQ(async.AddAsync(Gap(3, "late"), done.Callback(4)).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(async.refused_full(), 2u);
}

TEST(StoreAsyncLedgerTest, CloseCompletesAcceptedRequests) {
  fs::FaultFileSystem fs;
  ManualClock clock(FromUnixSeconds(kHour0 + 10));
  StoreOptions options;
  options.root = kRoot;
  options.background_maintenance = false;
  auto store = Store::Open(&fs, clock, options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Completions done;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE((*store)->async_ledger().AddAsync(Gap(i, "disconnect"), done.Callback(i)).ok());
  }
  (*store)->Close();
  EXPECT_EQ(done.size(), 10u);
  EXPECT_EQ((*store)->ledger().List().size(), 10u);
  EXPECT_EQ((*store)->async_ledger().AddAsync(Gap(1, "late"), done.Callback(10)).code(),
            StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace ibstream::storage::async_gap_ledger_test
