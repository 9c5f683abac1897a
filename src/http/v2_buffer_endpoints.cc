#include "http/v2_buffer_endpoints.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

#include "calendar/time_zone.h"
#include "http/api_common.h"
#include "http/recorder_api.h"
#include "http/sse_json.h"

namespace ibstream::http {
namespace {

using recorder::ContractView;

constexpr Duration kMaxRange = std::chrono::hours(24 * 31);

// The path's contract, with the original's "detail" added to LookupContract's refusals.
ContractLookup Lookup(const Request& request, const recorder::RecorderView& view) {
  ContractLookup lookup = LookupContract(request, view);
  if (lookup.error) {
    Json body = Json::parse(lookup.error->body, nullptr, false);
    if (body.is_object()) {
      body["detail"] = lookup.error->status == 404
                           ? "Contract " + std::to_string(lookup.id) + " has no stored data"
                           : body.value("error", std::string());
      lookup.error = JsonOk(body, lookup.error->status);
    }
  }
  return lookup;
}

// The streams of `types`: each type and the fallback kind it may be recorded as.
std::vector<StreamKey> StreamsOf(int64_t id, const std::vector<TickType>& types) {
  std::vector<StreamKey> out;
  auto add = [&out, id](TickType t) {
    StreamKey key{id, t};
    if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(key);
  };
  for (TickType t : types) {
    add(t);
    add(FallbackKind(t));
  }
  return out;
}

std::optional<Response> ReadStorageType(const Request& request, std::string& out) {
  out = request.Query("storage_type").value_or("json");
  if (out != "json" && out != "protobuf" && out != "both") {
    return Refuse(400, "storage_type must be 'json', 'protobuf', or 'both'",
                  {{"parameter", "storage_type"}});
  }
  return std::nullopt;
}

// The original's buffer statistics of the stored ticks in [from, to).
struct WindowStats {
  Json json;
  Status status;
};
WindowStats StatsOf(const ApiState& api, const std::vector<StreamKey>& streams, TimePoint from,
                    TimePoint to, const std::string& duration_text) {
  Json counts = Json::object();
  Json type_names = Json::array();
  uint64_t total = 0;
  std::optional<TimePoint> earliest;
  std::optional<TimePoint> latest;
  storage::QueryStats query_stats;
  Status status = api.source->Query(
      streams, from, to,
      [&](const Tick& tick) {
        const std::string name(TickTypeName(tick.type));
        if (!counts.contains(name)) {
          counts[name] = 0;
          type_names.push_back(name);
        }
        counts[name] = counts[name].get<uint64_t>() + 1;
        ++total;
        if (!earliest || tick.exchange_time < *earliest) earliest = tick.exchange_time;
        if (!latest || tick.exchange_time > *latest) latest = tick.exchange_time;
        return Status::Ok();
      },
      &query_stats);
  WindowStats out;
  out.status = status;
  if (total == 0) {
    out.json = {{"message_count", 0},
                {"tick_types", Json::array()},
                {"time_range", nullptr},
                {"duration_requested", duration_text},
                {"duration_available", nullptr}};
  } else {
    const Duration span = *latest - *earliest;
    out.json = {
        {"message_count", total},
        {"tick_type_counts", counts},
        {"tick_types", type_names},
        {"time_range", {{"start", FormatIsoUtc(*earliest)}, {"end", FormatIsoUtc(*latest)}}},
        {"duration_requested", duration_text},
        {"duration_available",
         span > Duration::zero() ? Json(PythonTimedelta(span)) : Json(nullptr)}};
  }
  out.json["complete"] = query_stats.complete();
  return out;
}

// The exchange time of the earliest stored tick of `streams` in [from, to); empty when none.
std::optional<TimePoint> EarliestTick(const ApiState& api, const std::vector<StreamKey>& streams,
                                      TimePoint from, TimePoint to) {
  std::optional<TimePoint> first;
  const Status found = ResourceExhausted("first tick found");
  (void)api.source->Query(
      streams, from, to,
      [&](const Tick& tick) -> Status {
        first = tick.exchange_time;
        return found;
      },
      nullptr);
  return first;
}

// The range's window from start_time and end_time or duration; the 400 of a bad one.
std::optional<Response> ReadRangeWindow(const Request& request, TimePoint& from, TimePoint& to) {
  const std::string tz = request.Query("tz").value_or("");
  auto start_text = request.Query("start_time");
  if (!start_text) return Refuse(400, "start_time is required", {{"parameter", "start_time"}});
  auto start = ParseRangeTime(*start_text, tz);
  if (!start.ok()) {
    return Refuse(400, "Invalid start_time format: " + start.status().message(),
                  {{"parameter", "start_time"}});
  }
  from = start.value();
  if (auto end_text = request.Query("end_time")) {
    auto end = ParseRangeTime(*end_text, tz);
    if (!end.ok()) {
      return Refuse(400, "Invalid end_time format: " + end.status().message(),
                    {{"parameter", "end_time"}});
    }
    to = end.value();
  } else if (auto duration_text = request.Query("duration")) {
    auto span = ParseRangeDuration(*duration_text);
    if (!span.ok()) return Refuse(400, span.status().message(), {{"parameter", "duration"}});
    to = from + span.value();
  } else {
    return Refuse(400, "Either end_time or duration must be provided", {{"parameter", "end_time"}});
  }
  if (!(from < to)) {
    return Refuse(400, "end_time must be after start_time", {{"parameter", "end_time"}});
  }
  if (to - from > kMaxRange) {
    return Refuse(400, "the range is longer than 31 days", {{"parameter", "end_time"}});
  }
  return std::nullopt;
}

// One stored tick as the original's v2 message (type, stream_id, timestamp, data, metadata).
void AppendV2Message(const Tick& tick, std::string& out) {
  const std::string type(TickTypeName(tick.type));
  const std::string id = std::to_string(tick.contract_id);
  const std::string metadata = PythonJson({{"source", "ibstream_store"},
                                           {"request_id", "0"},
                                           {"contract_id", id},
                                           {"tick_type", type}});
  out += Envelope("tick", "bg_" + id + "_" + type, tick.receive_time, TickDataJson(tick), metadata);
}

}  // namespace

Response V2BufferInfo(ApiState& api, const Request& request) {
  auto view = api.source->View();
  auto lookup = Lookup(request, *view);
  if (lookup.error) return *lookup.error;
  auto types = ParseTickTypes(request.Query("tick_types").value_or("bid_ask,last"));
  if (!types.ok()) return Refuse(400, types.status().message(), {{"parameter", "tick_types"}});
  if (!view->storage_open()) return Refuse(503, "Storage system not available");
  const ContractView& c = *lookup.contract;
  const std::vector<StreamKey> streams = StreamsOf(lookup.id, types.value());
  std::optional<TimePoint> latest;
  for (const auto& s : c.streams) {
    if (std::find(streams.begin(), streams.end(), s.key) == streams.end()) continue;
    if (s.last_exchange_time && (!latest || *s.last_exchange_time > *latest)) {
      latest = s.last_exchange_time;
    }
  }
  const TimePoint now = api.source->Now();
  auto earliest = EarliestTick(api, streams, now - std::chrono::hours(c.buffer_hours), now);
  WindowStats stats = StatsOf(api, streams, now - std::chrono::hours(1), now, "1h");
  if (!stats.status.ok()) return Refuse(503, "query failed: " + stats.status.message());
  Json body = {
      {"contract_id", lookup.id},
      {"tick_types", TypeNames(types.value())},
      {"tracked", true},
      {"available_duration", earliest ? Json(PythonTimedelta(now - *earliest)) : Json(nullptr)},
      {"configured_buffer_hours", c.buffer_hours},
      {"latest_tick_time", IsoOrNull(latest)},
      {"buffer_stats_1h", stats.json},
      {"timestamp", FormatIsoUtc(now)},
  };
  return JsonOk(body);
}

Response V2BufferStats(ApiState& api, const Request& request) {
  auto view = api.source->View();
  auto lookup = Lookup(request, *view);
  if (lookup.error) return *lookup.error;
  auto types = ParseTickTypes(request.Query("tick_types").value_or("bid_ask,last"));
  if (!types.ok()) return Refuse(400, types.status().message(), {{"parameter", "tick_types"}});
  const std::string duration_text = request.Query("duration").value_or("1h");
  auto span = ParseBufferDuration(duration_text);
  if (!span.ok()) return Refuse(400, span.status().message(), {{"parameter", "duration"}});
  std::string storage_type;
  if (auto refusal = ReadStorageType(request, storage_type)) return *refusal;
  if (!view->storage_open()) return Refuse(503, "Storage system not available");
  const TimePoint now = api.source->Now();
  WindowStats stats =
      StatsOf(api, StreamsOf(lookup.id, types.value()), now - span.value(), now, duration_text);
  if (!stats.status.ok()) return Refuse(503, "query failed: " + stats.status.message());
  stats.json["storage_type"] = storage_type;
  return JsonOk(
      {{"contract_id", lookup.id}, {"statistics", stats.json}, {"timestamp", FormatIsoUtc(now)}});
}

Response V2BufferRange(ApiState& api, const Request& request) {
  auto view = api.source->View();
  auto lookup = Lookup(request, *view);
  if (lookup.error) return *lookup.error;
  auto types = ParseTickTypes(request.Query("tick_types").value_or("bid_ask,last"));
  if (!types.ok()) return Refuse(400, types.status().message(), {{"parameter", "tick_types"}});
  TimePoint from;
  TimePoint to;
  if (auto refusal = ReadRangeWindow(request, from, to)) return *refusal;
  std::string storage_type;
  if (auto refusal = ReadStorageType(request, storage_type)) return *refusal;
  IntParam limit = ReadIntParam(request, "limit", 1, api.options.max_query_records);
  if (limit.error) return *limit.error;
  const int64_t max_records = limit.value.value_or(api.options.max_query_records);
  if (!view->storage_open()) return Refuse(503, "Storage system not available");

  std::string messages;
  int64_t count = 0;
  bool truncated = false;
  std::optional<TimePoint> first;
  std::optional<TimePoint> last;
  storage::QueryStats query_stats;
  const Status stop = ResourceExhausted("limit reached");
  Status status = api.source->Query(
      StreamsOf(lookup.id, types.value()), from, to,
      [&](const Tick& tick) -> Status {
        if (count >= max_records) {
          truncated = true;
          return stop;
        }
        if (count > 0) messages += ',';
        AppendV2Message(tick, messages);
        ++count;
        if (!first || tick.receive_time < *first) first = tick.receive_time;
        if (!last || tick.receive_time > *last) last = tick.receive_time;
        return Status::Ok();
      },
      &query_stats);
  if (!status.ok() && !truncated) return Refuse(503, "query failed: " + status.message());

  auto envelope_time = [](const std::optional<TimePoint>& t) -> Json {
    if (!t) return nullptr;
    return FormatIsoUtc(std::chrono::floor<std::chrono::microseconds>(*t));
  };
  Json head = {
      {"contract_id", lookup.id},
      {"tick_types", TypeNames(types.value())},
      {"requested_range",
       {{"start_time", FormatIsoUtc(from)},
        {"end_time", FormatIsoUtc(to)},
        {"duration_seconds", Seconds(to - from)}}},
      {"actual_range",
       {{"start_time", envelope_time(first)},
        {"end_time", envelope_time(last)},
        {"message_count", count}}},
      {"storage_type", storage_type},
      {"truncated", truncated},
      {"complete", query_stats.complete()},
      {"timestamp", FormatIsoUtc(api.source->Now())},
  };
  std::string body = head.dump(-1, ' ', false, Json::error_handler_t::replace);
  body.pop_back();  // the closing brace
  body += ",\"messages\":[";
  body += messages;
  body += "]}";
  return JsonResponse(std::move(body));
}

std::string PythonTimedelta(Duration d) {
  using namespace std::chrono;
  if (d < Duration::zero()) d = Duration::zero();
  const auto micros = duration_cast<microseconds>(d).count();
  const int64_t days = micros / (86400LL * 1'000'000);
  int64_t rest = micros % (86400LL * 1'000'000);
  const int64_t hours = rest / (3600LL * 1'000'000);
  rest %= 3600LL * 1'000'000;
  const int64_t minutes = rest / (60LL * 1'000'000);
  rest %= 60LL * 1'000'000;
  const int64_t seconds = rest / 1'000'000;
  const int64_t fraction = rest % 1'000'000;
  char buf[64];
  std::string out;
  if (days != 0) out = std::to_string(days) + (days == 1 ? " day, " : " days, ");
  std::snprintf(buf, sizeof(buf), "%lld:%02lld:%02lld", static_cast<long long>(hours),
                static_cast<long long>(minutes), static_cast<long long>(seconds));
  out += buf;
  if (fraction != 0) {
    std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(fraction));
    out += buf;
  }
  return out;
}

