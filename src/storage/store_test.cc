#include "storage/store.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "fs/fault_file_system.h"
#include "storage/closed_file.h"
#include "storage/coding.h"
#include "storage/crc32c.h"
#include "storage/journal.h"
#include "storage/layout.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

namespace ibstream::storage::store_test {

using fs::FaultFileSystem;
using fs::FileSystem;
using fs::IsNoSpace;
using fs::JoinPath;
using fs::RandomAccessFile;
using fs::ReadFileToString;
using fs::SpaceInfo;
using fs::WritableFile;
namespace {

using testing::kHour0;
using testing::MakeTick;
using namespace std::chrono_literals;

constexpr int64_t kMnq = 711280073;
const std::string kRoot = "/store";

std::vector<Tick> QueryAll(FileSystem* fs, std::vector<StreamKey> streams,
                           TimePoint from = FromUnixSeconds(kHour0 - 86400),
                           TimePoint to = FromUnixSeconds(kHour0 + 86400),
                           QueryStats* stats_out = nullptr) {
  std::vector<Tick> out;
  QueryStats stats;
  const Status status = QueryTicks(
      fs, kRoot, {std::move(streams), from, to},
      [&](const Tick& t) {
        out.push_back(t);
        return Status::Ok();
      },
      &stats);
  EXPECT_TRUE(status.ok()) << status.ToString();
  if (stats_out != nullptr) *stats_out = stats;
  return out;
}

std::vector<StreamKey> AllStreams() {
  return {{kMnq, TickType::kBidAsk}, {kMnq, TickType::kLast}, {1, TickType::kBidAsk}};
}

// Waits for a condition with a deadline (no sleeps to wait).
template <typename F>
bool WaitFor(F condition, std::chrono::milliseconds deadline = 10s) {
  const auto end = SteadyClock::Real().Now() + deadline;
  while (SteadyClock::Real().Now() < end) {
    if (condition()) return true;
    std::this_thread::yield();
  }
  return condition();
}

Status fatal_status;
std::atomic<int> fatal_calls{0};
void RecordFatal(const Status& status) {
  fatal_status = status;
  fatal_calls.fetch_add(1);
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetFatalStorageHandler(&RecordFatal);
    fatal_calls = 0;
  }
  void TearDown() override { SetFatalStorageHandler(nullptr); }

  StoreOptions Options() {
    StoreOptions options;
    options.root = kRoot;
    options.background_maintenance = false;
    options.writer.fsync = FsyncPolicy::kAlways;
    options.writer.on_event = [this](const StorageEvent& e) {
      std::lock_guard lock(mu_);
      events_.push_back(e);
    };
    return options;
  }
  std::vector<StorageEvent> Events() {
    std::lock_guard lock(mu_);
    return events_;
  }

  FaultFileSystem fs_;
  ManualClock clock_{FromUnixSeconds(kHour0 + 10)};
  std::mutex mu_;
  std::vector<StorageEvent> events_;
};

TEST_F(StoreTest, AppendFlushAndQueryBack) {
  auto store = Store::Open(&fs_, clock_, Options());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<Tick> written;
  for (uint64_t i = 1; i <= 1000; ++i) {
    written.push_back(MakeTick(kMnq, i % 2 ? TickType::kBidAsk : TickType::kLast,
                               kHour0 + static_cast<int64_t>(i / 10), i));
    auto position = (*store)->writer().Append(written.back());
    ASSERT_TRUE(position.ok());
    EXPECT_EQ(*position, i);
  }
  ASSERT_TRUE((*store)->writer().Flush(10s).ok());
  EXPECT_EQ((*store)->writer().durable_position(), 1000u);
  const auto read = QueryAll(&fs_, AllStreams());
  ASSERT_EQ(read.size(), written.size());
  for (size_t i = 0; i < read.size(); ++i) EXPECT_TRUE(SameStoredTick(read[i], written[i])) << i;
}

TEST_F(StoreTest, QueryStatsAreOptional) {
  auto store = Store::Open(&fs_, clock_, Options());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->writer().Append(MakeTick(kMnq, TickType::kBidAsk, kHour0, 1)).ok());
  ASSERT_TRUE((*store)->writer().Flush(10s).ok());
  size_t count = 0;
  const Status status = QueryTicks(
      &fs_, kRoot, {AllStreams(), FromUnixSeconds(kHour0 - 60), FromUnixSeconds(kHour0 + 60)},
      [&](const Tick&) {
        ++count;
        return Status::Ok();
      },
      /*stats=*/nullptr);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(count, 1u);
}

