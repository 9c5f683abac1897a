// One tracked contract given on its own, outside a configuration file: the body of the HTTP API's
// "track a contract" request and the contracts kept in the recorder's run-time contract list.
//
// The text holds the keys of one [[contracts]] table, as TOML (`con_id = 711280073` or
// `symbol = "ES"` ...). It is checked exactly as a file's contract is (every key, every value,
// the same messages); reliability fields it does not set take the running configuration's
// [reliability] values.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "config/config.h"

namespace ibstream::config {

// InvalidArgument naming every bad key (one error per line), or the contract.
Result<ContractConfig> ParseContractTable(std::string_view toml_text,
                                          const ReliabilityConfig& inherited,
                                          std::string_view source_name);

}  // namespace ibstream::config
