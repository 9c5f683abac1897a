// The recorder API's contract list: GET /v1/contracts, and the run-time changes
// POST /v1/contracts (track; the JSON body becomes a [[contracts]] table, see ContractJsonToToml
// in recorder_api.h) and DELETE /v1/contracts/{id} (untrack), both with the bearer token.
// Internal to src/http.
#pragma once

#include "http/api_state.h"
#include "http/http_types.h"

namespace ibstream::http {

// GET /v1/contracts: every contract with its key, origin (config or api) and tick types.
Response Contracts(ApiState& api, const Request& request);
// POST /v1/contracts: 201 with the new contract's key; 400/404/409/503 as the recorder refuses.
Response TrackContract(ApiState& api, const Request& request);
// DELETE /v1/contracts/{id} (a key or a conId).
Response UntrackContract(ApiState& api, const Request& request);

}  // namespace ibstream::http
