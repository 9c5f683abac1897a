#include "http/recorder_api.h"

#include <date/date.h>
#include <toml++/toml.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "export/python_float.h"
#include "export/v3_json.h"
#include "export/v3_protobuf.h"
#include "export/v3_record.h"
#include "http/dashboard.h"
#include "http/prometheus.h"

namespace ibstream::http {
namespace {

using Json = nlohmann::ordered_json;
using recorder::ContractView;
using recorder::RecorderView;
using recorder::StreamView;

// --- small helpers ------------------------------------------------------------------------------

Response JsonOk(const Json& body, int status = 200) {
  return JsonResponse(body.dump(-1, ' ', false, Json::error_handler_t::replace), status);
}

// The shape of every 4xx/5xx: {"error": message, "status": code, ...extra}.
Response Error(int status, std::string_view message, Json extra = Json::object()) {
  Json body = {{"error", std::string(message)}, {"status", status}};
  for (auto& [key, value] : extra.items()) body[key] = value;
  return JsonOk(body, status);
}

Json IsoOrNull(const std::optional<TimePoint>& t) {
  return t ? Json(FormatIsoUtc(*t)) : Json(nullptr);
}

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// A conId: 1..999,999,999,999 (the original's bounds).
std::optional<int64_t> ParseContractId(std::string_view text) {
  auto value = ParseInt(text);
  if (!value || *value <= 0 || *value > 999'999'999'999) return std::nullopt;
  return value;
}

const ContractView* FindContract(const RecorderView& view, int64_t id) {
  for (const ContractView& c : view.contracts) {
    if (c.resolved && c.contract_id == id) return &c;
  }
  return nullptr;
}

Json TrackedIds(const RecorderView& view) {
  Json ids = Json::array();
  for (const ContractView& c : view.contracts) {
    if (c.contract_id != 0) ids.push_back(c.contract_id);
  }
  return ids;
}

bool Records(const ContractView& c, TickType type) {
  return std::find(c.expected_types.begin(), c.expected_types.end(), type) !=
         c.expected_types.end();
}

Json TypeNames(const std::vector<TickType>& types) {
  Json out = Json::array();
  for (TickType t : types) out.push_back(std::string(TickTypeName(t)));
  return out;
}

// The 404 for the first of `types` the contract does not record; empty when it records them all.
std::optional<Response> RefuseUnrecorded(const ContractView& c,
                                         const std::vector<TickType>& types) {
  for (TickType type : types) {
    if (!Records(c, type)) {
      return Error(404, "tick type not recorded for this contract",
                   {{"tick_type", std::string(TickTypeName(type))},
                    {"recorded_tick_types", TypeNames(c.expected_types)}});
    }
  }
  return std::nullopt;
}

// Looks up the path's contract: 400 for a bad id, 404 for one not tracked.
struct ContractLookup {
  std::optional<Response> error;
  const ContractView* contract = nullptr;
  int64_t id = 0;
};

ContractLookup LookupContract(const Request& request, const RecorderView& view,
                              const char* param = "id") {
  ContractLookup out;
  const std::string& raw = request.path_params.at(param);
  auto id = ParseContractId(raw);
  const std::string now = FormatIsoUtc(view.now);
  if (!id) {
    out.error = Error(400, "Invalid contract ID", {{"contract_id", raw}, {"timestamp", now}});
    return out;
  }
  out.id = *id;
  out.contract = FindContract(view, *id);
  if (out.contract == nullptr) {
    out.error =
        Error(404, "Contract not tracked",
              {{"contract_id", *id}, {"tracked_contracts", TrackedIds(view)}, {"timestamp", now}});
  }
  return out;
}

// "bid_ask,last" (either spelling, de-duplicated, order kept); 400 on an unknown name.
Result<std::vector<TickType>> ParseTickTypes(std::string_view csv) {
  std::vector<TickType> out;
  while (!csv.empty()) {
    const size_t comma = csv.find(',');
    std::string_view item = csv.substr(0, comma);
    csv = comma == std::string_view::npos ? std::string_view() : csv.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    auto type = ParseTickType(item);
    if (!type.ok()) return type.status();
    if (std::find(out.begin(), out.end(), type.value()) == out.end()) out.push_back(type.value());
  }
  if (out.empty()) return InvalidArgument("no tick type given");
  return out;
}

// An integer query parameter within [low, high]; nullopt when absent.
struct IntParam {
  std::optional<int64_t> value;
  std::optional<Response> error;
};
IntParam ReadIntParam(const Request& request, const std::string& name, int64_t low, int64_t high) {
  IntParam out;
  auto raw = request.Query(name);
  if (!raw) return out;
  auto value = ParseInt(*raw);
  if (!value || *value < low || *value > high) {
    out.error = Error(
        400,
        name + " must be an integer from " + std::to_string(low) + " to " + std::to_string(high),
        {{"parameter", name}, {"value", *raw}});
    return out;
  }
  out.value = value;
  return out;
}

std::string_view OriginalMarketStatus(MarketStatus status) {
  switch (status) {
    case MarketStatus::kOpen:
      return "open";
    case MarketStatus::kExtended:
      return "after_hours";
    case MarketStatus::kUnknown:
      return "unknown";
    default:
      return "closed";
  }
}

std::string FormatDate(LocalDays day) {
  return date::format("%Y-%m-%d", date::year_month_day(day));
}

// --- tick rendering -----------------------------------------------------------------------------

void AppendJsonString(std::string_view text, std::string& out) {
  out += Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

void AppendFloatOrNull(double value, std::string& out) {
  if (std::isnan(value) || std::isinf(value)) {
    out += "null";
  } else {
    AppendPythonFloat(value, out);
  }
}

void AppendBool(bool value, std::string& out) { out += value ? "true" : "false"; }

// Envelope timestamps: UTC ISO with 'Z', to the microsecond (omitted when zero).
std::string EnvelopeTime(TimePoint t) {
  return FormatIsoUtc(std::chrono::floor<std::chrono::microseconds>(t));
}

std::string Envelope(std::string_view type, std::string_view stream_id, TimePoint now,
                     std::string_view data_json, std::string_view metadata_json = {}) {
  std::string out = "{\"type\": ";
  AppendJsonString(type, out);
  out += ", \"stream_id\": ";
  AppendJsonString(stream_id, out);
  out += ", \"timestamp\": \"";
  out += EnvelopeTime(now);
  out += "\", \"data\": ";
  out += data_json;
  if (!metadata_json.empty()) {
    out += ", \"metadata\": ";
    out += metadata_json;
  }
  out += '}';
  return out;
}

std::string PythonJson(const Json& value) {
  // Python's json.dumps default separators: ", " and ": ".
  std::string compact = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(compact.size() + compact.size() / 4);
  bool in_string = false;
  bool escaped = false;
  for (char c : compact) {
    out += c;
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == ',' || c == ':') {
      out += ' ';
    }
  }
  return out;
}

// --- shared API state ---------------------------------------------------------------------------

// What handlers and fan-out consumers share. Consumers may outlive the router (until they are
// unsubscribed), so this holds no threads.
struct Shared {
  std::shared_ptr<RecorderApiSource> source;
  RecorderApiOptions options;
  std::atomic<uint64_t> next_stream{1000};
  std::atomic<uint64_t> sse_started{0};
  std::atomic<int64_t> sse_active{0};
  std::atomic<uint64_t> sse_ticks_sent{0};
  std::atomic<uint64_t> sse_dropped{0};
  std::atomic<uint64_t> backfill_requests{0};
  std::atomic<uint64_t> contract_changes{0};
  std::atomic<uint64_t> bad_requests{0};
  std::atomic<int64_t> replays_active{0};

  std::string NewStreamId(int64_t contract_id, TickType type) {
    return std::to_string(contract_id) + "_" + std::string(TickTypeName(type)) + "_" +
           std::to_string(ToUnixNanos(source->Now()) / 1'000'000) + "_" +
           std::to_string(next_stream.fetch_add(1));
  }
};

// One SSE client. Pushes happen on the recorder's thread (live ticks), the replay thread and the
// timer thread; `mu` orders them and guards everything below it.
class SseSession {
 public:
  SseSession(std::shared_ptr<Shared> shared, std::shared_ptr<SseSink> sink, int64_t contract_id,
             std::map<TickType, std::string> stream_ids, std::optional<int64_t> limit)
      : shared_(std::move(shared)),
        sink_(std::move(sink)),
        contract_id_(contract_id),
        stream_ids_(std::move(stream_ids)),
        limit_(limit),
        started_(shared_->source->Now()) {}

  const std::shared_ptr<SseSink>& sink() const { return sink_; }
  std::atomic<uint64_t> fanout_id{0};

  std::string StreamId(TickType type) const {
    auto it = stream_ids_.find(type);
    return it != stream_ids_.end() ? it->second : stream_ids_.begin()->second;
  }
  std::string MainStreamId() const { return stream_ids_.begin()->second; }

  // Queues a non-tick event (info, error). False once the session is over.
  bool PushEvent(std::string_view type, std::string_view stream_id, const Json& data) {
    std::lock_guard lock(mu_);
    if (finished_) return false;
    return PushLocked(type, Envelope(type, stream_id, shared_->source->Now(), PythonJson(data)));
  }

  // A live tick from the fan-out (recorder thread). False: unsubscribe me.
  bool OnLive(const Tick& tick) {
    std::lock_guard lock(mu_);
    if (finished_) return false;
    // A live tick the buffer replay already sent is not sent again.
    if (auto it = last_replayed_.find(tick.type); it != last_replayed_.end() &&
                                                  tick.source == TickSource::kLive &&
                                                  tick.sequence <= it->second) {
      return true;
    }
    if (replaying_) {
      if (pending_.size() >= shared_->options.max_pending_live_ticks) {
        ErrorLocked("BUFFER_ERROR", "the client did not keep up with the buffer replay");
        return false;
      }
      pending_.push_back(tick);
      return true;
    }
    return EmitLocked(tick, {});
  }

  // Replay: one stored tick with its position. False once the session is over.
  bool OnReplayed(const Tick& tick, size_t index, size_t total) {
    std::lock_guard lock(mu_);
    if (finished_) return false;
    uint64_t& last = last_replayed_[tick.type];
    last = std::max(last, tick.sequence);
    std::string metadata = "{\"historical\": true, \"buffer_index\": " + std::to_string(index) +
                           ", \"buffer_total\": " + std::to_string(total) + "}";
    return EmitLocked(tick, metadata);
  }

  void StartReplay() {
    std::lock_guard lock(mu_);
    replaying_ = true;
  }

  // Ends the replay: the live ticks that arrived meanwhile (not already replayed) go out, then
  // live ticks flow directly.
  bool FinishReplay() {
    std::lock_guard lock(mu_);
    replaying_ = false;
    while (!pending_.empty() && !finished_) {
      const Tick tick = pending_.front();
      pending_.pop_front();
      auto it = last_replayed_.find(tick.type);
      if (tick.source == TickSource::kLive && it != last_replayed_.end() &&
          tick.sequence <= it->second) {
        continue;
      }
      if (!EmitLocked(tick, {})) break;
    }
    pending_.clear();
    return !finished_;
  }

  // Ends the stream with a `complete` event (limit_reached, timeout, server_shutdown ...).
  void Finish(std::string_view reason) {
    {
      std::lock_guard lock(mu_);
      FinishLocked(reason);
    }
    shared_->source->Unsubscribe(fanout_id.load());
  }

  void Error(std::string_view code, std::string_view message) {
    {
      std::lock_guard lock(mu_);
      ErrorLocked(code, message);
    }
    shared_->source->Unsubscribe(fanout_id.load());
  }

  // The client went away (server thread).
  void OnClientGone() {
    {
      std::lock_guard lock(mu_);
      finished_ = true;
      pending_.clear();
    }
    shared_->source->Unsubscribe(fanout_id.load());
  }

  bool finished() {
    std::lock_guard lock(mu_);
    return finished_;
  }

 private:
  bool PushLocked(std::string_view type, const std::string& envelope) {
    if (!sink_->Push(FormatSseEvent(type, envelope))) {
      if (!finished_ && sink_->overflowed()) shared_->sse_dropped.fetch_add(1);
      finished_ = true;
      return false;
    }
    return true;
  }

  bool EmitLocked(const Tick& tick, std::string_view metadata) {
    const std::string envelope =
        Envelope("tick", StreamId(tick.type), shared_->source->Now(), TickDataJson(tick), metadata);
    if (!PushLocked("tick", envelope)) return false;
    ++sent_;
    shared_->sse_ticks_sent.fetch_add(1, std::memory_order_relaxed);
    if (limit_ && static_cast<int64_t>(sent_) >= *limit_) {
      FinishLocked("limit_reached");
      return false;
    }
    return true;
  }

  void ErrorLocked(std::string_view code, std::string_view message) {
    if (finished_) return;
    Json data = {{"code", std::string(code)},
                 {"message", std::string(message)},
                 {"details", {{"contract_id", contract_id_}}},
                 {"recoverable", false}};
    PushLocked("error",
               Envelope("error", MainStreamId(), shared_->source->Now(), PythonJson(data)));
    FinishLocked("error");
  }

  void FinishLocked(std::string_view reason) {
    if (finished_) return;
    Json data = {{"reason", std::string(reason)},
                 {"total_ticks", sent_},
                 {"duration_seconds", Seconds(shared_->source->Now() - started_)}};
    // Best effort: a full queue has already closed the sink.
    sink_->Push(FormatSseEvent("complete", Envelope("complete", MainStreamId(),
                                                    shared_->source->Now(), PythonJson(data))));
    finished_ = true;
    pending_.clear();
    sink_->Close();
  }

  const std::shared_ptr<Shared> shared_;
  const std::shared_ptr<SseSink> sink_;
  const int64_t contract_id_;
  const std::map<TickType, std::string> stream_ids_;
  const std::optional<int64_t> limit_;
  const TimePoint started_;

  std::mutex mu_;
  bool finished_ = false;
  uint64_t sent_ = 0;
  bool replaying_ = false;
  std::deque<Tick> pending_;
  std::map<TickType, uint64_t> last_replayed_;
};

// The API: handlers plus the threads SSE needs (timeouts, buffer replays). Joined on destruction.
class Api {
 public:
  Api(std::shared_ptr<RecorderApiSource> source, RecorderApiOptions options)
      : shared_(std::make_shared<Shared>()) {
    shared_->source = std::move(source);
    shared_->options = std::move(options);
  }

  ~Api() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (timer_thread_.joinable()) timer_thread_.join();
    for (auto& t : replays_) t.thread.join();
    // Ends the subscriptions of streams still running (they hold their sessions). No event is
    // sent: the server, and the loop that wakes its writers, may be gone already.
    for (auto& weak : sessions_) {
      if (auto session = weak.lock()) session->OnClientGone();
    }
  }

  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  void Register(Router& router, const std::shared_ptr<Api>& self);

 private:
  // Plain endpoints.
  Response Health(const Request&);
  Response BackgroundStatus(const Request&);
  Response BackgroundHealth(const Request&);
  Response BackgroundHealthSummary(const Request&);
  Response ContractHealth(const Request&);
  Response BufferInfo(const Request&);
  Response BufferQuery(const Request&);
  Response MarketStatusOf(const Request&);
  Response TradingSchedule(const Request&);
  Response Metrics(const Request&);
  Response Livez(const Request&);
  Response Readyz(const Request&);
  Response Gaps(const Request&);
  Response Alerts(const Request&);
  Response Backfill(const Request&);
  Response Contracts(const Request&);
  Response TrackContract(const Request&);
  Response UntrackContract(const Request&);
  Response StatusView(const Request&);
  // SSE endpoints.
  Response Live(const Request&, std::shared_ptr<SseSink> sink, bool type_in_path);
  Response Buffer(const Request&, std::shared_ptr<SseSink> sink);

  Json ContractHealthJson(const RecorderView& view, const ContractView& c) const;

  // Starts a session's fan-out subscription and its bookkeeping; refuses over the stream limit.
  std::optional<Response> CheckStreamLimit() const;
  std::shared_ptr<SseSession> StartSession(const std::shared_ptr<SseSink>& sink,
                                           const ContractView& c,
                                           const std::vector<TickType>& types,
                                           std::optional<int64_t> limit);
  void AddDeadline(std::chrono::steady_clock::time_point at, std::weak_ptr<SseSession> session);
  void TimerLoop();
  void Replay(std::shared_ptr<SseSession> session, std::vector<StreamKey> streams, Duration span,
              std::string duration_text, std::optional<int64_t> limit);
  void ReapReplays();  // mu_ held

  std::shared_ptr<Shared> shared_;
  RecorderApiSource& source() const { return *shared_->source; }
  const RecorderApiOptions& options() const { return shared_->options; }

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::multimap<std::chrono::steady_clock::time_point, std::weak_ptr<SseSession>>
      deadlines_;  // guarded by mu_
  std::thread timer_thread_;
  struct ReplayThread {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<ReplayThread> replays_;                // guarded by mu_
  std::vector<std::weak_ptr<SseSession>> sessions_;  // guarded by mu_
};

// --- endpoints ----------------------------------------------------------------------------------

Response Api::Health(const Request&) {
  auto view = source().View();
  int background_streams = 0;
  for (const auto& c : view->contracts) {
    for (const auto& s : c.streams) background_streams += s.subscribed ? 1 : 0;
  }
  const int64_t client_streams = shared_->sse_active.load();
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
      {"max_streams", options().max_sse_streams},
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
        {"websocket_streaming", false},
        {"v3_storage", true},
        {"background_tracking", true}}},
      {"version", options().version},
      {"overall_status", std::string(reliability::HealthStatusName(view->overall))},
  };
  return JsonOk(body);
}

