// The recorder API's health endpoints: the original's /health and /background/* documents, and
// the probes /livez and /readyz. Each reads one RecorderView snapshot. Internal to src/http.
#pragma once

#include "http/api_state.h"
#include "http/http_types.h"

namespace ibstream::http {

// GET /health: the original's service summary (gateway, streams, storage counters).
Response Health(ApiState& api, const Request& request);
// GET /background/status: each contract's expected and subscribed tick types.
Response BackgroundStatus(ApiState& api, const Request& request);
// GET /background/health: each contract's health, staleness and streams.
Response BackgroundHealth(ApiState& api, const Request& request);
// GET /background/health/summary: counts of active and stale contracts.
Response BackgroundHealthSummary(ApiState& api, const Request& request);
// GET /background/health/{contract_id}: one contract of /background/health.
Response ContractHealth(ApiState& api, const Request& request);
// GET /livez: 200 while the process answers.
Response Livez(ApiState& api, const Request& request);
// GET /readyz: 200 when storage is open and the gateway session is up, else 503 with reasons.
Response Readyz(ApiState& api, const Request& request);

}  // namespace ibstream::http
