// The client's messages of the original's WebSocket v2 protocol (/v2/ws/stream), parsed and
// checked against the original's schemas. Pure and socket-free, so it sits with the request side
// (ibstream_http_request) and is fuzzed (fuzz/fuzz_ws_message.cc). Internal to src/http.
//
// Client messages: {"type": "subscribe", "id", "timestamp", "data": {"contract_id", "tick_types":
// [...], "config"?: {limit, timeout_seconds, buffer_size, include_extended}}}, {"type":
// "unsubscribe", "id", "timestamp", "data": {"stream_id"}}, {"type": "ping", "id", "timestamp"}.
// No other key is allowed anywhere (the original's additionalProperties: false).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/tick.h"

namespace ibstream::http {

enum class WsMessageType { kSubscribe, kUnsubscribe, kPing };

struct WsSubscribeConfig {
  std::optional<int64_t> limit;            // 1..10000 ticks, then the stream completes
  std::optional<int64_t> timeout_seconds;  // 5..3600, then the stream completes
  std::optional<int64_t> buffer_size;      // 1..10000 (accepted, no effect)
  std::optional<bool> include_extended;    // accepted, no effect
};

struct WsClientMessage {
  WsMessageType type = WsMessageType::kPing;
  std::string id;
  std::string timestamp;  // as the client sent it
  // subscribe
  int64_t contract_id = 0;
  std::vector<TickType> tick_types;  // in the client's order, no repeats
  WsSubscribeConfig config;
  // unsubscribe
  std::string stream_id;
};

// Parses one text message. InvalidArgument with the validation error the original would report
// ("Message missing 'type' field", "Unknown message type: x", "'id' is a required property",
// "Additional properties are not allowed ('x' was unexpected)", ...). Never throws.
Result<WsClientMessage> ParseWsClientMessage(std::string_view text);

}  // namespace ibstream::http
