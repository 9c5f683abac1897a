// StreamHealthMonitor: data-flow health per stream (contract x tick type), judged against what
// the market calendar says should be happening, not against whether a socket is open.
//
// It is fed events (data, market state, connection, IB codes, subscriptions) with their `now` and
// answers Assess(stream, now). It never reads a clock and owns no threads; one thread (the
// recorder's event loop) owns it. OnData() is the per-tick hot path: a map lookup and a counter.
//
// Rules (README.md has the full table): in liquid hours (OPEN) a stream is stale after
// data_staleness_threshold without data, in EXTENDED hours after extended_staleness_threshold;
// silence is counted from the latest of: last data, the market opening, the gateway link being
// restored. In a BREAK no data is expected up to market_break_tolerance; CLOSED, WEEKEND and
// HOLIDAY expect none. UNKNOWN is reported as UNKNOWN. A stream that never delivered while the
// market was trading is DEGRADED, then UNHEALTHY once stale.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "calendar/market_status.h"
#include "common/clock.h"
#include "model/tick.h"
#include "reliability/contract_options.h"
#include "reliability/health_status.h"
#include "reliability/ib_error_class.h"
#include "reliability/rate_window.h"

namespace ibstream::reliability {

// How data flows relative to what the market expects.
enum class DataFlow {
  kFlowing,       // data within the threshold
  kAwaitingData,  // trading, nothing since the last (re)start yet, within first_data_timeout
  kSilent,        // trading, nothing since the last (re)start for longer than first_data_timeout
  kStale,         // trading, silence beyond the staleness threshold
  kNotExpected,   // BREAK within tolerance, CLOSED, WEEKEND, HOLIDAY
  kBreakTooLong,  // BREAK longer than market_break_tolerance
  kUnknown,       // market status UNKNOWN (or never reported)
};

std::string_view DataFlowName(DataFlow flow);

// Why a stream does not deliver, most fundamental first.
enum class StreamIssue {
  kNone,
  kPermissionDenied,  // terminal refusal: 354, 10089, 10168, 10186, 10189
  // 10190, 101, 309 for the stream's request: a capacity signal, not a failure for good. The
  // stream waits for the planner to move it onto the fallback; DEGRADED, never UNHEALTHY; a new
  // subscription or data clears it.
  kLimitReached,
  kSocketDown,        // the API socket is down
  kGatewayLostIb,     // socket up, gateway lost IB (1100/2110)
  kFarmDown,          // 2103 without a 2104 since
  kCompetingSession,  // 10197 and no data since
  kRequestRejected,   // 322/102/200 for the stream's request
  kNoData,            // silent or stale with no other explanation
  kDelayedData,       // advisory 10167/10090/10091: data flows, but delayed or partial
};

std::string_view StreamIssueName(StreamIssue issue);

struct StreamHealth {
  StreamKey stream;
  HealthStatus status = HealthStatus::kUnknown;
  DataFlow flow = DataFlow::kUnknown;
  StreamIssue issue = StreamIssue::kNone;
  calendar::MarketStatus market_status = calendar::MarketStatus::kUnknown;
  calendar::ExpectedActivity expected_activity = calendar::ExpectedActivity::kUnknown;
  std::optional<TimePoint> last_data;
  // Silence that counts against the stream (zero when no data is expected).
  Duration silence{0};
  // The staleness threshold in force (zero when no data is expected).
  Duration threshold{0};
  double messages_per_minute_1m = 0;
  double messages_per_minute_5m = 0;
  // The IB code behind `issue`, when there is one.
  std::optional<int> error_code;
};

class StreamHealthMonitor {
 public:
  StreamHealthMonitor() = default;
  StreamHealthMonitor(const StreamHealthMonitor&) = delete;
  StreamHealthMonitor& operator=(const StreamHealthMonitor&) = delete;

  // Tracks a stream with its contract's options (the last call for a contract wins).
  // `added_at`: when a stream is added mid-session (not with its contract), so that it is not
  // silent before it existed.
  void AddStream(const StreamKey& stream, const ContractReliabilityOptions& options,
                 std::optional<TimePoint> added_at = std::nullopt);
  // Stops tracking a stream (a contract rolled or was untracked); the contract's state goes with
  // its last stream. Unknown streams are ignored.
  void RemoveStream(const StreamKey& stream);
  bool IsTracked(const StreamKey& stream) const { return streams_.contains(stream); }
  std::vector<StreamKey> Streams() const;

