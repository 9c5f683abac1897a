#include "http/ws_protocol.h"

#include <algorithm>
#include <limits>

#include "http/json_body.h"
#include "http/recorder_api.h"
#include "http/sse_json.h"

namespace ibstream::http {
namespace {

// Message nesting is shallow; anything deeper is not a protocol message.
constexpr int kMaxMessageDepth = 8;

constexpr std::string_view kTickTypeEnum = "['last', 'all_last', 'bid_ask', 'mid_point']";

// Python's repr of a JSON value, as jsonschema quotes it in its messages.
std::string Repr(const Json& value) {
  if (value.is_string()) return "'" + value.get<std::string>() + "'";
  if (value.is_boolean()) return value.get<bool>() ? "True" : "False";
  if (value.is_null()) return "None";
  return PythonJson(value);
}

// The checks of one JSON object against a schema: required keys, no other keys.
Status CheckKeys(const Json& object, std::initializer_list<std::string_view> required,
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

Status CheckNonEmptyString(const Json& value) {
  if (!value.is_string()) return InvalidArgument(Repr(value) + " is not of type 'string'");
  if (value.get<std::string>().empty()) return InvalidArgument("'' is too short");
  return Status::Ok();
}

Result<int64_t> IntegerIn(const Json& value, int64_t min, int64_t max) {
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

Result<std::vector<TickType>> ReadTickTypes(const Json& value) {
  if (!value.is_array()) return InvalidArgument(Repr(value) + " is not of type 'array'");
  if (value.empty()) return InvalidArgument("[] is too short");
  // The original's four kinds, and market depth ("depth", recorded by this recorder only).
  if (value.size() > 5) return InvalidArgument(PythonJson(value) + " is too long");
  std::vector<TickType> out;
  for (const Json& item : value) {
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

Status ReadConfig(const Json& config, WsSubscribeConfig& out) {
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
    const Json& v = config.at("include_extended");
    if (!v.is_boolean()) return InvalidArgument(Repr(v) + " is not of type 'boolean'");
    out.include_extended = v.get<bool>();
  }
  return Status::Ok();
}

Status ReadSubscribe(const Json& data, WsClientMessage& out) {
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

Status ReadUnsubscribe(const Json& data, WsClientMessage& out) {
  if (!data.is_object()) return InvalidArgument(Repr(data) + " is not of type 'object'");
  IBSTREAM_RETURN_IF_ERROR(CheckKeys(data, {"stream_id"}, {}));
  IBSTREAM_RETURN_IF_ERROR(CheckNonEmptyString(data.at("stream_id")));
  out.stream_id = data.at("stream_id").get<std::string>();
  return Status::Ok();
}

// {"type": ..., "stream_id": ..., ...} built from already formatted JSON members.
std::string Message(std::string_view type, const Json& members_after_type) {
  Json message = {{"type", std::string(type)}};
  for (const auto& [key, value] : members_after_type.items()) message[key] = value;
  return PythonJson(message);
}

}  // namespace

Result<WsClientMessage> ParseWsClientMessage(std::string_view text) {
  Result<Json> parsed = ParseJsonBody(text, kMaxMessageDepth);
  if (!parsed.ok()) return parsed.status();
  const Json& message = parsed.value();
  if (!message.is_object()) return InvalidArgument(Repr(message) + " is not of type 'object'");
  // The original tests the type for truth: absent, null and "" are all missing.
  if (!message.contains("type") || message.at("type").is_null() || message.at("type") == "") {
    return InvalidArgument("Message missing 'type' field");
  }
  const Json& type = message.at("type");
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
  const Json& timestamp = message.at("timestamp");
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

std::string WsConnectedMessage(TimePoint now) {
  // The original's order.
  const Json tick_types = Json::array({"last", "all_last", "bid_ask", "mid_point"});
  return Message("connected", {{"timestamp", EnvelopeTimestamp(now)},
                               {"data",
                                {{"version", "2.0.0"},
                                 {"capabilities",
                                  {{"max_streams_per_connection", kWsMaxStreamsPerConnection},
                                   {"supported_tick_types", tick_types},
                                   {"ping_interval_seconds", 30}}}}}});
}

std::string WsSubscribedMessage(std::string_view id,
                                const std::vector<std::pair<std::string, TickType>>& streams,
                                TimePoint now) {
  Json list = Json::array();
  for (const auto& [stream_id, type] : streams) {
    list.push_back({{"stream_id", stream_id}, {"tick_type", std::string(TickTypeName(type))}});
  }
  return Message("subscribed", {{"timestamp", EnvelopeTimestamp(now)},
                                {"data", {{"streams", list}}},
                                {"id", std::string(id)}});
}

std::string WsPongMessage(std::string_view id, std::string_view client_timestamp, TimePoint now) {
  const std::string server_timestamp = EnvelopeTimestamp(now);
  Json data = {{"server_timestamp", server_timestamp}};
  if (!client_timestamp.empty()) data["client_timestamp"] = std::string(client_timestamp);
  return Message("pong",
                 {{"id", std::string(id)}, {"timestamp", server_timestamp}, {"data", data}});
}

std::string WsTickMessage(std::string_view stream_id, const Tick& tick, TimePoint now) {
  return Envelope("tick", stream_id, now, TickDataJson(tick));
}

std::string WsErrorMessage(std::string_view stream_id, std::string_view code,
                           std::string_view message, const Json& details, bool recoverable,
                           TimePoint now) {
  const Json data = {{"code", std::string(code)},
                     {"message", std::string(message)},
                     {"details", details.is_null() ? Json::object() : details},
                     {"recoverable", recoverable}};
  return Envelope("error", stream_id, now, PythonJson(data));
}

std::string WsCompleteMessage(std::string_view stream_id, std::string_view reason,
                              uint64_t total_ticks, double duration_seconds, TimePoint now) {
  const Json data = {{"reason", std::string(reason)},
                     {"total_ticks", total_ticks},
                     {"duration_seconds", duration_seconds}};
  return Envelope("complete", stream_id, now, PythonJson(data));
}

std::string WsInvalidMessageError(std::string_view validation_error, TimePoint now) {
  return WsErrorMessage("", "INVALID_MESSAGE", "Invalid message format",
                        {{"validation_error", std::string(validation_error)}}, false, now);
}

std::string WsRateLimitError(TimePoint now) {
  return WsErrorMessage("", "RATE_LIMIT_EXCEEDED", "Too many concurrent streams",
                        {{"suggestion", "Try again later or reduce concurrent connections"}}, true,
                        now);
}

std::string WsContractNotFoundError(int64_t contract_id, TimePoint now) {
  return WsErrorMessage("", "CONTRACT_NOT_FOUND",
                        "Contract ID " + std::to_string(contract_id) + " not found",
                        {{"contract_id", contract_id},
                         {"suggestion", "Verify contract ID using the contract lookup API"}},
                        false, now);
}

bool MessageRateWindow::Admit(SteadyTimePoint now) {
  times_.push_back(now);
  while (!times_.empty() && now - times_.front() >= std::chrono::seconds(1)) times_.pop_front();
  return times_.size() <= max_;
}

}  // namespace ibstream::http