TEST_F(StoreTest, DurablePositionSurvivesACrash) {
  StoreOptions options = Options();
  options.writer.fsync = FsyncPolicy::kBatch;
  options.writer.batch_interval = 1h;  // only Flush syncs
  auto store = Store::Open(&fs_, clock_, options);
  ASSERT_TRUE(store.ok());
  for (uint64_t i = 1; i <= 50; ++i)
    ASSERT_TRUE((*store)->writer().Append(MakeTick(kMnq, TickType::kBidAsk, kHour0 + 1, i)).ok());
  ASSERT_TRUE((*store)->writer().Flush(10s).ok());
  const uint64_t durable = (*store)->writer().durable_position();
  EXPECT_EQ(durable, 50u);
  for (uint64_t i = 51; i <= 80; ++i)
    ASSERT_TRUE((*store)->writer().Append(MakeTick(kMnq, TickType::kBidAsk, kHour0 + 1, i)).ok());
  ASSERT_TRUE(WaitFor([&] { return (*store)->writer().accepted_position() == 80; }));
  fs_.DieAfterOperations(0);  // power cut now
  store->reset();
  fs_.Crash(99, {.keep_unsynced_prefix = false, .garble_sector = false});
  auto reopened = Store::Open(&fs_, clock_, Options());
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  const auto read = QueryAll(&fs_, AllStreams());
  ASSERT_GE(read.size(), durable);
  for (uint64_t i = 0; i < durable; ++i) EXPECT_EQ(read[i].sequence, i + 1);
}

// A file system whose appends (and, separately, fdatasyncs) wait until the test lets them
// through.
class GateFs final : public FileSystem {
 public:
  explicit GateFs(FileSystem* base) : base_(base) {}
  void Close() {
    std::lock_guard lock(mu_);
    open_ = false;
  }
  void Open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  bool writer_blocked() {
    std::lock_guard lock(mu_);
    return blocked_;
  }
  void CloseSyncs() {
    std::lock_guard lock(mu_);
    syncs_open_ = false;
  }
  void OpenSyncs() {
    {
      std::lock_guard lock(mu_);
      syncs_open_ = true;
    }
    cv_.notify_all();
  }
  bool sync_blocked() {
    std::lock_guard lock(mu_);
    return sync_blocked_;
  }
  class File final : public WritableFile {
   public:
    File(GateFs* fs, std::unique_ptr<WritableFile> base) : fs_(fs), base_(std::move(base)) {}
    Status Append(std::string_view data) override {
      std::unique_lock lock(fs_->mu_);
      fs_->blocked_ = !fs_->open_;
      fs_->cv_.wait(lock, [&] { return fs_->open_; });
      fs_->blocked_ = false;
      lock.unlock();
      return base_->Append(data);
    }
    Status Sync() override {
      std::unique_lock lock(fs_->mu_);
      fs_->sync_blocked_ = !fs_->syncs_open_;
      fs_->cv_.wait(lock, [&] { return fs_->syncs_open_; });
      fs_->sync_blocked_ = false;
      lock.unlock();
      return base_->Sync();
    }
    Status Close() override { return base_->Close(); }
    uint64_t Size() const override { return base_->Size(); }

   private:
    GateFs* fs_;
    std::unique_ptr<WritableFile> base_;
  };
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p, bool e) override {
    auto f = base_->NewWritableFile(p, e);
    if (!f.ok()) return f.status();
    return std::unique_ptr<WritableFile>(new File(this, std::move(*f)));
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& p) override {
    auto f = base_->NewAppendableFile(p);
    if (!f.ok()) return f.status();
    return std::unique_ptr<WritableFile>(new File(this, std::move(*f)));
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    return base_->NewRandomAccessFile(p);
  }
  Result<std::vector<std::string>> ListDir(const std::string& p) override {
    return base_->ListDir(p);
  }
  Result<bool> IsDirectory(const std::string& p) override { return base_->IsDirectory(p); }
  bool Exists(const std::string& p) override { return base_->Exists(p); }
  Status CreateDir(const std::string& p) override { return base_->CreateDir(p); }
  Status SyncDir(const std::string& p) override { return base_->SyncDir(p); }
  Status Rename(const std::string& a, const std::string& b) override { return base_->Rename(a, b); }
  Status DeleteFile(const std::string& p) override { return base_->DeleteFile(p); }
  Status DeleteDir(const std::string& p) override { return base_->DeleteDir(p); }
  Status TruncateAndSync(const std::string& p, uint64_t s) override {
    return base_->TruncateAndSync(p, s);
  }
  Result<uint64_t> FileSize(const std::string& p) override { return base_->FileSize(p); }
  Result<SpaceInfo> GetSpace(const std::string& p) override { return base_->GetSpace(p); }

 private:
  FileSystem* base_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  bool blocked_ = false;
  bool syncs_open_ = true;
  bool sync_blocked_ = false;
};

