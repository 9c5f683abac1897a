// How a filled gap was filled, as JSON: the "fill" object of GET /v1/gaps (http/README.md), which
// `ibstream gaps` prints from a running recorder and from the store's ledger alike.
#pragma once

#include <nlohmann/json.hpp>

#include "reliability/fill_time.h"

namespace ibstream::http {

// {"queued_at", "filled_at", "time_to_fill_seconds", "requests", "requests_needed",
//  "pacing_minimum_seconds", "round_trip_seconds", "least_time_seconds", "ratio_to_minimum"}:
// the ratio is time to fill over the least time (reliability/fill_time.h), null when there is
// no least time to compare against.
nlohmann::ordered_json GapFillJson(const reliability::GapFillTiming& fill);

}  // namespace ibstream::http
