// Market depth recorded: the contracts whose configuration asks for depth (depth_rows > 0) get a
// reqMktDepth each, within the account's allowance (gateway.market_depth_limit) as the pure
// depth planner assigns it (reliability/depth_plan.h), and every update IB sends is stored as a
// TickType::kDepth record (FORMAT.md §2). Loop thread only (see recorder.h); not thread-safe.
//
// Each evaluation plans again (a contract tracked, untracked, resolved or rolled is re-planned
// within the second) and carries out the difference: cancellations first, then requests. A
// contract left without a depth slot records no depth (depth has no fallback); the plan's refusals
// are logged once per change (event=depth_capacity, a warning) and shown in the view.
//
// Every (re)subscription first stores a reset record (BookOperation::kReset), so a reader knows
// the book restarted and empties it (storage/order_book.h); so does IB's 317 ("market depth data
// has been reset"). A subscription lost to a disconnect (the gap starts at the disconnect, or at
// IB's 1100 when the connection went during a loss of connectivity IB had not yet restored) or to
// IB's 1101 ("connectivity restored, data lost": IB dropped every request; the gap starts at its
// 1100), or ended by an IB error that ends a request (a limit such as 309, a permission, a
// rejection, 10092 "not supported"; notices leave it running), is asked again when the gateway is
// back (after an error, a minute later); the stretch without depth becomes a gap in the ledger,
// marked failed at once with reason `no_history_for_depth`: IB keeps no depth history, so it is
// never backfilled or retried.
//
// IB's 1102 ("connectivity restored, data maintained") after a 1100 that came while a subscription
// ran keeps the request alive: the silence from the 1100 to the 1102 becomes the same kind of
// failed gap (cause `connectivity_lost`), and the subscription goes on. The updates that follow
// continue the book the gateway last sent (the simulator sends one diff to the current book; a
// book the gateway cannot continue comes with IB's 317, stored as a reset). Asking again instead
// would lose updates: those the running request sends before the gateway sees its cancel have no
// handler once it is cancelled.
//
// Every record stored (resets included) is also published to the tick fanout (origin kLive, or
// kRefused when storage did not take it), so the live endpoints carry depth like the other kinds.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "model/tick.h"
#include "recorder/loop_context.h"
#include "recorder/recorder_view.h"
#include "recorder/tick_fanout.h"
#include "reliability/depth_plan.h"

namespace ibstream::recorder {

class ContractRegistry;
class StreamSession;

// The reason of every depth gap: IB has no depth history to fill it from.
inline constexpr std::string_view kNoHistoryForDepth = "no_history_for_depth";

class DepthRecorder {
 public:
  // `ctx`, `registry`, `session` and `fanout` must outlive this.
  DepthRecorder(LoopContext& ctx, ContractRegistry& registry, StreamSession& session,
                TickFanout& fanout);

  DepthRecorder(const DepthRecorder&) = delete;
  DepthRecorder& operator=(const DepthRecorder&) = delete;

  // Plans again, notices subscriptions lost with the connection, and (connected) asks for the
  // depth of granted contracts that have none running. Every evaluation.
  void Evaluate(TimePoint now);

  const reliability::DepthPlan& plan() const { return plan_; }
  // One entry per contract wanting depth, in planning order.
  std::vector<DepthView> Statuses() const;
  uint64_t records_stored() const { return records_stored_; }
  uint64_t records_refused() const { return records_refused_; }

 private:
  struct Subscription {
    reliability::WantedDepth wanted;
    int32_t req_id = 0;        // 0: not running
    uint64_t connection = 0;   // StreamSession::connections() when it was asked
    uint64_t data_losses = 0;  // StreamSession::data_losses() when it was asked
    uint64_t data_kept = 0;    // StreamSession::data_kept_restorations() when last looked at
    TimePoint started_at;      // when it was asked
    uint64_t sequence = 0;     // of the last record stored
    std::optional<TimePoint> interrupted_since;
    std::string interruption_cause;
    std::optional<TimePoint> retry_at;  // after an IB error
    DepthView status;
  };

  reliability::DepthPlan PlanNow() const;
  void Start(Subscription& s, TimePoint now);
  void Cancel(Subscription& s);
  void Lost(Subscription& s, TimePoint since, const std::string& cause);
  // Stores a record of `s`'s contract (sequence assigned); false when storage refused it.
  bool Store(Subscription& s, Tick& record);
  void StoreReset(Subscription& s, TimePoint now);
  void OnRecord(int64_t contract_id, int32_t req_id, const Tick& record);
  void OnError(int64_t contract_id, int32_t req_id, int code, const std::string& text);
  void RecordGap(Subscription& s, TimePoint end, TimePoint now);
  void LogRefusals();

  LoopContext& ctx_;
  ContractRegistry& registry_;
  StreamSession& session_;
  TickFanout& fanout_;
  reliability::DepthPlan plan_;
  std::map<int64_t, Subscription> subscriptions_;  // by contract id: the granted contracts
  std::vector<std::string> logged_refusals_;
  Tick scratch_;
  uint64_t records_stored_ = 0;
  uint64_t records_refused_ = 0;
};

}  // namespace ibstream::recorder
