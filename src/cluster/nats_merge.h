// `ibstream merge --nats`: the merge of several recorders (src/merge) fed from what they
// publish to NATS JetStream instead of from their stores.
//
// A durable pull consumer reads `<prefix>.>` of the stream from where it last acknowledged. Ticks
// and gap records are decoded (wire.h) into one BufferedSource per recorder; then the same merge
// as `ibstream merge --from` (merge::MergeStores) writes the merged store, and only after it has
// made those seconds durable (ticks, gap records, merge/state.json) are the messages acknowledged.
// A merge killed at any point resumes without loss (what was not acknowledged is delivered
// again) and without duplicates (seconds before the saved state's point are never decided
// again).
//
// Before every merge it asks the consumer for its unacknowledged deliveries: while the server
// has more out than this run holds (a stopped or killed run's deliveries, or ones a lost
// connection carried, delivered again after ack_wait and older than what is held), it merges
// nothing, since it would decide their seconds without them and drop them when they come back
// (merges_deferred).
//
// How far it merges: with `until_caught_up`, everything the stream holds once a fetch finds no
// more messages, then it returns when the consumer has nothing undelivered or unacknowledged
// (deliveries to a merge that was killed come back after the consumer's ack_wait). Continuously, up
// to ChooseMergeEnd (nats_merge_source.h): a `hold_back` behind the slowest recorder that keeps up;
// and, when `recorders` names them, not before every one has been heard from in this run (a tick
// or a gap record) or `unheard_wait` has passed since the first recorder was (then it decides
// with those it has, logged and counted: decided_without_unheard).
//
// Bad messages (an unknown subject, a body that does not decode) are counted, logged and
// acknowledged, so they are never delivered again and never stop the merge. Events are
// acknowledged as they arrive (the merge does not use them), and so are market-depth ticks and
// the gap records of depth streams: the merge refuses depth (merge/merger.h), so they are counted
// (depth_skipped) and never held.
//
// NATS unreachable: a continuous merge retries until `stop`; with `until_caught_up` and
// `unreachable_timeout` set, it gives up once no connect or fetch has succeeded for that long.
//
// Threads: runs on the caller's thread until done or `stop` is set; on `stop` it hands what it
// holds back to the server (delivered again at once to the next run). The callbacks run on that
// thread too.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "merge/merger.h"

namespace ibstream::cluster {

struct NatsMergeProgress;

struct NatsMergeOptions {
  std::string url;
  std::string credentials_file;
  std::string stream = "IBSTREAM";
  std::string subject_prefix = "ibstream";
  std::string durable = "ibstream-merge";
  std::vector<std::string> recorders;  // empty: every recorder seen; else only these
  std::string out;                     // the merged store (merge::MergeOptions::out)
  bool until_caught_up = false;
  int batch = 1000;
  std::chrono::milliseconds fetch_wait{1000};
  std::chrono::milliseconds retry_interval{1000};
  // The consumer's acknowledgment wait, set when the merge creates it: after a merge is killed,
  // what it held is delivered again this long after its delivery.
  std::chrono::milliseconds ack_wait{std::chrono::seconds(60)};
  Duration hold_back = std::chrono::seconds(60);
  Duration max_lag = std::chrono::minutes(5);
  // Continuously, with `recorders` given: how long (real time, steady_clock, from the first
  // message of any recorder in this run) a merge waits for a named recorder it has heard nothing
  // from before deciding seconds without it. Zero: it does not wait.
  std::chrono::milliseconds unheard_wait{std::chrono::minutes(5)};
  // Continuously, a merge runs once the end has moved this far (exchange time) since the last
  // one: each merge rewrites the hour's closed files, so not every fetch.
  Duration merge_interval = std::chrono::seconds(10);
  // With until_caught_up, also merge (up to ChooseMergeEnd) once this many ticks are held.
  size_t merge_every = 200'000;
  int zstd_level = 3;
  // Called after every merge, before its acknowledgments; returning false stops right there (the
  // acknowledgments are not sent, as in a crash).
  std::function<bool(const merge::MergeReport&)> after_merge;
  // With until_caught_up: how long NATS may stay unreachable (no connect or fetch succeeding)
  // before the merge gives up with Unavailable; none: it waits for NATS until `stop`.
  std::optional<std::chrono::milliseconds> unreachable_timeout;
  // The real time of that bound and of unheard_wait (tests give a ManualSteadyClock); must
  // outlive the merge.
  const SteadyClock* steady_clock = &SteadyClock::Real();
  // Called after every fetch (and every failed connect) with the merge's progress so far; for a
  // status page. Must be quick.
  std::function<void(const NatsMergeProgress&)> on_progress;
};

struct NatsMergeStats {
  uint64_t messages = 0;
  uint64_t ticks = 0;
  uint64_t gaps = 0;
  uint64_t events = 0;
  uint64_t ignored = 0;        // of recorders not asked for
  uint64_t depth_skipped = 0;  // market-depth ticks and depth gap records: not merged
  uint64_t bad_messages = 0;   // unknown subject or undecodable body
  uint64_t fetch_errors = 0;
  uint64_t merges = 0;
  // Continuous merges that decided seconds while a recorder named in `recorders` had still not
  // been heard from (after unheard_wait).
  uint64_t decided_without_unheard = 0;
  // Merges put off because the consumer had deliveries out that this run did not hold (they
  // come back after the ack wait; deciding their seconds first would lose them).
  uint64_t merges_deferred = 0;
  uint64_t merged_ticks = 0;
  uint64_t acknowledged = 0;
  bool damaged = false;  // a merge skipped damaged data
  std::string last_error;
};

// One recorder as the merge sees it: what it delivered and how far its ticks reach.
struct RecorderProgress {
  std::string recorder_id;
  uint64_t ticks = 0;  // tick messages received from it (deliveries again included)
  uint64_t gaps = 0;   // gap record messages received from it
  size_t held_ticks = 0;
  size_t held_gaps = 0;
  std::optional<TimePoint> latest;          // its newest tick's exchange time
  std::optional<TimePoint> settled_latest;  // BufferedSource::settled_latest
};

struct NatsMergeProgress {
  NatsMergeStats stats;
  bool connected = false;
  std::vector<RecorderProgress> recorders;  // by recorder id
  std::optional<TimePoint> merge_end;       // where a continuous merge may decide to now
  // Recorders named in `recorders` that this run has received nothing from, sorted.
  std::vector<std::string> unheard;
  // A continuous merge is holding its decisions back for them (unheard_wait not over).
  bool waiting_for_unheard = false;
};

// Errors: bad options; the merged store cannot be written or its state read; with until_caught_up
// and unreachable_timeout, NATS unreachable for that long (Unavailable, naming the server and the
// last error). Otherwise NATS being down is not an error: it retries every retry_interval until
// `stop`.
Result<NatsMergeStats> RunNatsMerge(fs::FileSystem* fs, const Clock& clock,
                                    const NatsMergeOptions& options, const std::atomic<bool>& stop);

}  // namespace ibstream::cluster
