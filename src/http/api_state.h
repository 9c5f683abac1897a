// What every endpoint family of the recorder API shares: the data source, the options and the
// API's own counters (shown under /metrics and /health).
//
// Handlers, SSE sessions and fan-out consumers hold it by shared_ptr; consumers may outlive the
// router (until they are unsubscribed), so it holds no threads. The counters are atomics and
// may be read and bumped from any thread; `source` and `options` do not change after start.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "http/recorder_api.h"
#include "model/tick.h"

namespace ibstream::http {

struct ApiState {
  ApiState(std::shared_ptr<RecorderApiSource> api_source, RecorderApiOptions api_options)
      : source(std::move(api_source)), options(std::move(api_options)) {}

  ApiState(const ApiState&) = delete;
  ApiState& operator=(const ApiState&) = delete;

  const std::shared_ptr<RecorderApiSource> source;
  const RecorderApiOptions options;

  std::atomic<uint64_t> next_stream{1000};
  std::atomic<uint64_t> sse_started{0};
  std::atomic<int64_t> sse_active{0};
  std::atomic<uint64_t> sse_ticks_sent{0};
  std::atomic<uint64_t> sse_dropped{0};
  std::atomic<uint64_t> backfill_requests{0};
  // WebSocket API (ws_endpoints.h).
  std::atomic<uint64_t> ws_connections_total{0};
  std::atomic<int64_t> ws_active{0};
  std::atomic<uint64_t> ws_refused{0};  // over the per-address limit
  std::atomic<uint64_t> ws_messages{0};
  std::atomic<uint64_t> ws_invalid_messages{0};  // not JSON, binary, unknown type, schema
  std::atomic<uint64_t> ws_rate_limited{0};      // closed for sending too many messages
  std::atomic<int64_t> ws_streams_active{0};
  std::atomic<uint64_t> ws_ticks_sent{0};
  std::atomic<uint64_t> ws_dropped{0};  // send queue full or a stalled write
  std::atomic<uint64_t> contract_changes{0};

  // A new SSE stream id: "<contract>_<type>_<recorder ms>_<n>" (the original's shape).
  std::string NewStreamId(int64_t contract_id, TickType type);
};

}  // namespace ibstream::http
