#include "sim/scenario.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "common/clock_speed.h"

namespace ibstream::sim {
namespace {

namespace d = date;

std::string NodeText(const toml::node& node) {
  if (auto s = node.as_string()) return s->get();
  if (auto i = node.as_integer()) return std::to_string(i->get());
  if (auto f = node.as_floating_point()) return fmt::format("{}", f->get());
  if (auto b = node.as_boolean()) return b->get() ? "true" : "false";
  if (auto dt = node.as_date_time()) {
    std::ostringstream out;
    out << *dt;
    return out.str();
  }
  return "";
}

std::string Where(std::string_view origin, const toml::node& node) {
  return fmt::format("{}:{}", origin, node.source().begin.line);
}

Result<std::string> String(const toml::table& t, std::string_view key, std::string_view origin,
                           std::string fallback = "") {
  const toml::node* n = t.get(key);
  if (n == nullptr) return fallback;
  if (!n->is_string()) {
    return InvalidArgument(Where(origin, *n) + ": '" + std::string(key) + "' must be a string");
  }
  return n->as_string()->get();
}

Result<double> Number(const toml::table& t, std::string_view key, std::string_view origin,
                      double fallback) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return fallback;
  if (auto i = n->as_integer()) return static_cast<double>(i->get());
  if (auto f = n->as_floating_point()) return f->get();
  return InvalidArgument(Where(origin, *n) + ": '" + std::string(key) + "' must be a number");
}

Result<int64_t> Integer(const toml::table& t, std::string_view key, std::string_view origin,
                        int64_t fallback) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return fallback;
  if (auto i = n->as_integer()) return i->get();
  return InvalidArgument(Where(origin, *n) + ": '" + std::string(key) + "' must be an integer");
}

Result<TimePoint> Time(const toml::node& n, std::string_view origin, std::string_view key) {
  if (auto s = n.as_string()) {
    Result<TimePoint> t = ParseIsoTime(s->get());
    if (!t.ok()) return t.status().WithContext(Where(origin, n) + ": '" + std::string(key) + "'");
    return *t;
  }
  if (n.is_date_time()) {
    Result<TimePoint> t = ParseIsoTime(NodeText(n));
    if (!t.ok()) return t.status().WithContext(Where(origin, n) + ": '" + std::string(key) + "'");
    return *t;
  }
  return InvalidArgument(Where(origin, n) + ": '" + std::string(key) +
                         "' must be an ISO 8601 time with offset");
}

// "17:00-16:00" -> minutes relative to the trading day (open > close: the evening before).
Result<std::pair<int, int>> ParseRange(std::string_view text) {
  int oh = 0, om = 0, ch = 0, cm = 0;
  if (std::sscanf(std::string(text).c_str(), "%d:%d-%d:%d", &oh, &om, &ch, &cm) != 4 || oh < 0 ||
      oh > 23 || om < 0 || om > 59 || ch < 0 || ch > 24 || cm < 0 || cm > 59) {
    return InvalidArgument("bad session range '" + std::string(text) + "' (expected HH:MM-HH:MM)");
  }
  int open = oh * 60 + om;
  const int close = ch * 60 + cm;
  if (open >= close) open -= 24 * 60;
  return std::make_pair(open, close);
}

Result<int> ParseClock(std::string_view text) {
  int h = 0, m = 0;
  if (std::sscanf(std::string(text).c_str(), "%d:%d", &h, &m) != 2 || h < 0 || h > 24 || m < 0 ||
      m > 59) {
    return InvalidArgument("bad time '" + std::string(text) + "' (expected HH:MM)");
  }
  return h * 60 + m;
}

Result<calendar::LocalDays> ParseDate(std::string_view text) {
  int y = 0;
  unsigned m = 0, dd = 0;
  if (std::sscanf(std::string(text).c_str(), "%d-%u-%u", &y, &m, &dd) != 3) {
    return InvalidArgument("bad date '" + std::string(text) + "' (expected YYYY-MM-DD)");
  }
  const d::year_month_day ymd{d::year{y}, d::month{m}, d::day{dd}};
  if (!ymd.ok()) return InvalidArgument("bad date '" + std::string(text) + "'");
  return calendar::LocalDays(ymd);
}

