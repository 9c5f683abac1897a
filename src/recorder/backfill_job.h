// Filling one gap of one stream from IB's history, as a pure state machine.
//
// The job pages forward through the gap with reqHistoricalTicks (startDateTime = a whole second,
// 1000 ticks per page). IB answers with the ticks from that second on and completes the last
// second it returns, so the next page starts one second after the last tick received.
//
// Boundary rule (documented in docs/OPERATIONS.md "Gaps and backfill"): the gap runs from the
// exchange second of the last live tick before the interruption (`first_second`) to the exchange
// second of the first live tick after it (`last_second`), both inclusive. Every tick of history in
// [first_second, last_second] is kept, the two boundary seconds whole: the stream already holds
// some live ticks of those seconds, and queries reconcile them (storage/query.h: a backfilled tick
// matched by a live tick of the same second and content is dropped, one to one). Ticks outside the
// range are dropped (live data has them). For a `last` stream, unreported trades (in IB's TRADES
// history but not in the live Last stream) are dropped.
//
// The reqMktData fallback kinds are filled from the history IB has: a `quote` gap from BID_ASK
// ticks, a `trade` gap from TRADES ticks (unreported ones dropped, as for `last`). Each tick is
// converted into the stream's kind (quote: bid/ask price and size; trade: price and size, no
// volume, no exchange, conditions or attributes), marked backfill, with IB's historical tick
// time as its exchange time. History is richer than the ~250 ms live snapshots; verify judges
// these streams by coverage (verify/completeness.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "model/tick.h"
#include "storage/gap_ledger.h"

namespace ibstream::recorder {

// The gap ledger's states: pending (pages still to fetch), filled (history covered the whole
// gap), partial (some pages were stored, then it stopped), failed (nothing could be fetched).
using storage::BackfillState;

struct BackfillPage {
  // First whole second to ask for (IB's startDateTime).
  int64_t start_second = 0;
  std::string what_to_show;
  int number_of_ticks = 1000;
};

class BackfillJob {
 public:
  // Given a time, the start of the next trading session at or after it (empty when unknown):
  // lets a job skip a break inside the gap instead of stopping at the first empty page.
  using NextTradingTime = std::function<std::optional<TimePoint>(TimePoint)>;

  BackfillJob(StreamKey stream, int64_t first_second, int64_t last_second,
              NextTradingTime next_trading = nullptr, int page_size = 1000);

  const StreamKey& stream() const { return stream_; }
  int64_t first_second() const { return first_second_; }
  int64_t last_second() const { return last_second_; }
  BackfillState state() const { return state_; }
  const std::string& reason() const { return reason_; }
  // Number of ticks this job has handed out for storage.
  uint64_t ticks_kept() const { return ticks_kept_; }
  int pages_received() const { return pages_; }

  // The next page to ask for, or empty when the job is finished.
  std::optional<BackfillPage> NextPage() const;

  // Takes the ticks of the page answered for NextPage() (in IB order) and returns the ones to
  // store, marked as backfill. Advances the cursor; finishes the job when the gap is covered.
  std::vector<Tick> OnPage(const std::vector<Tick>& page);

  // The page request failed (IB error, timeout, disconnect). The job ends partial or failed.
  void OnError(const std::string& reason);

 private:
  void Finish(BackfillState state, std::string reason);

  StreamKey stream_;
  int64_t first_second_;
  int64_t last_second_;
  NextTradingTime next_trading_;
  int page_size_;

  int64_t cursor_;  // next second to request
  BackfillState state_ = BackfillState::kPending;
  std::string reason_;
  uint64_t ticks_kept_ = 0;
  int pages_ = 0;
};

// IB's UTC form of a historical request's start: "20250811-14:30:05".
std::string IbUtcDateTime(int64_t unix_seconds);

}  // namespace ibstream::recorder