TEST_F(StoreTest, FullQueueRejectsWithoutBlocking) {
  GateFs gate(&fs_);
  StoreOptions options = Options();
  options.writer.queue_capacity = 8;
  auto store = Store::Open(&gate, clock_, options);
  ASSERT_TRUE(store.ok());
  TickWriter& writer = (*store)->writer();
  gate.Close();
  ASSERT_TRUE(writer.Append(MakeTick(kMnq, TickType::kBidAsk, kHour0, 1)).ok());
  ASSERT_TRUE(WaitFor([&] { return gate.writer_blocked(); }));  // the writer holds tick 1
  for (uint64_t i = 2; i <= 9; ++i)
    ASSERT_TRUE(writer.Append(MakeTick(kMnq, TickType::kBidAsk, kHour0, i)).ok());
  auto rejected = writer.Append(MakeTick(kMnq, TickType::kBidAsk, kHour0, 10));
  EXPECT_EQ(rejected.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(writer.rejected_queue_full(), 1u);
  gate.Open();
  ASSERT_TRUE(writer.Flush(10s).ok());
  EXPECT_EQ(writer.durable_position(), 9u);
  EXPECT_EQ(QueryAll(&gate, AllStreams()).size(), 9u);
}

// A rejected Append leaves nothing of its tick in the queue: the records framed in place
// around it (a short one, one longer than a journal block) are whole and valid in the journal.
TEST_F(StoreTest, FullQueueLeavesNoPartOfARejectedTickBehind) {
  GateFs gate(&fs_);
  StoreOptions options = Options();
  options.writer.queue_capacity = 4;
  auto store = Store::Open(&gate, clock_, options);
  ASSERT_TRUE(store.ok());
  TickWriter& writer = (*store)->writer();
  gate.Close();
  ASSERT_TRUE(writer.Append(MakeTick(kMnq, TickType::kLast, kHour0, 1)).ok());
  ASSERT_TRUE(WaitFor([&] { return gate.writer_blocked(); }));  // the writer holds tick 1
  std::vector<Tick> accepted = {MakeTick(kMnq, TickType::kLast, kHour0, 1)};
  for (uint64_t i = 2; i <= 5; ++i) {
    Tick t = MakeTick(kMnq, TickType::kLast, kHour0, i);
    if (i == 3) t.special_conditions.assign(50000, 'C');  // framed FIRST/MIDDLE/LAST
    ASSERT_TRUE(writer.Append(t).ok());
    accepted.push_back(t);
  }
  Tick rejected = MakeTick(kMnq, TickType::kLast, kHour0, 6);
  rejected.special_conditions.assign(40000, 'R');
  EXPECT_EQ(writer.Append(rejected).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(writer.Append(MakeTick(kMnq, TickType::kLast, kHour0, 7)).status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(writer.rejected_queue_full(), 2u);
  Tick oversized = MakeTick(kMnq, TickType::kLast, kHour0, 8);
  oversized.exchange.assign(70000, 'X');
  EXPECT_EQ(writer.Append(oversized).status().code(), StatusCode::kInvalidArgument);
  gate.Open();
  Tick after = MakeTick(kMnq, TickType::kLast, kHour0, 9);
  ASSERT_TRUE(WaitFor([&] { return writer.Append(after).ok(); }));
  accepted.push_back(after);
  ASSERT_TRUE(writer.Flush(10s).ok());
  EXPECT_EQ(writer.durable_position(), accepted.size());

  const std::string dir = JournalDir(kRoot, FromUnixSeconds(kHour0 + 10));
  auto names = fs_.ListDir(dir);
  ASSERT_TRUE(names.ok());
  ASSERT_EQ(names->size(), 1u);
  JournalScan scan;
  std::vector<Tick> journal;
  ASSERT_TRUE(ScanJournal(
                  &fs_, JoinPath(dir, names->front()),
                  [&](std::string_view record) {
                    Tick t;
                    ASSERT_TRUE(DecodeTick(record, &t).ok());
                    journal.push_back(t);
                  },
                  &scan)
                  .ok());
  EXPECT_EQ(scan.corrupt_bytes, 0u);
  EXPECT_EQ(scan.bad_records, 0u);
  ASSERT_EQ(journal.size(), accepted.size());
  for (size_t i = 0; i < accepted.size(); ++i) {
    EXPECT_TRUE(SameStoredTick(journal[i], accepted[i])) << i;
  }
}

// Group commit on the sync thread: while an fdatasync is in flight the writer thread keeps
// draining the queue, and nothing becomes durable until a sync that covers it returns.
TEST_F(StoreTest, QueueDrainsWhileASyncIsInFlight) {
  GateFs gate(&fs_);
  StoreOptions options = Options();  // fsync always
  options.writer.queue_capacity = 8;
  auto store = Store::Open(&gate, clock_, options);
  ASSERT_TRUE(store.ok());
  TickWriter& writer = (*store)->writer();
  gate.CloseSyncs();
  ASSERT_TRUE(writer.Append(MakeTick(kMnq, TickType::kBidAsk, kHour0, 1)).ok());
  ASSERT_TRUE(WaitFor([&] { return gate.sync_blocked(); }));  // the sync of tick 1 waits
  // Four queues' worth of ticks get through while that sync is held.
  for (uint64_t i = 2; i <= 33; ++i) {
    const Tick t = MakeTick(kMnq, TickType::kBidAsk, kHour0, i);
    ASSERT_TRUE(WaitFor([&] { return writer.Append(t).ok(); })) << i;
  }
  ASSERT_TRUE(WaitFor([&] {
    return gate.FileSize(JoinPath(JournalDir(kRoot, FromUnixSeconds(kHour0 + 10)), "14.g1.wal"))
               .value_or(0) >= log::kFileHeaderSize + 33 * (log::kHeaderSize + 1 + kTickFixedSize);
  }));
  EXPECT_EQ(writer.durable_position(), 0u) << "nothing is durable before its sync returns";
  gate.OpenSyncs();
  ASSERT_TRUE(writer.Flush(10s).ok());
  EXPECT_EQ(writer.durable_position(), 33u);
  EXPECT_EQ(QueryAll(&gate, AllStreams()).size(), 33u);
}

TEST_F(StoreTest, DiskFullSuspendsReportsAndResumes) {
  auto store = Store::Open(&fs_, clock_, Options());
  ASSERT_TRUE(store.ok());
  TickWriter& writer = (*store)->writer();
  for (uint64_t i = 1; i <= 10; ++i)
    ASSERT_TRUE(writer.Append(MakeTick(kMnq, TickType::kLast, kHour0 + 1, i)).ok());
  ASSERT_TRUE(writer.Flush(10s).ok());

  fs_.SetNoSpace(true);
  // The writer may suspend after the first of these: count what was accepted.
  uint64_t accepted = 0;
  for (uint64_t i = 11; i <= 15; ++i) {
    if (writer.Append(MakeTick(kMnq, TickType::kLast, kHour0 + 2, i)).ok()) ++accepted;
  }
  ASSERT_GE(accepted, 1u);
  ASSERT_TRUE(writer.Flush(10s).ok());  // lost ticks are accounted for
  ASSERT_TRUE(WaitFor([&] { return writer.suspended(); }));
  EXPECT_EQ(writer.Append(MakeTick(kMnq, TickType::kLast, kHour0 + 3, 16)).status().code(),
            StatusCode::kUnavailable);
  auto events = Events();
  ASSERT_FALSE(events.empty());
  const StorageEvent& failed = events.back();
  EXPECT_EQ(failed.kind, StorageEvent::Kind::kWriteFailed);
  EXPECT_TRUE(IsNoSpace(failed.cause)) << failed.cause.ToString();
  ASSERT_EQ(failed.lost.size(), 1u);
  EXPECT_EQ(failed.lost[0].ticks, accepted);
  EXPECT_EQ(failed.lost[0].first_exchange_time, FromUnixSeconds(kHour0 + 2));
  EXPECT_EQ(failed.first_lost_position, 11u);
  EXPECT_EQ(failed.last_lost_position, 10u + accepted);
  EXPECT_EQ(writer.lost_on_write_error(), accepted);

  fs_.SetNoSpace(false);
  clock_.Advance(2s);  // past the retry interval
  ASSERT_TRUE(WaitFor([&] { return !writer.suspended(); }));
  ASSERT_TRUE(writer.Append(MakeTick(kMnq, TickType::kLast, kHour0 + 4, 17)).ok());
  ASSERT_TRUE(writer.Flush(10s).ok());
  EXPECT_EQ(Events().back().kind, StorageEvent::Kind::kResumed);
  (*store)->Close();

  // Nothing written before the failure was damaged; the torn file is repaired at restart.
  auto reopened = Store::Open(&fs_, clock_, Options());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->recovery_report().files_quarantined, 0u);
  const auto read = QueryAll(&fs_, AllStreams());
  ASSERT_EQ(read.size(), 11u);
  EXPECT_EQ(read.back().sequence, 17u);
  EXPECT_EQ(read[9].sequence, 10u);
}

TEST_F(StoreTest, FailedSyncIsFatal) {
  auto store = Store::Open(&fs_, clock_, Options());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->writer().Append(MakeTick(kMnq, TickType::kLast, kHour0, 1)).ok());
  ASSERT_TRUE((*store)->writer().Flush(10s).ok());
  fs_.SetSyncError(true);
  ASSERT_TRUE((*store)->writer().Append(MakeTick(kMnq, TickType::kLast, kHour0, 2)).ok());
  EXPECT_FALSE((*store)->writer().Flush(10s).ok());
  EXPECT_EQ(fatal_calls.load(), 1);
  EXPECT_NE(fatal_status.message().find("fdatasync"), std::string::npos);
  EXPECT_EQ((*store)->writer().durable_position(), 1u) << "an unsynced tick is never durable";
  EXPECT_FALSE((*store)->writer().Append(MakeTick(kMnq, TickType::kLast, kHour0, 3)).ok());
}

TEST_F(StoreTest, DefaultFatalHandlerAborts) {
  SetFatalStorageHandler(nullptr);
  EXPECT_DEATH(FatalStorageError(IoError("fdatasync x: Input/output error")), "page cache state");
}

TEST_F(StoreTest, LowSpaceWarning) {
  fs_.SetSpace({1000, 1 << 20});
  auto store = Store::Open(&fs_, clock_, Options());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(WaitFor([&] {
    for (const auto& e : Events()) {
      if (e.kind == StorageEvent::Kind::kLowSpace && e.available_bytes == 1000) return true;
    }
    return false;
  }));
}

TEST_F(StoreTest, RotationConversionAndLateTicks) {
  auto store = Store::Open(&fs_, clock_, Options());
  ASSERT_TRUE(store.ok());
  TickWriter& writer = (*store)->writer();
  uint64_t seq = 0;
  std::vector<Tick> written;
  auto add = [&](int64_t exchange) {
    written.push_back(MakeTick(kMnq, TickType::kBidAsk, exchange, ++seq));
    ASSERT_TRUE(writer.Append(written.back()).ok());
  };
  add(kHour0 + 5);
  add(kHour0 + 6);
  ASSERT_TRUE(writer.Flush(10s).ok());
  clock_.Set(FromUnixSeconds(kHour0 + 3600 + 1));  // next hour
  add(kHour0 + 3600);
  add(kHour0 + 7);             // late: IB time in the previous (sealed) hour
  add(kHour0 - 2 * 3600 + 9);  // backfill-like: two hours earlier
  ASSERT_TRUE(writer.Flush(10s).ok());
  ASSERT_TRUE(WaitFor([&] {
    for (const auto& e : Events()) {
      if (e.kind == StorageEvent::Kind::kRotated) return true;
    }
    return false;
  }));
  ASSERT_TRUE((*store)->Maintain().ok());
  // Hour 0's journal is now a closed file; the current hour stays a journal.
  auto closed = fs_.ListDir(ClosedHourDir(kRoot, FromUnixSeconds(kHour0)));
  ASSERT_TRUE(closed.ok());
  ASSERT_EQ(closed->size(), 1u);
  EXPECT_EQ((*closed)[0].substr(0, 18), "711280073_bid_ask.");
  EXPECT_FALSE(fs_.Exists(JoinPath(JournalDir(kRoot, FromUnixSeconds(kHour0)), "14.g1.wal")));

  // Restart in a later hour: everything is converted, late ticks land in their IB hour.
  (*store)->Close();
  clock_.Set(FromUnixSeconds(kHour0 + 3 * 3600));
  auto reopened = Store::Open(&fs_, clock_, Options());
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE(fs_.Exists(ClosedHourDir(kRoot, FromUnixSeconds(kHour0 - 2 * 3600))));
  auto read = QueryAll(&fs_, AllStreams());
  ASSERT_EQ(read.size(), 5u);
  std::sort(written.begin(), written.end(),
            [](const Tick& a, const Tick& b) { return OrderKey(a) < OrderKey(b); });
  for (size_t i = 0; i < read.size(); ++i) EXPECT_TRUE(SameStoredTick(read[i], written[i])) << i;
  // Range bounds: from inclusive, to exclusive.
  auto one = QueryAll(&fs_, AllStreams(), FromUnixSeconds(kHour0 + 6), FromUnixSeconds(kHour0 + 7));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].sequence, 2u);
}

