// The recorder API's market-hours endpoints, answered from the contract's market calendar as
// the recorder uses it (RecorderApiSource::Calendar). Internal to src/http.
#pragma once

#include "http/api_state.h"
#include "http/http_types.h"

namespace ibstream::http {

// GET /market-status/{id}: trading now or not, the next open and close in the market's zone.
Response MarketStatusOf(ApiState& api, const Request& request);
// GET /trading-schedule/{id}?days=1..30 (default 7): each local date's sessions.
Response TradingSchedule(ApiState& api, const Request& request);

}  // namespace ibstream::http
