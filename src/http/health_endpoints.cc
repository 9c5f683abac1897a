#include "http/health_endpoints.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <string>

#include "http/api_common.h"

namespace ibstream::http {
namespace {

using recorder::ContractView;
using recorder::RecorderView;
using recorder::StreamView;

Json ContractHealthJson(const RecorderApiOptions& options, const RecorderView& view,
                        const ContractView& c) {
  std::optional<TimePoint> last_tick;
  bool stale = false;
  Duration threshold{0};
  Json streams = Json::object();
  Json issues = Json::array();
  int active = 0;
  if (!view.gateway.connected) {
    issues.push_back("gateway down" + (view.gateway.last_disconnect_reason.empty()
                                           ? std::string()
                                           : ": " + view.gateway.last_disconnect_reason));
  }
  if (!c.calendar_error.empty()) issues.push_back("calendar: " + c.calendar_error);
  for (const StreamView& s : c.streams) {
    if (s.last_tick_received && (!last_tick || *s.last_tick_received > *last_tick)) {
      last_tick = s.last_tick_received;
    }
    stale = stale || s.health.flow == reliability::DataFlow::kStale;
    threshold = std::max(threshold, s.health.staleness_threshold);
    active += s.subscribed ? 1 : 0;
    const std::string name(TickTypeName(s.key.type));
    if (s.health.issue != reliability::StreamIssue::kNone) {
      issues.push_back(name + ": " + std::string(reliability::StreamIssueName(s.health.issue)));
    }
    streams[name] = {
        {"tick_type", name},
        {"active", s.subscribed},
        {"request_id", s.request_id},
        {"last_tick", IsoOrNull(s.last_tick_received)},
        {"error_count", s.error_count},
        {"last_error", s.last_error.empty() ? Json(nullptr) : Json(s.last_error)},
        {"status", std::string(reliability::HealthStatusName(s.health.status))},
        {"data_flow", std::string(reliability::DataFlowName(s.health.flow))},
        {"issue", std::string(reliability::StreamIssueName(s.health.issue))},
        {"health_score", s.health.health_score()},
        {"messages_per_minute", s.health.messages_per_minute_1m},
        {"circuit_breaker", std::string(reliability::BreakerStateName(s.health.breaker_state))},
        {"ticks", s.ticks},
        {"backfilled_ticks", s.backfilled_ticks},
    };
  }
  if (threshold == Duration::zero()) threshold = options.default_staleness_threshold;
  Json minutes_ago = nullptr;
  if (last_tick) {
    minutes_ago = std::round(Seconds(view.now - *last_tick) / 60.0 * 10.0) / 10.0;
  }
  Json trading_hours = nullptr;
  if (!c.time_zone_id.empty() || !c.trading_hours.empty()) {
    trading_hours = {{"timezone", c.time_zone_id},
                     {"regular_hours", c.liquid_hours},
                     {"extended_hours", c.trading_hours},
                     {"last_updated", IsoOrNull(c.details_updated_at)}};
  }
  return {
      {"enabled", true},
      {"contract_id", c.contract_id},
      {"timestamp", FormatIsoUtc(view.now)},
      {"symbol", c.symbol},
      {"status", std::string(reliability::HealthStatusName(c.status))},
      {"market_status", std::string(calendar::MarketStatusName(c.market.status))},
      {"next_open", IsoOrNull(c.market.next_open)},
      {"next_close", IsoOrNull(c.market.next_close)},
      {"trading_hours", trading_hours},
      {"data_staleness",
       {{"last_tick", IsoOrNull(last_tick)},
        {"minutes_ago", minutes_ago},
        {"is_stale", stale},
        {"threshold_minutes", Seconds(threshold) / 60.0}}},
      {"streams", streams},
      {"connection_issues", issues},
      {"last_health_check", FormatIsoUtc(view.now)},
      {"metrics",
       {{"total_streams_expected", c.expected_types.size()},
        {"total_streams_active", active},
        {"buffer_hours", c.buffer_hours}}},
  };
}

}  // namespace

Response Health(ApiState& api, const Request&) {
  auto view = api.source->View();
  int background_streams = 0;
  for (const auto& c : view->contracts) {
    for (const auto& s : c.streams) background_streams += s.subscribed ? 1 : 0;
  }
  const int64_t client_streams = api.sse_active.load();
  const bool connected = view->gateway.connected;
  Json body = {
      {"service", "ib-stream"},
      {"status", connected ? "healthy" : "degraded"},
      {"timestamp", FormatIsoUtc(view->now)},
      {"tws_connected", connected},
      {"connection_details",
       {{"main_service_connected", false},
        {"background_streaming_connected", connected},
        {"main_client_id", nullptr},
        {"background_client_id", view->gateway.client_id}}},
      {"active_streams", client_streams},
      {"background_streams", background_streams},
      {"total_active_streams", client_streams + background_streams},
      {"max_streams", api.options.max_sse_streams},
      {"client_id", view->gateway.client_id},
      {"connection_ports", Json::array({view->gateway.port})},
      {"storage",
       {{"enabled", view->ready},
        {"formats", Json::array({"ibstream"})},
        {"queue_sizes", Json::object()},
        {"message_stats",
         {{"ticks_received", view->counters.ticks_received},
          {"ticks_stored", view->counters.ticks_stored},
          {"ticks_backfilled", view->counters.ticks_backfilled},
          {"accepted_position", view->storage.accepted_position},
          {"durable_position", view->storage.durable_position}}}}},
      {"background_streaming",
       {{"enabled", true},
        {"tracked_contracts", view->contracts.size()},
        {"status", view->ready ? "running" : "starting"}}},
      {"features",
       {{"sse_streaming", true},
        {"websocket_streaming", true},
        {"v3_storage", true},
        {"background_tracking", true}}},
      {"version", api.options.version},
      {"overall_status", std::string(reliability::HealthStatusName(view->overall))},
  };
  return JsonOk(body);
}

Response BackgroundStatus(ApiState& api, const Request&) {
  auto view = api.source->View();
  int active_contracts = 0;
  int total_streams = 0;
  Json contracts = Json::object();
  Json unresolved = Json::array();
  for (const auto& c : view->contracts) {
    Json active = Json::array();
    for (const auto& s : c.streams) {
      if (s.subscribed) active.push_back(std::string(TickTypeName(s.key.type)));
    }
    total_streams += static_cast<int>(active.size());
    if (!active.empty()) ++active_contracts;
    if (c.contract_id == 0) {
      unresolved.push_back({{"description", c.description}, {"error", c.resolve_error}});
      continue;
    }
    contracts[std::to_string(c.contract_id)] = {
        {"symbol", c.symbol},
        {"enabled", true},
        {"expected_tick_types", TypeNames(c.expected_types)},
        {"active_tick_types", active},
        {"stream_count", active.size()},
        {"buffer_hours", c.buffer_hours},
    };
  }
  Json body = {
      {"enabled", true},
      {"timestamp", FormatIsoUtc(view->now)},
      {"status",
       {{"running", view->ready},
        {"tws_connected", view->gateway.connected},
        {"total_contracts", view->contracts.size()},
        {"active_contracts", active_contracts},
        {"total_streams", total_streams},
        {"contracts", contracts},
        {"unresolved_contracts", unresolved}}},
      {"config",
       {{"max_tracked_contracts", nullptr},
        {"reconnect_delay", nullptr},
        {"tracked_contracts_count", view->contracts.size()}}},
  };
  return JsonOk(body);
}

Response BackgroundHealth(ApiState& api, const Request&) {
  auto view = api.source->View();
  Json contracts = Json::object();
  std::map<std::string, int> distribution = {
      {"healthy", 0}, {"degraded", 0}, {"unhealthy", 0}, {"off_hours", 0}, {"unknown", 0}};
  for (const auto& c : view->contracts) {
    std::string status(reliability::HealthStatusName(c.status));
    std::transform(status.begin(), status.end(), status.begin(),
                   [](char ch) { return static_cast<char>(std::tolower(ch)); });
    ++distribution[status];
    if (c.contract_id != 0)
      contracts[std::to_string(c.contract_id)] = ContractHealthJson(api.options, *view, c);
  }
  const std::string now = FormatIsoUtc(view->now);
  Json body = {
      {"enabled", true},
      {"timestamp", now},
      {"overall_status", std::string(reliability::HealthStatusName(view->overall))},
      {"contracts", contracts},
      {"summary",
       {{"total_contracts", view->contracts.size()},
        {"status_distribution",
         {{"healthy", distribution["healthy"]},
          {"degraded", distribution["degraded"]},
          {"unhealthy", distribution["unhealthy"]},
          {"off_hours", distribution["off_hours"]},
          {"unknown", distribution["unknown"]}}},
        {"last_updated", now}}},
      {"last_updated", now},
  };
  return JsonOk(body);
}

Response BackgroundHealthSummary(ApiState& api, const Request&) {
  auto view = api.source->View();
  int active = 0;
  int stale = 0;
  Duration threshold{0};
  for (const auto& c : view->contracts) {
    bool any_active = false;
    bool any_stale = false;
    for (const auto& s : c.streams) {
      any_active = any_active || s.subscribed;
      any_stale = any_stale || s.health.flow == reliability::DataFlow::kStale;
      threshold = std::max(threshold, s.health.staleness_threshold);
    }
    active += any_active ? 1 : 0;
    stale += any_active && any_stale ? 1 : 0;
  }
  if (threshold == Duration::zero()) threshold = api.options.default_staleness_threshold;
  const std::string now = FormatIsoUtc(view->now);
  Json body = {
      {"enabled", true},
      {"timestamp", now},
      {"total_contracts", view->contracts.size()},
      {"active_contracts", active},
      {"stale_contracts", stale},
      {"healthy_contracts", active - stale},
      {"staleness_threshold_minutes", Seconds(threshold) / 60.0},
      {"tws_connected", view->gateway.connected},
      {"last_updated", now},
  };
  return JsonOk(body);
}

Response ContractHealth(ApiState& api, const Request& request) {
  auto view = api.source->View();
  auto lookup = LookupContract(request, *view, "contract_id");
  if (lookup.error) return *lookup.error;
  return JsonOk(ContractHealthJson(api.options, *view, *lookup.contract));
}

Response Livez(ApiState& api, const Request&) {
  return JsonOk({{"status", "alive"}, {"timestamp", FormatIsoUtc(api.source->Now())}});
}

Response Readyz(ApiState& api, const Request&) {
  auto view = api.source->View();
  Json reasons = Json::array();
  if (view->storage.suspended) {
    reasons.push_back("storage writing is suspended after a write error");
  } else if (!view->ready) {
    reasons.push_back("storage is not open");
  }
  if (!view->gateway.connected) {
    reasons.push_back("gateway session is " +
                      (view->gateway.state.empty() ? std::string("down") : view->gateway.state));
  }
  if (reasons.empty()) {
    return JsonOk({{"status", "ready"}, {"timestamp", FormatIsoUtc(view->now)}});
  }
  return Error(503, reasons[0].get<std::string>(),
               {{"ready", false}, {"reasons", reasons}, {"timestamp", FormatIsoUtc(view->now)}});
}

}  // namespace ibstream::http
