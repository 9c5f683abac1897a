#include "http/api_common.h"

#include <algorithm>
#include <charconv>

#include "http/recorder_api.h"

namespace ibstream::http {

using recorder::ContractView;
using recorder::RecorderView;

Response JsonOk(const Json& body, int status) {
  return JsonResponse(body.dump(-1, ' ', false, Json::error_handler_t::replace), status);
}

// The shape of every 4xx/5xx: {"error": message, "status": code, ...extra}.
Response Error(int status, std::string_view message, Json extra) {
  Json body = {{"error", std::string(message)}, {"status", status}};
  for (auto& [key, value] : extra.items()) body[key] = value;
  return JsonOk(body, status);
}

Response Refuse(int status, const std::string& message, Json extra) {
  extra["detail"] = message;
  return Error(status, message, std::move(extra));
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

namespace {

// A configured tick-by-tick kind, or a fallback kind one of them records through when it has no
// tick-by-tick slot (quote for bid_ask and mid_point, trade for last and all_last).
bool Records(const ContractView& c, TickType type) {
  if (type == TickType::kDepth) return c.depth_rows > 0;
  return std::any_of(c.expected_types.begin(), c.expected_types.end(), [type](TickType expected) {
    return expected == type || (!IsTickByTick(type) && FallbackKind(expected) == type);
  });
}

}  // namespace

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

ContractLookup LookupContract(const Request& request, const RecorderView& view, const char* param) {
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

Result<Duration> ParseBufferDuration(std::string_view text) {
  const std::string original(text);
  Duration unit = std::chrono::hours(1);
  if (!text.empty() && (text.back() == 'h' || text.back() == 'm' || text.back() == 'd')) {
    if (text.back() == 'm') unit = std::chrono::minutes(1);
    if (text.back() == 'd') unit = std::chrono::hours(24);
    text.remove_suffix(1);
  }
  auto n = ParseInt(text);
  // Compared as counts of `unit`: multiplying first would overflow for a huge `n`.
  if (!n || *n <= 0 || *n > std::chrono::hours(24 * 31) / unit) {
    return InvalidArgument(
        "buffer_duration must be <n>h, <n>m, <n>d or a number of hours, "
        "positive and at most 31 days; got '" +
        original + "'");
  }
  return unit * *n;
}

}  // namespace ibstream::http