TEST_F(StoreTest, QuerySelectsStreamsAndMergesInTimeOrder) {
  auto store = Store::Open(&fs_, clock_, Options());
  ASSERT_TRUE(store.ok());
  TickWriter& writer = (*store)->writer();
  ASSERT_TRUE(writer.Append(MakeTick(kMnq, TickType::kLast, kHour0 + 3, 1)).ok());
  ASSERT_TRUE(writer.Append(MakeTick(kMnq, TickType::kBidAsk, kHour0 + 2, 2)).ok());
  ASSERT_TRUE(writer.Append(MakeTick(1, TickType::kBidAsk, kHour0 + 1, 3)).ok());
  ASSERT_TRUE(writer.Flush(10s).ok());
  auto both = QueryAll(&fs_, {{kMnq, TickType::kBidAsk}, {kMnq, TickType::kLast}});
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].sequence, 2u);
  EXPECT_EQ(both[1].sequence, 1u);
  EXPECT_EQ(QueryAll(&fs_, {{1, TickType::kBidAsk}}).size(), 1u);
}

TEST(DeduplicateTest, LiveWinsOverMatchingBackfillOneToOne) {
  std::vector<Tick> ticks;
  Tick live = MakeTick(kMnq, TickType::kLast, kHour0, 1);
  Tick live_same = live;  // an identical trade in the same second: legitimate
  live_same.sequence = 2;
  live_same.receive_time += 1ns;
  Tick backfill1 = live;
  backfill1.source = TickSource::kBackfill;
  backfill1.sequence = 10;
  backfill1.receive_time += 1h;
  Tick backfill2 = backfill1;
  backfill2.sequence = 11;
  Tick backfill3 = backfill1;  // a third identical trade only the backfill saw
  backfill3.sequence = 12;
  Tick backfill_other = backfill1;
  backfill_other.sequence = 13;
  backfill_other.price += 1;
  ticks = {live, live_same, backfill1, backfill2, backfill3, backfill_other, backfill_other};
  std::sort(ticks.begin(), ticks.end(),
            [](const Tick& a, const Tick& b) { return OrderKey(a) < OrderKey(b); });
  QueryStats stats;
  DeduplicateSorted(&ticks, &stats);
  ASSERT_EQ(ticks.size(), 4u);
  EXPECT_EQ(stats.duplicates_dropped, 1u);
  EXPECT_EQ(stats.backfill_overlaps_dropped, 2u);
  EXPECT_EQ(ticks[0].sequence, 1u);
  EXPECT_EQ(ticks[1].sequence, 2u);
  EXPECT_EQ(ticks[2].sequence, 12u);
  EXPECT_EQ(ticks[3].sequence, 13u);
}

