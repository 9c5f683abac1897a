#include "http/buffer_endpoints.h"

#include <cmath>
#include <deque>
#include <utility>

#include "formats/python_float.h"
#include "formats/v3_json.h"
#include "formats/v3_protobuf.h"
#include "formats/v3_record.h"
#include "http/api_common.h"
#include "http/recorder_api.h"

namespace ibstream::http {
namespace {

using recorder::ContractView;
using recorder::StreamView;

// One expanded record of /v3/buffer/{id}/query (raw=false), compact JSON.
void AppendExpanded(const Tick& tick, std::string& out) {
  const int64_t ts = formats::ToUnixMicros(tick.exchange_time);
  const int64_t st = formats::ToUnixMicros(tick.receive_time);
  out += "{\"ib_timestamp\":" + std::to_string(ts) + ",\"ib_timestamp_iso\":\"" +
         FormatIsoUtc(formats::FromUnixMicros(ts)) +
         "\",\"system_timestamp\":" + std::to_string(st) + ",\"system_timestamp_iso\":\"" +
         FormatIsoUtc(formats::FromUnixMicros(st)) +
         "\",\"contract_id\":" + std::to_string(tick.contract_id) + ",\"tick_type\":\"" +
         std::string(formats::V3TickTypeName(tick.type)) + "\",\"request_id\":0";
  auto field = [&out](const char* name, double value) {
    if (std::isnan(value) || std::isinf(value)) return;
    out += ",\"";
    out += name;
    out += "\":";
    formats::AppendPythonFloat(value, out);
  };
  switch (tick.type) {
    case TickType::kTrade:
      field("price", tick.price);
      field("size", formats::DecimalToNearestDouble(tick.size));
      field("volume", formats::DecimalToNearestDouble(tick.volume));
      break;
    case TickType::kBidAsk:
    case TickType::kQuote:
      field("bid_price", tick.bid_price);
      field("bid_size", formats::DecimalToNearestDouble(tick.bid_size));
      field("ask_price", tick.ask_price);
      field("ask_size", formats::DecimalToNearestDouble(tick.ask_size));
      break;
    case TickType::kLast:
    case TickType::kAllLast:
    case TickType::kDepth:  // v3 has no depth shape: the row's price and size
      field("price", tick.price);
      field("size", formats::DecimalToNearestDouble(tick.size));
      break;
    case TickType::kMidPoint:
      field("mid_point", tick.price);
      break;
  }
  out += '}';
}

// What a /v3/buffer/{id}/query asks for, once its parameters are checked.
struct BufferQueryParams {
  std::vector<TickType> types;
  std::string format;  // "json" or "protobuf"
  bool raw = false;
  int64_t max_records = 0;
  TimePoint from;
  TimePoint to;
};

// The window: start_time and end_time (ISO 8601, together), or buffer_duration back from `now`.
std::optional<Response> ReadQueryWindow(const Request& request, TimePoint now,
                                        BufferQueryParams& out) {
  auto start_text = request.Query("start_time");
  auto end_text = request.Query("end_time");
  if (!start_text && !end_text) {
    auto span = ParseBufferDuration(request.Query("buffer_duration").value_or("1h"));
    if (!span.ok()) return Error(400, span.status().message(), {{"parameter", "buffer_duration"}});
    out.from = now - span.value();
    out.to = now;
    return std::nullopt;
  }
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
  out.from = start.value();
  out.to = end.value();
  return std::nullopt;
}

// The query parameters in the order the original checks them; the 400 of the first bad one.
std::optional<Response> ReadQueryParams(const ApiState& api, const Request& request,
                                        BufferQueryParams& out) {
  auto types = ParseTickTypes(request.Query("tick_types").value_or("bid_ask"));
  if (!types.ok()) return Error(400, types.status().message(), {{"parameter", "tick_types"}});
  out.types = types.value();
  out.format = request.Query("format").value_or("json");
  if (out.format != "json" && out.format != "protobuf") {
    return Error(400, "format must be json or protobuf", {{"parameter", "format"}});
  }
  const std::string raw_text = request.Query("raw").value_or("false");
  if (raw_text != "true" && raw_text != "false") {
    return Error(400, "raw must be true or false", {{"parameter", "raw"}});
  }
  out.raw = raw_text == "true";
  IntParam limit = ReadIntParam(request, "limit", 1, api.options.max_query_records);
  if (limit.error) return *limit.error;
  out.max_records = limit.value.value_or(api.options.max_query_records);
  return ReadQueryWindow(request, api.source->Now(), out);
}

// The records of a query, rendered as the comma-separated members of its "messages" array.
struct QueryRecords {
  std::string messages;
  int64_t count = 0;
  int64_t unencodable = 0;    // ticks the v3 protobuf codec cannot carry (protobuf format)
  bool truncated = false;     // stopped at max_records
  Status status;              // of the storage query, when not truncated
  storage::QueryStats stats;  // what was read, and what damaged data was skipped
};

// What a query skipped as damaged: "complete" says whether anything was, "skipped_damaged" how
// much and where (the first kMaxSkippedListed pieces), so damage is never served silently.
constexpr size_t kMaxSkippedListed = 16;
Json SkippedJson(const storage::QueryStats& stats) {
  Json items = Json::array();
  for (const storage::SkippedData& s : stats.skipped) {
    if (items.size() == kMaxSkippedListed) break;
    items.push_back({{"path", s.path}, {"bytes", s.bytes}, {"reason", s.reason}});
  }
  return {{"count", stats.skipped.size()}, {"bytes", stats.skipped_bytes}, {"items", items}};
}

QueryRecords ReadQueryRecords(const ApiState& api, const BufferQueryParams& params,
                              const std::vector<StreamKey>& streams) {
  QueryRecords out;
  const bool protobuf = params.format == "protobuf";
  std::string scratch;
  const Status kStop = ResourceExhausted("limit reached");
  out.status = api.source->Query(
      streams, params.from, params.to,
      [&](const Tick& stored) -> Status {
        if (out.count >= params.max_records) {
          out.truncated = true;
          return kStop;
        }
        Tick tick = stored;
        if (protobuf) {
          // Through the v3 protobuf codec, so the values are those a .pb record holds.
          scratch.clear();
          formats::V3Record record{stored, 0};
          if (!formats::AppendV3ProtobufMessage(record, scratch).ok()) {
            ++out.unencodable;
            return Status::Ok();
          }
          auto decoded = formats::ParseV3ProtobufMessage(scratch);
          if (!decoded.ok()) {
            ++out.unencodable;
            return Status::Ok();
          }
          tick = decoded.value().tick;
        }
        if (out.count > 0) out.messages += ',';
        if (params.raw) {
          formats::AppendV3Json(tick, out.messages);
          if (!out.messages.empty() && out.messages.back() == '\n') out.messages.pop_back();
        } else {
          AppendExpanded(tick, out.messages);
        }
        ++out.count;
        return Status::Ok();
      },
      &out.stats);
  return out;
}

}  // namespace

Response BufferInfo(ApiState& api, const Request& request) {
  auto view = api.source->View();
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

Response BufferQuery(ApiState& api, const Request& request) {
  auto view = api.source->View();
  auto lookup = LookupContract(request, *view);
  if (lookup.error) return *lookup.error;
  BufferQueryParams params;
  if (auto refusal = ReadQueryParams(api, request, params)) return *refusal;
  if (auto refusal = RefuseUnrecorded(*lookup.contract, params.types)) return *refusal;
  if (!view->storage_open()) return Error(503, "storage is not open");

  std::vector<StreamKey> streams;
  for (TickType type : params.types) streams.push_back({lookup.id, type});
  QueryRecords records = ReadQueryRecords(api, params, streams);
  if (!records.status.ok() && !records.truncated) {
    return Error(503, "query failed: " + records.status.message());
  }

  Json head = {
      {"contract_id", lookup.id},
      {"tick_types", TypeNames(params.types)},
      {"format", params.format},
      {"time_range", {{"start", FormatIsoUtc(params.from)}, {"end", FormatIsoUtc(params.to)}}},
      {"total_messages", records.count},
      {"raw_format", params.raw},
      {"truncated", records.truncated},
      {"skipped_unencodable", records.unencodable},
      {"complete", records.stats.complete()},
      {"skipped_damaged", SkippedJson(records.stats)},
  };
  std::string body = head.dump();
  body.pop_back();  // the closing brace
  body += ",\"messages\":[";
  body += records.messages;
  body += "]}";
  return JsonResponse(std::move(body));
}

BufferReplays::BufferReplays(std::shared_ptr<ApiState> state, std::shared_ptr<LiveStreams> streams)
    : state_(std::move(state)), streams_(std::move(streams)) {}

BufferReplays::~BufferReplays() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : replays_) t.thread.join();
}

