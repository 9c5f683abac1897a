// Scenario files: the virtual timeline of a simulation (start, speed, seed), extra contracts and
// scripted faults. TOML, documented in SCENARIOS.md.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "sim/catalog.h"
#include "sim/fault.h"

namespace ibstream::sim {

struct Scenario {
  std::string name;
  std::string description;
  // [simulation]; the command line wins over these.
  std::optional<TimePoint> start;
  std::optional<double> speed;
  std::optional<uint64_t> seed;
  // [limits]: `tick_by_tick_limit` (or its older name `max_tick_by_tick`), `market_data_lines`.
  std::optional<int32_t> max_tick_by_tick;
  std::optional<int32_t> market_data_lines;
  std::optional<size_t> send_buffer_bytes;
  // [[contract]]: added to the built-in catalog.
  std::vector<SimContract> contracts;
  // [[fault]], in file order.
  std::vector<FaultSpec> faults;
};

// Parses a scenario from TOML text; `origin` names the source in errors ("file.toml:12: ...").
Result<Scenario> ParseScenario(std::string_view toml_text, std::string_view origin = "scenario");
// Reads and parses a file.
Result<Scenario> LoadScenario(const std::string& path);

}  // namespace ibstream::sim
