// The original's WebSocket v2 protocol (/v2/ws/stream): the client's messages (parsed in
// ws_message.h), the server's messages built with the original's shapes, and the client message
// rate limit. Pure: no sockets, no clocks (times are arguments). Internal to src/http.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "http/api_common.h"
#include "http/ws_message.h"
#include "model/tick.h"

namespace ibstream::http {

// The original's limits.
inline constexpr size_t kWsMaxConnectionsPerAddress = 10;
inline constexpr size_t kWsMaxMessagesPerSecond = 100;
inline constexpr size_t kWsMaxStreamsPerConnection = 20;

// --- server messages (JSON text, Python's separators); `now` is the envelope's timestamp ----

// {"type": "connected", "timestamp", "data": {"version": "2.0.0", "capabilities": {...}}}
std::string WsConnectedMessage(TimePoint now);
// {"type": "subscribed", "timestamp", "data": {"streams": [{stream_id, tick_type}]}, "id"}
std::string WsSubscribedMessage(std::string_view id,
                                const std::vector<std::pair<std::string, TickType>>& streams,
                                TimePoint now);
// {"type": "pong", "id", "timestamp", "data": {"server_timestamp", "client_timestamp"?}}
std::string WsPongMessage(std::string_view id, std::string_view client_timestamp, TimePoint now);
// {"type": "tick", "stream_id", "timestamp", "data": <the SSE tick data>}
std::string WsTickMessage(std::string_view stream_id, const Tick& tick, TimePoint now);
// {"type": "error", "stream_id", "timestamp", "data": {code, message, details, recoverable}}
std::string WsErrorMessage(std::string_view stream_id, std::string_view code,
                           std::string_view message, const Json& details, bool recoverable,
                           TimePoint now);
// {"type": "complete", "stream_id", "timestamp", "data": {reason, total_ticks,
// duration_seconds}}
std::string WsCompleteMessage(std::string_view stream_id, std::string_view reason,
                              uint64_t total_ticks, double duration_seconds, TimePoint now);

// The original's named errors.
std::string WsInvalidMessageError(std::string_view validation_error, TimePoint now);
std::string WsRateLimitError(TimePoint now);
std::string WsContractNotFoundError(int64_t contract_id, TimePoint now);

// The client message rate limit: at most `max_per_second` messages in any second (the original
// counts the messages of the last second, the new one included).
class MessageRateWindow {
 public:
  explicit MessageRateWindow(size_t max_per_second) : max_(max_per_second) {}
  // Records a message at `now`; false when it exceeds the limit.
  bool Admit(SteadyTimePoint now);

 private:
  const size_t max_;
  std::deque<SteadyTimePoint> times_;
};

}  // namespace ibstream::http
