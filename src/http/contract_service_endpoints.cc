#include "http/contract_service_endpoints.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

#include "http/api_common.h"

namespace ibstream::http {
namespace {

using recorder::ContractView;

constexpr std::array<std::string_view, 9> kSecTypes = {"STK", "FUT",  "OPT",  "CASH", "IND",
                                                       "CFD", "BOND", "FUND", "CMDTY"};
constexpr size_t kMaxSymbolLength = 32;

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

Json OrNa(const std::string& value) { return value.empty() ? Json("N/A") : Json(value); }

// The original's contract dictionary (contract_lookup.py), from what the recorder keeps.
Json ContractJson(const ContractView& c) {
  return {
      {"symbol", c.symbol},
      {"sec_type", c.sec_type},
      {"exchange", c.exchange},
      {"primary_exchange", "N/A"},
      {"currency", c.currency},
      {"expiry", OrNa(c.last_trade_date)},
      {"multiplier", "N/A"},
      {"trading_class", "N/A"},
      {"con_id", c.contract_id},
      {"local_symbol", OrNa(c.local_symbol)},
      {"strike", "N/A"},
      {"right", "N/A"},
      {"min_tick", "N/A"},
      {"price_magnifier", "N/A"},
      {"market_name", "N/A"},
      {"long_name", "N/A"},
      {"contract_month", "N/A"},
      {"industry", "N/A"},
      {"category", "N/A"},
      {"subcategory", "N/A"},
      {"time_zone_id", OrNa(c.time_zone_id)},
      {"trading_hours", OrNa(c.trading_hours)},
      {"liquid_hours", OrNa(c.liquid_hours)},
      {"retrieved_at", IsoOrNull(c.details_updated_at)},
  };
}

// The path's tracked contract: 400 outside 1..999,999,999,999, 404 when not tracked.
const ContractView* FindPathContract(const Request& request, const recorder::RecorderView& view,
                                     std::optional<Response>& error) {
  const std::string& raw = request.path_params.at("id");
  auto id = ParseContractId(raw);
  if (!id) {
    error = Refuse(400, "Invalid contract ID: must be an integer from 1 to 999999999999",
                   {{"contract_id", raw}});
    return nullptr;
  }
  const ContractView* c = FindContract(view, *id);
  if (c == nullptr) {
    error = Refuse(404,
                   "Contract ID " + std::to_string(*id) +
                       " is not tracked by this recorder (it makes no IB lookups of its own; "
                       "track it with POST /v1/contracts)",
                   {{"contract_id", *id}, {"tracked_contracts", TrackedIds(view)}});
  }
  return c;
}

}  // namespace

Response LookupSymbol(ApiState& api, const Request& request) {
  const std::string symbol = Upper(request.path_params.at("symbol"));
  if (symbol.empty() || symbol.size() > kMaxSymbolLength) {
    return Refuse(400, "Invalid symbol: 1 to 32 characters", {{"parameter", "symbol"}});
  }
  std::optional<std::string> sec_type;
  if (auto it = request.path_params.find("sec_type"); it != request.path_params.end()) {
    sec_type = Upper(it->second);
    if (std::find(kSecTypes.begin(), kSecTypes.end(), *sec_type) == kSecTypes.end()) {
      return Refuse(400,
                    "Invalid security type: " + it->second +
                        ". Valid types: STK, FUT, OPT, CASH, IND, CFD, BOND, FUND, CMDTY",
                    {{"parameter", "sec_type"}});
    }
  }
  auto view = api.source->View();
  Json by_type = Json::object();
  Json summary = Json::object();
  size_t total = 0;
  for (const ContractView& c : view->contracts) {
    if (!c.resolved || Upper(c.symbol) != symbol) continue;
    if (sec_type && Upper(c.sec_type) != *sec_type) continue;
    const std::string type = c.sec_type.empty() ? "UNKNOWN" : c.sec_type;
    if (!by_type.contains(type)) by_type[type] = {{"count", 0}, {"contracts", Json::array()}};
    by_type[type]["contracts"].push_back(ContractJson(c));
    by_type[type]["count"] = by_type[type]["contracts"].size();
    summary[type] = by_type[type]["contracts"].size();
    ++total;
  }
  Json searched = Json::array();
  if (sec_type) {
    searched.push_back(*sec_type);
  } else {
    for (std::string_view t : kSecTypes) searched.push_back(std::string(t));
  }
  return JsonOk({{"ticker", symbol},
                 {"timestamp", FormatIsoUtc(api.source->Now())},
                 {"security_types_searched", searched},
                 {"total_contracts", total},
                 {"contracts_by_type", by_type},
                 {"summary", summary},
                 {"cached", true},
                 {"source", "tracked contracts"}});
}

Response ContractDetails(ApiState& api, const Request& request) {
  auto view = api.source->View();
  std::optional<Response> error;
  const ContractView* c = FindPathContract(request, *view, error);
  if (c == nullptr) return *error;
  Json body = {{"status", "success"},
               {"timestamp", FormatIsoUtc(api.source->Now())},
               {"contract_id", c->contract_id}};
  const Json details = ContractJson(*c);  // named: items() would not keep a temporary alive
  for (const auto& [key, value] : details.items()) body[key] = value;
  return JsonOk(body);
}

Response TradingHours(ApiState& api, const Request& request) {
  auto view = api.source->View();
  std::optional<Response> error;
  const ContractView* c = FindPathContract(request, *view, error);
  if (c == nullptr) return *error;
  return JsonOk(
      {{"status", "success"},
       {"timestamp", FormatIsoUtc(api.source->Now())},
       {"contract_id", c->contract_id},
       {"contract_info",
        {{"symbol", c->symbol},
         {"sec_type", c->sec_type},
         {"exchange", c->exchange},
         {"currency", c->currency},
         {"market_name", "N/A"}}},
       {"trading_hours_info",
        {{"time_zone_id", OrNa(c->time_zone_id)},
         {"trading_hours", OrNa(c->trading_hours)},
         {"liquid_hours", OrNa(c->liquid_hours)},
         {"retrieved_at", IsoOrNull(c->details_updated_at)}}},
       {"calendar_error", c->calendar_error.empty() ? Json(nullptr) : Json(c->calendar_error)}});
}

}  // namespace ibstream::http
