// The client side of the WebSocket v2 protocol (ws_message.h).
#include "http/ws_message.h"

#include <algorithm>
#include <initializer_list>
#include <limits>

#include "http/json_body.h"

namespace ibstream::http {
namespace {

using WsJson = nlohmann::ordered_json;

// Message nesting is shallow; anything deeper is not a protocol message.
constexpr int kMaxMessageDepth = 8;

constexpr std::string_view kTickTypeEnum = "['last', 'all_last', 'bid_ask', 'mid_point']";

// Python's repr of a JSON value, as jsonschema quotes it in its messages.
std::string Repr(const WsJson& value) {
  if (value.is_string()) return "'" + value.get<std::string>() + "'";
  if (value.is_boolean()) return value.get<bool>() ? "True" : "False";
  if (value.is_null()) return "None";
  return PythonJson(value);
}

// The checks of one JSON object against a schema: required keys, no other keys.
Status CheckKeys(const WsJson& object, std::initializer_list<std::string_view> required,
                 std::initializer_list<std::string_view> optional) {
  for (std::string_view key : required) {
    if (!object.contains(std::string(key))) {
      return InvalidArgument("'" + std::string(key) + "' is a required property");
    }
  }
  std::vector<std::string> extra;
  for (const auto& [key, value] : object.items()) {
    const bool known = std::find(required.begin(), required.end(), key) != required.end() ||
                       std::find(optional.begin(), optional.end(), key) != optional.end();
    if (!known) extra.push_back("'" + key + "'");
  }
  if (extra.empty()) return Status::Ok();
  std::string list;
  for (const std::string& e : extra) list += (list.empty() ? "" : ", ") + e;
  return InvalidArgument("Additional properties are not allowed (" + list +
                         (extra.size() == 1 ? " was" : " were") + " unexpected)");
}

Status CheckNonEmptyString(const WsJson& value) {
  if (!value.is_string()) return InvalidArgument(Repr(value) + " is not of type 'string'");
  if (value.get<std::string>().empty()) return InvalidArgument("'' is too short");
  return Status::Ok();
}

Result<int64_t> IntegerIn(const WsJson& value, int64_t min, int64_t max) {
  if (!value.is_number_integer()) {
    return InvalidArgument(Repr(value) + " is not of type 'integer'");
  }
  // An integer beyond int64 parses as unsigned: larger than any maximum.
  if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(max)) {
    return InvalidArgument(Repr(value) + " is greater than the maximum of " + std::to_string(max));
  }
  const int64_t v = value.get<int64_t>();
  if (v < min) {
    return InvalidArgument(Repr(value) + " is less than the minimum of " + std::to_string(min));
  }
  if (v > max) {
    return InvalidArgument(Repr(value) + " is greater than the maximum of " + std::to_string(max));
  }
  return v;
}

Result<std::vector<TickType>> ReadTickTypes(const WsJson& value) {
  if (!value.is_array()) return InvalidArgument(Repr(value) + " is not of type 'array'");
  if (value.empty()) return InvalidArgument("[] is too short");
  // The original's four kinds, and market depth ("depth", recorded by this recorder only).
  if (value.size() > 5) return InvalidArgument(PythonJson(value) + " is too long");
  std::vector<TickType> out;
  for (const WsJson& item : value) {
    const std::string name = item.is_string() ? item.get<std::string>() : std::string();
    std::optional<TickType> type;
    for (TickType t : kAllTickTypes) {
      if (TickTypeName(t) == name) type = t;
    }
    if (name == TickTypeName(TickType::kDepth)) type = TickType::kDepth;
    if (!type) return InvalidArgument(Repr(item) + " is not one of " + std::string(kTickTypeEnum));
    if (std::find(out.begin(), out.end(), *type) != out.end()) {
      return InvalidArgument(PythonJson(value) + " has non-unique elements");
    }
    out.push_back(*type);
  }
  return out;
}

Status ReadConfig(const WsJson& config, WsSubscribeConfig& out) {
  if (!config.is_object()) return InvalidArgument(Repr(config) + " is not of type 'object'");
  IBSTREAM_RETURN_IF_ERROR(
      CheckKeys(config, {}, {"limit", "timeout_seconds", "buffer_size", "include_extended"}));
  struct Bounded {
    const char* key;
    int64_t min;
    int64_t max;
    std::optional<int64_t>* into;
  };
  for (const Bounded& b : {Bounded{"limit", 1, 10000, &out.limit},
                           Bounded{"timeout_seconds", 5, 3600, &out.timeout_seconds},
                           Bounded{"buffer_size", 1, 10000, &out.buffer_size}}) {
    if (!config.contains(b.key)) continue;
    Result<int64_t> v = IntegerIn(config.at(b.key), b.min, b.max);
    if (!v.ok()) return v.status();
    *b.into = v.value();
  }
  if (config.contains("include_extended")) {
    const WsJson& v = config.at("include_extended");
    if (!v.is_boolean()) return InvalidArgument(Repr(v) + " is not of type 'boolean'");
    out.include_extended = v.get<bool>();
  }
  return Status::Ok();
}

Status ReadSubscribe(const WsJson& data, WsClientMessage& out) {
  if (!data.is_object()) return InvalidArgument(Repr(data) + " is not of type 'object'");
  IBSTREAM_RETURN_IF_ERROR(CheckKeys(data, {"contract_id", "tick_types"}, {"config"}));
  Result<int64_t> id = IntegerIn(data.at("contract_id"), 1, std::numeric_limits<int64_t>::max());
  if (!id.ok()) return id.status();
  out.contract_id = id.value();
  Result<std::vector<TickType>> types = ReadTickTypes(data.at("tick_types"));
  if (!types.ok()) return types.status();
  out.tick_types = std::move(types).value();
  if (data.contains("config")) IBSTREAM_RETURN_IF_ERROR(ReadConfig(data.at("config"), out.config));
  return Status::Ok();
}

Status ReadUnsubscribe(const WsJson& data, WsClientMessage& out) {
  if (!data.is_object()) return InvalidArgument(Repr(data) + " is not of type 'object'");
  IBSTREAM_RETURN_IF_ERROR(CheckKeys(data, {"stream_id"}, {}));
  IBSTREAM_RETURN_IF_ERROR(CheckNonEmptyString(data.at("stream_id")));
  out.stream_id = data.at("stream_id").get<std::string>();
  return Status::Ok();
}

}  // namespace

