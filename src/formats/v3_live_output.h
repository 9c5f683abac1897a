// The original's v3 files as an optional live output of the recorder (storage.v3_output).
//
// Every tick the recorder stored, live or backfilled, is handed to Offer() on the recorder's
// thread; Offer never blocks on I/O: it copies the tick into a bounded in-memory queue and returns.
// One writer thread owned by this object drains the queue into a V3Writer (v3_writer.h), so the
// files are byte-compatible with the original's
// (`<base>/v3/{json,protobuf}/YYYY/MM/DD/HH/<cid>_<tt>_<hourEpoch>.{jsonl,pb}`).
//
// On the writer thread, after each batch of ticks:
//  * buffered data is written and fsynced once `flush_interval` has passed on the clock since the
//    last flush (and when the thread is idle that long);
//  * files of an hour are closed once the clock is `close_grace` past that hour's end (IB times
//    arrive late, so an hour's file keeps receiving ticks after the hour; a tick that arrives
//    after its file was closed reopens it and is appended).
//
// Nothing here is fatal to the recorder: a full queue drops the tick, a failed write drops the
// ticks of that file's buffer; both are counted (stats()) and the output goes on. The v3 files
// are a secondary copy; the recorder's own storage is the record of truth.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "formats/v3_writer.h"
#include "model/tick.h"

namespace ibstream::formats {

struct V3LiveOutputOptions {
  // Base directory, formats and buffer sizes. Files go to <writer.base_dir>/v3/...
  V3WriterOptions writer;
  // Ticks waiting for the writer thread; Offer() beyond this many drops the tick.
  size_t queue_capacity = 65536;
  // The longest a written tick waits (on the clock) before it is flushed and fsynced.
  Duration flush_interval = std::chrono::seconds(1);
  // An hour's files are closed this long after the hour ends.
  Duration close_grace = std::chrono::minutes(5);
  // Called on the writer thread before each batch is written; tests use it to hold the thread.
  std::function<void()> before_batch;
};

// A consistent-enough snapshot (each counter is read atomically, not all at one instant).
struct V3LiveOutputStats {
  uint64_t offered = 0;           // Offer() calls
  uint64_t written = 0;           // ticks appended to every enabled format that can hold them
  uint64_t dropped = 0;           // Offer() returned false: queue full, not started or stopped
  uint64_t write_errors = 0;      // failed appends, flushes and closes (see last_error)
  uint64_t protobuf_skipped = 0;  // ticks whose conId does not fit protobuf's int32 (JSON only)
  uint64_t depth_skipped = 0;     // market-depth records offered: never queued nor written
  uint64_t flushes = 0;           // completed flushes (buffers written and fsynced)
  uint64_t files_opened = 0;
  uint64_t open_files = 0;
  std::string last_error;  // the most recent write error, empty if none
};

class V3LiveOutput {
 public:
  // `clock` must outlive this object; it decides flushes and hour closing (a ScaledClock's
  // intervals are waited for in real time via ToRealDuration).
  V3LiveOutput(V3LiveOutputOptions options, const Clock& clock);
  V3LiveOutput(const V3LiveOutput&) = delete;
  V3LiveOutput& operator=(const V3LiveOutput&) = delete;
  // Stop().
  ~V3LiveOutput();

  // Checks the options (a base directory, at least one format, a queue), creates <base>/v3 and
  // starts the writer thread. InvalidArgument or IoError say what is wrong. Call once.
  [[nodiscard]] Status Start();

  // Thread-safe and non-blocking (a short lock, a copy of the tick; no I/O). False, and the tick
  // counted as dropped, when the queue is full or the output is not running. A market-depth
  // record is skipped at once (true, counted as depth_skipped): v3 has no depth shape (V3Writer).
  bool Offer(const Tick& tick);

  // Waits until the queue is empty and the writer thread has written (and, if due, flushed)
  // the batch it took; false on timeout. Thread-safe.
  bool WaitIdle(std::chrono::milliseconds timeout);

  // Writes every queued tick, flushes, fsyncs and closes all files, and joins the thread.
  // Returns the first error of the final close (earlier errors are in stats()). Idempotent and
  // thread-safe; later Offer() calls return false.
  Status Stop();

  // Thread-safe.
  V3LiveOutputStats stats() const;

 private:
  void Run();
  void Write(const Tick& tick);
  // Flushes when due and closes the hours past their grace.
  void Maintain(TimePoint now);
  void RecordError(const Status& status);

  const V3LiveOutputOptions options_;
  const Clock& clock_;
  std::mutex stop_mutex_;  // one Stop() at a time

  // The queue: Offer() appends to pending_ under mutex_; the writer thread swaps it with its
  // (empty) batch_ and writes the batch without the lock.
  mutable std::mutex mutex_;
  std::condition_variable wake_;  // ticks arrived or Stop() was called
  std::condition_variable idle_;  // the writer finished a batch
  std::vector<Tick> pending_;
  bool busy_ = false;  // the writer thread is writing a batch
  bool running_ = false;
  bool stopping_ = false;
  bool stopped_ = false;
  Status final_status_;

  // Writer thread only.
  V3Writer writer_;
  std::vector<Tick> batch_;
  bool dirty_ = false;  // written since the last flush
  TimePoint last_flush_;

  std::atomic<uint64_t> offered_{0};
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> write_errors_{0};
  std::atomic<uint64_t> protobuf_skipped_{0};
  std::atomic<uint64_t> depth_skipped_{0};
  std::atomic<uint64_t> flushes_{0};
  std::atomic<uint64_t> files_opened_{0};
  std::atomic<uint64_t> open_files_{0};
  mutable std::mutex error_mutex_;
  std::string last_error_;  // guarded by error_mutex_

  // Last: starts after every member above is ready.
  std::thread thread_;
};

}  // namespace ibstream::formats
