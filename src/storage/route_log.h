// The route log: a durable record of which route recorded each configured tick-by-tick stream,
// and when that changed (FORMAT.md §3.5).
//
// The recorder plans, for every stream a contract is configured with (contract x tick-by-tick
// type), whether it is recorded by its own tick-by-tick subscription, through its contract's
// reqMktData as a fallback kind (`quote` for bid_ask and mid_point, `trade` for last and
// all_last), or not at all. Each change of that plan is one record here: when, and per stream
// whose route changed, the route before and after. A reader (`ibstream verify --truth`) can then
// tell which stream kinds the recorder needed over which intervals.
//
// Stored as log files (log_format.h, magic "IBSROUT1") under <root>/routes/routes.<N>.log. Every
// Open() starts a new generation (created at its first Append, so a process that changes no route
// writes nothing): a file a crashed process left is never appended to. Records are kept for good;
// readers take every generation, oldest first, in file order.
//
// Writes: Append() appends one record and fdatasyncs it before it returns (a failed fdatasync is
// fatal, FatalStorageError, as for the gap ledger); AppendAsync() does the same on a worker thread
// owned by the log, so a network loop never waits on the disk.
//
// Thread-safety: Append, AppendAsync, Stop and the counters may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/serial_worker.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "model/tick.h"
#include "storage/generation_log.h"

namespace ibstream::storage {

namespace log {
class Writer;
}

// The route of one stream. The values are the bytes on disk.
enum class RouteKind : uint8_t {
  kNone = 0,        // not planned (before the stream existed, after it was removed)
  kTickByTick = 1,  // its own reqTickByTickData
  kFallback = 2,    // its contract's reqMktData, stored as the fallback kind (FallbackKind)
  kUnserved = 3,    // planned but not recorded (no market-data line left)
};
// "none", "tick_by_tick", "fallback", "unserved".
std::string_view RouteKindName(RouteKind route);

struct RouteEntry {
  StreamKey stream;  // the configured stream: its tick-by-tick type
  RouteKind from = RouteKind::kNone;
  RouteKind to = RouteKind::kNone;
  std::string reason;  // why `to` is not tick-by-tick ("tick-by-tick limit 3 reached"), or empty

  friend bool operator==(const RouteEntry&, const RouteEntry&) = default;
};

// One change of the recorder's plan.
struct RouteChange {
  TimePoint at;  // the recorder's clock
  // The first change a recorder process recorded: every stream it does not name has no route
  // from `at` on (whatever an earlier process recorded for it).
  bool session_start = false;
  std::vector<RouteEntry> entries;

  friend bool operator==(const RouteChange&, const RouteChange&) = default;
};

// Encoding of one record's payload (without the kind byte); exposed for golden tests.
// InvalidArgument (from Encode) for more than 65535 entries or a reason longer than 65535 bytes.
Result<std::string> EncodeRouteChange(const RouteChange& change);
Result<RouteChange> DecodeRouteChange(std::string_view bytes);

// What reading the route log found damaged (damaged_files holds the generations' paths).
using RouteLogDamage = log::LogDamage;

using RouteLogCompletion = std::function<void(Status status)>;

class RouteLog {
 public:
  // Prepares a new generation under `root` (nothing is written until the first Append). Errors:
  // the routes directory cannot be listed. `fs` must outlive the log.
  static Result<std::unique_ptr<RouteLog>> Open(fs::FileSystem* fs, const std::string& root);
  // Every record of every generation, oldest generation first, in file order. A store without
  // a route log has none. Damaged records are skipped and described in *damage (may be null).
  static Result<std::vector<RouteChange>> ReadAll(fs::FileSystem* fs, const std::string& root,
                                                  RouteLogDamage* damage);

  // Stop().
  ~RouteLog();
  RouteLog(const RouteLog&) = delete;
  RouteLog& operator=(const RouteLog&) = delete;

  // Durably appends `change`. InvalidArgument for a record that cannot be encoded; an I/O error
  // of the append; Unavailable after an earlier write error (nothing is appended after a torn
  // write: the next Open starts a new generation).
  Status Append(const RouteChange& change);

  // Queues Append(change) on the log's worker thread. OK when accepted (`done`, which may be
  // empty, is then called once on the worker thread with the Append's status);
  // ResourceExhausted when `capacity` requests wait, FailedPrecondition after Stop().
  [[nodiscard]] Status AppendAsync(RouteChange change, RouteLogCompletion done);

  // Refuses new requests, completes the accepted ones, joins the worker. Idempotent.
  void Stop();

  // Records appended durably, and appends that failed, since Open.
  uint64_t appended() const;
  uint64_t failed() const;

  // "<root>/routes".
  static std::string Dir(const std::string& root);

 private:
  RouteLog(fs::FileSystem* fs, std::string dir, uint32_t generation, size_t capacity);

  fs::FileSystem* const fs_;
  const std::string dir_;
  const uint32_t generation_;
  mutable std::mutex mu_;                   // one Append at a time
  std::unique_ptr<fs::WritableFile> file_;  // guarded by mu_; created at the first Append
  std::unique_ptr<log::Writer> writer_;     // guarded by mu_
  bool failed_ = false;                     // guarded by mu_
  uint64_t appended_ = 0;                   // guarded by mu_
  uint64_t failures_ = 0;                   // guarded by mu_
  SerialWorker worker_;                     // last: its jobs use the members above
};

}  // namespace ibstream::storage
