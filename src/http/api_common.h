// What the recorder API's endpoint families share: JSON responses and the error shape, the
// parsing of path and query parameters, and the lookup of the path's contract in a view.
// Internal to src/http.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "http/http_types.h"
#include "model/tick.h"
#include "recorder/recorder_view.h"

namespace ibstream::http {

using Json = nlohmann::ordered_json;

// A JSON body (invalid UTF-8 replaced) with `status`.
Response JsonOk(const Json& body, int status = 200);

// The shape of every 4xx/5xx: {"error": message, "status": code, ...extra}.
Response Error(int status, std::string_view message, Json extra = Json::object());

// An Error whose body also carries the reason as "detail": the original's 4xx body (FastAPI's
// HTTPException) is {"detail": message}, so clients of either API find it.
Response Refuse(int status, const std::string& message, Json extra = Json::object());

// ISO 8601 UTC text, or null.
Json IsoOrNull(const std::optional<TimePoint>& t);

double Seconds(Duration d);

// A decimal integer filling all of `text` (an optional leading minus, no spaces).
std::optional<int64_t> ParseInt(std::string_view text);

// A conId: 1..999,999,999,999 (the original's bounds).
std::optional<int64_t> ParseContractId(std::string_view text);

// The resolved contract with `id`; null when none.
const recorder::ContractView* FindContract(const recorder::RecorderView& view, int64_t id);

// The ids of the resolved contracts, as a JSON array (the 404's "tracked_contracts").
Json TrackedIds(const recorder::RecorderView& view);

// ["bid_ask", "last"].
Json TypeNames(const std::vector<TickType>& types);

// The 404 for the first of `types` the contract does not record; empty when it records them all.
std::optional<Response> RefuseUnrecorded(const recorder::ContractView& c,
                                         const std::vector<TickType>& types);

// The path's contract: 400 for a bad id, 404 for one not tracked. `contract` points into the
// view passed to LookupContract.
struct ContractLookup {
  std::optional<Response> error;
  const recorder::ContractView* contract = nullptr;
  int64_t id = 0;
};
ContractLookup LookupContract(const Request& request, const recorder::RecorderView& view,
                              const char* param = "id");

// "bid_ask,last" (either spelling, de-duplicated, order kept); InvalidArgument on an unknown
// name or when none is given.
Result<std::vector<TickType>> ParseTickTypes(std::string_view csv);

// An integer query parameter within [low, high]; `value` empty when absent, `error` the 400
// when present but not such an integer.
struct IntParam {
  std::optional<int64_t> value;
  std::optional<Response> error;
};
IntParam ReadIntParam(const Request& request, const std::string& name, int64_t low, int64_t high);

}  // namespace ibstream::http
