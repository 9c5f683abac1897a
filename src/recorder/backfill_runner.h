// The gaps and their backfill: records each gap in the ledger (pending), queues a BackfillJob for
// it, and fills the queue one page at a time from IB's history (backfill_job.h for paging and the
// boundary rule), spaced by IB's pacing limits (historical_pacer.h). A page IB does not answer
// in time is given up and asked again later; failed pages follow the pure retry policy of
// reliability/backfill_retry.h. Backfilled ticks go to storage only (never to the live fan-out);
// when a job ends its ledger entry is closed (filled, partial, failed). Loop thread only (see
// recorder.h); not thread-safe.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "recorder/backfill_job.h"
#include "recorder/contract_state.h"
#include "recorder/historical_pacer.h"
#include "recorder/loop_context.h"
#include "reliability/backfill_retry.h"

namespace ibstream::recorder {

class ContractRegistry;
class StreamSession;

class BackfillRunner {
 public:
  // Every reference must outlive the runner (all are owned by Recorder::Impl; the parts'
  // references may be bound before those parts are constructed, and are used only later).
  BackfillRunner(LoopContext& ctx, ContractRegistry& registry, StreamSession& session);

  BackfillRunner(const BackfillRunner&) = delete;
  BackfillRunner& operator=(const BackfillRunner&) = delete;

  // Records gap [first, last] (whole seconds, inclusive) of a stream of `c` with its cause and
  // queues its backfill (or closes it as failed at once when backfill is disabled). A ledger that
  // cannot take it is reported to the reliability core as a storage error.
  void OpenGap(const ContractState& c, const StreamKey& key, TimePoint first, TimePoint last,
               const std::string& cause, TimePoint now);

  // Each evaluation: gives up a page unanswered for too long, and sends the next page of the
  // first queued job when connected, nothing is in flight and the pacer allows it.
  void Step(TimePoint now);

  // Closes the queued backfills of the streams `match` selects as failed with `reason` (an
  // answer still in flight for one of them is ignored).
  void Drop(const std::function<bool(const StreamKey&)>& match, const std::string& reason,
            TimePoint now);

  // The connection went down: the request in flight will not be answered.
  void OnDisconnected() { in_flight_ = false; }

 private:
  struct PendingBackfill {
    uint64_t gap_id = 0;
    BackfillJob job;
    int retries = 0;
    TimePoint not_before;
  };

  void OnPage(uint64_t gap_id, uint64_t token, Result<std::vector<Tick>> result);
  // Applies the retry policy to the first job's failed page; gives the gap up when it says so.
  void OnPageFailed(const reliability::BackfillFailure& failure, const std::string& message,
                    TimePoint now);
  // Closes the first job's ledger entry and takes it off the queue.
  void Finish(TimePoint now);

  LoopContext& ctx_;
  ContractRegistry& registry_;
  StreamSession& session_;
  HistoricalPacer pacer_;
  std::deque<PendingBackfill> queue_;
  bool in_flight_ = false;
  TimePoint sent_at_;
  uint64_t token_ = 0;  // identifies the request in flight
};

}  // namespace ibstream::recorder
