// The gap ledger's writes off the caller's thread: AddAsync/UpdateAsync queue the request and
// return at once; a worker thread owned by this object applies the requests to the GapLedger in
// submission order (each one fdatasync'ed, as GapLedger::Add/Update do) and then calls the
// request's completion with the Status and the entry id. So a network loop never waits on an
// fsync: it submits, and its completion posts the result back onto the loop.
//
//   store->async_ledger().AddAsync(gap, [loop](Status status, uint64_t id) {
//     loop->Post([status, id] { ... });   // runs on the worker thread: post, do not block
//   });
//
// Ordering: requests run and complete in the order they were accepted, one at a time, so an
// Update submitted after an Add's completion sees that entry, and a completion reporting OK means
// the entry is durable (it survives a crash). Completions run on the worker thread; they must
// not block for long and must not call Stop(). They may submit further requests.
//
// The worker is a common/serial_worker.h SerialWorker: bounded, drained at Stop().
//
// Thread-safety: AddAsync, UpdateAsync, Stop, pending() and refused_full() may be called from any
// thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/serial_worker.h"
#include "common/status.h"
#include "storage/gap_ledger.h"

namespace ibstream::storage {

// Called once per accepted request, on the worker thread. `gap_id` is the id Add assigned (0 when
// the Add failed) or the id that was updated.
using GapLedgerCompletion = std::function<void(Status status, uint64_t gap_id)>;

class AsyncGapLedger {
 public:
  // `ledger` is not owned and must outlive this object. At most `capacity` requests wait at once.
  explicit AsyncGapLedger(GapLedger* ledger, size_t capacity = 4096);
  AsyncGapLedger(const AsyncGapLedger&) = delete;
  AsyncGapLedger& operator=(const AsyncGapLedger&) = delete;
  // Stop().
  ~AsyncGapLedger();

  // Queues GapLedger::Add(gap). Returns OK when accepted (`done` will be called exactly once);
  // ResourceExhausted when `capacity` requests are already waiting and FailedPrecondition after
  // Stop() (in both cases `done` is never called). Errors of the Add itself (InvalidArgument for
  // an over-long cause, an I/O error) reach `done`.
  [[nodiscard]] Status AddAsync(GapRecord gap, GapLedgerCompletion done);

  // Queues GapLedger::Update(id, state, reason, updated_at, end, fill); accepted or refused as
  // AddAsync. NotFound (an unknown id) and I/O errors reach `done`.
  [[nodiscard]] Status UpdateAsync(uint64_t id, BackfillState state, std::string reason,
                                   TimePoint updated_at, std::optional<TimePoint> end,
                                   GapLedgerCompletion done,
                                   std::optional<GapFill> fill = std::nullopt);

  // Refuses new requests, runs (and completes) every request already accepted, then joins the
  // worker. Idempotent.
  void Stop();

  // Requests accepted and not yet completed.
  size_t pending() const { return worker_.pending(); }
  // Requests refused with ResourceExhausted (the queue was full) since construction.
  uint64_t refused_full() const { return worker_.counters().refused_full; }

 private:
  GapLedger* const ledger_;
  SerialWorker worker_;  // runs the requests; its jobs use ledger_
};

}  // namespace ibstream::storage
