// The lines `ibstream gaps --url` prints from a running recorder's GET /v1/gaps: the ledger's
// fields as `ibstream gaps` prints them from the store, then, for a gap that recorder filled,
// how long it took against IB's pacing minimum (http/README.md, "GET /v1/gaps").
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ibstream::cli {

// One gap of /v1/gaps as a line (no newline):
//   "7  711280073/bid_ask  2025-08-12T15:01:00Z .. 2025-08-12T15:02:00Z  cause=disconnect
//    backfill=filled  time_to_fill=34.0s requests=12 needed=11 pacing_minimum=4.0s
//    round_trip=0.25s least_time=4.3s ratio=7.91"
// Missing or mistyped fields print as empty or 0: the answer is another process's, never trusted.
std::string GapLine(const nlohmann::json& gap);

// The fill part alone ("time_to_fill=34.0s ..."); empty when `fill` is not an object. Round trip
// and least time only when the fill has a least time (older recorders' answers have none).
std::string GapFillText(const nlohmann::json& fill);

}  // namespace ibstream::cli
