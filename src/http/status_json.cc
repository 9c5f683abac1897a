#include "http/status_json.h"

#include <string>

#include "http/api_common.h"
#include "http/recorder_api.h"
#include "http/ws_endpoints.h"

namespace ibstream::http {
namespace {

using recorder::RecorderView;

Json AlertJson(const Alert& alert) {
  Json labels = Json::object();
  for (const auto& [k, v] : alert.labels) labels[k] = v;
  return {
      {"rule", alert.rule},
      {"severity", std::string(AlertSeverityName(alert.severity))},
      {"state", std::string(AlertStateName(alert.state))},
      {"contract_id", alert.contract_id ? Json(*alert.contract_id) : Json(nullptr)},
      {"summary", alert.summary},
      {"labels", labels},
      {"starts_at", FormatIsoUtc(alert.starts_at)},
      {"ends_at", IsoOrNull(alert.ends_at)},
  };
}

// The contracts asking for market depth: whether each has a depth slot, and what it stored.
Json DepthJson(const RecorderView& view) {
  Json out = Json::array();
  for (const auto& d : view.depth) {
    out.push_back({{"contract_id", d.contract_id},
                   {"symbol", d.symbol},
                   {"granted", d.granted},
                   {"reason", d.reason},
                   {"subscribed", d.subscribed},
                   {"records", d.records},
                   {"resets", d.resets},
                   {"gaps", d.gaps},
                   {"last_error", d.last_error}});
  }
  return out;
}

}  // namespace

Response Alerts(ApiState& api, const Request&) {
  auto view = api.source->View();
  Json alerts = Json::array();
  for (const auto& alert : view->alerts) alerts.push_back(AlertJson(alert));
  const size_t total = alerts.size();
  return JsonOk({{"timestamp", FormatIsoUtc(view->now)}, {"total", total}, {"alerts", alerts}});
}

Response StatusView(ApiState& api, const Request&) {
  std::string body = RecorderViewJson(*api.source->View());
  // The view's object, with the WebSocket API's counters added as its last member.
  if (!body.empty() && body.back() == '}') {
    body.pop_back();
    body += ",\"websocket\":" + WsCountersJson(api).dump();
    const std::string extra = api.options.extra_status ? api.options.extra_status() : "";
    if (extra.size() > 2 && extra.front() == '{' && extra.back() == '}') {
      body += "," + extra.substr(1, extra.size() - 2);
    }
    body += "}";
  }
  return JsonResponse(std::move(body));
}

std::string RecorderViewJson(const RecorderView& view) {
  Json contracts = Json::array();
  for (const auto& c : view.contracts) {
    Json streams = Json::array();
    for (const auto& s : c.streams) {
      int gaps = 0;
      int gaps_open = 0;
      for (const auto& gap : view.gaps) {
        if (gap.stream != s.key) continue;
        ++gaps;
        gaps_open += gap.state == storage::BackfillState::kPending ? 1 : 0;
      }
      streams.push_back({
          {"tick_type", std::string(TickTypeName(s.key.type))},
          {"route", s.route},
          {"route_reason", s.route_reason},
          {"subscribed", s.subscribed},
          {"request_id", s.request_id},
          {"ticks", s.ticks},
          {"backfilled_ticks", s.backfilled_ticks},
          {"last_tick_received", IsoOrNull(s.last_tick_received)},
          {"last_exchange_time", IsoOrNull(s.last_exchange_time)},
          {"error_count", s.error_count},
          {"last_error", s.last_error},
          {"interrupted_since", IsoOrNull(s.interrupted_since)},
          {"interruption_cause", s.interruption_cause},
          {"gaps", gaps},
          {"gaps_pending", gaps_open},
          {"health",
           {{"status", std::string(reliability::HealthStatusName(s.health.status))},
            {"flow", std::string(reliability::DataFlowName(s.health.flow))},
            {"issue", std::string(reliability::StreamIssueName(s.health.issue))},
            {"score", s.health.health_score()},
            {"messages_per_minute", s.health.messages_per_minute_1m},
            {"breaker", std::string(reliability::BreakerStateName(s.health.breaker_state))}}},
      });
    }
    Json routes = Json::array();
    for (const auto& r : c.routes) {
      routes.push_back({
          {"tick_type", std::string(TickTypeName(r.type))},
          {"route", r.route},
          {"reason", r.reason},
          {"recorded_as",
           r.recorded_as ? Json(std::string(TickTypeName(*r.recorded_as))) : Json(nullptr)},
      });
    }
    contracts.push_back({
        {"contract_id", c.contract_id},
        {"description", c.description},
        {"key", c.key},
        {"origin", c.from_api ? "api" : "config"},
        {"symbol", c.symbol},
        {"sec_type", c.sec_type},
        {"exchange", c.exchange},
        {"local_symbol", c.local_symbol},
        {"resolved", c.resolved},
        {"resolve_error", c.resolve_error},
        {"calendar_error", c.calendar_error},
        {"time_zone_id", c.time_zone_id},
        {"market",
         {{"status", std::string(calendar::MarketStatusName(c.market.status))},
          {"next_open", IsoOrNull(c.market.next_open)},
          {"next_close", IsoOrNull(c.market.next_close)}}},
        {"status", std::string(reliability::HealthStatusName(c.status))},
        {"expected_tick_types", TypeNames(c.expected_types)},
        {"routes", routes},
        {"streams", streams},
    });
  }
  Json ib_errors = Json::object();
  for (const auto& [code, count] : view.counters.ib_errors) ib_errors[std::to_string(code)] = count;
  Json alerts = Json::array();
  for (const auto& alert : view.alerts) alerts.push_back(AlertJson(alert));
  Json body = {
      {"now", FormatIsoUtc(view.now)},
      {"started_at", FormatIsoUtc(view.started_at)},
      {"ready", view.ready},
      {"overall", std::string(reliability::HealthStatusName(view.overall))},
      {"gateway",
       {{"connected", view.gateway.connected},
        {"state", view.gateway.state},
        {"host", view.gateway.host},
        {"port", view.gateway.port},
        {"client_id", view.gateway.client_id},
        {"server_version", view.gateway.server_version},
        {"connected_since", IsoOrNull(view.gateway.connected_since)},
        {"down_since", IsoOrNull(view.gateway.down_since)},
        {"last_disconnect_reason", view.gateway.last_disconnect_reason},
        {"connections", view.gateway.connections},
        {"connect_attempts", view.gateway.connect_attempts}}},
      {"storage",
       {{"path", view.storage.path},
        {"accepted_position", view.storage.accepted_position},
        {"durable_position", view.storage.durable_position},
        {"suspended", view.storage.suspended},
        {"low_space", view.storage.low_space},
        {"available_bytes", view.storage.available_bytes}}},
      {"counters",
       {{"ticks_received", view.counters.ticks_received},
        {"ticks_stored", view.counters.ticks_stored},
        {"ticks_backfilled", view.counters.ticks_backfilled},
        {"sessions_lost", view.counters.sessions_lost},
        {"reconnects", view.counters.reconnects},
        {"resubscribes", view.counters.resubscribes},
        {"gaps_opened", view.counters.gaps_opened},
        {"backfill_requests", view.counters.backfill_requests},
        {"backfill_failures", view.counters.backfill_failures},
        {"backfill_retries", view.counters.backfill_retries},
        {"backfill_ticks_refused", view.counters.backfill_ticks_refused},
        {"pacer_state_damaged", view.counters.pacer_state_damaged},
        {"gap_ledger_adds_refused", view.counters.gap_ledger_adds_refused},
        {"sealed_files_damaged", view.counters.sealed_files_damaged},
        {"alerts_fired", view.counters.alerts_fired},
        {"runtime_contract_errors", view.counters.runtime_contract_errors},
        {"ib_errors", ib_errors}}},
      {"stream_plan",
       {{"tick_by_tick_limit", view.plan.tick_by_tick_limit},
        {"market_data_lines", view.plan.market_data_lines},
        {"tick_by_tick_used", view.plan.tick_by_tick_used},
        {"lines_used", view.plan.lines_used},
        {"streams",
         {{"tick_by_tick", view.plan.tick_by_tick_streams},
          {"fallback", view.plan.fallback_streams},
          {"unserved", view.plan.unserved_streams}}}}},
      {"contracts", contracts},
      {"depth", DepthJson(view)},
      {"alerts", alerts},
  };
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace ibstream::http
