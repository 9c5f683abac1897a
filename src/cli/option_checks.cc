#include "cli/option_checks.h"

#include <cmath>
#include <cstdlib>

#include "common/clock.h"

namespace ibstream::cli {
namespace {

// "10000", "0.5": the shortest text of a bound.
std::string Show(double value) {
  std::string text = std::to_string(value);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

std::optional<double> ParseNumber(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

CLI::Validator PositiveFinite(double max) {
  const std::string allowed = "a number greater than 0 and at most " + Show(max);
  return CLI::Validator(
      [max, allowed](std::string& text) -> std::string {
        const std::optional<double> value = ParseNumber(text);
        if (!value || !std::isfinite(*value) || !(*value > 0) || *value > max) {
          return "'" + text + "' is not " + allowed;
        }
        return "";
      },
      "NUMBER in (0, " + Show(max) + "]", "POSITIVE_FINITE");
}

CLI::Validator FiniteRange(double min, double max) {
  const std::string allowed = "a number from " + Show(min) + " to " + Show(max);
  return CLI::Validator(
      [min, max, allowed](std::string& text) -> std::string {
        const std::optional<double> value = ParseNumber(text);
        if (!value || !std::isfinite(*value) || *value < min || *value > max) {
          return "'" + text + "' is not " + allowed;
        }
        return "";
      },
      "NUMBER in [" + Show(min) + ", " + Show(max) + "]", "FINITE_RANGE");
}

CLI::Validator IsoTime() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        Result<TimePoint> parsed = ParseIsoTime(text);
        return parsed.ok() ? "" : parsed.status().message();
      },
      "ISO 8601 TIME", "ISO_TIME");
}

}  // namespace ibstream::cli