std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

TEST(ClosedFileTest, GoldenLayoutAndPlainZstdDecoding) {
  std::vector<std::string> bodies;
  for (uint64_t i = 1; i <= 3; ++i) {
    bodies.emplace_back();
    AppendTick(MakeTick(kMnq, TickType::kBidAsk, kHour0 + static_cast<int64_t>(i), i),
               &bodies.back());
  }
  std::vector<std::string_view> records(bodies.begin(), bodies.end());
  ClosedFileHeader header;
  header.stream = {kMnq, TickType::kBidAsk};
  header.hour = FromUnixSeconds(kHour0);
  header.source_id = 0x1122334455667788ULL;
  auto file = BuildClosedFile(header, records);
  ASSERT_TRUE(file.ok());
  const std::string& f = *file;
  // Header frame: skippable magic, size 76, then the header fields.
  EXPECT_EQ(Hex(f.substr(0, 8)), "502a4d184c000000");
  EXPECT_EQ(f.substr(8, 8), "IBSCLSD1");
  EXPECT_EQ(Hex(f.substr(16, 16)),
            "0100010000100000"
            "c945652a00000000");
  EXPECT_EQ(Hex(f.substr(32, 8)), "0100000000000000");  // type 1, reserved
  EXPECT_EQ(Hex(f.substr(40, 8)), "00c0071af9cc5d18");  // hour start ns
  EXPECT_EQ(Hex(f.substr(48, 8)), "0300000000000000");  // tick count
  EXPECT_EQ(Hex(f.substr(56, 8)), "8877665544332211");  // source id
  EXPECT_EQ(DecodeFixed32(f.data() + 80), crc32c::Value(f.data() + 8, 72));
  // Footer: the last 36 bytes.
  const std::string footer = f.substr(f.size() - 36);
  EXPECT_EQ(Hex(footer.substr(0, 8)), "522a4d181c000000");
  EXPECT_EQ(footer.substr(24, 8), "IBSFOOT1");
  // What `zstd -dc` prints: every record prefixed by its CRC32C, nothing else.
  std::string expected_raw;
  for (const auto& b : bodies) {
    PutFixed32(&expected_raw, crc32c::Value(b));
    expected_raw += b;
  }
  std::string raw(expected_raw.size() + 100, '\0');
  const size_t n = ZSTD_decompress(raw.data(), raw.size(), f.data(), f.size());
  ASSERT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
  raw.resize(n);
  EXPECT_EQ(raw, expected_raw);
}

