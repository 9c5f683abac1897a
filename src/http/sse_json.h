// The JSON text of the original's SSE events: the envelope every event is wrapped in, and
// Python's json.dumps separators (", " and ": ") that the original's clients see. TickDataJson
// (recorder_api.h) is defined beside them. Internal to src/http.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "http/api_common.h"
#include "http/json_body.h"  // PythonJson

namespace ibstream::http {

// {"type": ..., "stream_id": ..., "timestamp": <now, UTC to the microsecond>, "data": <data_json>
// [, "metadata": <metadata_json>]}; the two JSON arguments are inserted as they are.
std::string Envelope(std::string_view type, std::string_view stream_id, TimePoint now,
                     std::string_view data_json, std::string_view metadata_json = {});

// An envelope's timestamp: UTC ISO 8601 with 'Z', to the microsecond (omitted when zero).
std::string EnvelopeTimestamp(TimePoint now);

}  // namespace ibstream::http
