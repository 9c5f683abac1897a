// The contract list: the file's [[contracts]] tables or the original's tracked-contracts
// variable, then IBSTREAM_CONTRACTS_<i>_<KEY> over either.
#include "config/loading.h"
#include "config/settings.h"
#include "config/tracked_contracts.h"
#include "config/values.h"

namespace ibstream::config::internal {

std::string Loader::ContractPrefix(size_t index) {
  return "contracts[" + std::to_string(index) + "].";
}

ContractConfig Loader::NewContract(size_t index) {
  ContractConfig contract;
  InheritReliability(config().reliability, contract);
  std::string prefix = ContractPrefix(index);
  for (const Setting<ContractConfig>& setting : ContractSettings()) {
    Source source;
    if (IsInherited(setting.key)) {
      std::string parent = "reliability." + setting.key;
      source = {Source::Kind::kInherited, parent, 0, SourceOf(parent).ToString()};
    }
    provenance_[prefix + setting.key] = {source, std::nullopt};
  }
  return contract;
}

void Loader::LoadContracts(const toml::table* table) {
  const toml::node* file_contracts = table != nullptr ? table->get("contracts") : nullptr;
  std::optional<EnvValue> tracked =
      env_.Lookup({SystematicEnvName("contracts"), std::string(kTrackedContractsVar)});
  if (tracked) {
    LoadTrackedContracts(*tracked);
    if (file_contracts != nullptr) {
      result_.warnings.push_back(tracked->source.ToString() + " replaces the [[contracts]] of " +
                                 file_name_);
    }
  } else if (file_contracts != nullptr) {
    LoadFileContracts(*file_contracts);
  }
  // IBSTREAM_CONTRACTS_<i>_<KEY> adjusts contract i of whichever list is in effect.
  for (size_t i = 0; i < config().contracts.size(); ++i) {
    for (const Setting<ContractConfig>& setting : ContractSettings()) {
      std::string key = ContractPrefix(i) + setting.key;
      if (std::optional<EnvValue> value = env_.Lookup({SystematicEnvName(key)})) {
        Apply(setting, key, {nullptr, value->value}, value->source, config().contracts[i]);
      }
    }
  }
}

void Loader::LoadTrackedContracts(const EnvValue& tracked) {
  Result<std::vector<TrackedContractEntry>> entries = ParseTrackedContracts(tracked.value);
  if (!entries.ok()) {
    AddError(tracked.source, "contracts", Quote(tracked.value), entries.status().message(),
             "conId:symbol[:tickType;tickType...[:bufferHours]] entries separated by ','");
    return;
  }
  for (const TrackedContractEntry& entry : *entries) {
    size_t index = config().contracts.size();
    ContractConfig contract = NewContract(index);
    contract_sources_.push_back(tracked.source);
    std::string prefix = ContractPrefix(index);
    contract.con_id = entry.con_id;
    contract.symbol = entry.symbol;
    SetSource(prefix + "con_id", tracked.source);
    SetSource(prefix + "symbol", tracked.source);
    if (entry.has_tick_types) {
      contract.tick_types = entry.tick_types;
      SetSource(prefix + "tick_types", tracked.source);
    }
    if (entry.has_buffer_hours) {
      contract.buffer_hours = entry.buffer_hours;
      SetSource(prefix + "buffer_hours", tracked.source);
    }
    config().contracts.push_back(std::move(contract));
  }
}

void Loader::LoadFileContracts(const toml::node& node) {
  const toml::array* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    AddError(FileSource(node), "contracts", Render(node), "wrong type: " + TypeName(node),
             "an array of tables, written [[contracts]]");
    return;
  }
  const auto& settings = ContractSettings();
  std::vector<std::string> names;
  for (const Setting<ContractConfig>& setting : settings) names.push_back(setting.key);
  for (const toml::node& element : *array) {
    size_t index = config().contracts.size();
    ContractConfig contract = NewContract(index);
    contract_sources_.push_back(FileSource(element));
    std::string prefix = ContractPrefix(index);
    for (const auto& [field, value_pointer] : InFileOrder(*element.as_table())) {
      const toml::node& value = *value_pointer;
      if (const Setting<ContractConfig>* setting = FindSetting(settings, field)) {
        Apply(*setting, prefix + field, {&value, {}}, FileSource(value), contract);
        continue;
      }
      std::string problem = "unknown key";
      std::string guess = ClosestMatch(field, names, TypoLimit(field));
      if (!guess.empty()) problem += " (did you mean " + guess + "?)";
      AddError(FileSource(value), prefix + field, Render(value), problem,
               "keys of [[contracts]]: " + JoinNames(names));
    }
    config().contracts.push_back(std::move(contract));
  }
}

}  // namespace ibstream::config::internal
