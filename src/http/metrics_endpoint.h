// The recorder API's GET /metrics: the latest RecorderView and the API's own counters in the
// Prometheus text format (family names and labels are documented in README.md).
// Internal to src/http.
#pragma once

#include "http/api_state.h"
#include "http/http_types.h"

namespace ibstream::http {

Response Metrics(ApiState& api, const Request& request);

}  // namespace ibstream::http
