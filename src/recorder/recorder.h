// The recorder daemon's core: it ties the TWS client, the market calendars, storage and the
// reliability core together and records every tracked stream around the clock.
//
// Threads. The recorder owns one event loop thread (the client's thread): every client callback,
// timer, reliability decision and backfill step runs there, and it alone mutates the recorder's
// state; it never waits for an fsync. Storage has its own writer thread behind a bounded queue
// and a thread that writes the gap ledger (its completions are posted to the loop); the contract
// registry writes its details cache on a thread of its own. Other threads (HTTP, signal
// handling) only read View() snapshots, subscribe to the tick fan-out, or post commands; Track,
// Untrack and ReloadContracts write the run-time contract list on the calling thread. Every
// file goes through the fs::FileSystem given to the constructor (see src/recorder/README.md).
//
// Each second of its clock the loop: refreshes every contract's market state from its calendar,
// asks the reliability core what to do (reconnect, resubscribe, wait), carries that out, steps
// the backfill runner, and publishes a new View.
//
// Gaps. A stream is "interrupted" from the moment something stops its data (disconnect, 1100,
// farm down, competing session, stale data, a tick storage could not take, a restart of the
// recorder) until its next stored live tick. The stretch between the last stored tick (or, for a
// stream that stored nothing yet, its first subscription, or its market's opening after that) and
// that next tick is clipped to the market's open time (calendar/open_time.h): each open stretch
// becomes a gap in the ledger (cause = what interrupted it), closed time none, and each gap is
// backfilled from IB's history (see backfill_job.h for paging and the
// boundary rule, historical_pacer.h for IB's pacing limits).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"
#include "fs/file_system.h"
#include "recorder/recorder_commands.h"
#include "recorder/recorder_view.h"
#include "recorder/tick_fanout.h"
#include "reliability/alert_sink.h"
#include "reliability/backfill_retry.h"
#include "storage/query.h"
#include "storage/store.h"

namespace ibstream::recorder {

struct RecorderOptions {
  config::Config config;
  // How often the loop evaluates (on the recorder's clock).
  Duration evaluate_interval = std::chrono::seconds(1);
  // A backfill page IB has not answered within this long is asked again (IB may never answer
  // while its historical farm is down).
  Duration backfill_request_timeout = std::chrono::seconds(60);
  // When a timed-out or failed backfill page is asked again, or its gap given up on.
  reliability::BackfillRetryOptions backfill_retry;
  // How often contract details (trading hours, the front month of futures) are asked again.
  Duration details_refresh = std::chrono::hours(24);
  // Seeds retry jitter.
  uint64_t seed = 1;
  // How long Stop() may take to flush and seal storage.
  Duration stop_timeout = std::chrono::seconds(4);
  // Passed to the store (storage::StoreOptions::keep_journals_from): journals a reader such as
  // the NATS publisher has not passed yet are kept. Unset: none are held back.
  std::function<TimePoint()> keep_journals_from;
};

// What a reload of the contract list did (descriptions of the contracts).
struct ReloadSummary {
  std::vector<std::string> added;
  std::vector<std::string> removed;
  std::vector<std::string> changed;
  size_t unchanged = 0;
  // Run-time contracts that no longer pass the configuration's checks (not recorded).
  std::vector<std::string> errors;
};

class Recorder {
 public:
  // `clock`, `fs` and `alerts` must outlive the recorder. Alerts are delivered on the loop
  // thread; the sink must queue, not block.
  Recorder(RecorderOptions options, const Clock& clock, fs::FileSystem* fs,
           reliability::AlertSink& alerts);
  ~Recorder();  // Stop()

  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Recovers and opens storage, starts the loop (which connects to the gateway). Errors: storage
  // that cannot be opened (the message names the path and the cause).
  Status Start();

  // Cancels subscriptions, disconnects, flushes and seals storage, stops the loop. Idempotent;
  // bounded by options.stop_timeout for the flush.
  void Stop();

  // The latest snapshot (never null after construction). Thread-safe.
  std::shared_ptr<const RecorderView> View() const;

  // Every live tick as it is handed to storage, also one storage refused (disk full, queue
  // full): live consumers still see it while the store records a gap to backfill. Backfilled
  // ticks go to storage only. Thread-safe to subscribe.
  TickFanout& fanout() { return fanout_; }

  // Reads stored ticks (any thread). See storage::Store::Query; `stats` (may be null) says what
  // was read and what damaged data was skipped.
  Status Query(const std::vector<StreamKey>& streams, TimePoint from, TimePoint to,
               const std::function<Status(const Tick&)>& sink,
               storage::QueryStats* stats = nullptr) const;

  // Asks for a backfill of [from, to) of one stream; the result is a ledger entry (cause
  // "requested"). Thread-safe; InvalidArgument for an untracked stream or an empty range.
  Status RequestBackfill(const StreamKey& stream, TimePoint from, TimePoint to);

  // Asks again for the backfill of ledger gap `gap_id` (failed or partial): its entry goes back
  // to pending and the whole gap is queued. Thread-safe. NotFound for an unknown id,
  // FailedPrecondition for a gap pending (already queued) or filled, InvalidArgument when its
  // stream is no longer tracked.
  Status RetryGap(uint64_t gap_id);

  // Starts recording a contract given as the keys of one [[contracts]] table, in TOML (see
  // config/contract_table.h). Kept in the run-time contract list (runtime_contracts.h), so it
  // survives restarts and reloads. Thread-safe (not from the loop thread). InvalidArgument: a
  // bad contract (the message names every bad key); FailedPrecondition: already tracked;
  // IoError: the run-time list could not be saved (nothing changed); Unavailable: not running.
  Result<ContractChange> Track(std::string_view contract_toml);

  // Stops recording a contract, named by its con_id or its key; what it stored stays. Kept in
  // the run-time contract list. NotFound: no such tracked contract; otherwise as Track.
  Result<ContractChange> Untrack(std::string_view id);

  // Applies a new configured contract list (SIGHUP), with the run-time changes on top: removed
  // contracts stop, new ones start, changed ones are updated in place (tick types added or
  // dropped, reliability settings, calendar settings) without touching their other streams.
  Result<ReloadSummary> ReloadContracts(std::vector<config::ContractConfig> configured);

  const std::string& storage_root() const;
  // The open store, for readers on other threads (the NATS publisher reads the writer's positions
  // and the gap ledger's List(), both thread-safe): null before Start(); valid until Stop().
  storage::Store* store() const;
  const Clock& clock() const { return clock_; }

 private:
  class Impl;
  const Clock& clock_;
  TickFanout fanout_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ibstream::recorder