Result<Duration> ParseRangeDuration(std::string_view text) {
  const std::string original(text);
  auto refuse = [&original] {
    return InvalidArgument("Invalid duration format: " + original +
                           ". Use format like '1m', '5m', '1h', '2d' (at most 31 days)");
  };
  if (text.size() < 2) return refuse();
  const char unit_char = static_cast<char>(std::tolower(static_cast<unsigned char>(text.back())));
  Duration unit;
  switch (unit_char) {
    case 's':
      unit = std::chrono::seconds(1);
      break;
    case 'm':
      unit = std::chrono::minutes(1);
      break;
    case 'h':
      unit = std::chrono::hours(1);
      break;
    case 'd':
      unit = std::chrono::hours(24);
      break;
    default:
      return refuse();
  }
  text.remove_suffix(1);
  if (text.front() == '-' || text.front() == '+') return refuse();
  auto n = ParseInt(text);
  // Compared as counts of `unit`: multiplying first could overflow.
  if (!n || *n <= 0 || *n > kMaxRange / unit) return refuse();
  return unit * *n;
}

Result<TimePoint> ParseRangeTime(std::string_view text, std::string_view tz) {
  auto with_offset = ParseIsoTime(text);
  if (with_offset.ok()) return with_offset;
  if (with_offset.status().code() == StatusCode::kOutOfRange) {
    return InvalidArgument(with_offset.status().message());
  }
  // No offset: a wall time, read first as if it were UTC.
  auto wall = ParseIsoTime(std::string(text) + "Z");
  if (!wall.ok()) {
    return InvalidArgument("'" + std::string(text) +
                           "' is not ISO 8601 like 2025-07-25T12:00:00Z, or "
                           "2025-07-25T12:00:00 with the tz parameter");
  }
  if (tz.empty() || tz == "UTC" || tz == "utc") return wall;
  auto zone = calendar::TimeZone::Resolve(tz);
  if (!zone.ok()) return InvalidArgument("tz: " + zone.status().message());
  const auto since_epoch = wall.value().time_since_epoch();
  const auto whole = std::chrono::floor<std::chrono::seconds>(since_epoch);
  return zone.value().ToUtc(calendar::LocalSeconds(whole)) + (since_epoch - whole);
}

}  // namespace ibstream::http
