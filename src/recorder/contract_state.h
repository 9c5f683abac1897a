// The loop thread's state of one tracked contract and of each of its streams (contract x stream
// kind: the tick-by-tick kinds, and the fallback kinds `quote` and `trade` recorded through the
// contract's reqMktData). Owned by the ContractRegistry; the stream session, the backfill runner
// and the view builder read and update it on the loop thread only. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "calendar/market_calendar.h"
#include "common/clock.h"
#include "config/config.h"
#include "model/tick.h"
#include "protocol/contract.h"
#include "reliability/stream_plan.h"

namespace ibstream::recorder {

struct StreamState {
  StreamKey key;
  // Tick-by-tick: its reqTickByTickData. Fallback kinds: the contract's reqMktData (shared by its
  // quote and trade streams).
  int32_t req_id = 0;
  bool subscribed = false;
  uint64_t sequence = 0;
  uint64_t ticks = 0;
  // A live tick arrived on the current request (ticks counts those of earlier requests too: a
  // resubscription after a reconnect starts again from false). What the allowance may learn from.
  bool delivering = false;
  uint64_t backfilled = 0;
  std::optional<TimePoint> last_received;
  std::optional<TimePoint> last_exchange;  // of the last stored live tick
  // When the stream, with nothing of it stored yet, was first subscribed (or its market opened
  // after that, when it was subscribed while closed): where the gap of a stream silent from its
  // subscription starts (it has no last tick).
  std::optional<TimePoint> asked_at;
  std::optional<TimePoint> interrupted_since;
  std::string interruption_cause;
  uint64_t errors = 0;
  std::string last_error;
  // A fallback stream kept after its tick types moved to tick-by-tick, until each of the
  // tick-by-tick streams in `replaced_by` stored a tick or `retire_at` passes (the switch leaves
  // no gap); then it is stopped. `retire_at` is the latest of its upgrades' deadlines. Needed
  // again (a stream back on the fallback), it is not retiring, but `replaced_by` is kept: when it
  // retires again it still waits for those of them that have not delivered.
  std::optional<TimePoint> retire_at;
  std::vector<TickType> replaced_by;
};

// How a configured tick type is recorded in the current plan (reliability/stream_plan.h).
struct RouteState {
  reliability::StreamRoute route = reliability::StreamRoute::kUnserved;
  std::string reason;  // empty on tick-by-tick
};

struct ContractState {
  config::ContractConfig config;
  std::string cache_key;  // also its key in the run-time contract list
  bool from_api = false;  // tracked at run time
  uint64_t slot = 0;      // identifies it in callbacks (it may be untracked meanwhile)
  int64_t contract_id = 0;
  std::optional<protocol::ContractDetails> details;
  protocol::Contract request;  // what subscriptions and history requests name
  calendar::MarketCalendar calendar;
  // The same calendar, published read-only to the views (rebuilt, never mutated).
  std::shared_ptr<const calendar::MarketCalendar> shared_calendar;
  std::string calendar_error;
  // The market status last logged (`event=market_state`), so that each change is one line.
  std::optional<calendar::MarketStatus> logged_market_status;
  bool resolving = false;
  std::optional<TimePoint> details_at;
  TimePoint next_resolve_at;
  std::string resolve_error;
  std::map<TickType, StreamState> streams;
  // Per configured tick type, its route in the current plan (set once the contract is resolved).
  std::map<TickType, RouteState> routes;
  // Streams were created for this contract id: the first ones check storage for what the recorder
  // missed while it was down; later ones (route switches) start fresh.
  bool streams_started = false;
  // After a futures roll: the previous month's streams, still recorded until the new month's
  // first tick is stored (the new contract is subscribed before the old one is dropped).
  int64_t retiring_id = 0;
  std::map<TickType, StreamState> retiring;
  int64_t rolled_from = 0;
  std::optional<TimePoint> rolled_at;
};

// Marks a stream interrupted from `now` by `cause`, unless it is already: the first cause is
// the one its gap records.
inline void Interrupt(StreamState& s, TimePoint now, std::string cause) {
  if (s.interrupted_since) return;
  s.interrupted_since = now;
  s.interruption_cause = std::move(cause);
}

}  // namespace ibstream::recorder
