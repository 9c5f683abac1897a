// GET /v1/dashboard: what the page at / plots, in one document built from one RecorderView (and
// the history it carries, recorder/recorder_history.h). Internal to src/http.
//
// Every contract, stream, gap and alert carries its conId and its symbol (`label`: "MNQ MNQU5 ·
// 711280073"; the conId alone for a gap of a contract no longer tracked). Times are ISO 8601
// text and, for the page's arithmetic, Unix milliseconds (`*_ms`). Empty lists are [] (the page
// writes "none"), missing times null.
//
// The timeline's window ("window") runs from the recorder's start, or the oldest gap of the
// history's span if older (never more than the span, 6 hours by default, back), to a little past
// now; each contract's "sessions" are its calendar's states over the window, clipped to it.
//
// Incremental updates: `?since=MS` (the previous answer's now_ms) leaves out of the per-minute
// series the minutes that ended before MS, and out of the alert history and the connection
// events what began and ended before MS (an alert still firing is always listed). Everything
// else (contracts, streams, gaps, firing alerts) is whole in every answer. A bad `since` is a
// 400.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "http/api_state.h"
#include "http/http_types.h"
#include "recorder/recorder_view.h"

namespace ibstream::http {

// The document as JSON text; `since_ms` as the query parameter.
std::string DashboardJson(const recorder::RecorderView& view, std::optional<int64_t> since_ms);

// GET /v1/dashboard.
Response Dashboard(ApiState& api, const Request& request);

}  // namespace ibstream::http