// A closed bid/ask file of 10,000 ticks, three to a second (three frames).
Result<std::string> TenThousandQuotesFile() {
  std::vector<std::string> bodies;
  for (uint64_t i = 0; i < 10000; ++i) {
    bodies.emplace_back();
    AppendTick(MakeTick(kMnq, TickType::kBidAsk, kHour0 + static_cast<int64_t>(i / 3), i),
               &bodies.back());
  }
  std::vector<std::string_view> records(bodies.begin(), bodies.end());
  ClosedFileHeader header;
  header.stream = {kMnq, TickType::kBidAsk};
  header.hour = FromUnixSeconds(kHour0);
  return BuildClosedFile(header, records);
}

TEST(ClosedFileTest, ReaderUsesTheIndexAndDetectsDamage) {
  FaultFileSystem fs;
  auto file = TenThousandQuotesFile();
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(fs.WriteRaw("/c/f.tks.zst", *file).ok());
  auto reader = ClosedFileReader::Open(&fs, "/c/f.tks.zst");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->frames().size(), 3u);
  EXPECT_TRUE((*reader)->Verify().ok());
  uint64_t count = 0;
  ASSERT_TRUE((*reader)
                  ->ReadRange(FromUnixSeconds(kHour0 + 3000), FromUnixSeconds(kHour0 + 3001),
                              [&](const Tick& t) {
                                EXPECT_EQ(t.exchange_time, FromUnixSeconds(kHour0 + 3000));
                                ++count;
                              })
                  .ok());
  EXPECT_EQ(count, 3u);

  // Flip one byte in a data frame: zstd's frame checksum or our record CRC catches it.
  std::string damaged = *file;
  damaged[(*reader)->frames()[1].offset + 100] ^= 0x40;
  ASSERT_TRUE(fs.WriteRaw("/c/bad.tks.zst", damaged).ok());
  auto bad = ClosedFileReader::Open(&fs, "/c/bad.tks.zst");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ((*bad)->Verify().code(), StatusCode::kCorruption);
  // A cut-short file fails at open.
  ASSERT_TRUE(fs.WriteRaw("/c/short.tks.zst", file->substr(0, file->size() - 5)).ok());
  EXPECT_EQ(ClosedFileReader::Open(&fs, "/c/short.tks.zst").status().code(),
            StatusCode::kCorruption);
}

// Readers judge a frame by the CRC32C of its records (and Verify of the whole raw frame), not by
// zstd's content checksum: damage to that checksum alone loses no tick; damage to the records
// is still found.
TEST(ClosedFileTest, RecordChecksumsNotZstdsJudgeAFrame) {
  FaultFileSystem fs;
  auto file = TenThousandQuotesFile();
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(fs.WriteRaw("/c/f.tks.zst", *file).ok());
  auto reader = ClosedFileReader::Open(&fs, "/c/f.tks.zst");
  ASSERT_TRUE(reader.ok());
  const ClosedFrameInfo second = (*reader)->frames()[1];
  auto read_all = [&](const std::string& path, uint64_t* ticks) {
    auto r = ClosedFileReader::Open(&fs, path);
    EXPECT_TRUE(r.ok());
    *ticks = 0;
    return (*r)->ReadRange(FromUnixSeconds(kHour0), FromUnixSeconds(kHour0 + 3600),
                           [&](const Tick&) { ++*ticks; });
  };

  // The last 4 bytes of a zstd frame are its content checksum.
  std::string checksum_damaged = *file;
  checksum_damaged[second.offset + second.compressed_size - 2] ^= 0x10;
  ASSERT_TRUE(fs.WriteRaw("/c/checksum.tks.zst", checksum_damaged).ok());
  uint64_t ticks = 0;
  const Status read = read_all("/c/checksum.tks.zst", &ticks);
  EXPECT_TRUE(read.ok()) << read.ToString();
  EXPECT_EQ(ticks, 10000u);
  EXPECT_TRUE((*ClosedFileReader::Open(&fs, "/c/checksum.tks.zst"))->Verify().ok());

  // A record changed inside the compressed frame: the frame is skipped, the others read.
  std::string payload_damaged = *file;
  payload_damaged[second.offset + second.compressed_size / 2] ^= 0x40;
  ASSERT_TRUE(fs.WriteRaw("/c/payload.tks.zst", payload_damaged).ok());
  EXPECT_EQ(read_all("/c/payload.tks.zst", &ticks).code(), StatusCode::kCorruption);
  EXPECT_LT(ticks, 10000u);
  EXPECT_GE(ticks, 10000u - second.tick_count);
  EXPECT_EQ((*ClosedFileReader::Open(&fs, "/c/payload.tks.zst"))->Verify().code(),
            StatusCode::kCorruption);
}

