// The journal writer: one thread owns the active journal; producers hand ticks over through a
// bounded queue and never wait for the disk.
//
// The queue holds journal bytes, not Tick objects: Append frames the tick under the queue lock
// straight into the queue's buffer with the active journal's framer (space reserved, the record
// encoded in place, its CRC32C computed while encoding, the header completed: no scratch copy,
// no allocation once the buffers have grown), so the writer thread only swaps the buffer out
// and write()s it. Rotation creates the next journal before taking the lock, then switches the
// framer and takes the old journal's bytes in one step.
//
// Group commit: a second thread, the sync thread, runs the fdatasyncs of the active journal, so
// the writer thread keeps draining the queue while the disk syncs (a sync of a second of ticks
// can take longer than the queue lasts). A sync covers the ticks whose write() completed before
// it started; the writer thread seals, abandons or replaces a journal only when no sync of it is
// in flight.
//
// Positions: every accepted tick gets a position (1, 2, 3, ... in acceptance order). The
// durable position is the highest position P such that every accepted tick up to P has either
// been covered by a completed fdatasync or been reported lost in a kWriteFailed event. It is
// what "acknowledged" means (FORMAT.md §5).
//
// Queue full: Append returns ResourceExhausted immediately, the tick is not stored (nothing of
// it is left in the queue), and rejected_queue_full() counts it; the caller records a gap. After
// a write error (disk full, EIO) Append returns Unavailable until a new journal could be created
// and written (the writer retries every retry_interval); the ticks that were queued or being
// written are reported in a kWriteFailed event. A failed fdatasync is fatal (FatalStorageError).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "model/tick.h"
#include "storage/byte_buffer.h"
#include "storage/fsync_policy.h"
#include "storage/journal.h"

namespace ibstream::storage {

struct StorageEvent {
  enum class Kind {
    kWriteFailed,  // ticks were accepted but could not be written: a gap with `cause`
    kResumed,      // writing works again
    kLowSpace,     // free space fell below the warning threshold
    kSpaceOk,      // free space is above the threshold again
    kRotated,      // a journal hour was sealed (ready for conversion)
    kSpace,        // a free-space reading: one per space_check_interval of the writer's clock
  };
  Kind kind;
  Status cause;
  // kWriteFailed: the lost ticks, per stream, with their exchange-time span.
  struct LostSpan {
    StreamKey stream;
    TimePoint first_exchange_time;
    TimePoint last_exchange_time;
    uint64_t ticks = 0;
  };
  std::vector<LostSpan> lost;
  uint64_t first_lost_position = 0;
  uint64_t last_lost_position = 0;
  TimePoint hour;                // kRotated: the sealed hour
  uint64_t available_bytes = 0;  // kLowSpace / kSpaceOk / kSpace
  uint64_t total_bytes = 0;      // kLowSpace / kSpaceOk / kSpace: size of the volume
};

struct WriterOptions {
  std::string root;
  FsyncPolicy fsync = FsyncPolicy::kBatch;
  Duration batch_interval = std::chrono::milliseconds(100);
  size_t queue_capacity = 1 << 17;
  Duration retry_interval = std::chrono::seconds(1);
  uint64_t free_space_warning_bytes = uint64_t{1} << 30;
  Duration space_check_interval = std::chrono::seconds(10);
  // Called on the writer thread; must not call back into the writer.
  std::function<void(const StorageEvent&)> on_event;
  // Called with each new durable position, in increasing order, one call at a time, on the
  // writer thread or the sync thread; must not call back into the writer.
  std::function<void(uint64_t)> on_durable;
};

// What to do when fdatasync fails: by default log and abort the process (FORMAT.md §6).
// Tests replace it; when the handler returns, the writer stops for good.
using FatalHandler = void (*)(const Status&);
void SetFatalStorageHandler(FatalHandler handler);
void FatalStorageError(const Status& status);

class TickWriter {
 public:
  // `fs` and `clock` must outlive the writer. Starts the writer thread (which runs the sync
  // thread). `clock` is read from both threads.
  TickWriter(fs::FileSystem* fs, const Clock& clock, WriterOptions options);
  // Stops: writes and seals what is queued, then joins the thread.
  ~TickWriter();
  TickWriter(const TickWriter&) = delete;
  TickWriter& operator=(const TickWriter&) = delete;

  // Thread-safe, never blocks on I/O. Returns the tick's position, ResourceExhausted when the
  // queue is full, Unavailable while writing is suspended after an error, InvalidArgument for a
  // tick that cannot be stored.
  Result<uint64_t> Append(const Tick& tick);

