// The NATS JetStream publisher: what a recorder stores, published from a durable cursor on its
// local journal (docs/CLUSTER.md).
//
//   Publisher::Start(fs, clock, options)  loads the cursor file, starts the publisher thread
//   publisher->PublishEvent(event)        any thread, never blocks (bounded queue)
//   publisher->stats()                    any thread
//
// The publisher thread (its own; never the network or the storage writer thread) connects,
// creates the stream when it is missing (subjects "<prefix>.>", a duplicate window), then loops:
// it reads the tick records after its cursor from the journal files (journal_tail.h), waits until
// the storage writer reports them durable (`accepted_position` / `durable_position`), publishes
// them asynchronously (at most `window` unacknowledged), waits for every acknowledgment and only
// then moves the cursor and saves it atomically. A failure or a timeout publishes the same batch
// again later under the same message ids, which JetStream drops as duplicates (within its
// duplicate window), so a tick is stored once. Gap snapshots (`list_gaps`) not yet acknowledged
// are published the same way; events are kept in memory only (best effort: lost on a crash).
//
// Nothing here slows recording: the writer's queue never waits for the publisher; the store keeps
// the journals the cursor has not passed (StoreOptions::keep_journals_from, fed from
// `keep_journals_from` below) so a publisher that is behind, or a NATS that is down, loses nothing.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cluster/journal_tail.h"
#include "cluster/wire.h"
#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "storage/gap_ledger.h"

namespace ibstream::cluster {

struct PublisherOptions {
  std::string url = "nats://127.0.0.1:4222";
  std::string stream = "IBSTREAM";
  std::string subject_prefix = "ibstream";
  std::string recorder_id;
  std::string credentials_file;  // empty: no credentials
  // JetStream's duplicate window for a stream the publisher creates.
  std::chrono::milliseconds duplicate_window{std::chrono::minutes(2)};
  std::string store_root;   // the store whose journals are published
  std::string cursor_path;  // empty: CursorPath(store_root, recorder_id)
  // Messages published and not yet acknowledged, at most (one batch).
  size_t window = 1024;
  // Real time: the wait for a batch's acknowledgments, the pause after a failure, and the pause
  // when there is nothing to publish.
  std::chrono::milliseconds ack_timeout{5000};
  std::chrono::milliseconds retry_interval{1000};
  std::chrono::milliseconds poll_interval{20};
  // The storage writer's positions (TickWriter::accepted_position / durable_position). Unset: every
  // record in a journal file counts as durable (an offline store).
  std::function<uint64_t()> accepted_position;
  std::function<uint64_t()> durable_position;
  // The gap ledger's records (GapLedger::List). Unset: no gaps are published.
  std::function<std::vector<storage::GapRecord>()> list_gaps;
  size_t event_queue_capacity = 4096;
  // Shared with the store's keep_journals_from: the hour (ns) of the journal the cursor is in.
  std::shared_ptr<std::atomic<int64_t>> keep_journals_from;
};

// <store_root>/nats/<recorder_id>.cursor
std::string CursorPath(const std::string& store_root, const std::string& recorder_id);
// The hour (ns) whose journals the store must keep for the cursor at `cursor_path`: the cursor's
// hour, or the smallest int64 (keep all) when there is no cursor yet. A damaged cursor file is an
// error (the operator decides: remove it to publish every journal present again).
Result<int64_t> KeepJournalsFromCursor(fs::FileSystem* fs, const std::string& cursor_path);

struct PublisherStats {
  bool connected = false;
  uint64_t ticks_published = 0;   // acknowledged by JetStream (duplicates included)
  uint64_t gaps_published = 0;    // gap snapshots acknowledged
  uint64_t events_published = 0;  // events acknowledged
  uint64_t duplicates = 0;        // acknowledgments JetStream marked duplicate
  uint64_t publish_errors = 0;    // failed connects, failed or timed-out batches
  uint64_t events_dropped = 0;    // the event queue was full
  uint64_t corrupt_bytes = 0;     // journal bytes skipped as damaged
  uint64_t journals_missed = 0;   // the cursor's journal vanished before it was published
  // Durable ticks of this run's journals not yet acknowledged, and how old the oldest is.
  uint64_t lag_ticks = 0;
  double lag_seconds = 0;
  uint64_t backlog_journals = 0;  // journal files at or after the cursor
  JournalPosition cursor;         // the next tick record to publish
  uint64_t cursor_saves = 0;
  std::string last_error;
};

class Publisher {
 public:
  // Validates the options, loads the cursor (a damaged cursor file is an error) and starts the
  // thread. `fs` and `clock` must outlive the publisher; `clock` only dates events and measures
  // lag_seconds.
  static Result<std::unique_ptr<Publisher>> Start(fs::FileSystem* fs, const Clock& clock,
                                                  PublisherOptions options);
  // Stop().
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Queues an event for <prefix>.<recorder_id>.events; its sequence is assigned here. Thread-safe,
  // never blocks; a full queue drops it and counts events_dropped.
  void PublishEvent(Event event);

  // Thread-safe snapshot.
  PublisherStats stats() const;

  // Stops the thread (an unacknowledged batch is published again by the next run), closes the
  // connection. Idempotent.
  void Stop();

  // Test hook: stops the thread without saving anything, as a crash would (the cursor file keeps
  // what was saved last).
  void AbandonForTest();

 private:
  struct Impl;
  explicit Publisher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Releases libnats' process-wide resources; call once at exit, after every Publisher is gone
// (tests call it so that the leak checker sees a clean process).
void ShutdownNatsLibrary();

}  // namespace ibstream::cluster