class RecoveryTest : public StoreTest {
 protected:
  // Writes `n` ticks into generation 1 of hour 0 and syncs; returns the path.
  std::string WriteJournal(int n) {
    auto file = JournalFile::Create(&fs_, kRoot, FromUnixSeconds(kHour0), 1, false);
    EXPECT_TRUE(file.ok());
    for (int i = 1; i <= n; ++i)
      (*file)->AddTick(MakeTick(kMnq, TickType::kBidAsk, kHour0 + i, static_cast<uint64_t>(i)));
    EXPECT_TRUE((*file)->Write().ok());
    EXPECT_TRUE((*file)->Sync().ok());
    return (*file)->path();
  }
  std::string Read(const std::string& path) { return *ReadFileToString(&fs_, path); }
};

TEST_F(RecoveryTest, TornTailIsTruncated) {
  const std::string path = WriteJournal(100);
  const std::string whole = Read(path);
  ASSERT_TRUE(fs_.WriteRaw(path, whole.substr(0, whole.size() - 37)).ok());
  std::vector<std::string> complaints;
  auto report = RecoverStore(
      &fs_, kRoot, [&](const std::string& p, const std::string&) { complaints.push_back(p); });
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->torn_tails_truncated, 1u);
  EXPECT_TRUE(complaints.empty()) << "a torn tail is the expected result of a crash";
  EXPECT_EQ(QueryAll(&fs_, AllStreams()).size(), 99u);
  auto again = RecoverStore(&fs_, kRoot, nullptr);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->torn_tails_truncated, 0u) << "recovery is idempotent";
}

TEST_F(RecoveryTest, MidFileDamageIsQuarantinedAndSalvaged) {
  const std::string path = WriteJournal(1000);
  std::string bytes = Read(path);
  bytes[log::kFileHeaderSize + 40000] ^= 0x5a;  // inside the second block
  ASSERT_TRUE(fs_.WriteRaw(path, bytes).ok());
  std::vector<std::string> complaints;
  auto report = RecoverStore(
      &fs_, kRoot, [&](const std::string& p, const std::string&) { complaints.push_back(p); });
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->files_quarantined, 1u);
  EXPECT_GT(report->corrupt_bytes, 0u);
  ASSERT_EQ(complaints.size(), 1u);
  EXPECT_EQ(complaints[0], path);
  EXPECT_FALSE(fs_.Exists(path));
  EXPECT_TRUE(fs_.Exists(JoinPath(JournalDir(kRoot, FromUnixSeconds(kHour0)), "14.g1.s.wal")));
  EXPECT_TRUE(fs_.Exists(JoinPath(QuarantineRoot(kRoot), "2025-08-21_14.g1.wal")));
  const auto read = QueryAll(&fs_, AllStreams());
  EXPECT_GT(read.size(), 600u);  // the rest of the damaged 32 KiB block is dropped
  EXPECT_LT(read.size(), 1000u);
  EXPECT_EQ(report->records_salvaged, read.size());
  auto again = RecoverStore(&fs_, kRoot, nullptr);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->files_quarantined, 0u);
  EXPECT_EQ(QueryAll(&fs_, AllStreams()).size(), read.size());
}

TEST_F(RecoveryTest, HalfCreatedJournalIsDeletedAndTempFilesRemoved) {
  ASSERT_TRUE(
      fs_.WriteRaw(JoinPath(JournalDir(kRoot, FromUnixSeconds(kHour0)), "14.g1.wal"), "IBSJ").ok());
  ASSERT_TRUE(fs_.WriteRaw(JoinPath(ClosedHourDir(kRoot, FromUnixSeconds(kHour0)), "x.tks.zst.tmp"),
                           "partial")
                  .ok());
  auto report = RecoverStore(&fs_, kRoot, nullptr);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->empty_journals_deleted, 1u);
  EXPECT_EQ(report->temp_files_deleted, 1u);
}