Result<WsClientMessage> ParseWsClientMessage(std::string_view text) {
  Result<WsJson> parsed = ParseJsonBody(text, kMaxMessageDepth);
  if (!parsed.ok()) return parsed.status();
  const WsJson& message = parsed.value();
  if (!message.is_object()) return InvalidArgument(Repr(message) + " is not of type 'object'");
  // The original tests the type for truth: absent, null and "" are all missing.
  if (!message.contains("type") || message.at("type").is_null() || message.at("type") == "") {
    return InvalidArgument("Message missing 'type' field");
  }
  const WsJson& type = message.at("type");
  WsClientMessage out;
  if (type == "subscribe") {
    out.type = WsMessageType::kSubscribe;
  } else if (type == "unsubscribe") {
    out.type = WsMessageType::kUnsubscribe;
  } else if (type == "ping") {
    out.type = WsMessageType::kPing;
  } else {
    const std::string name = type.is_string() ? type.get<std::string>() : PythonJson(type);
    return InvalidArgument("Unknown message type: " + name);
  }
  if (out.type == WsMessageType::kPing) {
    IBSTREAM_RETURN_IF_ERROR(CheckKeys(message, {"type", "id", "timestamp"}, {}));
  } else {
    IBSTREAM_RETURN_IF_ERROR(CheckKeys(message, {"type", "id", "timestamp", "data"}, {}));
  }
  IBSTREAM_RETURN_IF_ERROR(CheckNonEmptyString(message.at("id")));
  out.id = message.at("id").get<std::string>();
  const WsJson& timestamp = message.at("timestamp");
  if (!timestamp.is_string()) {
    return InvalidArgument(Repr(timestamp) + " is not of type 'string'");
  }
  out.timestamp = timestamp.get<std::string>();
  if (out.type == WsMessageType::kSubscribe) {
    IBSTREAM_RETURN_IF_ERROR(ReadSubscribe(message.at("data"), out));
  } else if (out.type == WsMessageType::kUnsubscribe) {
    IBSTREAM_RETURN_IF_ERROR(ReadUnsubscribe(message.at("data"), out));
  }
  return out;
}

}  // namespace ibstream::http