#define SCENARIO_ASSIGN(lhs, expr)                      \
  do {                                                  \
    auto scenario_r_ = (expr);                          \
    if (!scenario_r_.ok()) return scenario_r_.status(); \
    lhs = std::move(scenario_r_).value();               \
  } while (false)

Result<SimContract> ParseContract(const toml::table& t, std::string_view origin) {
  const std::string where = Where(origin, t) + ": contract";
  protocol::ContractDetails d;
  int64_t con_id = 0;
  SCENARIO_ASSIGN(con_id, Integer(t, "con_id", origin, 0));
  d.contract.con_id = static_cast<int32_t>(con_id);
  SCENARIO_ASSIGN(d.contract.symbol, String(t, "symbol", origin));
  if (d.contract.symbol.empty()) return InvalidArgument(where + ": 'symbol' is required");
  SCENARIO_ASSIGN(d.contract.sec_type, String(t, "sec_type", origin, "FUT"));
  SCENARIO_ASSIGN(d.contract.exchange, String(t, "exchange", origin));
  if (d.contract.exchange.empty()) return InvalidArgument(where + ": 'exchange' is required");
  SCENARIO_ASSIGN(d.contract.primary_exchange, String(t, "primary_exchange", origin));
  SCENARIO_ASSIGN(d.contract.currency, String(t, "currency", origin, "USD"));
  SCENARIO_ASSIGN(d.contract.last_trade_date_or_contract_month,
                  String(t, "last_trade_date", origin));
  d.last_trade_date = d.contract.last_trade_date_or_contract_month;
  d.contract_month = d.last_trade_date.substr(0, std::min<size_t>(6, d.last_trade_date.size()));
  SCENARIO_ASSIGN(d.contract.multiplier, String(t, "multiplier", origin));
  SCENARIO_ASSIGN(d.contract.local_symbol, String(t, "local_symbol", origin, d.contract.symbol));
  SCENARIO_ASSIGN(d.contract.trading_class, String(t, "trading_class", origin, d.contract.symbol));
  SCENARIO_ASSIGN(d.long_name, String(t, "long_name", origin, d.contract.symbol));
  SCENARIO_ASSIGN(d.min_tick, Number(t, "min_tick", origin, 0.01));
  d.market_name = d.contract.trading_class;
  d.valid_exchanges = d.contract.exchange;
  d.order_types = "LMT,MKT";
  d.price_magnifier = 1;
  d.min_size = Decimal::FromInt(1);
  d.size_increment = Decimal::FromInt(1);
  d.suggested_size_increment = Decimal::FromInt(1);
  std::string farm;
  SCENARIO_ASSIGN(farm, String(t, "farm", origin, "usfarm"));

  SessionSpec s;
  SCENARIO_ASSIGN(s.time_zone_id, String(t, "time_zone", origin, "US/Central"));
  std::string trading, liquid, holidays;
  SCENARIO_ASSIGN(trading, String(t, "trading", origin, "00:00-24:00"));
  SCENARIO_ASSIGN(liquid, String(t, "liquid", origin, trading));
  SCENARIO_ASSIGN(holidays, String(t, "holidays", origin, "none"));
  auto tr = ParseRange(trading);
  if (!tr.ok()) return tr.status().WithContext(where + " 'trading'");
  auto lr = ParseRange(liquid);
  if (!lr.ok()) return lr.status().WithContext(where + " 'liquid'");
  s.trading_open_minute = tr->first;
  s.trading_close_minute = tr->second;
  s.liquid_open_minute = lr->first;
  s.liquid_close_minute = lr->second;
  auto rules = ParseHolidayRules(holidays);
  if (!rules.ok()) return rules.status().WithContext(where);
  s.holidays = *rules;
  if (const toml::array* days = t.get_as<toml::array>("weekdays")) {
    static constexpr std::string_view kNames[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    s.trading_weekdays.fill(false);
    for (const toml::node& n : *days) {
      const std::string name = NodeText(n);
      bool found = false;
      for (size_t i = 0; i < 7; ++i) {
        if (kNames[i] == name) {
          s.trading_weekdays[i] = true;
          found = true;
        }
      }
      if (!found) return InvalidArgument(where + ": bad weekday '" + name + "' (Sun..Sat)");
    }
  }
  if (const toml::array* closed = t.get_as<toml::array>("closed_dates")) {
    for (const toml::node& n : *closed) {
      auto day = ParseDate(NodeText(n));
      if (!day.ok()) return day.status().WithContext(where + " 'closed_dates'");
      s.overrides[*day] = DayRule{DayKind::kClosed, 0, std::nullopt};
    }
  }
  if (const toml::array* early = t.get_as<toml::array>("early_close")) {
    for (const toml::node& n : *early) {
      const toml::table* e = n.as_table();
      if (e == nullptr) return InvalidArgument(where + ": 'early_close' items must be tables");
      std::string date_text, close_text, liquid_text;
      SCENARIO_ASSIGN(date_text, String(*e, "date", origin));
      SCENARIO_ASSIGN(close_text, String(*e, "trading", origin));
      SCENARIO_ASSIGN(liquid_text, String(*e, "liquid", origin));
      auto day = ParseDate(date_text);
      auto close = ParseClock(close_text);
      if (!day.ok()) return day.status().WithContext(where + " 'early_close'");
      if (!close.ok()) return close.status().WithContext(where + " 'early_close'");
      DayRule rule{DayKind::kEarlyClose, *close, std::nullopt};
      if (!liquid_text.empty()) {
        auto lc = ParseClock(liquid_text);
        if (!lc.ok()) return lc.status().WithContext(where + " 'early_close'");
        rule.liquid_close_minute = *lc;
      }
      s.overrides[*day] = rule;
    }
  }

  TickProfile p;
  SCENARIO_ASSIGN(p.base_price, Number(t, "base_price", origin, 100));
  SCENARIO_ASSIGN(p.daily_volatility, Number(t, "daily_volatility", origin, 0.01));
  SCENARIO_ASSIGN(p.quotes_per_second_liquid, Number(t, "quotes_per_second", origin, 10));
  SCENARIO_ASSIGN(p.quotes_per_second_extended,
                  Number(t, "quotes_per_second_extended", origin, p.quotes_per_second_liquid / 4));
  SCENARIO_ASSIGN(p.trades_per_second_liquid, Number(t, "trades_per_second", origin, 3));
  SCENARIO_ASSIGN(p.trades_per_second_extended,
                  Number(t, "trades_per_second_extended", origin, p.trades_per_second_liquid / 4));
  SCENARIO_ASSIGN(p.burst_probability, Number(t, "burst_probability", origin, 0.05));
  SCENARIO_ASSIGN(p.burst_multiplier, Number(t, "burst_multiplier", origin, 5));
  int64_t scale = 0;
  SCENARIO_ASSIGN(scale, Integer(t, "size_scale", origin, 0));
  p.size_scale = static_cast<int>(scale);
  SCENARIO_ASSIGN(p.size_min, Integer(t, "size_min", origin, 1));
  SCENARIO_ASSIGN(p.size_max, Integer(t, "size_max", origin, 20));
  SCENARIO_ASSIGN(p.trade_exchange, String(t, "trade_exchange", origin));
  SCENARIO_ASSIGN(p.unreported_fraction, Number(t, "unreported_fraction", origin, 0.05));
  auto contract = MakeContract(std::move(d), std::move(farm), std::move(s), std::move(p));
  if (!contract.ok()) return contract.status().WithContext(Where(origin, t));
  return contract;
}

}  // namespace

