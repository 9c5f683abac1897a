// The gaps and their backfill: records each gap in the ledger (pending), queues a BackfillJob for
// it, and fills the queue one page at a time from IB's history (backfill_job.h for paging and the
// boundary rule), spaced by IB's pacing limits (historical_pacer.h). A page IB does not answer
// in time is given up and asked again later; failed pages follow the pure retry policy of
// reliability/backfill_retry.h. Each backfilled tick is published to the tick fan-out after
// storage's append returned: as backfilled when stored, as refused when not. When a job ends its
// ledger entry is closed (filled, partial, failed). A gap is filled only when storage took every
// tick of it: when storage refuses a backfilled tick (writing suspended after a write error, queue
// full) the job is parked, its ledger entry stays pending with the reason, and it is queued again
// from the refused tick's second once storage accepts writes. Loop thread only (see recorder.h);
// not thread-safe.
//
// The ledger is written through storage's asynchronous ledger (a storage-owned thread does the
// fdatasync; the loop never waits on it). A gap's id is known only when its add completes: the
// completion is posted back to the loop, which then tells the reliability core and queues the
// backfill. Updates are submitted only for ids already known, and the asynchronous ledger runs
// requests in order, so an update never overtakes its add. Until its add completes a gap is not
// in the ledger's List() (nor in the view).
//
// Coalescing (reliability/backfill_schedule.h): before a job's first page, the queued gaps of
// the same stream that have not started are grouped with CoalesceGaps at the stream's tick rate
// (learnt from its last backfilled page; unknown: nothing merged); the group of the job becomes
// one request series over their union, keeping only the ticks of its gaps, and every gap of it
// is closed with the job's outcome. A gap of a stream that had another gap less than kFlapWindow
// before (a flapping link) waits kCoalesceDelay before its first page, so that the next ones
// can join it.
//
// A gap the ledger cannot take (the disk is full) is kept in memory (logged, a storage error)
// and added again once the writer accepts writes, at most every kLedgerRetryInterval; only then
// is it backfilled.
//
// Across a restart: Resume() takes over the ledger's open gaps (pending, partial) and the
// historical pacer's recent requests (pacer_state.h; written after each request on a worker
// thread, so the loop never waits on the disk).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/serial_worker.h"
#include "recorder/backfill_job.h"
#include "recorder/contract_state.h"
#include "recorder/historical_pacer.h"
#include "recorder/loop_context.h"
#include "recorder/tick_fanout.h"
#include "reliability/backfill_retry.h"
#include "reliability/backfill_schedule.h"

namespace ibstream::client {
class EventLoop;
}

namespace ibstream::recorder {

class ContractRegistry;
class StreamSession;

class BackfillRunner {
 public:
  // Every reference must outlive the runner (all are owned by Recorder::Impl; the parts'
  // references may be bound before those parts are constructed, and are used only later).
  // `loop` is the loop this runner is called on; ledger completions are posted to it.
  BackfillRunner(LoopContext& ctx, client::EventLoop& loop, ContractRegistry& registry,
                 StreamSession& session, TickFanout& fanout);

  BackfillRunner(const BackfillRunner&) = delete;
  BackfillRunner& operator=(const BackfillRunner&) = delete;

  // Records gap [first, last] (whole seconds, inclusive) of a stream of `c` with its cause and,
  // once the ledger has it, queues its backfill (or closes it as failed at once when backfill is
  // disabled). A ledger that cannot take it is reported to the reliability core as a storage
  // error.
  void OpenGap(const ContractState& c, const StreamKey& key, TimePoint first, TimePoint last,
               const std::string& cause, TimePoint now);

  // At start, before the first Step (loop thread). Restores the pacer's recent requests from
  // <root>/gaps/pacer.state: a damaged file is logged, counted (pacer_state_damaged) and taken as
  // the budget spent for one pacing window. Takes over `ledger`'s open gaps (pending, partial):
  // each is queued once its contract is tracked and resolved, from what is already stored of it
  // (backfill_cursor.h); a gap the recorder opens
  // itself (any cause but "requested") is clipped to what these do not cover, and not recorded
  // when they cover all of it.
  void Resume(const std::vector<storage::GapRecord>& ledger, TimePoint now);

