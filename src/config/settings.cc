#include "config/settings.h"

namespace ibstream::config::internal {

namespace {

std::vector<Setting<Config>> BuildConfigSettings() {
  using C = Config;
  std::vector<Setting<C>> s;
  s.push_back(
      Bind<C>("profile", IBSTREAM_FIELD(profile),
              EnumKind<Profile>({Profile::kProduction, Profile::kDevelopment}, ProfileName,
                                {{"prod", Profile::kProduction}, {"dev", Profile::kDevelopment}}))
          .Original({"IB_STREAM_ENV"}));
  AddGatewaySettings(s);
  AddStorageSettings(s);
  AddHttpSettings(s);
  AddReliabilitySettings(s);
  AddAlertsSettings(s);
  AddBackfillSettings(s);
  AddLoggingSettings(s);
  AddNatsSettings(s);
  return s;
}

}  // namespace

const std::vector<Setting<Config>>& ConfigSettings() {
  static const std::vector<Setting<Config>> settings = BuildConfigSettings();
  return settings;
}

const std::vector<Setting<ContractConfig>>& ContractSettings() {
  static const std::vector<Setting<ContractConfig>> settings = BuildContractSettings();
  return settings;
}

}  // namespace ibstream::config::internal
