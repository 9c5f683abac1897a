// The recorder API's whole-state documents: GET /v1/status (RecorderViewJson, recorder_api.h,
// read by `ibstream status`) and GET /v1/alerts (the alerts firing now). Internal to src/http.
#pragma once

#include "http/api_state.h"
#include "http/http_types.h"

namespace ibstream::http {

// GET /v1/alerts.
Response Alerts(ApiState& api, const Request& request);
// GET /v1/status: RecorderViewJson of the latest view.
Response StatusView(ApiState& api, const Request& request);

}  // namespace ibstream::http
