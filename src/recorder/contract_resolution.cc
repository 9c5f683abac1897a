#include "recorder/contract_resolution.h"

#include <date/date.h>

#include <nlohmann/json.hpp>

namespace ibstream::recorder {

protocol::Contract RequestFor(const config::ContractConfig& contract) {
  protocol::Contract out;
  if (contract.con_id) {
    out.con_id = static_cast<int32_t>(*contract.con_id);
    out.exchange = contract.exchange;
    return out;
  }
  out.symbol = contract.symbol;
  out.sec_type = contract.sec_type;
  out.exchange = contract.exchange;
  out.currency = contract.currency;
  return out;
}

std::optional<TimePoint> LastTradeDay(const protocol::ContractDetails& details) {
  const std::string& text = details.last_trade_date.empty()
                                ? details.contract.last_trade_date_or_contract_month
                                : details.last_trade_date;
  if (text.size() < 8) return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (std::sscanf(text.c_str(), "%4d%2d%2d", &y, &m, &d) != 3) return std::nullopt;
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return TimePoint(date::sys_days(ymd).time_since_epoch());
}

std::optional<size_t> SelectFrontMonth(const std::vector<protocol::ContractDetails>& candidates,
                                       TimePoint now, int roll_days) {
  std::optional<size_t> best;
  std::optional<TimePoint> best_day;
  for (size_t i = 0; i < candidates.size(); ++i) {
    auto day = LastTradeDay(candidates[i]);
    if (!day) continue;
    // Roll `roll_days` before the last trade day: a contract stays eligible while
    // now < last_trade_day - roll_days.
    if (now >= *day - std::chrono::hours(24) * roll_days) continue;
    if (!best_day || *day < *best_day) {
      best = i;
      best_day = day;
    }
  }
  return best;
}

std::string CacheKey(const config::ContractConfig& contract) {
  std::string key;
  if (contract.con_id) {
    key = "con_" + std::to_string(*contract.con_id);
  } else {
    key = "sym_" + contract.symbol + "_" + contract.sec_type + "_" + contract.exchange + "_" +
          contract.currency;
  }
  for (char& c : key) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) c = '_';
  }
  return key;
}

namespace {

nlohmann::json ToJson(const protocol::ContractDetails& d) {
  return {{"version", 1},
          {"con_id", d.contract.con_id},
          {"symbol", d.contract.symbol},
          {"sec_type", d.contract.sec_type},
          {"last_trade_date_or_contract_month", d.contract.last_trade_date_or_contract_month},
          {"last_trade_date", d.last_trade_date},
          {"exchange", d.contract.exchange},
          {"primary_exchange", d.contract.primary_exchange},
          {"currency", d.contract.currency},
          {"local_symbol", d.contract.local_symbol},
          {"trading_class", d.contract.trading_class},
          {"multiplier", d.contract.multiplier},
          {"min_tick", d.min_tick},
          {"long_name", d.long_name},
          {"contract_month", d.contract_month},
          {"time_zone_id", d.time_zone_id},
          {"trading_hours", d.trading_hours},
          {"liquid_hours", d.liquid_hours}};
}

}  // namespace

Status SaveContractDetails(fs::FileSystem* fs, const std::string& dir, const std::string& key,
                           const protocol::ContractDetails& details) {
  return fs::WriteFileAtomically(fs, fs::JoinPath(dir, key + ".json"),
                                 ToJson(details).dump(2) + "\n");
}

Result<protocol::ContractDetails> LoadContractDetails(fs::FileSystem* fs, const std::string& dir,
                                                      const std::string& key) {
  const std::string path = fs::JoinPath(dir, key + ".json");
  auto text = fs::ReadFile(fs, path, kMaxContractCacheFileBytes);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return NotFound("no cached contract details at " + path);
    }
    return text.status();
  }
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return ParseError(path + ": not a JSON object");
  protocol::ContractDetails d;
  try {
    if (j.at("version").get<int>() != 1) return ParseError(path + ": unknown version");
    d.contract.con_id = j.at("con_id").get<int32_t>();
    d.contract.symbol = j.at("symbol").get<std::string>();
    d.contract.sec_type = j.at("sec_type").get<std::string>();
    d.contract.last_trade_date_or_contract_month =
        j.at("last_trade_date_or_contract_month").get<std::string>();
    d.last_trade_date = j.at("last_trade_date").get<std::string>();
    d.contract.exchange = j.at("exchange").get<std::string>();
    d.contract.primary_exchange = j.at("primary_exchange").get<std::string>();
    d.contract.currency = j.at("currency").get<std::string>();
    d.contract.local_symbol = j.at("local_symbol").get<std::string>();
    d.contract.trading_class = j.at("trading_class").get<std::string>();
    d.contract.multiplier = j.at("multiplier").get<std::string>();
    d.min_tick = j.at("min_tick").get<double>();
    d.long_name = j.at("long_name").get<std::string>();
    d.contract_month = j.at("contract_month").get<std::string>();
    d.time_zone_id = j.at("time_zone_id").get<std::string>();
    d.trading_hours = j.at("trading_hours").get<std::string>();
    d.liquid_hours = j.at("liquid_hours").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    return ParseError(path + ": " + e.what());
  }
  return d;
}

std::string WeeklySessionsToIbHours(const std::vector<config::WeeklySession>& sessions,
                                    int64_t first_local_day, int days) {
  std::string out;
  for (int64_t day = first_local_day; day < first_local_day + days; ++day) {
    const date::sys_days sd{date::days{day}};
    const unsigned weekday = date::weekday{sd}.c_encoding();  // 0 = Sunday
    bool any = false;
    for (const auto& s : sessions) {
      if (static_cast<unsigned>(s.weekday) != weekday) continue;
      const auto start = sd + std::chrono::minutes(s.start_minute);
      const auto end = start + std::chrono::minutes(s.length_minutes);
      if (!out.empty()) out += ';';
      out += date::format("%Y%m%d:%H%M", start) + "-" + date::format("%Y%m%d:%H%M", end);
      any = true;
    }
    if (!any) {
      if (!out.empty()) out += ';';
      out += date::format("%Y%m%d", sd) + ":CLOSED";
    }
  }
  return out;
}

}  // namespace ibstream::recorder
