// The configuration's key tables, one function per section, in documentation order (the order
// of src/config/README.md and of `config check`). Each section's keys live in
// <section>_settings.cc, the top-level `profile` key in settings.cc. Internal to the config part.
#pragma once

#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/setting.h"

namespace ibstream::config::internal {

// The variable of the original that replaces the [[contracts]] list.
inline constexpr std::string_view kTrackedContractsVar = "IB_STREAM_TRACKED_CONTRACTS";

// Every key of Config (the `contracts` list aside), built once.
const std::vector<Setting<Config>>& ConfigSettings();
// The keys of one [[contracts]] table, without the "contracts[i]." prefix, built once.
const std::vector<Setting<ContractConfig>>& ContractSettings();

// The sections, each appending its keys to `s` in documentation order.
void AddGatewaySettings(std::vector<Setting<Config>>& s);
void AddStorageSettings(std::vector<Setting<Config>>& s);
void AddHttpSettings(std::vector<Setting<Config>>& s);
void AddReliabilitySettings(std::vector<Setting<Config>>& s);
void AddAlertsSettings(std::vector<Setting<Config>>& s);
void AddBackfillSettings(std::vector<Setting<Config>>& s);
void AddLoggingSettings(std::vector<Setting<Config>>& s);
void AddNatsSettings(std::vector<Setting<Config>>& s);
// The keys of one [[contracts]] table (ContractSettings() builds them once).
std::vector<Setting<ContractConfig>> BuildContractSettings();

// Keys whose default depends on the profile: {key, production, development}.
struct ProfileValue {
  std::string_view key;
  std::string_view production;
  std::string_view development;
};
inline constexpr ProfileValue kProfileValues[] = {
    {"reliability.data_staleness_threshold", "300", "600"},
    {"reliability.aggressive_retry_during_trading", "true", "false"},
    {"logging.level", "info", "debug"},
};

// Whether a contract key defaults to the [reliability] key of the same name.
bool IsInherited(std::string_view contract_key);
// Copies the inherited keys' values from `r` into `contract`.
void InheritReliability(const ReliabilityConfig& r, ContractConfig& contract);

}  // namespace ibstream::config::internal
