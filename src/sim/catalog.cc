#include "sim/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace ibstream::sim {
namespace {

namespace d = date;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) { return Upper(a) == Upper(b); }

bool ListContains(std::string_view comma_list, std::string_view item) {
  size_t pos = 0;
  while (pos <= comma_list.size()) {
    size_t end = comma_list.find(',', pos);
    if (end == std::string_view::npos) end = comma_list.size();
    if (EqualsIgnoreCase(comma_list.substr(pos, end - pos), item)) return true;
    pos = end + 1;
  }
  return false;
}

protocol::ContractDetails FutureDetails(const std::string& symbol, const std::string& exchange,
                                        const std::string& currency, const std::string& multiplier,
                                        double min_tick, const std::string& long_name,
                                        int32_t con_id_base, int32_t under_con_id,
                                        const std::string& under_symbol, const FuturesMonth& month,
                                        const std::string& zone) {
  protocol::ContractDetails c;
  c.contract.con_id = con_id_base + month.yyyymm;
  c.contract.symbol = symbol;
  c.contract.sec_type = "FUT";
  c.contract.last_trade_date_or_contract_month = month.last_trade_date;
  c.contract.multiplier = multiplier;
  c.contract.exchange = exchange;
  c.contract.currency = currency;
  c.contract.local_symbol = symbol + month.local_symbol_suffix;
  c.contract.trading_class = symbol;
  c.last_trade_date = month.last_trade_date;
  c.market_name = symbol;
  c.min_tick = min_tick;
  c.order_types = "ACTIVETIM,AD,LMT,MKT,STP";
  c.valid_exchanges = exchange;
  c.price_magnifier = 1;
  c.under_con_id = under_con_id;
  c.long_name = long_name;
  c.contract_month = std::to_string(month.yyyymm);
  c.time_zone_id = zone;
  c.agg_group = 2;
  c.under_symbol = under_symbol;
  c.under_sec_type = "IND";
  c.market_rule_ids = "67";
  c.real_expiration_date = month.last_trade_date;
  c.min_size = Decimal::FromInt(1);
  c.size_increment = Decimal::FromInt(1);
  c.suggested_size_increment = Decimal::FromInt(1);
  return c;
}

}  // namespace

std::vector<FuturesMonth> QuarterlyMonths(calendar::LocalDays today, int count) {
  static constexpr char kMonthCodes[] = "FGHJKMNQUVXZ";
  std::vector<FuturesMonth> out;
  d::year_month_day ymd{today};
  d::year y = ymd.year();
  unsigned m = static_cast<unsigned>(ymd.month());
  m = ((m + 2) / 3) * 3;  // this quarter's month
  while (static_cast<int>(out.size()) < count) {
    const calendar::LocalDays third_friday =
        d::local_days(d::year_month_weekday(y, d::month{m}, d::weekday_indexed{d::Friday, 3}));
    if (third_friday >= today) {
      const d::year_month_day f{third_friday};
      FuturesMonth month;
      month.yyyymm = static_cast<int>(y) * 100 + static_cast<int>(m);
      month.last_trade_date =
          fmt::format("{:04}{:02}{:02}", static_cast<int>(y), m, static_cast<unsigned>(f.day()));
      month.local_symbol_suffix = fmt::format("{}{}", kMonthCodes[m - 1], static_cast<int>(y) % 10);
      out.push_back(month);
    }
    m += 3;
    if (m > 12) {
      m -= 12;
      y += d::years{1};
    }
  }
  return out;
}

