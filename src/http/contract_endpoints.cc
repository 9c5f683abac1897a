#include "http/contract_endpoints.h"

#include <toml++/toml.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <sstream>
#include <string>

#include "http/api_common.h"
#include "http/json_body.h"
#include "http/recorder_api.h"

namespace ibstream::http {
namespace {

using recorder::ContractView;

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

Response Contracts(ApiState& api, const Request&) {
  auto view = api.source->View();
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

Response TrackContract(ApiState& api, const Request& request) {
  auto text = ContractJsonToToml(request.body);
  if (!text.ok()) return Error(400, text.status().message());
  auto change = api.source->Track(*text);
  if (!change.ok()) return Error(ContractChangeStatus(change.status()), change.status().message());
  api.contract_changes.fetch_add(1);
  return JsonOk(ContractChangeJson("tracking", *change), 201);
}

Response UntrackContract(ApiState& api, const Request& request) {
  const std::string& id = request.path_params.at("id");
  auto change = api.source->Untrack(id);
  if (!change.ok()) return Error(ContractChangeStatus(change.status()), change.status().message());
  api.contract_changes.fetch_add(1);
  return JsonOk(ContractChangeJson("untracked", *change));
}

Result<std::string> ContractJsonToToml(std::string_view json_text) {
  auto parsed = ParseJsonBody(json_text);
  if (!parsed.ok()) return parsed.status();
  const Json& body = *parsed;
  if (!body.is_object()) {
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

}  // namespace ibstream::http
