// What the recorder answers to the commands other threads send it (the HTTP API, signal
// handling): plain values, so that a caller can depend on them without the recorder itself.
#pragma once

#include <cstdint>
#include <string>

namespace ibstream::recorder {

// A contract tracked or untracked at run time.
struct ContractChange {
  std::string key;          // "con_711280073", "sym_ES_FUT_CME_USD"
  std::string description;  // "711280073 (MNQ)", "ES FUT CME USD"
  int64_t contract_id = 0;  // 0 until resolved
};

}  // namespace ibstream::recorder