Result<SimContract> MakeContract(protocol::ContractDetails details, std::string farm,
                                 SessionSpec sessions, TickProfile profile) {
  const std::string where = "contract " + details.contract.symbol + " (" +
                            std::to_string(details.contract.con_id) + "): ";
  if (details.contract.con_id <= 0) return InvalidArgument(where + "conId must be positive");
  if (!(details.min_tick > 0)) return InvalidArgument(where + "min_tick must be positive");
  if (!(profile.base_price > 0)) return InvalidArgument(where + "base_price must be positive");
  if (profile.size_min <= 0 || profile.size_max < profile.size_min) {
    return InvalidArgument(where + "sizes need 0 < size_min <= size_max");
  }
  if (profile.size_scale < 0 || profile.size_scale > 8) {
    return InvalidArgument(where + "size_scale must be in 0..8");
  }
  if (profile.quotes_per_second_liquid < 0 || profile.quotes_per_second_extended < 0 ||
      profile.trades_per_second_liquid < 0 || profile.trades_per_second_extended < 0 ||
      profile.burst_multiplier < 1 || profile.burst_probability < 0 ||
      profile.burst_probability > 1 || profile.unreported_fraction < 0 ||
      profile.unreported_fraction > 1 || profile.daily_volatility < 0) {
    return InvalidArgument(where + "rates must be >= 0, burst_multiplier >= 1, fractions in 0..1");
  }
  // The minimum tick as an exact fraction (doubles like 0.01 are not exact).
  Result<Decimal> tick = Decimal::Parse(FormatTick(details.min_tick));
  if (!tick.ok() || !tick->is_set() || tick->mantissa() <= 0) {
    return InvalidArgument(where + "bad min_tick");
  }
  Result<SessionModel> model = SessionModel::Create(std::move(sessions));
  if (!model.ok()) return model.status().WithContext(where);
  SimContract c;
  c.tick_numerator = tick->mantissa();
  c.tick_denominator = 1;
  for (int i = 0; i < tick->scale(); ++i) c.tick_denominator *= 10;
  c.details = std::move(details);
  c.details.time_zone_id = model->spec().time_zone_id;
  c.farm = std::move(farm);
  c.sessions = std::make_shared<const SessionModel>(std::move(model).value());
  if (profile.trade_exchange.empty()) profile.trade_exchange = c.details.contract.exchange;
  c.profile = std::move(profile);
  return c;
}

