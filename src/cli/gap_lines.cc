#include "cli/gap_lines.h"

#include <cstdio>
#include <string>

namespace ibstream::cli {
namespace {

std::string GapLineText(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double GapLineNumber(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

std::string GapLineFixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  return buf;
}

}  // namespace

std::string GapFillText(const nlohmann::json& fill) {
  if (!fill.is_object()) return "";
  std::string out =
      "time_to_fill=" + GapLineFixed(GapLineNumber(fill, "time_to_fill_seconds"), 1) +
      "s requests=" + GapLineFixed(GapLineNumber(fill, "requests"), 0) +
      " needed=" + GapLineFixed(GapLineNumber(fill, "requests_needed"), 0) +
      " pacing_minimum=" + GapLineFixed(GapLineNumber(fill, "pacing_minimum_seconds"), 1) + "s";
  // Recorders before the round-trip floor sent neither.
  if (auto least = fill.find("least_time_seconds"); least != fill.end() && least->is_number()) {
    out += " round_trip=" + GapLineFixed(GapLineNumber(fill, "round_trip_seconds"), 2) +
           "s least_time=" + GapLineFixed(least->get<double>(), 1) + "s";
  }
  out += " ratio=";
  auto ratio = fill.find("ratio_to_minimum");
  out += ratio != fill.end() && ratio->is_number() ? GapLineFixed(ratio->get<double>(), 2)
                                                   : std::string("none");
  return out;
}

std::string GapLine(const nlohmann::json& gap) {
  std::string out = GapLineFixed(GapLineNumber(gap, "id"), 0) + "  " +
                    GapLineFixed(GapLineNumber(gap, "contract_id"), 0) + "/" +
                    GapLineText(gap, "tick_type") + "  " + GapLineText(gap, "start") + " .. " +
                    GapLineText(gap, "end") + "  cause=" + GapLineText(gap, "cause") +
                    "  backfill=" + GapLineText(gap, "state");
  const std::string reason = GapLineText(gap, "reason");
  if (!reason.empty()) out += "  reason=" + reason;
  if (gap.is_object()) {
    if (auto fill = gap.find("fill"); fill != gap.end() && fill->is_object()) {
      out += "  " + GapFillText(*fill);
    }
  }
  return out;
}

}  // namespace ibstream::cli