Result<Scenario> ParseScenario(std::string_view toml_text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    return ParseError(fmt::format("{}:{}:{}: {}", origin, e.source().begin.line,
                                  e.source().begin.column, e.description()));
  }
  Scenario s;
  static const std::set<std::string> kTopKeys = {"name",   "description", "simulation",
                                                 "limits", "contract",    "fault"};
  for (const auto& [key, node] : root) {
    if (!kTopKeys.count(std::string(key.str()))) {
      return InvalidArgument(Where(origin, node) + ": unknown key '" + std::string(key.str()) +
                             "'");
    }
  }
  SCENARIO_ASSIGN(s.name, String(root, "name", origin));
  SCENARIO_ASSIGN(s.description, String(root, "description", origin));
  if (const toml::table* sim = root.get_as<toml::table>("simulation")) {
    for (const auto& [key, node] : *sim) {
      const std::string k(key.str());
      if (k == "start") {
        SCENARIO_ASSIGN(s.start, Time(node, origin, k));
      } else if (k == "speed") {
        double speed = 0;
        SCENARIO_ASSIGN(speed, Number(*sim, k, origin, 1));
        if (!IsValidClockSpeed(speed)) {
          return InvalidArgument(
              fmt::format("{}: 'speed' must be a finite number > 0 and at most {}; got {}",
                          Where(origin, node), kMaxClockSpeed, speed));
        }
        s.speed = speed;
      } else if (k == "seed") {
        int64_t seed = 0;
        SCENARIO_ASSIGN(seed, Integer(*sim, k, origin, 0));
        s.seed = static_cast<uint64_t>(seed);
      } else {
        return InvalidArgument(Where(origin, node) + ": unknown key 'simulation." + k + "'");
      }
    }
  }
  if (const toml::table* limits = root.get_as<toml::table>("limits")) {
    for (const auto& [key, node] : *limits) {
      const std::string k(key.str());
      int64_t v = 0;
      SCENARIO_ASSIGN(v, Integer(*limits, k, origin, 0));
      constexpr int64_t kMaxAllowance = std::numeric_limits<int32_t>::max();
      if ((k == "tick_by_tick_limit" || k == "max_tick_by_tick") && v >= 0 && v <= kMaxAllowance) {
        s.max_tick_by_tick = static_cast<int32_t>(v);
      } else if (k == "market_data_lines" && v >= 0 && v <= kMaxAllowance) {
        s.market_data_lines = static_cast<int32_t>(v);
      } else if (k == "send_buffer_bytes" && v >= 4096) {
        s.send_buffer_bytes = static_cast<size_t>(v);
      } else {
        return InvalidArgument(Where(origin, node) + ": bad key or value 'limits." + k +
                               "' (tick_by_tick_limit >= 0, market_data_lines >= 0, "
                               "send_buffer_bytes >= 4096)");
      }
    }
  }
  if (const toml::array* contracts = root.get_as<toml::array>("contract")) {
    for (const toml::node& n : *contracts) {
      const toml::table* t = n.as_table();
      if (t == nullptr) return InvalidArgument(Where(origin, n) + ": [[contract]] must be a table");
      auto c = ParseContract(*t, origin);
      if (!c.ok()) return c.status();
      s.contracts.push_back(std::move(c).value());
    }
  }
  if (const toml::array* faults = root.get_as<toml::array>("fault")) {
    for (const toml::node& n : *faults) {
      const toml::table* t = n.as_table();
      if (t == nullptr) return InvalidArgument(Where(origin, n) + ": [[fault]] must be a table");
      std::map<std::string, std::string> fields;
      for (const auto& [key, value] : *t) fields[std::string(key.str())] = NodeText(value);
      auto f = ParseFault(fields);
      if (!f.ok()) return f.status().WithContext(Where(origin, *t));
      s.faults.push_back(*f);
    }
  }
  return s;
}

Result<Scenario> LoadScenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot open scenario file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return ParseScenario(text.str(), path);
}

}  // namespace ibstream::sim
