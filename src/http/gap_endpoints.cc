#include "http/gap_endpoints.h"

#include <map>
#include <optional>
#include <string>

#include "http/api_common.h"
#include "http/gap_fill_json.h"
#include "http/json_body.h"
#include "recorder/gap_fill.h"

namespace ibstream::http {
namespace {

using recorder::ContractView;

Json GapJsonFields(const storage::GapRecord& gap) {
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

// How a filled gap was filled: what this recorder measured, or else what the ledger kept
// (a gap filled before a restart, or beyond the most recent kMaxGapFills).
Json GapJson(const storage::GapRecord& gap,
             const std::map<uint64_t, reliability::GapFillTiming>& fills) {
  Json j = GapJsonFields(gap);
  const auto fill = fills.find(gap.id);
  if (fill != fills.end()) {
    j["fill"] = GapFillJson(fill->second);
  } else if (gap.fill && gap.state == storage::BackfillState::kFilled) {
    j["fill"] = GapFillJson(recorder::FillTiming(*gap.fill));
  } else {
    j["fill"] = nullptr;
  }
  return j;
}

}  // namespace

Response Gaps(ApiState& api, const Request& request) {
  auto view = api.source->View();
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
    gaps.push_back(GapJson(gap, view->gap_fills));
  }
  const size_t total = gaps.size();
  return JsonOk({{"timestamp", FormatIsoUtc(view->now)}, {"total", total}, {"gaps", gaps}});
}

// `{"gap_id": N}`: the ledger's failed or partial gap N is asked again.
Response RetryGap(ApiState& api, const Json& id) {
  if (!id.is_number_unsigned() || id.get<uint64_t>() == 0) {
    return Error(400, "gap_id must be a positive integer");
  }
  const uint64_t gap_id = id.get<uint64_t>();
  const Status st = api.source->RetryGap(gap_id);
  if (!st.ok()) {
    int code = 503;
    if (st.code() == StatusCode::kNotFound) code = 404;
    if (st.code() == StatusCode::kFailedPrecondition) code = 409;
    if (st.code() == StatusCode::kInvalidArgument) code = 400;
    return Error(code, st.message(), {{"gap_id", gap_id}});
  }
  api.backfill_requests.fetch_add(1);
  return JsonOk({{"status", "accepted"}, {"gap_id", gap_id}}, 202);
}

Response Backfill(ApiState& api, const Request& request) {
  auto parsed = ParseJsonBody(request.body);
  if (!parsed.ok()) return Error(400, parsed.status().message());
  const Json& body = *parsed;
  if (!body.is_object()) return Error(400, "the body must be a JSON object");
  auto string_field = [&body](const char* key) -> std::optional<std::string> {
    auto it = body.find(key);
    if (it == body.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  if (auto it = body.find("gap_id"); it != body.end()) return RetryGap(api, *it);
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
  auto view = api.source->View();
  const ContractView* c = FindContract(*view, *contract_id);
  if (c == nullptr) {
    return Error(404, "Contract not tracked",
                 {{"contract_id", *contract_id}, {"tracked_contracts", TrackedIds(*view)}});
  }
  if (auto refusal = RefuseUnrecorded(*c, {type.value()})) return *refusal;
  const Status st =
      api.source->RequestBackfill({*contract_id, type.value()}, from.value(), to.value());
  if (!st.ok()) {
    int code = 503;
    if (st.code() == StatusCode::kInvalidArgument) code = 400;
    if (st.code() == StatusCode::kFailedPrecondition) code = 409;  // e.g. a merged store
    return Error(code, st.message());
  }
  api.backfill_requests.fetch_add(1);
  return JsonOk({{"status", "accepted"},
                 {"contract_id", *contract_id},
                 {"tick_type", std::string(TickTypeName(type.value()))},
                 {"from", FormatIsoUtc(from.value())},
                 {"to", FormatIsoUtc(to.value())}},
                202);
}

}  // namespace ibstream::http