  // The calendar's answer for the contract at `now`. Call it whenever it may have changed (the
  // core does so on every evaluation).
  void OnMarketState(int64_t contract_id, const calendar::MarketState& state, TimePoint now);

  // Hot path: one tick (or any message proving the stream is alive) arrived.
  void OnData(const StreamKey& stream, TimePoint now);

  void OnSocketUp(TimePoint now);
  void OnSocketDown(TimePoint now);
  // A connection-level IB code (reqId -1): link lost/restored, farm down/OK.
  void OnConnectionNotice(IbErrorClass error_class, TimePoint now);
  // An IB code tied to the stream's request.
  void OnStreamError(const StreamKey& stream, IbErrorClass error_class, int code, TimePoint now);
  // The stream's request was (re)sent and acknowledged; clears request-scoped errors (a capacity
  // refusal included) except permission refusals (which only a later success or ClearRefusal
  // clears).
  void OnSubscribed(const StreamKey& stream, TimePoint now);
  // Forgets a refusal, permission or capacity (the retry succeeded, the operator changed
  // something, the stream was re-planned).
  void ClearRefusal(const StreamKey& stream);

  StreamHealth Assess(const StreamKey& stream, TimePoint now) const {
    return Assess(stream, now, /*with_rates=*/true);
  }
  // The same without messages-per-minute (which scan the rate window): for decisions made every
  // second.
  StreamHealth AssessFlow(const StreamKey& stream, TimePoint now) const {
    return Assess(stream, now, /*with_rates=*/false);
  }

  // Connection facts, shared by every stream.
  bool socket_up() const { return socket_up_; }
  std::optional<TimePoint> socket_up_since() const { return socket_up_since_; }
  bool ib_link_ok() const { return !ib_link_lost_since_.has_value(); }
  std::optional<TimePoint> ib_link_lost_since() const { return ib_link_lost_since_; }
  std::optional<TimePoint> farm_down_since() const { return farm_down_since_; }

  // The market state last reported for a contract.
  calendar::MarketState market_state(int64_t contract_id) const;
  const ContractReliabilityOptions& options(int64_t contract_id) const;

 private:
  struct ContractState {
    ContractReliabilityOptions options;
    bool has_state = false;
    calendar::MarketState state;
    TimePoint last_update;
    TimePoint status_since;
    // Start of the current trading period (meaningful while trading).
    TimePoint trading_since;
  };
  struct StreamState {
    std::optional<TimePoint> last_data;
    std::optional<TimePoint> subscribed_at;
    // The stream's first subscription ever (kept across reconnects and resubscriptions): a stream
    // added later (an upgrade to tick-by-tick) cannot have been silent before it.
    std::optional<TimePoint> first_subscribed_at;
    std::optional<TimePoint> added_at;  // a stream added mid-session
    RateWindow rate;
    std::optional<TimePoint> competing_since;
    std::optional<int> competing_code;
    std::optional<int> refused_code;
    std::optional<int> capacity_code;
    std::optional<int> rejected_code;
    std::optional<int> advisory_code;
  };

  const ContractState* Contract(int64_t contract_id) const;
  StreamHealth Assess(const StreamKey& stream, TimePoint now, bool with_rates) const;

  std::map<int64_t, ContractState> contracts_;
  std::map<StreamKey, StreamState> streams_;

  bool socket_up_ = false;
  std::optional<TimePoint> socket_up_since_;
  std::optional<TimePoint> socket_down_since_;
  std::optional<TimePoint> ib_link_lost_since_;
  // The last time the path to IB became usable again (socket up, 1101/1102, farm OK after down).
  std::optional<TimePoint> restored_at_;
  // Set by 2103, cleared by 2104: streams silent since then are attributed to the farm.
  std::optional<TimePoint> farm_down_since_;
};

}  // namespace ibstream::reliability
