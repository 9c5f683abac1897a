#include "replay/recorded_contracts.h"

#include <algorithm>
#include <map>

#include "recorder/contract_resolution.h"
#include "recorder/runtime_contracts.h"
#include "sim/session_model.h"

namespace ibstream::replay {
namespace {

constexpr std::string_view kJson = ".json";

// Around the clock, every day, in `zone`.
sim::SessionSpec AroundTheClock(const std::string& zone) {
  sim::SessionSpec spec;
  spec.time_zone_id = zone;
  spec.trading_weekdays = {true, true, true, true, true, true, true};
  return spec;
}

bool ZoneKnown(const std::string& zone) {
  return !zone.empty() && calendar::TimeZone::Resolve(zone).ok();
}

}  // namespace

Result<RecordedContracts> LoadRecordedContracts(fs::FileSystem* fs, const std::string& store,
                                                const std::vector<int64_t>& con_ids) {
  RecordedContracts out;
  std::map<int64_t, protocol::ContractDetails> cached;
  const std::string dir = fs::JoinPath(store, "contracts");
  if (fs->Exists(dir)) {
    Result<std::vector<std::string>> names = fs->ListDir(dir);
    if (!names.ok()) {
      out.warnings.push_back("cannot list " + dir + ": " + names.status().ToString());
    } else {
      std::sort(names->begin(), names->end());
      for (const std::string& name : *names) {
        if (name.size() <= kJson.size() || !name.ends_with(kJson) ||
            name == recorder::kRuntimeContractsFile) {
          continue;
        }
        auto details =
            recorder::LoadContractDetails(fs, dir, name.substr(0, name.size() - kJson.size()));
        if (!details.ok()) {
          out.warnings.push_back("contract cache " + name + ": " + details.status().ToString());
          continue;
        }
        cached.emplace(details->contract.con_id, std::move(details).value());
      }
    }
  }
  for (const int64_t id : con_ids) {
    protocol::ContractDetails d;
    auto it = cached.find(id);
    const bool known = it != cached.end();
    if (known) {
      d = it->second;
    } else {
      out.warnings.push_back("conId " + std::to_string(id) +
                             ": no cached contract details in the store; served by conId only");
      d.contract.con_id = static_cast<int32_t>(id);
      d.contract.symbol = "CONID" + std::to_string(id);
      d.contract.sec_type = "STK";
      d.contract.exchange = "SMART";
      d.contract.currency = "USD";
      d.contract.local_symbol = d.contract.symbol;
      d.min_tick = 0.01;
      d.long_name = "recorded conId " + std::to_string(id);
    }
    const std::string zone = ZoneKnown(d.time_zone_id) ? d.time_zone_id : "UTC";
    std::optional<calendar::ContractHours> hours;
    if (known && !d.trading_hours.empty()) {
      hours = calendar::ContractHours{d.time_zone_id, d.trading_hours, d.liquid_hours};
    }
    const std::string farm = d.contract.sec_type == "FUT" ? "usfuture" : "usfarm";
    Result<sim::SimContract> contract =
        sim::MakeContract(std::move(d), farm, AroundTheClock(zone), sim::TickProfile{});
    if (!contract.ok()) return contract.status().WithContext("replayed contract");
    contract->recorded_hours = std::move(hours);
    out.contracts.push_back(std::move(contract).value());
  }
  return out;
}

}  // namespace ibstream::replay