std::string FormatTick(double min_tick) {
  std::string text = fmt::format("{:.10f}", min_tick);
  while (text.size() > 1 && text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

Result<Catalog> Catalog::BuiltIn(TimePoint now) {
  Catalog catalog;
  // Futures months are dated in the exchange's zone.
  Result<calendar::TimeZone> chicago = calendar::TimeZone::Resolve("US/Central");
  Result<calendar::TimeZone> berlin = calendar::TimeZone::Resolve("MET");
  if (!chicago.ok()) return chicago.status();
  if (!berlin.ok()) return berlin.status();
  const auto cme_months = QuarterlyMonths(chicago->LocalDate(now), 2);
  const auto eurex_months = QuarterlyMonths(berlin->LocalDate(now), 2);

  std::vector<Result<SimContract>> built;
  for (size_t i = 0; i < cme_months.size(); ++i) {
    const double activity = i == 0 ? 1.0 : 0.1;  // the next month trades little
    TickProfile mnq;
    mnq.base_price = 21500;
    mnq.quotes_per_second_liquid = 30 * activity;
    mnq.quotes_per_second_extended = 6 * activity;
    mnq.trades_per_second_liquid = 8 * activity;
    mnq.trades_per_second_extended = 1.5 * activity;
    mnq.size_max = 10;
    built.push_back(
        MakeContract(FutureDetails("MNQ", "CME", "USD", "2", 0.25, "Micro E-Mini Nasdaq-100 Index",
                                   711000000, 362687422, "NQ", cme_months[i], "US/Central"),
                     "usfuture", SessionModel::CmeEquityIndex(), mnq));
    TickProfile es = mnq;
    es.base_price = 6400;
    es.quotes_per_second_liquid = 40 * activity;
    es.trades_per_second_liquid = 10 * activity;
    es.size_max = 50;
    built.push_back(
        MakeContract(FutureDetails("ES", "CME", "USD", "50", 0.25, "E-mini S&P 500", 495000000,
                                   11004968, "ES", cme_months[i], "US/Central"),
                     "usfuture", SessionModel::CmeEquityIndex(), es));
  }
  for (size_t i = 0; i < eurex_months.size(); ++i) {
    const double activity = i == 0 ? 1.0 : 0.1;
    TickProfile fesx;
    fesx.base_price = 5300;
    fesx.quotes_per_second_liquid = 15 * activity;
    fesx.quotes_per_second_extended = 3 * activity;
    fesx.trades_per_second_liquid = 4 * activity;
    fesx.trades_per_second_extended = 0.5 * activity;
    fesx.size_max = 30;
    built.push_back(MakeContract(
        FutureDetails("ESTX50", "EUREX", "EUR", "10", 1.0, "EURO STOXX 50 Index Futures", 600000000,
                      4356500, "ESTX50", eurex_months[i], "MET"),
        "eufarm", SessionModel::EurexIndex(), fesx));
    // IB names the Eurex future ESTX50 with trading class FESX.
    if (built.back().ok()) {
      SimContract& c = built.back().value();
      c.details.contract.trading_class = "FESX";
      c.details.market_name = "FESX";
      c.details.contract.local_symbol = "FESX" + eurex_months[i].local_symbol_suffix;
    }
  }
  {
    protocol::ContractDetails d;
    d.contract.con_id = 265598;
    d.contract.symbol = "AAPL";
    d.contract.sec_type = "STK";
    d.contract.exchange = "SMART";
    d.contract.primary_exchange = "NASDAQ";
    d.contract.currency = "USD";
    d.contract.local_symbol = "AAPL";
    d.contract.trading_class = "NMS";
    d.market_name = "NMS";
    d.min_tick = 0.01;
    d.order_types = "ACTIVETIM,AD,LMT,MKT,STP";
    d.valid_exchanges = "SMART,AMEX,NYSE,ARCA,NASDAQ,ISLAND,IEX";
    d.price_magnifier = 1;
    d.long_name = "APPLE INC";
    d.industry = "Technology";
    d.category = "Computers";
    d.subcategory = "Computers";
    d.agg_group = 1;
    d.market_rule_ids = "26,26,26,26,26,26,26";
    d.stock_type = "COMMON";
    d.min_size = Decimal::FromParts(1, 4);
    d.size_increment = Decimal::FromParts(1, 4);
    d.suggested_size_increment = Decimal::FromInt(100);
    TickProfile p;
    p.base_price = 227.5;
    p.quotes_per_second_liquid = 40;
    p.quotes_per_second_extended = 3;
    p.trades_per_second_liquid = 12;
    p.trades_per_second_extended = 0.5;
    p.size_scale = 2;  // fractional shares: 0.01 .. 500.00
    p.size_min = 1;
    p.size_max = 50000;
    p.trade_exchange = "NASDAQ";
    p.unreported_fraction = 0.15;
    built.push_back(MakeContract(d, "usfarm", SessionModel::UsStock(), p));
  }
  {
    protocol::ContractDetails d;
    d.contract.con_id = 12087792;
    d.contract.symbol = "EUR";
    d.contract.sec_type = "CASH";
    d.contract.exchange = "IDEALPRO";
    d.contract.currency = "USD";
    d.contract.local_symbol = "EUR.USD";
    d.contract.trading_class = "EUR.USD";
    d.market_name = "EUR.USD";
    d.min_tick = 0.00005;
    d.order_types = "ACTIVETIM,AD,LMT,MKT,STP";
    d.valid_exchanges = "IDEALPRO";
    d.price_magnifier = 1;
    d.long_name = "European Monetary Union Euro";
    d.agg_group = 4;
    d.market_rule_ids = "239";
    d.min_size = Decimal::FromInt(1);
    d.size_increment = Decimal::FromInt(1);
    d.suggested_size_increment = Decimal::FromInt(1);
    TickProfile p;
    p.base_price = 1.1650;
    p.daily_volatility = 0.004;
    p.quotes_per_second_liquid = 25;
    p.quotes_per_second_extended = 25;
    p.trades_per_second_liquid = 0;  // IDEALPRO has quotes only
    p.trades_per_second_extended = 0;
    p.size_min = 100000;
    p.size_max = 20000000;
    built.push_back(MakeContract(d, "cashfarm", SessionModel::IdealProFx(), p));
  }
  for (auto& contract : built) {
    if (!contract.ok()) return contract.status();
    IBSTREAM_RETURN_IF_ERROR(catalog.Add(std::move(contract).value()));
  }
  return catalog;
}

Status Catalog::Add(SimContract contract) {
  if (FindByConId(contract.con_id()) != nullptr) {
    return InvalidArgument("conId " + std::to_string(contract.con_id()) + " is defined twice");
  }
  contracts_.push_back(std::make_shared<const SimContract>(std::move(contract)));
  return Status::Ok();
}

const SimContract* Catalog::FindByConId(int32_t con_id) const {
  for (const auto& c : contracts_) {
    if (c->con_id() == con_id) return c.get();
  }
  return nullptr;
}

std::vector<const SimContract*> Catalog::Match(const protocol::Contract& q, TimePoint now) const {
  std::vector<const SimContract*> out;
  const bool contfut = EqualsIgnoreCase(q.sec_type, "CONTFUT");
  for (const auto& ptr : contracts_) {
    const SimContract& c = *ptr;
    const protocol::Contract& k = c.details.contract;
    if (q.con_id != 0) {
      if (k.con_id != q.con_id) continue;
    } else if (!EqualsIgnoreCase(k.symbol, q.symbol)) {
      continue;
    }
    if (!q.sec_type.empty()) {
      if (contfut ? k.sec_type != "FUT" : !EqualsIgnoreCase(k.sec_type, q.sec_type)) continue;
    }
    if (!q.exchange.empty() && !EqualsIgnoreCase(k.exchange, q.exchange) &&
        !ListContains(c.details.valid_exchanges, q.exchange)) {
      continue;
    }
    if (!q.currency.empty() && !EqualsIgnoreCase(k.currency, q.currency)) continue;
    if (!q.local_symbol.empty() && !EqualsIgnoreCase(k.local_symbol, q.local_symbol)) continue;
    const std::string& month = q.last_trade_date_or_contract_month;
    if (!month.empty() && !contfut) {
      if (month.size() == 6 ? c.details.contract_month != month
                            : k.last_trade_date_or_contract_month != month) {
        continue;
      }
    }
    out.push_back(&c);
  }
  if (contfut && !out.empty()) {
    // The front month: the earliest expiry on or after today in the contract's zone.
    const SimContract* front = nullptr;
    for (const SimContract* c : out) {
      const calendar::LocalDays today = c->sessions->zone().LocalDate(now);
      const d::year_month_day ymd{today};
      const std::string today_text =
          fmt::format("{:04}{:02}{:02}", static_cast<int>(ymd.year()),
                      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
      const std::string& expiry = c->details.contract.last_trade_date_or_contract_month;
      if (expiry < today_text) continue;
      if (front == nullptr || expiry < front->details.contract.last_trade_date_or_contract_month) {
        front = c;
      }
    }
    out.clear();
    if (front != nullptr) out.push_back(front);
  }
  return out;
}

std::vector<protocol::ContractDescription> Catalog::MatchingSymbols(
    std::string_view pattern) const {
  std::vector<protocol::ContractDescription> out;
  const std::string p = Upper(pattern);
  if (p.empty()) return out;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& ptr : contracts_) {
    const protocol::ContractDetails& d = ptr->details;
    const bool hit = Upper(d.contract.symbol).rfind(p, 0) == 0 ||
                     Upper(d.long_name).find(p) != std::string::npos;
    if (!hit) continue;
    const bool future = d.contract.sec_type == "FUT";
    // Futures are listed through their underlying index, as IB does.
    const std::string symbol = future ? d.under_symbol : d.contract.symbol;
    const std::string sec_type = future ? "IND" : d.contract.sec_type;
    if (!seen.insert({symbol, sec_type}).second) continue;
    protocol::ContractDescription desc;
    desc.con_id = future ? d.under_con_id : d.contract.con_id;
    desc.symbol = symbol;
    desc.sec_type = sec_type;
    desc.primary_exchange = future ? d.contract.exchange : d.contract.primary_exchange;
    desc.currency = d.contract.currency;
    if (future) desc.derivative_sec_types = {"FUT"};
    desc.description = d.long_name;
    out.push_back(std::move(desc));
    if (out.size() >= 16) break;
  }
  return out;
}

}  // namespace ibstream::sim
