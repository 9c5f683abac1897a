// Checks of command-line values that CLI11's own validators let through: CLI::PositiveNumber and
// CLI::Range accept "nan" (every comparison with it is false) and "inf". A refused value is a
// CLI11 ValidationError naming the option, which main.cc turns into exit code 2 (a usage
// error), before any command runs: no option value reaches an invariant check.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "common/clock_speed.h"

namespace ibstream::cli {

// The value of `text` when all of it is one number ("nan" and "inf" included), else nothing.
std::optional<double> ParseNumber(const std::string& text);

// A finite number greater than 0 and at most `max` ("--speed 0", "-1", "nan", "inf" refused).
CLI::Validator PositiveFinite(double max);

// A finite number from `min` to `max`, both included.
CLI::Validator FiniteRange(double min, double max);

// A time ParseIsoTime accepts: ISO 8601 with an offset, a year from 1970 to 2200, an offset
// within +-14:00.
CLI::Validator IsoTime();

}  // namespace ibstream::cli