Response Api::BackgroundStatus(const Request&) {
  auto view = source().View();
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

Json Api::ContractHealthJson(const RecorderView& view, const ContractView& c) const {
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
  if (threshold == Duration::zero()) threshold = options().default_staleness_threshold;
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
      {"market_status", std::string(MarketStatusName(c.market.status))},
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

Response Api::BackgroundHealth(const Request&) {
  auto view = source().View();
  Json contracts = Json::object();
  std::map<std::string, int> distribution = {
      {"healthy", 0}, {"degraded", 0}, {"unhealthy", 0}, {"off_hours", 0}, {"unknown", 0}};
  for (const auto& c : view->contracts) {
    std::string status(reliability::HealthStatusName(c.status));
    std::transform(status.begin(), status.end(), status.begin(),
                   [](char ch) { return static_cast<char>(std::tolower(ch)); });
    ++distribution[status];
    if (c.contract_id != 0) contracts[std::to_string(c.contract_id)] = ContractHealthJson(*view, c);
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

Response Api::BackgroundHealthSummary(const Request&) {
  auto view = source().View();
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
  if (threshold == Duration::zero()) threshold = options().default_staleness_threshold;
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

Response Api::ContractHealth(const Request& request) {
  auto view = source().View();
  auto lookup = LookupContract(request, *view, "contract_id");
  if (lookup.error) return *lookup.error;
  return JsonOk(ContractHealthJson(*view, *lookup.contract));
}

Response Api::BufferInfo(const Request& request) {
  auto view = source().View();
  auto lookup = LookupContract(request, *view);
  if (lookup.error) return *lookup.error;
  auto types = ParseTickTypes(request.Query("tick_types").value_or("bid_ask,last"));
  if (!types.ok()) return Error(400, types.status().message(), {{"parameter", "tick_types"}});
  const ContractView& c = *lookup.contract;
  Json streams = Json::object();
  for (TickType type : types.value()) {
    const StreamView* found = nullptr;
    for (const auto& s : c.streams) {
      if (s.key.type == type) found = &s;
    }
    streams[std::string(TickTypeName(type))] =
        found == nullptr ? Json({{"recorded", false}})
                         : Json({{"recorded", true},
                                 {"ticks", found->ticks},
                                 {"backfilled_ticks", found->backfilled_ticks},
                                 {"last_tick", IsoOrNull(found->last_tick_received)},
                                 {"last_exchange_time", IsoOrNull(found->last_exchange_time)}});
  }
  Json empty_stats = {{"total_files", 0}, {"total_size_bytes", 0}, {"total_size_mb", 0.0}};
  Json body = {
      {"contract_id", c.contract_id},
      {"tick_types", TypeNames(types.value())},
      {"v3_storage",
       {{"json_path", nullptr},
        {"protobuf_path", nullptr},
        {"available_formats", Json::array({"json", "protobuf"})}}},
      {"files", {{"json", Json::array()}, {"protobuf", Json::array()}}},
      {"statistics", {{"json", empty_stats}, {"protobuf", empty_stats}}},
      {"storage",
       {{"path", view->storage.path},
        {"ready", view->ready},
        {"durable_position", view->storage.durable_position}}},
      {"buffer_hours", c.buffer_hours},
      {"streams", streams},
  };
  return JsonOk(body);
}

// One expanded record of /v3/buffer/{id}/query (raw=false), compact JSON.
void AppendExpanded(const Tick& tick, std::string& out) {
  const int64_t ts = ToUnixMicros(tick.exchange_time);
  const int64_t st = ToUnixMicros(tick.receive_time);
  out += "{\"ib_timestamp\":" + std::to_string(ts) + ",\"ib_timestamp_iso\":\"" +
         FormatIsoUtc(FromUnixMicros(ts)) + "\",\"system_timestamp\":" + std::to_string(st) +
         ",\"system_timestamp_iso\":\"" + FormatIsoUtc(FromUnixMicros(st)) +
         "\",\"contract_id\":" + std::to_string(tick.contract_id) + ",\"tick_type\":\"" +
         std::string(V3TickTypeName(tick.type)) + "\",\"request_id\":0";
  auto field = [&out](const char* name, double value) {
    if (std::isnan(value) || std::isinf(value)) return;
    out += ",\"";
    out += name;
    out += "\":";
    AppendPythonFloat(value, out);
  };
  switch (tick.type) {
    case TickType::kBidAsk:
      field("bid_price", tick.bid_price);
      field("bid_size", DecimalToNearestDouble(tick.bid_size));
      field("ask_price", tick.ask_price);
      field("ask_size", DecimalToNearestDouble(tick.ask_size));
      break;
    case TickType::kLast:
    case TickType::kAllLast:
      field("price", tick.price);
      field("size", DecimalToNearestDouble(tick.size));
      break;
    case TickType::kMidPoint:
      field("mid_point", tick.price);
      break;
  }
  out += '}';
}

Response Api::BufferQuery(const Request& request) {
  auto view = source().View();
  auto lookup = LookupContract(request, *view);
  if (lookup.error) return *lookup.error;
  auto types = ParseTickTypes(request.Query("tick_types").value_or("bid_ask"));
  if (!types.ok()) return Error(400, types.status().message(), {{"parameter", "tick_types"}});
  const std::string format = request.Query("format").value_or("json");
  if (format != "json" && format != "protobuf") {
    return Error(400, "format must be json or protobuf", {{"parameter", "format"}});
  }
  const std::string raw_text = request.Query("raw").value_or("false");
  if (raw_text != "true" && raw_text != "false") {
    return Error(400, "raw must be true or false", {{"parameter", "raw"}});
  }
  const bool raw = raw_text == "true";
  IntParam limit = ReadIntParam(request, "limit", 1, options().max_query_records);
  if (limit.error) return *limit.error;

  const TimePoint now = source().Now();
  TimePoint from;
  TimePoint to;
  auto start_text = request.Query("start_time");
  auto end_text = request.Query("end_time");
  if (start_text || end_text) {
    if (!start_text || !end_text) {
      return Error(400, "start_time and end_time go together", {{"parameter", "start_time"}});
    }
    auto start = ParseIsoTime(*start_text);
    if (!start.ok()) {
      return Error(400, "start_time: " + start.status().message(), {{"parameter", "start_time"}});
    }
    auto end = ParseIsoTime(*end_text);
    if (!end.ok()) {
      return Error(400, "end_time: " + end.status().message(), {{"parameter", "end_time"}});
    }
    if (!(start.value() < end.value())) {
      return Error(400, "start_time must be before end_time", {{"parameter", "start_time"}});
    }
    from = start.value();
    to = end.value();
  } else {
    auto span = ParseBufferDuration(request.Query("buffer_duration").value_or("1h"));
    if (!span.ok()) return Error(400, span.status().message(), {{"parameter", "buffer_duration"}});
    from = now - span.value();
    to = now;
  }
  if (auto refusal = RefuseUnrecorded(*lookup.contract, types.value())) return *refusal;
  if (!view->ready) return Error(503, "storage is not open");

  std::vector<StreamKey> streams;
  for (TickType type : types.value()) streams.push_back({lookup.id, type});
  const int64_t max = limit.value.value_or(options().max_query_records);
  std::string messages;
  int64_t count = 0;
  int64_t unencodable = 0;
  bool truncated = false;
  const bool protobuf = format == "protobuf";
  std::string scratch;
  const Status kStop = ResourceExhausted("limit reached");
  Status st = source().Query(streams, from, to, [&](const Tick& stored) -> Status {
    if (count >= max) {
      truncated = true;
      return kStop;
    }
    Tick tick = stored;
    if (protobuf) {
      // Through the v3 protobuf codec, so the values are those a .pb record holds.
      scratch.clear();
      V3Record record{stored, 0};
      if (!AppendV3ProtobufMessage(record, scratch).ok()) {
        ++unencodable;
        return Status::Ok();
      }
      auto decoded = ParseV3ProtobufMessage(scratch);
      if (!decoded.ok()) {
        ++unencodable;
        return Status::Ok();
      }
      tick = decoded.value().tick;
    }
    if (count > 0) messages += ',';
    if (raw) {
      AppendV3Json(tick, messages);
      if (!messages.empty() && messages.back() == '\n') messages.pop_back();
    } else {
      AppendExpanded(tick, messages);
    }
    ++count;
    return Status::Ok();
  });
  if (!st.ok() && !truncated) return Error(503, "query failed: " + st.message());

  Json head = {
      {"contract_id", lookup.id},
      {"tick_types", TypeNames(types.value())},
      {"format", format},
      {"time_range", {{"start", FormatIsoUtc(from)}, {"end", FormatIsoUtc(to)}}},
      {"total_messages", count},
      {"raw_format", raw},
      {"truncated", truncated},
      {"skipped_unencodable", unencodable},
  };
  std::string body = head.dump();
  body.pop_back();  // the closing brace
  body += ",\"messages\":[";
  body += messages;
  body += "]}";
  return JsonResponse(std::move(body));
}

Response Api::MarketStatusOf(const Request& request) {
  auto view = source().View();
  auto lookup = LookupContract(request, *view);
  if (lookup.error) return *lookup.error;
  const ContractView& c = *lookup.contract;
  const TimePoint now = source().Now();
  auto calendar = source().Calendar(lookup.id);
  MarketState state;
  std::optional<TimeZone> zone;
  Json calendar_error = nullptr;
  if (calendar.ok()) {
    state = calendar.value()->StateAt(now);
    zone = calendar.value()->time_zone();
  } else {
    calendar_error = calendar.status().message();
  }
  auto local = [&zone](const std::optional<TimePoint>& t) -> Json {
    if (!t) return nullptr;
    return zone ? zone->FormatIsoLocal(*t) : FormatIsoUtc(*t);
  };
  Json body = {
      {"status", "success"},
      {"timestamp", FormatIsoUtc(now)},
      {"contract_id", lookup.id},
      {"is_trading", IsTrading(state.status)},
      {"is_liquid", state.status == MarketStatus::kOpen},
      {"market_status", std::string(OriginalMarketStatus(state.status))},
      {"market_state", std::string(MarketStatusName(state.status))},
      {"next_open", local(state.next_open)},
      {"next_close", local(state.next_close)},
      {"time_zone", zone ? Json(zone->id()) : Json(c.time_zone_id)},
      {"current_time", local(now)},
      {"contract_info",
       {{"symbol", c.symbol},
        {"sec_type", c.sec_type},
        {"exchange", c.exchange},
        {"currency", c.currency}}},
      {"calendar_error", calendar_error},
  };
  return JsonOk(body);
}

Response Api::TradingSchedule(const Request& request) {
  auto view = source().View();
  auto lookup = LookupContract(request, *view);
  if (lookup.error) return *lookup.error;
  IntParam days = ReadIntParam(request, "days", 1, 30);
  if (days.error) return *days.error;
  const int64_t n = days.value.value_or(7);
  const ContractView& c = *lookup.contract;
  const TimePoint now = source().Now();
  Json contract_info = {{"symbol", c.symbol},
                        {"sec_type", c.sec_type},
                        {"exchange", c.exchange},
                        {"currency", c.currency}};
  Json schedule = Json::array();
  Json calendar_error = nullptr;
  auto calendar = source().Calendar(lookup.id);
  if (!calendar.ok()) {
    calendar_error = calendar.status().message();
  } else if (!calendar.value()->time_zone()) {
    calendar_error = "the contract's trading hours are not known";
  } else {
    const MarketCalendar& cal = *calendar.value();
    const TimeZone& zone = *cal.time_zone();
    const LocalDays today = zone.LocalDate(now);
    const LocalDays end_day = today + date::days(n);
    const auto sessions =
        cal.SessionsBetween(zone.ToUtc(LocalSeconds(today)), zone.ToUtc(LocalSeconds(end_day)));
    for (LocalDays day = today; day < end_day; day += date::days(1)) {
      Json entry = {{"date", FormatDate(day)},  {"status", "closed"},
                    {"trading_start", nullptr}, {"trading_end", nullptr},
                    {"liquid_start", nullptr},  {"liquid_end", nullptr}};
      Json all = Json::array();
      bool have_liquid = false;
      for (const ScheduledSession& s : sessions) {
        // The liquid hours of the date, even when they belong to a session that started the
        // evening before (CME).
        for (const SessionPart& part : s.parts) {
          if (part.liquid && !have_liquid && zone.LocalDate(part.start) == day) {
            have_liquid = true;
            entry["liquid_start"] = zone.FormatIsoLocal(part.start);
            entry["liquid_end"] = zone.FormatIsoLocal(part.end);
          }
        }
        if (zone.LocalDate(s.start) != day) continue;
        if (entry["status"] == "closed") {
          entry["status"] = "open";
          entry["trading_start"] = zone.FormatIsoLocal(s.start);
          entry["trading_end"] = zone.FormatIsoLocal(s.end);
        }
        all.push_back(
            {{"start", zone.FormatIsoLocal(s.start)}, {"end", zone.FormatIsoLocal(s.end)}});
      }
      if (entry["status"] == "open") {
        entry["time_zone"] = zone.id();
        entry["sessions"] = all;
      }
      schedule.push_back(entry);
    }
  }
  Json body = {
      {"status", "success"},
      {"timestamp", FormatIsoUtc(now)},
      {"contract_id", lookup.id},
      {"contract_info", contract_info},
      {"days_requested", n},
      {"schedule", schedule},
      {"calendar_error", calendar_error},
  };
  return JsonOk(body);
}

Response Api::Metrics(const Request&) {
  auto view = source().View();
  PrometheusWriter w;
  w.Family("ibstream_build_info", "gauge", "Build information; the value is always 1.");
  w.Sample(1, {{"version", options().version}});
  w.Family("ibstream_start_time_seconds", "gauge", "When the recorder started (Unix time).");
  w.Sample(Seconds(view->started_at.time_since_epoch()));
  w.Family("ibstream_ready", "gauge", "1 when storage is open and the loop runs.");
  w.Sample(view->ready ? 1 : 0);

  w.Family("ibstream_gateway_connected", "gauge", "1 while the gateway session is up.");
  w.Sample(view->gateway.connected ? 1 : 0);
  w.Family("ibstream_gateway_connections_total", "counter", "Gateway sessions established.");
  w.Sample(static_cast<double>(view->gateway.connections));
  w.Family("ibstream_gateway_connect_attempts_total", "counter", "Gateway connection attempts.");
  w.Sample(static_cast<double>(view->gateway.connect_attempts));
  w.Family("ibstream_gateway_protocol_errors_total", "counter",
           "Malformed or unexpected messages from the gateway.");
  w.Sample(static_cast<double>(view->gateway.protocol_errors));
  w.Family("ibstream_reconnects_total", "counter", "Reconnections to the gateway.");
  w.Sample(static_cast<double>(view->counters.reconnects));
  w.Family("ibstream_resubscribes_total", "counter", "Stream resubscriptions.");
  w.Sample(static_cast<double>(view->counters.resubscribes));
  w.Family("ibstream_ib_errors_total", "counter", "IB error and notice messages by code.");
  for (const auto& [code, count] : view->counters.ib_errors) {
    w.Sample(static_cast<double>(count), {{"code", std::to_string(code)}});
  }

  w.Family("ibstream_ticks_received_total", "counter", "Ticks received from the gateway.");
  w.Sample(static_cast<double>(view->counters.ticks_received));

  auto stream_labels = [](const ContractView& c, const StreamView& s) {
    return Labels{{"contract_id", std::to_string(c.contract_id)},
                  {"symbol", c.symbol},
                  {"type", std::string(TickTypeName(s.key.type))}};
  };
  auto each_stream = [&](auto&& emit) {
    for (const auto& c : view->contracts) {
      if (c.contract_id == 0) continue;
      for (const auto& s : c.streams) emit(c, s);
    }
  };
  w.Family("ibstream_ticks_stored_total", "counter", "Live ticks stored, per stream.");
  each_stream([&](const ContractView& c, const StreamView& s) {
    w.Sample(static_cast<double>(s.ticks), stream_labels(c, s));
  });
  w.Family("ibstream_ticks_backfilled_total", "counter", "Backfilled ticks stored, per stream.");
  each_stream([&](const ContractView& c, const StreamView& s) {
    w.Sample(static_cast<double>(s.backfilled_ticks), stream_labels(c, s));
  });
  w.Family("ibstream_last_tick_timestamp_seconds", "gauge",
           "When the stream's last tick was received (Unix time); absent before the first.");
  each_stream([&](const ContractView& c, const StreamView& s) {
    if (s.last_tick_received) {
      w.Sample(Seconds(s.last_tick_received->time_since_epoch()), stream_labels(c, s));
    }
  });
  w.Family("ibstream_stream_subscribed", "gauge", "1 while the stream's subscription is live.");
  each_stream([&](const ContractView& c, const StreamView& s) {
    w.Sample(s.subscribed ? 1 : 0, stream_labels(c, s));
  });
  w.Family("ibstream_stream_errors_total", "counter", "IB errors of the stream's requests.");
  each_stream([&](const ContractView& c, const StreamView& s) {
    w.Sample(static_cast<double>(s.error_count), stream_labels(c, s));
  });
  w.Family("ibstream_stream_health_score", "gauge", "Stream health score from 0 to 1.");
  each_stream([&](const ContractView& c, const StreamView& s) {
    w.Sample(s.health.health_score(), stream_labels(c, s));
  });
  w.Family("ibstream_circuit_breaker_state", "gauge",
           "1 for the stream's current breaker state (closed, open, half_open), else 0.");
  each_stream([&](const ContractView& c, const StreamView& s) {
    for (auto state : {reliability::BreakerState::kClosed, reliability::BreakerState::kOpen,
                       reliability::BreakerState::kHalfOpen}) {
      Labels labels = stream_labels(c, s);
      labels.emplace_back("state", std::string(reliability::BreakerStateName(state)));
      w.Sample(s.health.breaker_state == state ? 1 : 0, labels);
    }
  });
  w.Family("ibstream_market_open", "gauge",
           "1 while the contract's market trades (liquid or extended hours).");
  for (const auto& c : view->contracts) {
    if (c.contract_id == 0) continue;
    w.Sample(IsTrading(c.market.status) ? 1 : 0,
             {{"contract_id", std::to_string(c.contract_id)}, {"symbol", c.symbol}});
  }

  w.Family("ibstream_gaps_opened_total", "counter", "Gaps recorded in the ledger.");
  w.Sample(static_cast<double>(view->counters.gaps_opened));
  w.Family("ibstream_gaps", "gauge", "Recent gap ledger entries by backfill state.");
  {
    std::map<std::string, int> by_state;
    for (auto state : {storage::BackfillState::kPending, storage::BackfillState::kFilled,
                       storage::BackfillState::kPartial, storage::BackfillState::kFailed}) {
      by_state[std::string(storage::BackfillStateName(state))] = 0;
    }
    for (const auto& gap : view->gaps)
      ++by_state[std::string(storage::BackfillStateName(gap.state))];
    for (const auto& [state, count] : by_state) w.Sample(count, {{"state", state}});
  }
  w.Family("ibstream_backfill_requests_total", "counter", "Backfill requests sent to IB.");
  w.Sample(static_cast<double>(view->counters.backfill_requests));
  w.Family("ibstream_backfill_failures_total", "counter", "Backfill requests that failed.");
  w.Sample(static_cast<double>(view->counters.backfill_failures));

  w.Family("ibstream_storage_accepted_position", "gauge", "Storage writer's accepted position.");
  w.Sample(static_cast<double>(view->storage.accepted_position));
  w.Family("ibstream_storage_durable_position", "gauge", "Storage writer's durable position.");
  w.Sample(static_cast<double>(view->storage.durable_position));
  w.Family("ibstream_storage_rejected_total", "counter", "Ticks storage refused, by reason.");
  w.Sample(static_cast<double>(view->storage.rejected_queue_full), {{"reason", "queue_full"}});
  w.Sample(static_cast<double>(view->storage.rejected_suspended), {{"reason", "suspended"}});
  w.Family("ibstream_storage_lost_total", "counter", "Accepted ticks lost to a write error.");
  w.Sample(static_cast<double>(view->storage.lost_on_write_error));
  w.Family("ibstream_storage_suspended", "gauge", "1 while storage refuses writes.");
  w.Sample(view->storage.suspended ? 1 : 0);
  w.Family("ibstream_storage_available_bytes", "gauge", "Free space on the storage volume.");
  w.Sample(static_cast<double>(view->storage.available_bytes));

  w.Family("ibstream_alerts_firing", "gauge", "Alerts firing now, by severity.");
  {
    std::map<std::string, int> by_severity = {{"info", 0}, {"warning", 0}, {"critical", 0}};
    for (const auto& alert : view->alerts)
      ++by_severity[std::string(AlertSeverityName(alert.severity))];
    for (const auto& [severity, count] : by_severity) w.Sample(count, {{"severity", severity}});
  }
  w.Family("ibstream_alerts_fired_total", "counter", "Alerts raised since start.");
  w.Sample(static_cast<double>(view->counters.alerts_fired));

  w.Family("ibstream_http_sse_clients", "gauge", "Server-sent-event clients connected.");
  w.Sample(static_cast<double>(shared_->sse_active.load()));
  w.Family("ibstream_http_sse_ticks_sent_total", "counter", "Ticks sent to SSE clients.");
  w.Sample(static_cast<double>(shared_->sse_ticks_sent.load()));
  w.Family("ibstream_http_sse_clients_dropped_total", "counter",
           "SSE clients dropped because they did not keep up.");
  w.Sample(static_cast<double>(shared_->sse_dropped.load()));
  w.Family("ibstream_http_contract_changes_total", "counter",
           "Contracts tracked or untracked through the API.");
  w.Sample(static_cast<double>(shared_->contract_changes.load()));
  w.Family("ibstream_runtime_contract_errors_total", "counter",
           "Times the run-time contract list could not be read at start (set aside).");
  w.Sample(static_cast<double>(view->counters.runtime_contract_errors));
  if (shared_->options.extra_metrics) shared_->options.extra_metrics(w);

  Response response;
  response.content_type = std::string(kPrometheusContentType);
  response.body = w.text();
  return response;
}

Response Api::Livez(const Request&) {
  return JsonOk({{"status", "alive"}, {"timestamp", FormatIsoUtc(source().Now())}});
}

Response Api::Readyz(const Request&) {
  auto view = source().View();
  Json reasons = Json::array();
  if (!view->ready) reasons.push_back("storage is not open");
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

Json GapJson(const storage::GapRecord& gap) {
  return {
      {"id", gap.id},
      {"contract_id", gap.stream.contract_id},
      {"tick_type", std::string(TickTypeName(gap.stream.type))},
      {"start", FormatIsoUtc(gap.start)},
      {"end", FormatIsoUtc(gap.end)},
      {"duration_seconds", Seconds(gap.end - gap.start)},
      {"cause", gap.cause},
      {"state", std::string(storage::BackfillStateName(gap.state))},
      {"reason", gap.reason},
      {"updated_at", FormatIsoUtc(gap.updated_at)},
  };
}

Response Api::Gaps(const Request& request) {
  auto view = source().View();
  std::optional<int64_t> contract;
  if (auto raw = request.Query("contract_id")) {
    contract = ParseContractId(*raw);
    if (!contract) return Error(400, "Invalid contract ID", {{"contract_id", *raw}});
    if (FindContract(*view, *contract) == nullptr) {
      return Error(404, "Contract not tracked",
                   {{"contract_id", *contract}, {"tracked_contracts", TrackedIds(*view)}});
    }
  }
  std::optional<std::string> state = request.Query("state");
  if (state && *state != "pending" && *state != "filled" && *state != "partial" &&
      *state != "failed") {
    return Error(400, "state must be pending, filled, partial or failed", {{"state", *state}});
  }
  Json gaps = Json::array();
  for (const auto& gap : view->gaps) {
    if (contract && gap.stream.contract_id != *contract) continue;
    if (state && storage::BackfillStateName(gap.state) != *state) continue;
    gaps.push_back(GapJson(gap));
  }
  const size_t total = gaps.size();
  return JsonOk({{"timestamp", FormatIsoUtc(view->now)}, {"total", total}, {"gaps", gaps}});
}

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

Response Api::Alerts(const Request&) {
  auto view = source().View();
  Json alerts = Json::array();
  for (const auto& alert : view->alerts) alerts.push_back(AlertJson(alert));
  const size_t total = alerts.size();
  return JsonOk({{"timestamp", FormatIsoUtc(view->now)}, {"total", total}, {"alerts", alerts}});
}

Response Api::Backfill(const Request& request) {
  Json body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) return Error(400, "the body must be a JSON object");
  auto string_field = [&body](const char* key) -> std::optional<std::string> {
    auto it = body.find(key);
    if (it == body.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  std::optional<int64_t> contract_id;
  if (auto it = body.find("contract_id"); it != body.end()) {
    if (it->is_number_integer()) {
      contract_id = it->get<int64_t>();
      if (*contract_id <= 0 || *contract_id > 999'999'999'999) contract_id.reset();
    } else if (it->is_string()) {
      contract_id = ParseContractId(it->get<std::string>());
    }
  }
  if (!contract_id) return Error(400, "contract_id must be a positive integer");
  auto type_text = string_field("tick_type");
  if (!type_text) return Error(400, "tick_type is required");
  auto type = ParseTickType(*type_text);
  if (!type.ok()) return Error(400, type.status().message());
  auto from_text = string_field("from");
  auto to_text = string_field("to");
  if (!from_text || !to_text) return Error(400, "from and to are required (ISO 8601)");
  auto from = ParseIsoTime(*from_text);
  if (!from.ok()) return Error(400, "from: " + from.status().message());
  auto to = ParseIsoTime(*to_text);
  if (!to.ok()) return Error(400, "to: " + to.status().message());
  if (!(from.value() < to.value())) return Error(400, "from must be before to");
  auto view = source().View();
  const ContractView* c = FindContract(*view, *contract_id);
  if (c == nullptr) {
    return Error(404, "Contract not tracked",
                 {{"contract_id", *contract_id}, {"tracked_contracts", TrackedIds(*view)}});
  }
  if (auto refusal = RefuseUnrecorded(*c, {type.value()})) return *refusal;
  const Status st =
      source().RequestBackfill({*contract_id, type.value()}, from.value(), to.value());
  if (!st.ok()) {
    const int code = st.code() == StatusCode::kInvalidArgument ? 400 : 503;
    return Error(code, st.message());
  }
  shared_->backfill_requests.fetch_add(1);
  return JsonOk({{"status", "accepted"},
                 {"contract_id", *contract_id},
                 {"tick_type", std::string(TickTypeName(type.value()))},
                 {"from", FormatIsoUtc(from.value())},
                 {"to", FormatIsoUtc(to.value())}},
                202);
}

Response Api::Contracts(const Request&) {
  auto view = source().View();
  Json contracts = Json::array();
  for (const ContractView& c : view->contracts) {
    Json types = Json::array();
    for (TickType t : c.expected_types) types.push_back(std::string(TickTypeName(t)));
    contracts.push_back({{"key", c.key},
                         {"contract_id", c.contract_id},
                         {"description", c.description},
                         {"origin", c.from_api ? "api" : "config"},
                         {"resolved", c.resolved},
                         {"local_symbol", c.local_symbol},
                         {"tick_types", types}});
  }
  return JsonOk({{"timestamp", FormatIsoUtc(view->now)},
                 {"total", contracts.size()},
                 {"contracts", contracts}});
}

namespace {

// The HTTP status of a refused contract change.
int ContractChangeStatus(const Status& st) {
  switch (st.code()) {
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kFailedPrecondition:
      return 409;
    default:
      return 503;  // not running, or the run-time list could not be saved: nothing changed
  }
}

Json ContractChangeJson(std::string_view status, const recorder::ContractChange& change) {
  return {{"status", status},
          {"key", change.key},
          {"description", change.description},
          {"contract_id", change.contract_id}};
}

}  // namespace

Response Api::TrackContract(const Request& request) {
  auto text = ContractJsonToToml(request.body);
  if (!text.ok()) return Error(400, text.status().message());
  auto change = source().Track(*text);
  if (!change.ok()) return Error(ContractChangeStatus(change.status()), change.status().message());
  shared_->contract_changes.fetch_add(1);
  return JsonOk(ContractChangeJson("tracking", *change), 201);
}

Response Api::UntrackContract(const Request& request) {
  const std::string& id = request.path_params.at("id");
  auto change = source().Untrack(id);
  if (!change.ok()) return Error(ContractChangeStatus(change.status()), change.status().message());
  shared_->contract_changes.fetch_add(1);
  return JsonOk(ContractChangeJson("untracked", *change));
}

Response Api::StatusView(const Request&) {
  return JsonResponse(RecorderViewJson(*source().View()));
}

// --- SSE ----------------------------------------------------------------------------------------

std::optional<Response> Api::CheckStreamLimit() const {
  if (shared_->sse_active.load() >= options().max_sse_streams) {
    return Error(429, "too many streams",
                 {{"code", "RATE_LIMIT_EXCEEDED"}, {"max_streams", options().max_sse_streams}});
  }
  return std::nullopt;
}

std::shared_ptr<SseSession> Api::StartSession(const std::shared_ptr<SseSink>& sink,
                                              const ContractView& c,
                                              const std::vector<TickType>& types,
                                              std::optional<int64_t> limit) {
  std::map<TickType, std::string> ids;
  for (TickType t : types) ids[t] = shared_->NewStreamId(c.contract_id, t);
  auto session = std::make_shared<SseSession>(shared_, sink, c.contract_id, ids, limit);
  shared_->sse_started.fetch_add(1);
  shared_->sse_active.fetch_add(1);
  {
    std::lock_guard lock(mu_);
    std::erase_if(sessions_, [](const std::weak_ptr<SseSession>& w) { return w.expired(); });
    sessions_.push_back(session);
  }
  std::weak_ptr<Shared> weak_shared = shared_;
  // Weak: the sink belongs to the session, a strong reference would be a cycle.
  std::weak_ptr<SseSession> weak_session = session;
  sink->SetOnClose([weak_session, weak_shared] {
    if (auto live = weak_session.lock()) live->OnClientGone();
    if (auto shared = weak_shared.lock()) shared->sse_active.fetch_sub(1);
  });
  return session;
}

void Api::AddDeadline(std::chrono::steady_clock::time_point at, std::weak_ptr<SseSession> session) {
  {
    std::lock_guard lock(mu_);
    deadlines_.emplace(at, std::move(session));
    if (!timer_thread_.joinable()) timer_thread_ = std::thread([this] { TimerLoop(); });
  }
  cv_.notify_all();
}

void Api::TimerLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (deadlines_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const auto next = deadlines_.begin()->first;
    if (std::chrono::steady_clock::now() < next) {
      cv_.wait_until(lock, next);
      continue;
    }
    auto session = deadlines_.begin()->second.lock();
    deadlines_.erase(deadlines_.begin());
    if (session) {
      lock.unlock();
      session->Finish("timeout");
      lock.lock();
    }
  }
}

struct SseParams {
  std::optional<int64_t> limit;
  std::optional<int64_t> timeout;
  std::optional<Response> error;
};

SseParams ReadSseParams(const Request& request) {
  SseParams out;
  IntParam limit = ReadIntParam(request, "limit", 1, 10000);
  if (limit.error) {
    out.error = limit.error;
    return out;
  }
  IntParam timeout = ReadIntParam(request, "timeout", 5, 3600);
  if (timeout.error) {
    out.error = timeout.error;
    return out;
  }
  out.limit = limit.value;
  out.timeout = timeout.value;
  return out;
}

Json ContractInfo(const ContractView& c) {
  return {{"contract_id", c.contract_id}, {"symbol", c.symbol},
          {"sec_type", c.sec_type},       {"exchange", c.exchange},
          {"currency", c.currency},       {"local_symbol", c.local_symbol}};
}

Response Api::Live(const Request& request, std::shared_ptr<SseSink> sink, bool type_in_path) {
  auto view = source().View();
  auto lookup = LookupContract(request, *view);
  if (lookup.error) return *lookup.error;
  Result<std::vector<TickType>> types = InvalidArgument("tick_types is required");
  if (type_in_path) {
    types = ParseTickTypes(request.path_params.at("tick_type"));
  } else if (auto csv = request.Query("tick_types")) {
    types = ParseTickTypes(*csv);
  }
  if (!types.ok()) {
    return Error(400, types.status().message(), {{"code", "INVALID_TICK_TYPE"}});
  }
  SseParams params = ReadSseParams(request);
  if (params.error) return *params.error;
  if (auto refusal = RefuseUnrecorded(*lookup.contract, types.value())) return *refusal;
  if (auto refusal = CheckStreamLimit()) return *refusal;

  auto session = StartSession(sink, *lookup.contract, types.value(), params.limit);
  for (TickType type : types.value()) {
    Json data = {{"status", "subscribed"},
                 {"contract_info", ContractInfo(*lookup.contract)},
                 {"stream_config",
                  {{"tick_type", std::string(TickTypeName(type))},
                   {"contract_info", ContractInfo(*lookup.contract)},
                   {"limit", params.limit ? Json(*params.limit) : Json(nullptr)},
                   {"timeout", params.timeout ? Json(*params.timeout) : Json(nullptr)}}}};
    session->PushEvent("info", session->StreamId(type), data);
  }
  TickFanout::Filter filter;
  filter.contract_id = lookup.id;
  filter.types = types.value();
  session->fanout_id = source().Subscribe(
      std::move(filter), [session](const Tick& tick) { return session->OnLive(tick); });
  if (params.timeout) {
    AddDeadline(std::chrono::steady_clock::now() + std::chrono::seconds(*params.timeout), session);
  }
  Response ok;
  ok.headers = {{"X-IB-Stream-Version", "2.0.0"},
                {"Access-Control-Allow-Headers", "Cache-Control"}};
  return ok;
}

Response Api::Buffer(const Request& request, std::shared_ptr<SseSink> sink) {
  auto view = source().View();
  auto lookup = LookupContract(request, *view);
  if (lookup.error) return *lookup.error;
  auto types = ParseTickTypes(request.Query("tick_types").value_or("bid_ask,last"));
  if (!types.ok()) return Error(400, types.status().message(), {{"code", "INVALID_TICK_TYPE"}});
  const std::string duration_text = request.Query("buffer_duration").value_or("1h");
  auto span = ParseBufferDuration(duration_text);
  if (!span.ok()) return Error(400, span.status().message(), {{"parameter", "buffer_duration"}});
  SseParams params = ReadSseParams(request);
  if (params.error) return *params.error;
  if (auto refusal = RefuseUnrecorded(*lookup.contract, types.value())) return *refusal;
  if (!view->ready) return Error(503, "storage is not open");
  if (auto refusal = CheckStreamLimit()) return *refusal;
  {
    std::lock_guard lock(mu_);
    ReapReplays();
    if (static_cast<int>(replays_.size()) >= options().max_buffer_replays) {
      return Error(503, "too many buffer replays running; retry shortly",
                   {{"code", "RATE_LIMIT_EXCEEDED"}});
    }
  }

  auto session = StartSession(sink, *lookup.contract, types.value(), params.limit);
  session->StartReplay();
  Json status = {{"status", "buffer_start"},
                 {"contract_id", lookup.id},
                 {"tick_types", TypeNames(types.value())},
                 {"buffer_duration", duration_text},
                 {"buffer_message_count", 0}};
  session->PushEvent("info", session->MainStreamId(), {{"status", status}});
  // Subscribe before reading storage, so no tick falls between the replay and the live part.
  TickFanout::Filter filter;
  filter.contract_id = lookup.id;
  filter.types = types.value();
  session->fanout_id = source().Subscribe(
      std::move(filter), [session](const Tick& tick) { return session->OnLive(tick); });
  if (params.timeout) {
    AddDeadline(std::chrono::steady_clock::now() + std::chrono::seconds(*params.timeout), session);
  }
  std::vector<StreamKey> streams;
  for (TickType type : types.value()) streams.push_back({lookup.id, type});
  {
    std::lock_guard lock(mu_);
    auto done = std::make_shared<std::atomic<bool>>(false);
    replays_.push_back(ReplayThread{std::thread([this, session, streams, d = span.value(),
                                                 duration_text, limit = params.limit, done] {
                                      Replay(session, streams, d, duration_text, limit);
                                      done->store(true);
                                    }),
                                    done});
  }
  Response ok;
  ok.headers = {{"X-IB-Stream-Version", "2.0.0"},
                {"X-Stream-Protocol", "v2"},
                {"X-Buffer-Enabled", "true"},
                {"X-Buffer-Duration", duration_text}};
  return ok;
}

void Api::ReapReplays() {
  for (auto it = replays_.begin(); it != replays_.end();) {
    if (it->done->load()) {
      it->thread.join();
      it = replays_.erase(it);
    } else {
      ++it;
    }
  }
}

void Api::Replay(std::shared_ptr<SseSession> session, std::vector<StreamKey> streams, Duration span,
                 std::string duration_text, std::optional<int64_t> limit) {
  const TimePoint now = source().Now();
  // The most recent `cap` stored ticks of the window.
  const size_t cap = static_cast<size_t>(limit.value_or(options().max_query_records));
  std::deque<Tick> ticks;
  const Status st = source().Query(streams, now - span, now + std::chrono::minutes(1),
                                   [&](const Tick& tick) -> ibstream::Status {
                                     if (session->finished()) return Unavailable("client gone");
                                     ticks.push_back(tick);
                                     if (ticks.size() > cap) ticks.pop_front();
                                     return ibstream::Status::Ok();
                                   });
  if (session->finished()) return;
  if (!st.ok()) {
    session->Error("BUFFER_ERROR", "reading stored ticks failed: " + st.message());
    return;
  }
  const size_t total = ticks.size();
  const size_t high_water = options().sse_queue_bytes / 2;
  for (size_t i = 0; i < total; ++i) {
    // Let the client drain instead of overflowing its queue with history.
    while (session->sink()->queued_bytes() > high_water && !session->sink()->closed()) {
      std::unique_lock lock(mu_);
      if (stopping_) return;
      cv_.wait_for(lock, std::chrono::milliseconds(2));
    }
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    if (!session->OnReplayed(ticks[i], i, total)) return;
  }
  Json complete = {{"status", "buffer_complete"},
                   {"contract_id", streams.front().contract_id},
                   {"buffer_duration", duration_text},
                   {"buffer_message_count", total}};
  session->PushEvent("info", session->MainStreamId(), {{"status", complete}});
  if (!session->FinishReplay()) return;
  Json live = {{"status", "live_start"},
               {"contract_id", streams.front().contract_id},
               {"buffer_duration", duration_text},
               {"buffer_message_count", total}};
  session->PushEvent("info", session->MainStreamId(), {{"status", live}});
}

void Api::Register(Router& router, const std::shared_ptr<Api>& self) {
  auto get = [&](const char* path, Response (Api::*method)(const Request&)) {
    router.Get(path, [self, method](const Request& r) { return ((*self).*method)(r); });
  };
  router.Get("/", [](const Request&) {
    Response page;
    page.content_type = "text/html; charset=utf-8";
    page.body = std::string(DashboardHtml());
    page.headers.emplace_back("Cache-Control", "no-cache");
    return page;
  });
  get("/health", &Api::Health);
  get("/background/status", &Api::BackgroundStatus);
  get("/background/health", &Api::BackgroundHealth);
  get("/background/health/summary", &Api::BackgroundHealthSummary);
  get("/background/health/{contract_id}", &Api::ContractHealth);
  get("/v3/buffer/{id}/info", &Api::BufferInfo);
  get("/v3/buffer/{id}/query", &Api::BufferQuery);
  get("/market-status/{id}", &Api::MarketStatusOf);
  get("/trading-schedule/{id}", &Api::TradingSchedule);
  get("/metrics", &Api::Metrics);
  get("/livez", &Api::Livez);
  get("/readyz", &Api::Readyz);
  get("/v1/gaps", &Api::Gaps);
  get("/v1/alerts", &Api::Alerts);
  get("/v1/status", &Api::StatusView);
  router.Post(
      "/v1/backfill", [self](const Request& r) { return self->Backfill(r); },
      RouteOptions{.requires_token = true});
  get("/v1/contracts", &Api::Contracts);
  router.Post(
      "/v1/contracts", [self](const Request& r) { return self->TrackContract(r); },
      RouteOptions{.requires_token = true});
  router.Delete(
      "/v1/contracts/{id}", [self](const Request& r) { return self->UntrackContract(r); },
      RouteOptions{.requires_token = true});
  router.Sse("/v2/stream/{id}/live", [self](const Request& r, std::shared_ptr<SseSink> sink) {
    return self->Live(r, std::move(sink), false);
  });
  router.Sse("/v2/stream/{id}/live/{tick_type}",
             [self](const Request& r, std::shared_ptr<SseSink> sink) {
               return self->Live(r, std::move(sink), true);
             });
  router.Sse("/v2/stream/{id}/buffer", [self](const Request& r, std::shared_ptr<SseSink> sink) {
    return self->Buffer(r, std::move(sink));
  });
}

}  // namespace

// --- public functions ---------------------------------------------------------------------------

namespace {

// One JSON value as a TOML node; null has no TOML form.
Result<std::unique_ptr<toml::node>> TomlNodeOf(const Json& value, const std::string& where) {
  switch (value.type()) {
    case Json::value_t::string:
      return std::unique_ptr<toml::node>(new toml::value<std::string>(value.get<std::string>()));
    case Json::value_t::boolean:
      return std::unique_ptr<toml::node>(new toml::value<bool>(value.get<bool>()));
    case Json::value_t::number_integer:
      return std::unique_ptr<toml::node>(new toml::value<int64_t>(value.get<int64_t>()));
    case Json::value_t::number_unsigned: {
      const uint64_t n = value.get<uint64_t>();
      if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return InvalidArgument(where + ": " + std::to_string(n) + " is too large");
      }
      return std::unique_ptr<toml::node>(new toml::value<int64_t>(static_cast<int64_t>(n)));
    }
    case Json::value_t::number_float:
      return std::unique_ptr<toml::node>(new toml::value<double>(value.get<double>()));
    case Json::value_t::array: {
      auto array = std::make_unique<toml::array>();
      for (size_t i = 0; i < value.size(); ++i) {
        auto element = TomlNodeOf(value[i], where + "[" + std::to_string(i) + "]");
        if (!element.ok()) return element.status();
        array->push_back(std::move(**element));
      }
      return std::unique_ptr<toml::node>(std::move(array));
    }
    case Json::value_t::object: {
      auto table = std::make_unique<toml::table>();
      for (const auto& [key, item] : value.items()) {
        auto element = TomlNodeOf(item, where + "." + key);
        if (!element.ok()) return element.status();
        table->insert(key, std::move(**element));
      }
      return std::unique_ptr<toml::node>(std::move(table));
    }
    default:
      return InvalidArgument(where + ": null is not a value (leave the key out)");
  }
}

}  // namespace

Result<std::string> ContractJsonToToml(std::string_view json_text) {
  const Json body = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return InvalidArgument(
        "the body must be a JSON object with the keys of a [[contracts]] table, e.g. "
        "{\"con_id\": 711280073, \"tick_types\": [\"bid_ask\", \"last\"]}");
  }
  if (body.empty()) return InvalidArgument("the body names no contract");
  auto table = TomlNodeOf(body, "body");
  if (!table.ok()) return table.status();
  std::ostringstream text;
  text << *(*table)->as_table();
  return text.str();
}

void RegisterRecorderApi(Router& router, std::shared_ptr<RecorderApiSource> source,
                         RecorderApiOptions options) {
  auto api = std::make_shared<Api>(std::move(source), std::move(options));
  api->Register(router, api);
}

Result<Duration> ParseBufferDuration(std::string_view text) {
  const std::string original(text);
  Duration unit = std::chrono::hours(1);
  if (!text.empty() && (text.back() == 'h' || text.back() == 'm' || text.back() == 'd')) {
    if (text.back() == 'm') unit = std::chrono::minutes(1);
    if (text.back() == 'd') unit = std::chrono::hours(24);
    text.remove_suffix(1);
  }
  auto n = ParseInt(text);
  if (!n || *n <= 0 || unit * *n > std::chrono::hours(24 * 31)) {
    return InvalidArgument(
        "buffer_duration must be <n>h, <n>m, <n>d or a number of hours, "
        "positive and at most 31 days; got '" +
        original + "'");
  }
  return unit * *n;
}

std::string TickDataJson(const Tick& tick) {
  std::string out;
  out.reserve(320);
  out += "{\"contract_id\": ";
  out += std::to_string(tick.contract_id);
  out += ", \"tick_type\": \"";
  const bool trade = tick.type == TickType::kLast || tick.type == TickType::kAllLast;
  // As in the original the formatter's fields come last, so a trade's tick_type is IB's name.
  out += trade ? TickTypeIbName(tick.type) : TickTypeName(tick.type);
  out += "\", \"type\": \"";
  out += tick.type == TickType::kBidAsk ? "bid_ask" : trade ? "time_sales" : "midpoint";
  out += "\", \"timestamp\": \"";
  out += FormatIsoUtc(std::chrono::floor<std::chrono::seconds>(tick.exchange_time));
  out += "\", \"unix_time\": ";
  out += std::to_string(ToUnixSeconds(tick.exchange_time));
  switch (tick.type) {
    case TickType::kBidAsk:
      out += ", \"bid_price\": ";
      AppendFloatOrNull(tick.bid_price, out);
      out += ", \"ask_price\": ";
      AppendFloatOrNull(tick.ask_price, out);
      out += ", \"bid_size\": ";
      AppendFloatOrNull(DecimalToNearestDouble(tick.bid_size), out);
      out += ", \"ask_size\": ";
      AppendFloatOrNull(DecimalToNearestDouble(tick.ask_size), out);
      out += ", \"bid_past_low\": ";
      AppendBool(tick.attributes & kAttrBidPastLow, out);
      out += ", \"ask_past_high\": ";
      AppendBool(tick.attributes & kAttrAskPastHigh, out);
      break;
    case TickType::kLast:
    case TickType::kAllLast:
      out += ", \"price\": ";
      AppendFloatOrNull(tick.price, out);
      out += ", \"size\": ";
      AppendFloatOrNull(DecimalToNearestDouble(tick.size), out);
      out += ", \"exchange\": ";
      AppendJsonString(tick.exchange, out);
      out += ", \"conditions\": ";
      AppendJsonString(tick.special_conditions, out);
      out += ", \"past_limit\": ";
      AppendBool(tick.attributes & kAttrPastLimit, out);
      out += ", \"unreported\": ";
      AppendBool(tick.attributes & kAttrUnreported, out);
      break;
    case TickType::kMidPoint:
      out += ", \"midpoint\": ";
      AppendFloatOrNull(tick.price, out);
      break;
  }
  out += ", \"source\": \"";
  out += tick.source == TickSource::kLive ? "live" : "backfill";
  out += "\"}";
  return out;
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
         {{"status", std::string(MarketStatusName(c.market.status))},
          {"next_open", IsoOrNull(c.market.next_open)},
          {"next_close", IsoOrNull(c.market.next_close)}}},
        {"status", std::string(reliability::HealthStatusName(c.status))},
        {"expected_tick_types", TypeNames(c.expected_types)},
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
        {"connections", view.gateway.connections}}},
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
        {"reconnects", view.counters.reconnects},
        {"resubscribes", view.counters.resubscribes},
        {"gaps_opened", view.counters.gaps_opened},
        {"backfill_requests", view.counters.backfill_requests},
        {"backfill_failures", view.counters.backfill_failures},
        {"alerts_fired", view.counters.alerts_fired},
        {"runtime_contract_errors", view.counters.runtime_contract_errors},
        {"ib_errors", ib_errors}}},
      {"contracts", contracts},
      {"alerts", alerts},
  };
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace ibstream::http
