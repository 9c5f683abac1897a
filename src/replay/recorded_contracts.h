// The simulator contracts of a replayed store: the contract details the recorder cached when it
// resolved them (`<store>/contracts/*.json`, recorder/contract_resolution.h), so that a client
// finds them as it found them live, by conId or by symbol, with the trading and liquid hours as
// recorded. A contract without a cache file is served under its conId alone (symbol "CONID<id>",
// exchange SMART), with a warning.
//
// The replayed market follows the store, not a session model: each contract's session model is
// open around the clock, so every stored tick is served whatever the recorded hours say (clients
// still read the recorded hours in CONTRACT_DATA).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "fs/file_system.h"
#include "sim/catalog.h"

namespace ibstream::replay {

struct RecordedContracts {
  std::vector<sim::SimContract> contracts;  // in the order of `con_ids`
  // One line per contract served without cached details and per unreadable cache file.
  std::vector<std::string> warnings;
};

// Errors: a contract whose details cannot make a simulator contract (e.g. a cached min_tick
// of 0), naming it. Unreadable or damaged cache files are warnings, never errors.
Result<RecordedContracts> LoadRecordedContracts(fs::FileSystem* fs, const std::string& store,
                                                const std::vector<int64_t>& con_ids);

}  // namespace ibstream::replay