  // Queues ledger gap `gap` (failed or partial) again, from what is already stored of it
  // (backfill_cursor.h), at an operator's request: its entry
  // goes back to pending ("retry requested") and it is queued once its contract is resolved.
  // Nothing happens when the gap is already queued.
  void Retry(const storage::GapRecord& gap, TimePoint now);

  // Each evaluation: gives up a page unanswered for too long, and sends the next page of the
  // first queued job when connected, nothing is in flight and the pacer allows it.
  void Step(TimePoint now);

  // Closes the queued backfills of the streams `match` selects as failed with `reason` (an
  // answer still in flight for one of them is ignored); a gap of theirs whose add has not
  // completed yet is closed the same way as soon as it has its id.
  void Drop(const std::function<bool(const StreamKey&)>& match, const std::string& reason,
            TimePoint now);

  // The connection went down: the request in flight will not be answered.
  void OnDisconnected() { in_flight_ = false; }

  // Storage accepts writes again: the jobs parked on a refused tick are queued again (Step() does
  // the same whenever the writer is not suspended, which covers a full queue that drained).
  void OnStorageResumed(TimePoint now);

  // Jobs waiting for storage to take their ticks.
  size_t parked() const { return parked_.size(); }

 private:
  struct PendingBackfill {
    uint64_t gap_id = 0;
    BackfillJob job;
    int retries = 0;
    TimePoint not_before;
    BackfillJob::NextTradingTime next_trading;  // to rebuild the job when it resumes
    int priority = 100;                         // its contract's (1 first)
    // Coalesced: every gap the job covers (its own included), whose ticks alone are kept; empty
    // for a job of one gap.
    std::vector<reliability::GapSpan> gaps;
    bool started = false;    // a page of it was sent
    int requests = 0;        // historical requests sent for it (GapFillTiming)
    int answered = 0;        // pages answered
    bool bid_ask = false;    // its pages ask for BID_ASK (weigh two in IB's pacing)
    Duration round_trip{0};  // the fastest answered page's round trip so far (0: none yet)
  };

  // A job storage refused a tick of: resumes from `resume_second` once storage takes writes.
  struct Parked {
    uint64_t gap_id = 0;
    StreamKey stream;
    int64_t resume_second = 0;
    int64_t last_second = 0;
    BackfillJob::NextTradingTime next_trading;
    std::vector<reliability::GapSpan> gaps;  // a coalesced job's gaps
    int requests = 0;                        // carried over to the resumed job
    int answered = 0;
    Duration round_trip{0};
  };

  // A gap the ledger refused: added again once storage takes writes.
  struct Unrecorded {
    storage::GapRecord gap;
    std::shared_ptr<const calendar::MarketCalendar> calendar;
  };
  static constexpr Duration kLedgerRetryInterval = std::chrono::seconds(2);
  static constexpr Duration kFlapWindow = std::chrono::seconds(60);
  static constexpr Duration kCoalesceDelay = std::chrono::seconds(30);

  // A gap whose ledger add has not completed yet.
  struct Adding {
    StreamKey stream;
    std::string dropped;  // not empty: Drop() closed it meanwhile, with this reason
  };

