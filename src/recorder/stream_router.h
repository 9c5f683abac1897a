// The stream router: which route records each configured tick-by-tick stream (its own
// tick-by-tick subscription, its contract's reqMktData as a fallback stream kind, or nothing), per
// the pure planner (reliability/stream_plan.h) within IB's allowance as configured and as learned
// (reliability/tick_by_tick_allowance.h), and the switches between routes. Loop thread only (see
// recorder.h); not thread-safe.
//
// Each evaluation the router plans the resolved contracts' configured tick types again (so a
// contract tracked, untracked, resolved or rolled is re-planned within the second), and at once
// when IB refuses a request for capacity (10190, 101). It carries out the difference with the
// streams that exist:
//   * a stream moving to the fallback: its fallback kind (`quote` for bid_ask and mid_point,
//     `trade` for last and all_last) is started first, then its tick-by-tick stream is stopped;
//   * a stream moving to tick-by-tick (an upgrade): its tick-by-tick stream starts, and the
//     fallback stream it replaces is kept until a second after that stream stored its first
//     tick (what IB was still aggregating reaches storage), so that the switch leaves no gap;
//     if it stays silent, until the recorder can have judged it silent (its contract's
//     first_data_timeout plus 20 s, at least 60 s): what the fallback records live until then
//     is not turned into a backfill. A later upgrade onto a fallback still kept (a tick type
//     added by a reload while its fallback waits for an earlier upgrade) keeps it until its own
//     deadline if that is later, and is waited for too; a fallback needed again in between
//     (a stream moved back onto it) still waits, once it retires again, for the upgraded streams
//     it was kept for that have not delivered;
//   * a stream no longer planned is stopped: it is not judged any more (not stale, no gap).
// The streams are subscribed by the reliability core's first_subscription actions, as always.
// Every switch is logged (event=stream_route) and recorded in the store's route log
// (route_records.h; the first record of a process is marked as a session start), and a plan with
// streams off tick-by-tick raises the capacity alert once per change of plan.
#pragma once

#include <optional>
#include <string>

#include "recorder/contract_state.h"
#include "recorder/loop_context.h"
#include "reliability/stream_plan.h"
#include "reliability/tick_by_tick_allowance.h"

namespace ibstream::recorder {

class ContractRegistry;

class StreamRouter {
 public:
  // `ctx` and `registry` must outlive the router.
  StreamRouter(LoopContext& ctx, ContractRegistry& registry);

  StreamRouter(const StreamRouter&) = delete;
  StreamRouter& operator=(const StreamRouter&) = delete;

  // Plans again and carries out the difference (see above); ends the upgrades that are done.
  void Replan(TimePoint now);

  // IB refused a request for capacity: 10190 (or 101) on the tick-by-tick stream `key`, or 101 on
  // the reqMktData of `key`'s contract (key.type a fallback kind). The allowance learns from it
  // (10190: no more tick-by-tick streams than are running; 101: one line fewer than in use), the
  // refused request is dropped and the streams are planned again at once.
  // `active`: the tick-by-tick subscriptions IB ran when it refused (StreamSession).
  void OnCapacityRefused(const StreamKey& key, int code, int active, TimePoint now);

  const reliability::StreamPlan& plan() const { return plan_; }
  const reliability::TickByTickAllowance& allowance() const { return allowance_; }
  // Market-data lines the plan may use (configured, or fewer after a 101).
  int market_data_lines() const;

 private:
  reliability::StreamPlan PlanNow() const;
  void Apply(const reliability::StreamPlan& next, TimePoint now);
  void EndUpgrades(TimePoint now);

  LoopContext& ctx_;
  ContractRegistry& registry_;
  reliability::TickByTickAllowance allowance_;
  std::optional<int> lines_ceiling_;  // learned from 101
  reliability::StreamPlan plan_;
  bool planned_ = false;
  bool routes_recorded_ = false;  // this process has written a route record (route_records.h)
};

}  // namespace ibstream::recorder
