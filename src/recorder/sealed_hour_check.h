// The sealed hours' integrity, checked when the recorder starts.
//
// Closed files (storage/closed_file.h) are immutable once written, so damage to one (bit rot, a
// bad copy, a disk error) otherwise shows only when a query or `ibstream verify` reads it. At
// start the recorder checks the closed files of the last kSealedHourCheckWindow frame by frame,
// on a worker thread of its own (recording is not delayed), and for each damaged file:
//   - logs `event=sealed_hour_damaged` with the file, the stream, the span of IB time and the
//     number of ticks it cannot give back,
//   - counts it (RecorderCounters::sealed_files_damaged; ibstream_sealed_files_damaged_total),
//   - raises a storage_error warning of its contract naming the file and that span,
//   - records a gap with cause "damaged_file" over each unreadable span, once its contract is
//     resolved, so backfill refills it from IB's history (a span IB no longer has ends `failed`
//     with the backfill's reason). A span a "damaged_file" gap of the ledger already covers (a
//     restart after it was recorded) is not recorded again.
// Older hours are left to `ibstream verify`. The damaged file itself is kept as it is: queries
// skip its damaged frames and report them; the refilled ticks are stored beside it.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/serial_worker.h"
#include "fs/file_system.h"
#include "model/tick.h"

namespace ibstream::client {
class EventLoop;
}

namespace ibstream::recorder {

struct LoopContext;
class ContractRegistry;
class BackfillRunner;

inline constexpr Duration kSealedHourCheckWindow = std::chrono::hours(24 * 7);

// What one damaged closed file cannot give back: the ticks of consecutive damaged frames.
struct DamagedSpan {
  std::string path;
  StreamKey stream;
  TimePoint first;     // IB time of the first tick it cannot read (the hour's start when unknown)
  TimePoint last;      // of the last one, inclusive (the hour's last nanosecond when unknown)
  uint64_t ticks = 0;  // ticks it cannot read; the header's count when the file does not open
  std::string detail;  // what is wrong

  friend bool operator==(const DamagedSpan&, const DamagedSpan&) = default;
};

struct SealedHourScan {
  uint64_t files_checked = 0;
  std::vector<DamagedSpan> damaged;  // by file, then time
  std::vector<std::string> errors;   // directories that could not be listed
};

// Checks every closed file under `root` whose hour starts at or after `since`, frame by frame
// (ClosedFileReader::CheckFrame); consecutive damaged frames of a file make one span. A file
// whose header, footer or index does not read is damaged as a whole: its hour. Reads only;
// callable from any thread. Stops early (with what it found so far) once `*cancel` is set.
SealedHourScan ScanSealedHours(fs::FileSystem* fs, const std::string& root, TimePoint since,
                               const std::atomic<bool>* cancel = nullptr);

// The recorder's side: runs the scan off the loop and acts on what it finds on the loop. Loop
// thread only, but for the scan itself; not thread-safe.
class SealedHourCheck {
 public:
  // Every reference must outlive the check (all are owned by Recorder::Impl).
  SealedHourCheck(LoopContext& ctx, client::EventLoop& loop, ContractRegistry& registry,
                  BackfillRunner& backfill);
  // Stops a scan still running (what it found is dropped) and waits for the worker.
  ~SealedHourCheck();
  SealedHourCheck(const SealedHourCheck&) = delete;
  SealedHourCheck& operator=(const SealedHourCheck&) = delete;

  // At start, once the store is open: scans the hours of the window ending at `now` on the
  // worker; what it finds is posted to the loop.
  void Start(TimePoint now);
  // Each evaluation: records the gaps of the damaged spans whose contract is now resolved.
  void Step(TimePoint now);

 private:
  void OnScanned(SealedHourScan scan, TimePoint now);

  LoopContext& ctx_;
  client::EventLoop& loop_;
  ContractRegistry& registry_;
  BackfillRunner& backfill_;
  std::vector<DamagedSpan> waiting_;  // found damaged, gap not recorded yet
  std::atomic<bool> cancel_{false};   // set by the destructor; read by the scan
  // Declared last: stopped (its job finished) before the rest is destroyed.
  SerialWorker worker_{"sealed hour check", 1};
};

}  // namespace ibstream::recorder
