#include "http/original_endpoints.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/api_common.h"
#include "http/contract_service_endpoints.h"
#include "http/v2_buffer_endpoints.h"

namespace ibstream::http {
namespace {

using recorder::RecorderView;

Json Limits(const ApiState& api) {
  // No default timeout: a stream without `timeout` runs until its client goes (or `limit`).
  return {{"max_concurrent_streams", api.options.max_sse_streams},
          {"default_timeout_seconds", nullptr}};
}

Json TickTypeDescriptions() {
  return {{"last", "Regular trades during market hours"},
          {"all_last", "All trades including pre/post market"},
          {"bid_ask", "Real-time bid and ask quotes"},
          {"mid_point", "Calculated midpoint between bid and ask"}};
}

Json StreamJson(const LiveStreams::ActiveStream& s, TimePoint now) {
  return {{"stream_id", s.stream_id},
          {"contract_id", s.contract_id},
          {"tick_type", std::string(TickTypeName(s.type))},
          {"start_time", FormatIsoUtc(s.started)},
          {"duration_seconds",
           std::chrono::duration_cast<std::chrono::seconds>(now - s.started).count()}};
}

Response StoppedJson(const std::vector<LiveStreams::ActiveStream>& stopped, TimePoint now,
                     const std::string& message) {
  Json list = Json::array();
  for (const auto& s : stopped) {
    Json entry = StreamJson(s, now);
    entry.erase("start_time");
    list.push_back(std::move(entry));
  }
  return JsonOk(
      {{"message", message}, {"stopped_streams", list}, {"timestamp", FormatIsoUtc(now)}});
}

}  // namespace

Response V2Info(ApiState& api, const Request&) {
  Json body = {
      {"version", "2.0.0"},
      {"protocol", "v2"},
      {"usage",
       {{"single_stream", "/v2/stream/{contract_id}/live/{tick_type}"},
        {"multi_stream", "/v2/stream/{contract_id}/live?tick_types=bid_ask,last"},
        {"buffer_stream", "/v2/stream/{contract_id}/buffer?tick_types=bid_ask,last"},
        {"websocket", "ws://{host}/v2/ws/stream"},
        {"description", "Stream market data using v2 unified protocol"},
        {"example", "/v2/stream/12345/live/bid_ask?limit=100&timeout=60"}}},
      {"tick_types", TickTypeDescriptions()},
      {"query_parameters",
       {{"limit", "Number of ticks before auto-stop (integer, optional, max: 10000)"},
        {"timeout", "Stream timeout in seconds (integer, optional, range: 5-3600)"},
        {"tick_types",
         "Comma-separated tick types for multi-stream (string, required for multi-stream)"}}},
      {"message_structure",
       {{"type", "Message type (tick, error, complete, info)"},
        {"stream_id", "Unique stream identifier"},
        {"timestamp", "ISO-8601 UTC timestamp, to the microsecond"},
        {"data", "Message-specific payload"},
        {"metadata", "Optional metadata object"}}},
      {"stream_id_format", "{contract_id}_{tick_type}_{timestamp}_{sequence}"},
      {"limits", Limits(api)},
  };
  return JsonOk(body);
}

Response V3Info(ApiState&, const Request&) {
  Json body = {
      {"version", "3.0"},
      {"description", "Optimized storage format with 50%+ size reduction"},
      {"optimizations",
       {{"field_names", "Shortened field names (ts, st, cid, tt, rid)"},
        {"structure", "Flat structure without nested objects"},
        {"conditionals", "Optional fields only included when present"},
        {"storage_reduction", "60-70% size reduction vs v2 format"}}},
      {"field_mapping",
       {{"ts", "IB timestamp (microseconds since epoch)"},
        {"st", "System timestamp (microseconds since epoch)"},
        {"cid", "Contract ID"},
        {"tt", "Tick type"},
        {"rid", "Request ID (always 0)"},
        {"bp", "Bid price (optional)"},
        {"bs", "Bid size (optional)"},
        {"ap", "Ask price (optional)"},
        {"as", "Ask size (optional)"},
        {"p", "Price (optional)"},
        {"s", "Size (optional)"},
        {"v", "Volume (optional, trade records of the fallback streams)"},
        {"mp", "Mid point (optional)"},
        {"bpl", "Bid past low (only when true)"},
        {"aph", "Ask past high (only when true)"},
        {"upt", "Unreported trade (only when true)"}}},
      {"formats", Json::array({"json", "protobuf"})},
      {"endpoints",
       {{"/v3/buffer/{contract_id}/query", "Query v3 buffer data with time range"},
        {"/v3/buffer/{contract_id}/info", "V3 buffer information and statistics"},
        {"/v3/storage/stats", "Storage statistics"},
        {"/v3/storage/files/{contract_id}", "Where a contract's stored data is read"}}},
  };
  return JsonOk(body);
}

Response StreamInfo(ApiState& api, const Request&) {
  Json body = {
      {"usage",
       {{"endpoint", "/v2/stream/{contract_id}/live/{tick_type}"},
        {"description", "Stream market data for a contract with specific tick type"},
        {"example", "/v2/stream/12345/live/bid_ask?limit=100&timeout=60"}}},
      {"tick_types", TickTypeDescriptions()},
      {"query_parameters",
       {{"limit", "Number of ticks before auto-stop (integer, optional, max: 10000)"},
        {"timeout", "Stream timeout in seconds (integer, optional, range: 5-3600)"}}},
      {"sse_event_types",
       {{"tick", "Market data tick"},
        {"error", "Stream error"},
        {"complete", "Stream completion"},
        {"info", "Stream metadata"}}},
      {"limits", Limits(api)},
  };
  return JsonOk(body);
}

// The original's MultiStorage.get_storage_info(), from the view.
Json StorageInfo(const RecorderView& view) {
  const recorder::StorageView& s = view.storage;
  const recorder::RecorderCounters& c = view.counters;
  Json details = {
      {"type", "ibstream journal and closed files"},
      {"path", s.path},
      {"accepted_position", s.accepted_position},
      {"durable_position", s.durable_position},
      {"available_bytes", s.available_bytes},
      {"low_space", s.low_space},
      {"suspended", s.suspended},
      {"recovered_corrupt_files", s.recovered_corrupt_files},
      {"gap_ledger_damaged_files", s.gap_ledger_damaged_files},
  };
  Json stats = {
      {"enabled_formats", Json::array({"ibstream"})},
      {"storage_path", s.path},
      {"v3_only_mode", false},
      {"queue_sizes", Json::object()},
      {"message_stats",
       {{"ticks_received", c.ticks_received},
        {"ticks_stored", c.ticks_stored},
        {"ticks_backfilled", c.ticks_backfilled},
        {"rejected_queue_full", s.rejected_queue_full},
        {"rejected_suspended", s.rejected_suspended},
        {"lost_on_write_error", s.lost_on_write_error}}},
      {"storage_details", {{"ibstream", details}}},
      {"storage_comparison",
       {{"v2_total_mb", 0},
        {"v3_total_mb", 0},
        {"savings_mb", 0},
        {"savings_percent", 0},
        {"by_format", Json::object()}}},
  };
  return stats;
}

Response StorageStats(ApiState& api, const Request&) {
  auto view = api.source->View();
  if (!view->storage_open()) return Refuse(503, "Storage system not available");
  Json body = {
      {"v3_storage_stats", StorageInfo(*view)},
      {"optimization_summary",
       {{"target_reduction", "50%+"},
        {"achieved_reduction", "0.0%"},
        {"formats_supported", Json::array({"json", "protobuf"})},
        {"parallel_storage", "ibstream store; v3 files written beside it when configured"}}},
  };
  return JsonOk(body);
}

Response StorageStatus(ApiState& api, const Request&) {
  auto view = api.source->View();
  if (!view->storage_open()) {
    return JsonOk({{"enabled", false}, {"message", "Storage system is not open"}});
  }
  const recorder::StorageView& s = view->storage;
  return JsonOk({{"enabled", true},
                 {"timestamp", FormatIsoUtc(view->now)},
                 {"info", StorageInfo(*view)},
                 {"metrics",
                  {{"ticks_stored", view->counters.ticks_stored},
                   {"durable_position", s.durable_position},
                   {"available_bytes", s.available_bytes},
                   {"suspended", s.suspended}}},
                 {"config",
                  {{"storage_path", s.path},
                   {"json_enabled", false},
                   {"protobuf_enabled", false},
                   {"postgres_enabled", false},
                   {"metrics_enabled", true}}}});
}

Response StorageFiles(ApiState& api, const Request& request) {
  const std::string format = request.Query("format").value_or("json");
  if (format != "json" && format != "protobuf") {
    return Refuse(400, "Format must be 'json' or 'protobuf'", {{"parameter", "format"}});
  }
  auto view = api.source->View();
  auto lookup = LookupContract(request, *view);
  if (lookup.error) return *lookup.error;
  Json filter = nullptr;
  if (auto text = request.Query("tick_type")) {
    auto type = ParseTickType(*text);
    if (!type.ok()) {
      return Refuse(400, type.status().message(), {{"parameter", "tick_type"}});
    }
    filter = std::string(TickTypeName(type.value()));
  }
  const std::string id = std::to_string(lookup.id);
  Json body = {
      {"contract_id", lookup.id},
      {"format", format},
      {"tick_type_filter", filter},
      {"total_files", 0},
      {"total_size_mb", 0.0},
      {"files", Json::array()},
      {"message", "ticks are stored in the recorder's own store at " + view->storage.path +
                      ", not in v3 files; read them as v3 records with /v3/buffer/" + id +
                      "/query?format=" + format + " or `ibstream query`"},
  };
  return JsonOk(body);
}

Response ActiveStreams(ApiState& api, LiveStreams& streams, const Request&) {
  const TimePoint now = api.source->Now();
  Json list = Json::array();
  for (const auto& s : streams.Active()) list.push_back(StreamJson(s, now));
  return JsonOk({{"active_streams", list},
                 {"total_streams", list.size()},
                 {"max_streams", api.options.max_sse_streams}});
}

Response StopAllStreams(ApiState& api, LiveStreams& streams, const Request&) {
  auto stopped = streams.Stop(std::nullopt);
  return StoppedJson(stopped, api.source->Now(),
                     "Stopped " + std::to_string(stopped.size()) + " streams");
}

Response StopContractStreams(ApiState& api, LiveStreams& streams, const Request& request) {
  const std::string& raw = request.path_params.at("id");
  auto id = ParseContractId(raw);
  if (!id) return Refuse(400, "Invalid contract ID", {{"contract_id", raw}});
  auto stopped = streams.Stop(*id);
  if (stopped.empty()) {
    return Refuse(404, "No active streams found for contract " + std::to_string(*id),
                  {{"contract_id", *id}});
  }
  return StoppedJson(
      stopped, api.source->Now(),
      "Stopped " + std::to_string(stopped.size()) + " streams for contract " + std::to_string(*id));
}

void RegisterOriginalEndpoints(Router& router, const std::shared_ptr<ApiState>& state,
                               const std::shared_ptr<LiveStreams>& streams) {
  using Endpoint = Response (*)(ApiState&, const Request&);
  using StreamEndpoint = Response (*)(ApiState&, LiveStreams&, const Request&);
  auto bind = [&state](Endpoint endpoint) {
    return [state, endpoint](const Request& r) { return endpoint(*state, r); };
  };
  auto bind_streams = [&state, &streams](StreamEndpoint endpoint) {
    return [state, streams, endpoint](const Request& r) { return endpoint(*state, *streams, r); };
  };
  const RouteOptions with_token{.requires_token = true};

  router.Get("/v2/info", bind(&V2Info));
  router.Get("/v3/info", bind(&V3Info));
  router.Get("/storage/status", bind(&StorageStatus));
  router.Get("/v3/storage/stats", bind(&StorageStats));
  router.Get("/v3/storage/files/{id}", bind(&StorageFiles));
  router.Get("/v2/buffer/{id}/info", bind(&V2BufferInfo));
  router.Get("/v2/buffer/{id}/stats", bind(&V2BufferStats));
  router.Get("/v2/buffer/{id}/range", bind(&V2BufferRange));
  router.Get("/stream/info", bind(&StreamInfo));
  router.Get("/stream/active", bind_streams(&ActiveStreams));
  // /stream/all before /stream/{id}: the first matching route answers.
  router.Delete("/stream/all", bind_streams(&StopAllStreams), with_token);
  router.Delete("/stream/{id}", bind_streams(&StopContractStreams), with_token);
  router.Get("/lookup/{symbol}", bind(&LookupSymbol));
  router.Get("/lookup/{symbol}/{sec_type}", bind(&LookupSymbol));
  router.Get("/contracts/{id}", bind(&ContractDetails));
  router.Get("/trading-hours/{id}", bind(&TradingHours));

  // The paths ib-studies streams from (its stream_client.py and multi_stream_client.py).
  auto live = [streams](bool type_in_path) {
    return [streams, type_in_path](const Request& r, std::shared_ptr<SseSink> sink) {
      return streams->Live(r, std::move(sink), type_in_path);
    };
  };
  router.Sse("/v2/stream/{id}/{tick_type}", live(/*type_in_path=*/true));
  router.Sse("/v2/stream/{id}", live(/*type_in_path=*/false));
  router.Sse("/stream/{id}/{tick_type}", live(/*type_in_path=*/true));
}

}  // namespace ibstream::http
