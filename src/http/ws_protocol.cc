#include "http/ws_protocol.h"

#include "http/json_body.h"
#include "http/recorder_api.h"
#include "http/sse_json.h"

namespace ibstream::http {
namespace {

// {"type": ..., "stream_id": ..., ...} built from already formatted JSON members.
std::string Message(std::string_view type, const Json& members_after_type) {
  Json message = {{"type", std::string(type)}};
  for (const auto& [key, value] : members_after_type.items()) message[key] = value;
  return PythonJson(message);
}

}  // namespace

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