  // The add of `gap` (ticket from OpenGap) completed, on the loop.
  void OnGapAdded(uint64_t ticket, const Status& status, uint64_t gap_id,
                  const storage::GapRecord& gap,
                  std::shared_ptr<const calendar::MarketCalendar> calendar);
  // Submits `gap` to the ledger; OnGapAdded queues its backfill once it has its id.
  void AddToLedger(storage::GapRecord gap, std::shared_ptr<const calendar::MarketCalendar> calendar,
                   TimePoint now);
  // The ledger refused `gap`: logged, reported as a storage error, kept for RetryUnrecorded.
  void KeepUnrecorded(const storage::GapRecord& gap,
                      std::shared_ptr<const calendar::MarketCalendar> calendar, const Status& error,
                      TimePoint now);
  // Adds the refused gaps again when the writer takes writes and the retry interval has passed.
  void RetryUnrecorded(TimePoint now);
  // Merges the queued, unstarted gaps of the front job's stream into it (see above).
  void CoalesceFront(TimePoint now);
  // Every ledger id a queued or parked job stands for.
  static std::vector<uint64_t> GapIds(uint64_t gap_id,
                                      const std::vector<reliability::GapSpan>& gaps);
  // The configured priority of a contract (100 when it is not tracked).
  int PriorityOf(int64_t contract_id);
  // Queues the resumed gaps whose contract is now known.
  void AdoptResumed(TimePoint now);
  // Records the request in the pacer and has its recent requests written to disk.
  void RecordSent(const HistoricalRequestKey& key, TimePoint now);
  // Queues the update of a ledger entry (with how it was filled, for a filled gap); a failure
  // is logged.
  void UpdateLedger(uint64_t gap_id, storage::BackfillState state, std::string reason,
                    TimePoint now, std::optional<storage::GapFill> fill = std::nullopt);
  void OnPage(uint64_t gap_id, uint64_t token, Result<std::vector<Tick>> result);
  // Applies the retry policy to the first job's failed page; gives the gap up when it says so.
  void OnPageFailed(const reliability::BackfillFailure& failure, const std::string& message,
                    TimePoint now);
  // Remembers when gap `gap_id` was first queued (its time to fill starts there).
  void NoteQueued(uint64_t gap_id, TimePoint now);
  // The time to fill of gap `id` of job `p`, filled at `now`.
  reliability::GapFillTiming FillTimingOf(const PendingBackfill& p, uint64_t id,
                                          TimePoint now) const;
  // Logs and counts the time to fill of gap `id` of job `p` (LoopContext::gap_fills).
  void RecordFill(const PendingBackfill& p, uint64_t id, const reliability::GapFillTiming& fill);
  // Closes the first job's ledger entry and takes it off the queue.
  void Finish(TimePoint now);
  // Storage refused the first job's tick of `refused_second`: its gap stays pending, the job is
  // taken off the queue until storage takes writes again.
  void Park(int64_t refused_second, TimePoint now);

  LoopContext& ctx_;
  client::EventLoop& loop_;
  ContractRegistry& registry_;
  StreamSession& session_;
  TickFanout& fanout_;
  HistoricalPacer pacer_;
  std::deque<PendingBackfill> queue_;
  std::vector<Parked> parked_;
  std::vector<storage::GapRecord> resuming_;       // open at start, contract not known yet
  std::vector<storage::GapRecord> open_at_start_;  // every gap open at start (deduplication)
  std::map<uint64_t, Adding> adding_;              // by ticket
  std::vector<Unrecorded> unrecorded_;             // refused by the ledger, to add again
  std::map<StreamKey, double> tick_rate_;          // ticks per second, from backfilled pages
  std::map<StreamKey, TimePoint> last_gap_at_;     // when each stream's last gap was queued
  TimePoint next_ledger_retry_;
  std::map<uint64_t, int64_t> cursors_;      // of the gaps open at start, by gap id
  std::map<uint64_t, TimePoint> queued_at_;  // of the queued and parked gaps, by gap id
  uint64_t next_ticket_ = 0;
  bool in_flight_ = false;
  // Sequence numbers of backfilled ticks whose stream is no longer in the registry.
  uint64_t detached_sequence_ = 0;
  TimePoint sent_at_;
  uint64_t token_ = 0;  // identifies the request in flight
  // Writes the pacer's state (pacer_state.h); declared last: destroyed (its queue run) first.
  SerialWorker pacer_writer_{"historical pacer state", 64};
};

}  // namespace ibstream::recorder
