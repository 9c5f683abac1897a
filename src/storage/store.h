// The storage facade: recovery at open, the journal writer, conversion of sealed hours into
// closed files, retention, queries and the gap ledger.
//
//   auto store = Store::Open(PosixFileSystem(), SystemClock::Instance(), options);
//   store->writer().Append(tick);               // network thread, never blocks on disk
//   store->writer().durable_position();         // what is acknowledged
//   store->Query(request, sink, &stats);        // any thread
//
// Thread-safety: Append/Query/ledger/async_ledger calls are thread-safe; Maintain() runs conversion
// and retention and may be called from any one thread at a time (or by the background thread).
#pragma once

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "storage/async_gap_ledger.h"
#include "storage/gap_ledger.h"
#include "storage/query.h"
#include "storage/recovery.h"
#include "storage/route_log.h"
#include "storage/tick_writer.h"

namespace ibstream::storage {

struct RetentionPolicy {
  // Closed hours (by IB time) that ended longer ago than this are deleted; zero keeps all.
  Duration keep_for{0};
  // Per contract (the tracked contract's buffer_hours); overrides keep_for for that contract.
  std::map<int64_t, Duration> keep_for_contract;
};

struct RetentionReport {
  uint64_t files_deleted = 0;
  uint64_t hours_removed = 0;
};

// Deletes closed files that the policy no longer keeps, then empty hour and date directories.
Status ApplyRetention(fs::FileSystem* fs, const std::string& root, const RetentionPolicy& policy,
                      TimePoint now, RetentionReport* report);

struct StoreOptions {
  WriterOptions writer;  // writer.root is set from `root`
  std::string root;
  int zstd_level = 3;
  RetentionPolicy retention;
  CorruptionCallback on_corruption;
  // Run Maintain() on a background thread after each rotation and every maintenance_interval.
  bool background_maintenance = true;
  Duration maintenance_interval = std::chrono::minutes(5);
  // When set, journal hours at or after the hour it returns are not converted (their journals
  // are kept): a reader of the journals, such as the NATS publisher, has not passed them yet.
  // Called at Open and by every Maintain(), from the thread running it.
  std::function<TimePoint()> keep_journals_from;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(fs::FileSystem* fs, const Clock& clock,
                                             StoreOptions options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  TickWriter& writer() { return *writer_; }
  // The synchronous ledger: Add/Update fdatasync before they return.
  GapLedger& ledger() { return *ledger_; }
  // The same ledger written on a storage-owned worker thread (async_gap_ledger.h), for callers
  // that must not wait on an fsync. Close() completes every request it accepted.
  AsyncGapLedger& async_ledger() { return *async_ledger_; }
  // The route log (route_log.h): the recorder's route changes, appended on its own worker thread.
  RouteLog& routes() { return *routes_; }
  const RecoveryReport& recovery_report() const { return recovery_; }
  // What opening the gap ledger found damaged (and the quarantine copies it made).
  const LedgerDamage& ledger_damage() const { return ledger_damage_; }

  // Converts journal hours before the writer's active hour, then applies retention.
  Status Maintain();

  Status Query(const QueryRequest& request, const std::function<Status(const Tick&)>& sink,
               QueryStats* stats) const {
    return QueryTicks(fs_, options_.root, request, sink, stats);
  }

  // Completes the accepted asynchronous ledger and route-log requests, then stops the writer
  // (sealing its journal) and the background thread.
  void Close();

 private:
  Store(fs::FileSystem* fs, const Clock& clock, StoreOptions options)
      : fs_(fs), clock_(clock), options_(std::move(options)) {}
  Status ConvertHoursBefore(TimePoint hour);
  void MaintenanceLoop();

  fs::FileSystem* fs_;
  const Clock& clock_;
  StoreOptions options_;
  RecoveryReport recovery_;
  LedgerDamage ledger_damage_;
  std::unique_ptr<GapLedger> ledger_;
  std::unique_ptr<AsyncGapLedger> async_ledger_;  // writes to *ledger_
  std::unique_ptr<RouteLog> routes_;
  std::unique_ptr<TickWriter> writer_;

  std::mutex maintain_mu_;  // one Maintain() at a time
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool rotated_ = false;
  std::thread maintenance_;
};

}  // namespace ibstream::storage
