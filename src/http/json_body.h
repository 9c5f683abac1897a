// JSON request bodies, bounded before the JSON library sees them. Every endpoint that reads a
// JSON body parses it here, so one limit covers them all.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ibstream::http {

// Arrays and objects nested deeper than this are refused.
inline constexpr int kMaxJsonBodyDepth = 64;

// Parses `body` as one JSON value. Before parsing, a linear scan without recursion checks that
// arrays and objects nest at most `max_depth` deep, so hostile nesting costs one pass and no
// stack. InvalidArgument naming the limit when deeper; InvalidArgument naming the position when
// the text is not JSON. Never throws.
Result<nlohmann::ordered_json> ParseJsonBody(std::string_view body,
                                             int max_depth = kMaxJsonBodyDepth);

// `value` as compact JSON with Python's default separators (", " and ": "; strings left as they
// are, invalid UTF-8 replaced), as the original's json.dumps writes it.
std::string PythonJson(const nlohmann::ordered_json& value);

}  // namespace ibstream::http
