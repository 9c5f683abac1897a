// Backfill with the recorder stopped (`ibstream backfill`): fetches the ledger's open gaps, or one
// given gap, or a given window of a contract's streams, from IB's history through a gateway and
// stores them durably, updating the ledger as the recorder's backfill runner would.
//
// The same rules as the running recorder's (backfill_runner.h): pages of BackfillJob, spaced by
// the HistoricalPacer whose recent requests are shared with the recorder through
// <root>/gaps/pacer.state (read at start, written after each request; damaged: the budget is taken
// as spent for one pacing window), failed pages retried by reliability::DecideBackfillRetry
// (only permanent causes end a gap as failed). A gap is marked filled only after its ticks are
// durable (the writer flushed them); ticks storage refuses leave it pending with the reason, and
// the run stops (storage cannot take more).
//
// Which ledger gaps a run takes (SelectGapsForBackfill): pending and partial ones, and failed ones
// whose cause was not permanent (reliability::IsPermanentBackfillFailureReason); with a gap id,
// that one gap whatever its cause (an operator's explicit retry), unless it is filled. A window
// opens a new ledger gap (cause "requested") per stream and backfills it.
//
// The store's owner lock (storage/store_lock.h) is held for the whole run: a recorder running on
// the store makes the run fail at once with FailedPrecondition, and a recorder started meanwhile
// is refused.
//
// Runs on the calling thread (the client's callbacks run on a loop thread of its own); waits are
// real-time waits of the clock's durations (Clock::ToRealDuration).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"
#include "fs/file_system.h"
#include "model/tick.h"
#include "reliability/backfill_retry.h"
#include "storage/gap_ledger.h"

namespace ibstream::recorder {

// [from, to) of a contract's streams.
struct OfflineBackfillWindow {
  int64_t contract_id = 0;
  TimePoint from;
  TimePoint to;
  // Empty: the tick types configured for the contract (matched by con_id, else by the symbol and
  // security type IB reports for it).
  std::vector<TickType> types;
};

struct OfflineBackfillOptions {
  config::Config config;
  // At most one of the two; neither: every gap SelectGapsForBackfill takes.
  std::optional<uint64_t> gap_id;
  std::optional<OfflineBackfillWindow> window;
  // A page IB has not answered within this long is asked again later.
  Duration request_timeout = std::chrono::seconds(60);
  reliability::BackfillRetryOptions retry;
  // How long the run keeps going (on the clock): gaps not finished by then stay pending, for the
  // recorder or the next run.
  Duration max_duration = std::chrono::hours(1);
};

struct OfflineGapOutcome {
  uint64_t gap_id = 0;
  StreamKey stream;
  TimePoint start;
  TimePoint end;
  storage::BackfillState state = storage::BackfillState::kPending;
  std::string reason;
  uint64_t ticks_stored = 0;
};

struct OfflineBackfillReport {
  std::vector<OfflineGapOutcome> gaps;  // in the order they were taken
  uint64_t requests = 0;                // historical requests sent
  uint64_t retries = 0;                 // failed pages asked again
  uint64_t ticks_stored = 0;
  bool pacer_state_damaged = false;
  // Not empty: storage refused ticks and the run stopped.
  std::string storage_error;

  // Every gap taken was filled.
  bool complete() const;
};

// The ledger gaps a run takes, by id (see the file comment). With `gap_id`, that gap alone (any
// state; empty when the ledger has no such id).
std::vector<storage::GapRecord> SelectGapsForBackfill(const std::vector<storage::GapRecord>& ledger,
                                                      std::optional<uint64_t> gap_id);

// Runs a backfill (see the file comment); `progress` (may be empty) gets one line per event.
// Errors: FailedPrecondition when a recorder holds the store or the given gap is filled,
// NotFound for an unknown gap id, InvalidArgument for an empty window or one whose tick types are
// unknown, Unavailable when the gateway cannot be reached at start, and storage errors opening
// the store. Once running, failures are per gap (the report).
[[nodiscard]] Result<OfflineBackfillReport> RunOfflineBackfill(
    const OfflineBackfillOptions& options, const Clock& clock, fs::FileSystem* fs,
    const std::function<void(const std::string&)>& progress = nullptr);

}  // namespace ibstream::recorder
