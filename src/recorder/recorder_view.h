// A consistent, read-only picture of the recorder, published by its event loop and read by the
// HTTP layer and `ibstream status` from any thread. Plain values; no references into the
// recorder's live state.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calendar/market_calendar.h"
#include "calendar/market_status.h"
#include "common/clock.h"
#include "model/alert.h"
#include "model/tick.h"
#include "recorder/recorder_history.h"
#include "reliability/fill_time.h"
#include "reliability/health_metrics.h"
#include "reliability/health_status.h"
#include "storage/gap_ledger.h"

namespace ibstream::recorder {

struct StreamView {
  StreamKey key;
  // "tick_by_tick" for the tick-by-tick kinds, "fallback" for the fallback kinds (quote, trade:
  // the contract's reqMktData); `route_reason` says why a fallback stream records (the tick types
  // it stands in for and the planner's reason), or that it is kept until an upgrade delivers.
  std::string route;
  std::string route_reason;
  bool subscribed = false;
  int32_t request_id = 0;
  uint64_t ticks = 0;             // live ticks stored since start
  uint64_t backfilled_ticks = 0;  // backfilled ticks stored since start
  std::optional<TimePoint> last_tick_received;
  std::optional<TimePoint> last_exchange_time;
  uint64_t error_count = 0;
  std::string last_error;
  // Open interruption, if any: since when and why.
  std::optional<TimePoint> interrupted_since;
  std::string interruption_cause;
  reliability::StreamHealthMetrics health;
};

// How one configured tick type is recorded (the stream plan).
struct RouteView {
  TickType type = TickType::kBidAsk;  // as configured
  std::string route;                  // "tick_by_tick", "fallback", "unserved"
  std::string reason;                 // why not tick-by-tick; empty when it is
  // The stream that records it: the type itself, its fallback kind, or none when unserved.
  std::optional<TickType> recorded_as;
};

// The stream plan as a whole.
struct StreamPlanView {
  std::string tick_by_tick_limit;  // "3", "auto (learned 4)", ... (TickByTickAllowance::Describe)
  int market_data_lines = 0;
  int tick_by_tick_used = 0;
  int lines_used = 0;
  int tick_by_tick_streams = 0;
  int fallback_streams = 0;
  int unserved_streams = 0;
};

struct ContractView {
  int64_t contract_id = 0;  // 0 until resolved (contracts tracked by symbol)
  std::string description;  // as configured ("MNQ FUT CME USD", "711280073 (MNQ)")
  std::string key;          // "con_711280073", "sym_MNQ_FUT_CME_USD" (untrack by it)
  bool from_api = false;    // tracked at run time (HTTP), not from the configuration
  std::string symbol;
  std::string sec_type;
  std::string exchange;
  std::string currency;
  std::string local_symbol;
  std::string last_trade_date;
  bool resolved = false;
  std::string resolve_error;
  std::string time_zone_id;
  std::string trading_hours;
  std::string liquid_hours;
  std::string calendar_error;
  std::optional<TimePoint> details_updated_at;
  // The last futures roll: the contract month recorded before, and when the roll happened.
  int64_t rolled_from = 0;
  std::optional<TimePoint> rolled_at;
  calendar::MarketState market;
  // The calendar the recorder uses for this contract (with its per-contract overrides), shared
  // and immutable; null when the recorder does not publish it (the HTTP API then rebuilds one
  // from the hours strings above, without overrides).
  std::shared_ptr<const calendar::MarketCalendar> calendar;
  reliability::HealthStatus status = reliability::HealthStatus::kUnknown;
  int buffer_hours = 1;
  int priority = 1;
  std::vector<TickType> expected_types;
  // Market depth rows per side the configuration asks for (0: no depth recorded).
  int depth_rows = 0;
  // Per configured tick type, in configuration order (empty until the contract is resolved).
  std::vector<RouteView> routes;
  std::vector<StreamView> streams;
};

struct GatewayView {
  bool connected = false;
  std::string state;  // "down", "connecting", "up"
  std::string host;
  uint16_t port = 0;
  int32_t client_id = 0;
  int server_version = 0;
  std::optional<TimePoint> connected_since;
  std::optional<TimePoint> down_since;
  std::string last_disconnect_reason;
  // Sessions established (the first one included) and connection attempts made (failed ones
  // included); RecorderCounters has the sessions lost and the reconnects.
  uint64_t connections = 0;
  uint64_t connect_attempts = 0;
  uint64_t messages_sent = 0;
  uint64_t protocol_errors = 0;
  uint64_t unknown_messages = 0;
};

struct StorageView {
  std::string path;
  uint64_t accepted_position = 0;
  uint64_t durable_position = 0;
  uint64_t rejected_queue_full = 0;
  uint64_t rejected_suspended = 0;
  uint64_t lost_on_write_error = 0;
  bool suspended = false;
  bool low_space = false;
  uint64_t available_bytes = 0;
  uint64_t recovered_corrupt_files = 0;
  uint64_t gap_ledger_damaged_files = 0;  // damaged ledger generations quarantined at start
};

struct RecorderCounters {
  uint64_t ticks_received = 0;
  uint64_t ticks_stored = 0;
  uint64_t ticks_backfilled = 0;
  // Established gateway sessions that ended (not counting the recorder's own stop).
  uint64_t sessions_lost = 0;
  // Sessions re-established after a lost one (connections after the first).
  uint64_t reconnects = 0;
  uint64_t resubscribes = 0;
  uint64_t gaps_opened = 0;
  uint64_t backfill_requests = 0;
  uint64_t backfill_failures = 0;
  // Failed or unanswered backfill pages asked again (pacing, farm down, timeout, disconnect).
  uint64_t backfill_retries = 0;
  // Backfilled ticks storage refused (their gap stays pending and is asked again).
  uint64_t backfill_ticks_refused = 0;
  // The historical pacer's state file did not read at start (budget assumed spent for 10 min).
  uint64_t pacer_state_damaged = 0;
  // Gaps the ledger refused to add (storage failing); each is added again once storage
  // accepts writes, and counted again if refused again.
  uint64_t gap_ledger_adds_refused = 0;
  // Closed files (sealed hours) found damaged at start (sealed_hour_check.h).
  uint64_t sealed_files_damaged = 0;
  // The filled gaps' time to fill and its ratio to IB's pacing minimum (since start).
  reliability::FillTimeStats fill_time;
  uint64_t alerts_fired = 0;
  // The run-time contract list could not be read at start (set aside; see runtime_contracts.h).
  uint64_t runtime_contract_errors = 0;
  std::map<int, uint64_t> ib_errors;  // by IB code
};

// One contract's market depth (recorder/depth_recorder.h): whether it has a depth slot within
// gateway.market_depth_limit and what it stored.
struct DepthView {
  int64_t contract_id = 0;
  std::string symbol;
  bool granted = false;     // has a depth slot in the plan
  std::string reason;       // why not, when not granted ("market depth limit 3 reached")
  bool subscribed = false;  // a request is running
  uint64_t records = 0;     // depth records stored by this process (resets included)
  uint64_t resets = 0;      // book restarts stored (subscriptions begun, IB's 317)
  uint64_t gaps = 0;        // interruptions recorded as failed gaps (no_history_for_depth)
  std::string last_error;   // the last IB error of its request ("309: ...")
};

struct RecorderView {
  TimePoint now;
  TimePoint started_at;
  // Storage open, accepting writes (not suspended after a write error) and the loop running.
  bool ready = false;
  // Stored data can be read: storage is open (writing may be suspended).
  bool storage_open() const { return ready || storage.suspended; }
  reliability::HealthStatus overall = reliability::HealthStatus::kUnknown;
  GatewayView gateway;
  StorageView storage;
  RecorderCounters counters;
  StreamPlanView plan;
  std::vector<ContractView> contracts;
  std::vector<DepthView> depth;          // contracts asking for market depth, in plan order
  std::vector<storage::GapRecord> gaps;  // most recent last
  // How the filled gaps among `gaps` were filled (by ledger id): those this process filled.
  std::map<uint64_t, reliability::GapFillTiming> gap_fills;
  std::vector<Alert> alerts;  // firing now
  // The recent past (ticks per minute, alert episodes, sessions lost), as of this view; null
  // when the publisher keeps none (RecorderHistory).
  std::shared_ptr<const HistoryView> history;
};

}  // namespace ibstream::recorder
