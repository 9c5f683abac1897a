#include "cli/user_hints.h"

#include <algorithm>
#include <set>

#include "calendar/market_calendar.h"
#include "config/env.h"
#include "config/loader.h"

namespace ibstream::cli {
namespace {

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::string Join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

Result<config::Config> LoadForCommand(const std::string& config_file) {
  const config::LoadResult loaded =
      config::LoadConfigFile(config_file, config::ProcessEnv::Instance());
  if (!loaded.ok()) {
    return InvalidArgument("--config " + config_file + ": " + loaded.status().message());
  }
  return loaded.config;
}

}  // namespace

std::string ConnectRefusedHint(std::string_view error) {
  if (!Contains(error, "Connection refused")) return "";
  return "is TWS or IB Gateway running with its API enabled? Their usual API ports are 7497 (TWS "
         "paper), 7496 (TWS live), 4002 (IB Gateway paper, and `ibstream sim`) and 4001 (IB "
         "Gateway live); pick one with --port";
}

std::string PortInUseHint(std::string_view error, std::string_view how_to_change) {
  if (!Contains(error, "Address already in use")) return "";
  return "another program listens on that port; " + std::string(how_to_change);
}

EmptyAnswer ExplainEmptyAnswer(const storage::StoreInventory& inventory, int64_t contract,
                               const std::vector<TickType>& types, TimePoint from, TimePoint to) {
  EmptyAnswer answer;
  std::vector<std::string> asked;
  for (TickType type : types) asked.push_back(std::string(TickTypeName(type)));
  answer.lines.push_back("no ticks of contract " + std::to_string(contract) + " (" +
                         Join(asked, ",") + ") from " + FormatIsoUtc(from) + " to " +
                         FormatIsoUtc(to));
  std::set<int64_t> contracts;
  for (const auto& [stream, extent] : inventory.streams) {
    contracts.insert(stream.contract_id);
    if (stream.contract_id != contract) continue;
    answer.contract_known = true;
    const bool asked_for = std::find(types.begin(), types.end(), stream.type) != types.end();
    answer.lines.push_back("the store holds " + std::string(TickTypeName(stream.type)) +
                           " of contract " + std::to_string(contract) + " from about " +
                           FormatIsoUtc(extent.first) + " to " + FormatIsoUtc(extent.last) +
                           (asked_for ? "" : " (not asked for: see --types)"));
  }
  if (!answer.contract_known) {
    std::vector<std::string> known;
    for (int64_t id : contracts) {
      if (known.size() == 20) {
        known.push_back("...");
        break;
      }
      known.push_back(std::to_string(id));
    }
    answer.lines.push_back(known.empty() ? std::string("the store holds no ticks at all")
                                         : "the store holds no ticks of contract " +
                                               std::to_string(contract) + "; it holds contracts " +
                                               Join(known, ", "));
  }
  return answer;
}

std::string MarketClosedNote(const std::string& symbol, const std::string& time_zone_id,
                             const std::string& trading_hours, const std::string& liquid_hours,
                             TimePoint now) {
  Result<calendar::MarketCalendar> hours = calendar::MarketCalendar::Create(
      calendar::ContractHours{time_zone_id, trading_hours, liquid_hours}, {});
  if (!hours.ok()) return "";
  const calendar::MarketState state = hours->StateAt(now);
  if (calendar::ExpectedActivityFor(state.status) != calendar::ExpectedActivity::kNone) return "";
  std::string note =
      symbol + "'s market is " + std::string(calendar::MarketStatusName(state.status)) + " now";
  note += state.next_open ? "; it opens at " + FormatIsoUtc(*state.next_open) +
                                " and ticks start then (Ctrl-C stops)"
                          : "; no next open is known from its trading hours";
  return note;
}

Result<std::string> StorePathFromConfig(const std::string& config_file) {
  auto config = LoadForCommand(config_file);
  if (!config.ok()) return config.status();
  return config->storage.path;
}

Result<std::string> RecorderUrlFromConfig(const std::string& config_file) {
  auto config = LoadForCommand(config_file);
  if (!config.ok()) return config.status();
  std::string host = config->http.listen.host;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(config->http.listen.port);
}

}  // namespace ibstream::cli
