// The original's v2 buffer endpoints over the recorder's store: /v2/buffer/{id}/info (what is
// stored of a contract), /v2/buffer/{id}/stats (tick counts of a recent window) and
// /v2/buffer/{id}/range (the ticks of a window as the original's v2 messages). docs/ORIGINAL-API.md
// says how each differs from the original. Internal to src/http.
#pragma once

#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "http/api_state.h"
#include "http/http_types.h"

namespace ibstream::http {

// GET /v2/buffer/{id}/info?tick_types=...
Response V2BufferInfo(ApiState& api, const Request& request);
// GET /v2/buffer/{id}/stats?tick_types=...&duration=1h&storage_type=json|protobuf|both
Response V2BufferStats(ApiState& api, const Request& request);
// GET /v2/buffer/{id}/range?start_time=...&(end_time=...|duration=...)&tz=...&limit=...
Response V2BufferRange(ApiState& api, const Request& request);

// --- pieces exposed for tests ---------------------------------------------------------------

// A duration as Python's str(timedelta): "0:05:00", "1:02:03.500000", "2 days, 0:00:00".
// Negative durations are not expected (callers clamp) and print as "0:00:00".
std::string PythonTimedelta(Duration d);

// The original's range `duration`: "<n>s", "<n>m", "<n>h" or "<n>d" (case-insensitive), n > 0,
// at most 31 days. InvalidArgument otherwise.
Result<Duration> ParseRangeDuration(std::string_view text);

// A range time: ISO 8601 with an offset or Z; without one, a wall time in `tz` (an IANA or IB
// zone name; UTC when empty). InvalidArgument for anything else.
Result<TimePoint> ParseRangeTime(std::string_view text, std::string_view tz);

}  // namespace ibstream::http
