// Rules between keys, checked once every layer is applied: the probe deadline within the probe
// interval, the e-mail sink complete or absent, each contract identified once and rolled only when
// it can roll.
#include <map>

#include "config/loading.h"
#include "config/settings.h"
#include "config/values.h"

namespace ibstream::config::internal {

void Loader::CheckConsistency() {
  const Config& c = config();
  if (c.gateway.probe_deadline > c.gateway.probe_interval) {
    AddError(
        SourceOf("gateway.probe_deadline"), "gateway.probe_deadline",
        FormatDuration(c.gateway.probe_deadline),
        "longer than gateway.probe_interval (" + FormatDuration(c.gateway.probe_interval) + ")",
        "at most gateway.probe_interval");
  }
  const AlertsConfig& a = c.alerts;
  if (!a.smtp_url.empty()) {
    if (a.smtp_from.empty()) {
      AddError(SourceOf("alerts.smtp_url"), "alerts.smtp_from", "\"\"",
               "required when alerts.smtp_url is set", "an e-mail address");
    }
    if (a.smtp_to.empty()) {
      AddError(SourceOf("alerts.smtp_url"), "alerts.smtp_to", "[]",
               "required when alerts.smtp_url is set", "a non-empty list of e-mail addresses");
    }
  } else {
    const std::pair<const char*, bool> smtp_keys[] = {
        {"alerts.smtp_from", !a.smtp_from.empty()},
        {"alerts.smtp_to", !a.smtp_to.empty()},
        {"alerts.smtp_username", !a.smtp_username.empty()},
        {"alerts.smtp_password", !a.smtp_password.empty()}};
    for (const auto& [key, set] : smtp_keys) {
      if (set) {
        AddError(SourceOf(key), key, FindSetting(ConfigSettings(), key)->RenderValue(c),
                 "set, but alerts.smtp_url is empty so it would be ignored",
                 "set alerts.smtp_url too, or remove it");
      }
    }
  }
  CheckContracts();
  CheckNats();
}

void Loader::CheckContracts() {
  const auto& settings = ContractSettings();
  auto error = [&](size_t index, const std::string& field, std::string problem,
                   std::string allowed) {
    const ContractConfig& contract = config().contracts[index];
    std::string key = ContractPrefix(index) + field;
    Source where = IsSet(key) ? SourceOf(key) : contract_sources_[index];
    AddError(where, key, FindSetting(settings, field)->RenderValue(contract), std::move(problem),
             std::move(allowed));
  };
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < config().contracts.size(); ++i) {
    const ContractConfig& contract = config().contracts[i];
    std::string prefix = ContractPrefix(i);
    std::string identity;
    if (contract.con_id) {
      identity = "con_id " + std::to_string(*contract.con_id);
      if (IsSet(prefix + "roll_days_before_expiry")) {
        error(i, "roll_days_before_expiry", "a con_id pins one expiry, so it never rolls",
              "only for futures given by symbol (sec_type = \"FUT\", no con_id)");
      }
    } else {
      for (const char* field : {"symbol", "sec_type", "exchange"}) {
        if (IsSet(prefix + field)) continue;
        error(i, field, "missing: a contract without con_id is resolved by symbol",
              "set con_id, or symbol, sec_type and exchange");
      }
      if (!contract.IsFutureBySymbol() && IsSet(prefix + "roll_days_before_expiry")) {
        error(i, "roll_days_before_expiry", "only futures roll",
              "only for futures given by symbol (sec_type = \"FUT\", no con_id)");
      }
      identity = contract.symbol + "/" + contract.sec_type + "/" + contract.exchange + "/" +
                 contract.currency;
    }
    if (contract.smart_depth && contract.depth_rows == 0) {
      error(i, "smart_depth", "set, but depth_rows is 0 so no depth is recorded",
            "set depth_rows (1 to 50) too, or remove it");
    }
    auto [it, inserted] = seen.emplace(identity, i);
    if (!inserted) {
      error(i, contract.con_id ? "con_id" : "symbol",
            "the same contract as contracts[" + std::to_string(it->second) + "]",
            "each contract once");
    }
  }
}

}  // namespace ibstream::config::internal