  // Waits (up to `timeout` of real time) until every tick accepted so far is durable or reported
  // lost; forces an fdatasync whatever the policy. Timeout when the deadline passes.
  Status Flush(Duration timeout);

  // Stops accepting, writes and seals the queue, joins the thread. Idempotent.
  void Stop();

  uint64_t durable_position() const { return durable_.load(std::memory_order_acquire); }
  uint64_t accepted_position() const;
  uint64_t rejected_queue_full() const { return rejected_full_.load(); }
  uint64_t rejected_suspended() const { return rejected_suspended_.load(); }
  uint64_t lost_on_write_error() const { return lost_.load(); }
  uint64_t syncs() const { return syncs_.load(); }
  bool suspended() const { return suspended_.load(); }
  // The hour of the journal being written (ticks of earlier hours are sealed); 0 before any.
  TimePoint active_hour() const { return FromUnixNanos(active_hour_ns_.load()); }

 private:
  // What the queue keeps per tick besides its bytes: enough to report it lost.
  struct TickInfo {
    StreamKey stream;
    int64_t exchange_ns;
  };
  struct Batch {
    ByteBuffer bytes;
    std::vector<TickInfo> info;
    uint64_t last_position = 0;
  };

  void Run();
  // Swaps the queue out (under mu_).
  void TakeLocked(Batch* batch);
  void WriteBatch(Batch& batch);
  // Creates a journal for the current hour and makes it the queue's target.
  Status OpenJournal(TimePoint now);
  void Rotate(TimePoint now);
  void Seal(std::unique_ptr<JournalFile> file);
  // fdatasync of file_ on the writer thread (detached sync thread only).
  void SyncNow();
  void HandleWriteFailure(const Status& cause, Batch& batch);
  void AbandonFile();
  // After a failed fdatasync (either thread): nothing more is acknowledged, producers are
  // refused, the writer stops using its journal.
  void FailSync(const Status& status, const std::string& path);
  void PublishDurable(uint64_t position);

  // The sync thread and its hand-off (writer thread side).
  void SyncLoop();
  // Asks the sync thread for an fdatasync of everything written when one is due (`force`:
  // whatever the policy, for Flush and Stop).
  void RequestSyncIfDue(TimePoint now, bool force);
  // Keeps the sync thread off file_ and waits for a sync in flight to return; after it the
  // writer thread may sync, seal, close or replace file_ itself. AttachSyncer undoes it.
  void DetachSyncer();
  void AttachSyncer();
  void StopSyncer();
  uint64_t written_position();
  uint64_t synced_position();
  void SetPositions(uint64_t written, uint64_t synced);
  void CheckSpace(TimePoint now);
  void Emit(const StorageEvent& event);

  fs::FileSystem* fs_;
  const Clock& clock_;
  const WriterOptions options_;

  // Shared with producers, guarded by mu_.
  mutable std::mutex mu_;
  std::condition_variable wake_writer_;
  std::condition_variable durable_changed_;
  JournalFile* active_ = nullptr;  // the journal whose framer producers use; null: suspended
  ByteBuffer pending_bytes_;
  std::vector<TickInfo> pending_info_;
  uint64_t accepted_ = 0;
  bool stop_ = false;
  bool flush_requested_ = false;
  bool writer_waiting_ = false;

  std::atomic<uint64_t> durable_{0};
  std::atomic<uint64_t> rejected_full_{0};
  std::atomic<uint64_t> rejected_suspended_{0};
  std::atomic<uint64_t> lost_{0};
  std::atomic<uint64_t> syncs_{0};
  std::atomic<bool> suspended_{false};
  std::atomic<bool> dead_{false};
  std::atomic<int64_t> active_hour_ns_{0};

  // Serialises PublishDurable (both threads publish).
  std::mutex publish_mu_;

  // Shared by the writer thread and the sync thread, guarded by sync_mu_.
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  JournalFile* sync_file_ = nullptr;  // what the sync thread may fdatasync; null: detached
  uint64_t written_position_ = 0;     // last position handed to the file (write() returned)
  uint64_t synced_position_ = 0;      // covered by a completed fdatasync or reported lost
  bool sync_wanted_ = false;
  bool syncing_ = false;
  bool sync_stop_ = false;
  TimePoint last_sync_;  // when the last fdatasync returned

  // Writer thread only.
  std::unique_ptr<JournalFile> file_;
  TimePoint next_retry_;
  TimePoint next_space_check_;
  bool low_space_ = false;

  std::thread thread_;
};

}  // namespace ibstream::storage
