// The original's WebSocket API: /v2/ws/stream (subscribe / unsubscribe / ping, ws_protocol.h),
// /ws/stream/{id}/multi and /ws/stream/{id}/{tick_type} (the same protocol), /ws/control
// (stats and ping) and GET /ws/stats. Live ticks come from the recorder's fan-out as for SSE:
// the fan-out consumer formats the tick and queues it on the client's bounded connection; a client
// that cannot keep up is dropped, the recorder never waits. Internal to src/http.
//
// Threads: the handlers and message callbacks run on the server's thread, tick consumers on the
// recorder's, stream timeouts on a timer thread of this object's own. One mutex per client guards
// its streams; the object's mutex guards the client list and the per-address counts.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "http/api_common.h"
#include "http/api_state.h"
#include "http/deadline_timer.h"
#include "http/http_types.h"
#include "http/prometheus.h"
#include "http/router.h"
#include "http/ws.h"

namespace ibstream::http {

class WsProtocolClient;

// Registers /v2/ws/stream, /ws/stream/{id}/multi, /ws/stream/{id}/{tick_type}, /ws/control and
// GET /ws/stats on `router`; the routes share one WsStreams.
void RegisterWebSocketApi(Router& router, const std::shared_ptr<ApiState>& state);

// The WebSocket API's counters: the ibstream_ws_* families of /metrics, and the "websocket"
// object of /v1/status. Read atomics only.
void WriteWsMetrics(const ApiState& api, PrometheusWriter& w);
Json WsCountersJson(const ApiState& api);

class WsStreams : public std::enable_shared_from_this<WsStreams> {
 public:
  explicit WsStreams(std::shared_ptr<ApiState> state);
  // Stops the timer thread and ends every client's fan-out subscriptions (nothing is sent).
  ~WsStreams();

  WsStreams(const WsStreams&) = delete;
  WsStreams& operator=(const WsStreams&) = delete;

  // /v2/ws/stream and /ws/stream/{id}/multi. More than kWsMaxConnectionsPerAddress clients from
  // one address: accepted, then closed with 4004.
  Response Stream(const Request& request, std::shared_ptr<WsConnection> connection);
  // /ws/stream/{id}/{tick_type}: a tick type the protocol does not know is closed with 4002.
  Response TypedStream(const Request& request, std::shared_ptr<WsConnection> connection);
  // /ws/control: {"type": "status", "data": <stats>} first; then get_stats and ping.
  Response Control(const Request& request, std::shared_ptr<WsConnection> connection);
  // GET /ws/stats.
  Response Stats(const Request& request);

 private:
  friend class WsProtocolClient;

  // Registers /v2/ws/stream, /ws/stream/{id}/multi, /ws/stream/{id}/{tick_type}, /ws/control and
  // GET /ws/stats on `router`; the routes share one WsStreams.
  void RegisterWebSocketApi(Router& router, const std::shared_ptr<ApiState>& state);
  Json StatsJson();
  void OnClientGone(const std::string& connection_id, const std::string& peer);
  // Ends `stream_id` of the client at `at` (the subscription's timeout_seconds).
  void AddDeadline(SteadyTimePoint at, std::weak_ptr<WsProtocolClient> client,
                   std::string stream_id);

  const std::shared_ptr<ApiState> state_;

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<WsProtocolClient>> clients_;  // guarded by mu_
  std::map<std::string, size_t> per_address_;                         // guarded by mu_
  uint64_t next_client_ = 1000;                                       // guarded by mu_
  DeadlineTimer timeouts_;  // the subscriptions' timeout_seconds
};

}  // namespace ibstream::http
