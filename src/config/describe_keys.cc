// DescribeKeys(): the key documentation of src/config/README.md, generated from the loader's own
// tables.
#include "config/loader.h"
#include "config/settings.h"

namespace ibstream::config {

using internal::ConfigSettings;
using internal::ContractSettings;
using internal::IsInherited;
using internal::kProfileValues;
using internal::kTrackedContractsVar;
using internal::ProfileValue;
using internal::Setting;

std::vector<KeyInfo> DescribeKeys() {
  Config defaults;
  std::vector<KeyInfo> keys;
  for (const Setting<Config>& setting : ConfigSettings()) {
    KeyInfo info{setting.key, SystematicEnvName(setting.key), setting.original_env,
                 setting.RenderValue(defaults), setting.allowed};
    for (const auto& flag : setting.flag_env) info.original.push_back(flag.name);
    for (const ProfileValue& entry : kProfileValues) {
      if (entry.key != setting.key) continue;
      Config production;
      Config development;
      (void)setting.apply({nullptr, entry.production}, production);
      (void)setting.apply({nullptr, entry.development}, development);
      info.default_value = "production " + setting.RenderValue(production) + ", development " +
                           setting.RenderValue(development);
    }
    keys.push_back(std::move(info));
  }
  keys.push_back({"contracts",
                  SystematicEnvName("contracts"),
                  {std::string(kTrackedContractsVar)},
                  "[]",
                  "[[contracts]] tables; a variable: conId:symbol[:tickTypes[:bufferHours]],..."});
  ContractConfig contract_defaults;
  for (const Setting<ContractConfig>& setting : ContractSettings()) {
    KeyInfo info{"contracts[]." + setting.key,
                 "IBSTREAM_CONTRACTS_<i>_" +
                     SystematicEnvName(setting.key).substr(std::string_view("IBSTREAM_").size()),
                 {},
                 setting.RenderValue(contract_defaults),
                 setting.allowed};
    if (IsInherited(setting.key)) info.default_value = "reliability." + setting.key;
    keys.push_back(std::move(info));
  }
  return keys;
}

}  // namespace ibstream::config
