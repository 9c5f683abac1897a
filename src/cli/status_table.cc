#include "cli/status_table.h"

#include <algorithm>
#include <vector>

#include "common/clock.h"

namespace ibstream::cli {
namespace {

std::string Text(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "-";
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "-";
  if (it->is_string()) return it->get<std::string>().empty() ? "-" : it->get<std::string>();
  if (it->is_boolean()) return it->get<bool>() ? "yes" : "no";
  return it->dump();
}

// "12s", "4m05s", "2h10m", "3d4h"; "-" when either time is missing or unreadable.
std::string Age(const nlohmann::json& now, const nlohmann::json& then) {
  if (!now.is_string() || !then.is_string()) return "-";
  auto a = ParseIsoTime(now.get<std::string>());
  auto b = ParseIsoTime(then.get<std::string>());
  if (!a.ok() || !b.ok()) return "-";
  const int64_t s = std::max<int64_t>(0, ToUnixSeconds(a.value()) - ToUnixSeconds(b.value()));
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof(buf), "%llds", static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(buf, sizeof(buf), "%lldm%02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else if (s < 86400) {
    std::snprintf(buf, sizeof(buf), "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else {
    std::snprintf(buf, sizeof(buf), "%lldd%lldh", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  }
  return std::string(buf) + " ago";
}

const nlohmann::json& Field(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

}  // namespace

std::string RenderStatusTable(const nlohmann::json& status) {
  const nlohmann::json& gateway = Field(status, "gateway");
  const nlohmann::json& storage = Field(status, "storage");
  std::string out =
      "overall: " + Text(status, "overall") + "   ready: " + Text(status, "ready") + "\n";
  out += "gateway: " + Text(gateway, "state") + " " + Text(gateway, "host") + ":" +
         Text(gateway, "port") + " (client " + Text(gateway, "client_id") + ")";
  if (Text(gateway, "connected") != "yes" && Text(gateway, "last_disconnect_reason") != "-") {
    out += ", last disconnect: " + Text(gateway, "last_disconnect_reason");
  }
  out += "\nstorage: " + Text(storage, "path") + "\n\n";

  std::vector<std::vector<std::string>> rows = {
      {"CONTRACT", "STREAM", "MARKET", "HEALTH", "LAST TICK", "TICKS", "GAPS"}};
  const nlohmann::json& contracts = Field(status, "contracts");
  if (contracts.is_array()) {
    for (const auto& c : contracts) {
      std::string name = Text(c, "contract_id");
      if (name == "0" || name == "-") name = Text(c, "description");
      const std::string symbol = Text(c, "symbol");
      if (symbol != "-") name += " " + symbol;
      const std::string market = Text(Field(c, "market"), "status");
      const nlohmann::json& streams = Field(c, "streams");
      if (!streams.is_array() || streams.empty()) {
        rows.push_back({name, "-", market, Text(c, "status"), "-", "-", "-"});
        continue;
      }
      for (const auto& s : streams) {
        std::string gaps = Text(s, "gaps");
        const std::string pending = Text(s, "gaps_pending");
        if (pending != "-" && pending != "0") gaps += " (" + pending + " pending)";
        rows.push_back({name, Text(s, "tick_type"), market, Text(Field(s, "health"), "status"),
                        Age(Field(status, "now"), Field(s, "last_tick_received")), Text(s, "ticks"),
                        gaps});
      }
    }
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  // Streams off tick-by-tick (IB's allowance): what records them instead, and why.
  std::string routes;
  if (contracts.is_array()) {
    for (const auto& c : contracts) {
      const nlohmann::json& list = Field(c, "routes");
      if (!list.is_array()) continue;
      std::string name = Text(c, "symbol");
      if (name == "-") name = Text(c, "contract_id");
      for (const auto& r : list) {
        const std::string route = Text(r, "route");
        if (route == "tick_by_tick" || route == "-") continue;
        routes += "  " + name + " " + Text(r, "tick_type") + ": " + route;
        if (Text(r, "recorded_as") != "-") routes += ", recorded as " + Text(r, "recorded_as");
        if (Text(r, "reason") != "-") routes += " (" + Text(r, "reason") + ")";
        routes += "\n";
      }
    }
  }
  if (!routes.empty()) {
    const nlohmann::json& plan = Field(status, "stream_plan");
    out += "\nnot on tick-by-tick (limit " + Text(plan, "tick_by_tick_limit") + "):\n" + routes;
  }
  const nlohmann::json& alerts = Field(status, "alerts");
  if (alerts.is_array() && !alerts.empty()) {
    out += "\nalerts firing:\n";
    for (const auto& a : alerts) {
      out +=
          "  [" + Text(a, "severity") + "] " + Text(a, "rule") + ": " + Text(a, "summary") + "\n";
    }
  }
  return out;
}

}  // namespace ibstream::cli
