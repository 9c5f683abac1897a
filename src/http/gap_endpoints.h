// The recorder API's gap endpoints: the gap ledger (GET /v1/gaps) and backfill requests
// (POST /v1/backfill, with the bearer token). Internal to src/http.
#pragma once

#include "http/api_state.h"
#include "http/http_types.h"

namespace ibstream::http {

// GET /v1/gaps?contract_id=&state=: the recent ledger entries, filtered.
Response Gaps(ApiState& api, const Request& request);
// POST /v1/backfill {"contract_id", "tick_type", "from", "to"}: 202 when the recorder takes it.
Response Backfill(ApiState& api, const Request& request);

}  // namespace ibstream::http
