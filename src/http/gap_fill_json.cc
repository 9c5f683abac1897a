#include "http/gap_fill_json.h"

#include <optional>

#include "common/clock.h"

namespace ibstream::http {
namespace {

double FillSeconds(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

nlohmann::ordered_json GapFillJson(const reliability::GapFillTiming& fill) {
  const std::optional<double> ratio = fill.ratio_to_minimum();
  return {{"queued_at", FormatIsoUtc(fill.queued_at)},
          {"filled_at", FormatIsoUtc(fill.filled_at)},
          {"time_to_fill_seconds", FillSeconds(fill.time_to_fill())},
          {"requests", fill.requests},
          {"requests_needed", fill.requests_needed},
          {"pacing_minimum_seconds", FillSeconds(fill.pacing_minimum)},
          {"round_trip_seconds", FillSeconds(fill.round_trip)},
          {"least_time_seconds", FillSeconds(fill.least_time())},
          {"ratio_to_minimum",
           ratio ? nlohmann::ordered_json(*ratio) : nlohmann::ordered_json(nullptr)}};
}

}  // namespace ibstream::http