Response BufferReplays::Buffer(const Request& request, std::shared_ptr<SseSink> sink) {
  auto view = state_->source->View();
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
  if (!view->storage_open()) return Error(503, "storage is not open");
  if (auto refusal = streams_->CheckStreamLimit()) return *refusal;
  if (auto refusal = CheckReplayLimit()) return *refusal;

  auto session = streams_->StartSession(sink, *lookup.contract, types.value(), params.limit);
  session->StartReplay();
  Json status = {{"status", "buffer_start"},
                 {"contract_id", lookup.id},
                 {"tick_types", TypeNames(types.value())},
                 {"buffer_duration", duration_text},
                 {"buffer_message_count", 0}};
  session->PushEvent("info", session->MainStreamId(), {{"status", status}});
  // Subscribe before reading storage, so no tick falls between the replay and the live part.
  streams_->SubscribeLive(session, lookup.id, types.value(), params.include_backfill);
  streams_->EndAfter(params.timeout, session);
  std::vector<StreamKey> keys;
  for (TickType type : types.value()) keys.push_back({lookup.id, type});
  {
    std::lock_guard lock(mu_);
    auto done = std::make_shared<std::atomic<bool>>(false);
    replays_.push_back(ReplayThread{std::thread([this, session, keys, d = span.value(),
                                                 duration_text, limit = params.limit, done] {
                                      Replay(session, keys, d, duration_text, limit);
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

std::optional<Response> BufferReplays::CheckReplayLimit() {
  std::lock_guard lock(mu_);
  ReapReplays();
  if (static_cast<int>(replays_.size()) >= state_->options.max_buffer_replays) {
    return Error(503, "too many buffer replays running; retry shortly",
                 {{"code", "RATE_LIMIT_EXCEEDED"}});
  }
  return std::nullopt;
}

void BufferReplays::ReapReplays() {
  for (auto it = replays_.begin(); it != replays_.end();) {
    if (it->done->load()) {
      it->thread.join();
      it = replays_.erase(it);
    } else {
      ++it;
    }
  }
}

bool BufferReplays::WaitForClientToDrain(const SseSession& session) {
  const size_t high_water = state_->options.sse_queue_bytes / 2;
  while (session.sink()->queued_bytes() > high_water && !session.sink()->closed()) {
    std::unique_lock lock(mu_);
    if (stopping_) return false;
    cv_.wait_for(lock, std::chrono::milliseconds(2));
  }
  std::lock_guard lock(mu_);
  return !stopping_;
}

void BufferReplays::Replay(std::shared_ptr<SseSession> session, std::vector<StreamKey> streams,
                           Duration span, std::string duration_text, std::optional<int64_t> limit) {
  const TimePoint now = state_->source->Now();
  // The most recent `cap` stored ticks of the window.
  const size_t cap = static_cast<size_t>(limit.value_or(state_->options.max_query_records));
  std::deque<Tick> ticks;
  storage::QueryStats stats;
  const Status st = state_->source->Query(
      streams, now - span, now + std::chrono::minutes(1),
      [&](const Tick& tick) -> ibstream::Status {
        if (session->finished()) return Unavailable("client gone");
        ticks.push_back(tick);
        if (ticks.size() > cap) ticks.pop_front();
        return ibstream::Status::Ok();
      },
      &stats);
  if (session->finished()) return;
  if (!st.ok()) {
    session->Error("BUFFER_ERROR", "reading stored ticks failed: " + st.message());
    return;
  }
  const size_t total = ticks.size();
  for (size_t i = 0; i < total; ++i) {
    // Let the client drain instead of overflowing its queue with history.
    if (!WaitForClientToDrain(*session)) return;
    if (!session->OnReplayed(ticks[i], i, total)) return;
  }
  Json complete = {{"status", "buffer_complete"},
                   {"contract_id", streams.front().contract_id},
                   {"buffer_duration", duration_text},
                   {"buffer_message_count", total}};
  complete["complete"] = stats.complete();
  complete["skipped_damaged"] = SkippedJson(stats);
  session->PushEvent("info", session->MainStreamId(), {{"status", complete}});
  if (!session->FinishReplay()) return;
  Json live = {{"status", "live_start"},
               {"contract_id", streams.front().contract_id},
               {"buffer_duration", duration_text},
               {"buffer_message_count", total}};
  session->PushEvent("info", session->MainStreamId(), {{"status", live}});
}

}  // namespace ibstream::http
