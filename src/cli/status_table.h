// `ibstream status`: a running recorder's /v1/status document rendered as a table.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ibstream::cli {

// One header line (overall health, gateway, storage), then one row per stream: contract, tick
// type, market status, health status, age of the last tick, live ticks, gaps (pending). Missing
// or mistyped fields show as "-" (the document comes over the network).
std::string RenderStatusTable(const nlohmann::json& status);

}  // namespace ibstream::cli
