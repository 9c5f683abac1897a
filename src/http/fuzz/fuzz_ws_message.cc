// Fuzzes the client side of the WebSocket v2 protocol (/v2/ws/stream): ParseWsClientMessage over
// arbitrary text, as a client may send it in one text message.
//
// Checked properties:
//  * nothing throws and nothing crashes, whatever the bytes;
//  * the same text parses the same way twice (same message or same error);
//  * a refusal is InvalidArgument with a non-empty validation message;
//  * an accepted message keeps the schema's promises: a non-empty id; for subscribe a contract id
//    of at least 1, one to four distinct tick types and config values inside their ranges; for
//    unsubscribe a non-empty stream id;
//  * an accepted message written back as JSON parses to the same message.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "http/ws_message.h"

namespace ibstream::http {
namespace {

[[noreturn]] void FailWsFuzz(const char* what) {
  std::fprintf(stderr, "fuzz_ws_message: property violated: %s\n", what);
  std::abort();
}

bool InRange(const std::optional<int64_t>& v, int64_t min, int64_t max) {
  return !v || (*v >= min && *v <= max);
}

bool SameConfig(const WsSubscribeConfig& a, const WsSubscribeConfig& b) {
  return a.limit == b.limit && a.timeout_seconds == b.timeout_seconds &&
         a.buffer_size == b.buffer_size && a.include_extended == b.include_extended;
}

bool SameMessage(const WsClientMessage& a, const WsClientMessage& b) {
  return a.type == b.type && a.id == b.id && a.timestamp == b.timestamp &&
         a.contract_id == b.contract_id && a.tick_types == b.tick_types &&
         SameConfig(a.config, b.config) && a.stream_id == b.stream_id;
}

void CheckAccepted(const WsClientMessage& m) {
  if (m.id.empty()) FailWsFuzz("accepted an empty id");
  if (m.type == WsMessageType::kSubscribe) {
    if (m.contract_id < 1) FailWsFuzz("accepted a contract id below 1");
    if (m.tick_types.empty() || m.tick_types.size() > 5) FailWsFuzz("tick type count");
    for (size_t i = 0; i < m.tick_types.size(); ++i) {
      if (std::count(m.tick_types.begin(), m.tick_types.end(), m.tick_types[i]) != 1) {
        FailWsFuzz("accepted a repeated tick type");
      }
    }
    if (!InRange(m.config.limit, 1, 10000) || !InRange(m.config.timeout_seconds, 5, 3600) ||
        !InRange(m.config.buffer_size, 1, 10000)) {
      FailWsFuzz("accepted a config value out of range");
    }
  } else if (m.type == WsMessageType::kUnsubscribe) {
    if (m.stream_id.empty()) FailWsFuzz("accepted an empty stream id");
  } else if (m.type != WsMessageType::kPing) {
    FailWsFuzz("unknown message type accepted");
  }
}

// The message as a client would write it.
std::string WriteBack(const WsClientMessage& m) {
  nlohmann::ordered_json out;
  out["type"] = m.type == WsMessageType::kSubscribe     ? "subscribe"
                : m.type == WsMessageType::kUnsubscribe ? "unsubscribe"
                                                        : "ping";
  out["id"] = m.id;
  out["timestamp"] = m.timestamp;
  if (m.type == WsMessageType::kSubscribe) {
    nlohmann::ordered_json types = nlohmann::ordered_json::array();
    for (TickType t : m.tick_types) types.push_back(std::string(TickTypeName(t)));
    nlohmann::ordered_json data = {{"contract_id", m.contract_id}, {"tick_types", types}};
    nlohmann::ordered_json config = nlohmann::ordered_json::object();
    if (m.config.limit) config["limit"] = *m.config.limit;
    if (m.config.timeout_seconds) config["timeout_seconds"] = *m.config.timeout_seconds;
    if (m.config.buffer_size) config["buffer_size"] = *m.config.buffer_size;
    if (m.config.include_extended) config["include_extended"] = *m.config.include_extended;
    if (!config.empty()) data["config"] = config;
    out["data"] = data;
  } else if (m.type == WsMessageType::kUnsubscribe) {
    out["data"] = {{"stream_id", m.stream_id}};
  }
  // The parser accepted these strings, so they are valid UTF-8: a strict dump cannot throw.
  return out.dump();
}

}  // namespace
}  // namespace ibstream::http

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ibstream::http;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ibstream::Result<WsClientMessage> first = ParseWsClientMessage(text);
  const ibstream::Result<WsClientMessage> second = ParseWsClientMessage(text);
  if (first.ok() != second.ok()) FailWsFuzz("two parses of the same text disagree");
  if (!first.ok()) {
    if (first.status().code() != ibstream::StatusCode::kInvalidArgument) {
      FailWsFuzz("a refusal that is not InvalidArgument");
    }
    if (first.status().message().empty()) FailWsFuzz("a refusal without a message");
    if (first.status().message() != second.status().message()) FailWsFuzz("errors differ");
    return 0;
  }
  if (!SameMessage(first.value(), second.value())) FailWsFuzz("two parses differ");
  CheckAccepted(first.value());
  const ibstream::Result<WsClientMessage> again = ParseWsClientMessage(WriteBack(first.value()));
  if (!again.ok()) FailWsFuzz("an accepted message written back is refused");
  if (!SameMessage(first.value(), again.value())) FailWsFuzz("written back, it parses differently");
  return 0;
}