TEST(GapLedgerTest, AddUpdateListSurviveReopen) {
  FaultFileSystem fs;
  auto ledger = GapLedger::Open(&fs, kRoot, FromUnixSeconds(kHour0));
  ASSERT_TRUE(ledger.ok());
  GapRecord gap;
  gap.stream = {kMnq, TickType::kBidAsk};
  gap.start = FromUnixSeconds(kHour0);
  gap.end = FromUnixSeconds(kHour0 + 60);
  gap.cause = "disconnect";
  auto id = (*ledger)->Add(gap);
  ASSERT_TRUE(id.ok());
  gap.stream = {2, TickType::kLast};
  gap.cause = "disk_full";
  auto id2 = (*ledger)->Add(gap);
  ASSERT_TRUE(id2.ok());
  ASSERT_TRUE(
      (*ledger)
          ->Update(*id, BackfillState::kPartial, "pacing violation", FromUnixSeconds(kHour0 + 100))
          .ok());
  EXPECT_EQ((*ledger)->Update(99, BackfillState::kFilled, "", TimePoint()).code(),
            StatusCode::kNotFound);
  ledger->reset();
  fs.Crash(5);  // everything acknowledged was synced
  auto reopened = GapLedger::Open(&fs, kRoot, FromUnixSeconds(kHour0));
  ASSERT_TRUE(reopened.ok());
  auto all = (*reopened)->List();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].state, BackfillState::kPartial);
  EXPECT_EQ(all[0].reason, "pacing violation");
  EXPECT_EQ(all[1].cause, "disk_full");
  EXPECT_EQ((*reopened)->List(kMnq).size(), 1u);
  auto next = (*reopened)->Add(gap);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 3u);
  auto listed = GapLedger::ReadAll(&fs, kRoot, nullptr);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 3u);
}

TEST(GapLedgerTest, GoldenRecordBytes) {
  GapRecord gap;
  gap.id = 7;
  gap.stream = {kMnq, TickType::kLast};
  gap.state = BackfillState::kFailed;
  gap.start = FromUnixSeconds(kHour0);
  gap.end = FromUnixNanos(1);
  gap.updated_at = FromUnixNanos(2);
  gap.cause = "stall";
  gap.reason = "x";
  const std::string bytes = EncodeGapRecord(gap);
  EXPECT_EQ(Hex(bytes),
            "0700000000000000"
            "c945652a00000000"
            "0203"
            "0500"
            "0100"
            "0000"
            "00c0071af9cc5d18"
            "0100000000000000"
            "0200000000000000"
            "7374616c6c"
            "78");
  auto back = DecodeGapRecord(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, gap);
}

TEST(RetentionTest, DeletesExpiredHoursGloballyAndPerContract) {
  FaultFileSystem fs;
  auto put = [&](int64_t hour_offset, const StreamKey& stream) {
    const std::string dir = ClosedHourDir(kRoot, FromUnixSeconds(kHour0 + hour_offset * 3600));
    ASSERT_TRUE(fs.WriteRaw(JoinPath(dir, ClosedFileName(stream, 1)), "x").ok());
  };
  put(-48, {kMnq, TickType::kBidAsk});
  put(-5, {kMnq, TickType::kBidAsk});
  put(-5, {2, TickType::kBidAsk});
  put(0, {2, TickType::kBidAsk});
  RetentionPolicy policy;
  policy.keep_for = 24h;
  policy.keep_for_contract[2] = 2h;
  RetentionReport report;
  ASSERT_TRUE(ApplyRetention(&fs, kRoot, policy, FromUnixSeconds(kHour0 + 1800), &report).ok());
  EXPECT_EQ(report.files_deleted, 2u);
  EXPECT_FALSE(fs.Exists(ClosedHourDir(kRoot, FromUnixSeconds(kHour0 - 48 * 3600))));
  EXPECT_TRUE(fs.Exists(JoinPath(ClosedHourDir(kRoot, FromUnixSeconds(kHour0 - 5 * 3600)),
                                 ClosedFileName({kMnq, TickType::kBidAsk}, 1))));
  EXPECT_FALSE(fs.Exists(JoinPath(ClosedHourDir(kRoot, FromUnixSeconds(kHour0 - 5 * 3600)),
                                  ClosedFileName({2, TickType::kBidAsk}, 1))));
  EXPECT_TRUE(fs.Exists(JoinPath(ClosedHourDir(kRoot, FromUnixSeconds(kHour0)),
                                 ClosedFileName({2, TickType::kBidAsk}, 1))));
}

TEST(LayoutTest, Names) {
  const TimePoint hour = FromUnixSeconds(kHour0);
  EXPECT_EQ(DateDirName(hour), "2025-08-21");
  EXPECT_EQ(HourName(hour), "14");
  EXPECT_EQ(ParseHour("2025-08-21", "14"), hour);
  EXPECT_EQ(HourStart(FromUnixSeconds(kHour0 + 3599)), hour);
  EXPECT_EQ(FormatJournalName({"14", 3, true}), "14.g3.s.wal");
  auto parsed = ParseJournalName("14.g3.s.wal");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->generation, 3u);
  EXPECT_TRUE(parsed->salvaged);
  EXPECT_FALSE(ParseJournalName("14.g3.wal.tmp"));
  const std::string closed = ClosedFileName({kMnq, TickType::kAllLast}, 0xab);
  EXPECT_EQ(closed, "711280073_all_last.00000000000000ab.tks.zst");
  EXPECT_EQ(ParseClosedFileName(closed), (StreamKey{kMnq, TickType::kAllLast}));
}

}  // namespace
}  // namespace ibstream::storage::store_test
