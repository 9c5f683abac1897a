// EncodeServerMessage (simulator side): each message as a TWS/Gateway of `server_version` sends
// it.
#include <cmath>
#include <string>

#include "common/check.h"
#include "protocol/field_codec.h"
#include "protocol/server_messages.h"
#include "protocol/server_messages_internal.h"

namespace ibstream::protocol {
namespace {

// Legacy version fields real TWS sends (docs/PROTOCOL.md §4); decoders skip them.
constexpr int kTickPriceVersion = 6;
constexpr int kTickSizeVersion = 6;
constexpr int kErrMsgVersion = 2;
constexpr int kNextValidIdVersion = 1;
constexpr int kManagedAcctsVersion = 1;
constexpr int kCurrentTimeVersion = 1;
constexpr int kContractDataEndVersion = 1;
constexpr int kTickSnapshotEndVersion = 1;
constexpr int kTickGenericVersion = 6;
constexpr int kTickStringVersion = 6;
constexpr int kMarketDataTypeVersion = 1;

bool HasWhitespace(std::string_view s) {
  for (const char c : s) {
    if (IsSplitSpace(c)) return true;
  }
  return false;
}

// CONTRACT_DATA's lastTradeDateOrContractMonth: "<date>" or "<date> <time>"; a '-' separates when
// a part holds spaces (the official decoders split on '-' when there is one, else on spaces).
Result<std::string> ComposeLastTradeDate(std::string_view date, std::string_view time) {
  if (date.find('-') != std::string_view::npos || time.find('-') != std::string_view::npos) {
    return InvalidArgument(
        "CONTRACT_DATA: lastTradeDateOrContractMonth and lastTradeTime cannot contain '-'");
  }
  std::string out(date);
  if (time.empty()) {
    if (HasWhitespace(date)) out += '-';
    return out;
  }
  out += (date.empty() || HasWhitespace(date) || HasWhitespace(time)) ? '-' : ' ';
  out.append(time);
  return out;
}

int TickAttribMask(const TickAttrib& a) {
  return (a.can_auto_execute ? 1 : 0) | (a.past_limit ? 2 : 0) | (a.pre_open ? 4 : 0);
}
int LastMask(const TickAttribLast& a) { return (a.past_limit ? 1 : 0) | (a.unreported ? 2 : 0); }

// ev_multiplier: an integer when it is one (the Python client parses it with int()).
void WriteEvMultiplier(double value, MessageWriter& w) {
  if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) < 9.0e18) {
    w.Int(static_cast<int64_t>(value));
  } else {
    w.Double(value);
  }
}

}  // namespace

Status EncodeServerMessage(const ErrorMessage& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kErrMsgName);
  w.Int(Id(IncomingId::kErrMsg)).Int(kErrMsgVersion).Int(m.id).Int(m.code);
  w.EscapedString(m.text);
  w.String(m.advanced_order_reject_json, "advancedOrderRejectJson");
  return w.Finish();
}

Status EncodeServerMessage(const NextValidId& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kNextValidIdName);
  w.Int(Id(IncomingId::kNextValidId)).Int(kNextValidIdVersion).Int(m.order_id);
  return w.Finish();
}

Status EncodeServerMessage(const ManagedAccounts& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kManagedAcctsName);
  w.Int(Id(IncomingId::kManagedAccts))
      .Int(kManagedAcctsVersion)
      .StrictText(m.accounts, "accountsList");
  return w.Finish();
}

Status EncodeServerMessage(const CurrentTime& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kCurrentTimeName);
  w.Int(Id(IncomingId::kCurrentTime)).Int(kCurrentTimeVersion).Int(m.time);
  return w.Finish();
}

Status EncodeServerMessage(const ContractDetails& d, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  Result<std::string> composite =
      ComposeLastTradeDate(d.contract.last_trade_date_or_contract_month, d.last_trade_time);
  IBSTREAM_RETURN_IF_ERROR(composite.status());
  MessageWriter w(out, TextPolicy::kNoNul, kContractDataName);
  const Contract& c = d.contract;
  w.Int(Id(IncomingId::kContractData))
      .Int(d.req_id)
      .String(c.symbol, "symbol")
      .String(c.sec_type, "secType")
      .String(*composite, "lastTradeDateOrContractMonth");
  if (server_version >= kServerVersionLastTradeDate) {
    w.String(d.last_trade_date, "lastTradeDate");
  }
  w.Double(c.strike)
      .String(c.right, "right")
      .String(c.exchange, "exchange")
      .String(c.currency, "currency")
      .String(c.local_symbol, "localSymbol")
      .String(d.market_name, "marketName")
      .String(c.trading_class, "tradingClass")
      .Int(c.con_id)
      .Double(d.min_tick)
      .String(c.multiplier, "multiplier")
      .String(d.order_types, "orderTypes")
      .String(d.valid_exchanges, "validExchanges")
      .Int(d.price_magnifier)
      .Int(d.under_con_id)
      .EscapedString(d.long_name)
      .String(c.primary_exchange, "primaryExchange")
      .String(d.contract_month, "contractMonth")
      .String(d.industry, "industry")
      .String(d.category, "category")
      .String(d.subcategory, "subcategory")
      .String(d.time_zone_id, "timeZoneId")
      .String(d.trading_hours, "tradingHours")
      .String(d.liquid_hours, "liquidHours")
      .String(d.ev_rule, "evRule");
  WriteEvMultiplier(d.ev_multiplier, w);
  w.Int(static_cast<int64_t>(d.sec_id_list.size()));
  for (const TagValue& tv : d.sec_id_list) {
    w.String(tv.tag, "secIdList.tag").String(tv.value, "secIdList.value");
  }
  w.Int(d.agg_group)
      .String(d.under_symbol, "underSymbol")
      .String(d.under_sec_type, "underSecType")
      .String(d.market_rule_ids, "marketRuleIds")
      .String(d.real_expiration_date, "realExpirationDate")
      .String(d.stock_type, "stockType")
      .Dec(d.min_size)
      .Dec(d.size_increment)
      .Dec(d.suggested_size_increment);
  if (HasFundFields(d, server_version)) {
    const FundData& f = d.fund;
    w.String(f.fund_name, "fundName")
        .String(f.fund_family, "fundFamily")
        .String(f.fund_type, "fundType")
        .String(f.fund_front_load, "fundFrontLoad")
        .String(f.fund_back_load, "fundBackLoad")
        .String(f.fund_back_load_time_interval, "fundBackLoadTimeInterval")
        .String(f.fund_management_fee, "fundManagementFee")
        .Bool(f.fund_closed)
        .Bool(f.fund_closed_for_new_investors)
        .Bool(f.fund_closed_for_new_money)
        .String(f.fund_notify_amount, "fundNotifyAmount")
        .String(f.fund_minimum_initial_purchase, "fundMinimumInitialPurchase")
        .String(f.fund_subsequent_minimum_purchase, "fundSubsequentMinimumPurchase")
        .String(f.fund_blue_sky_states, "fundBlueSkyStates")
        .String(f.fund_blue_sky_territories, "fundBlueSkyTerritories")
        .String(f.fund_distribution_policy_indicator, "fundDistributionPolicyIndicator")
        .String(f.fund_asset_type, "fundAssetType");
  }
  if (server_version >= kServerVersionIneligibilityReasons) {
    w.Int(static_cast<int64_t>(d.ineligibility_reasons.size()));
    for (const IneligibilityReason& reason : d.ineligibility_reasons) {
      w.String(reason.id, "ineligibilityReason.id")
          .String(reason.description, "ineligibilityReason.description");
    }
  }
  return w.Finish();
}

Status EncodeServerMessage(const ContractDataEnd& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kContractDataEndName);
  w.Int(Id(IncomingId::kContractDataEnd)).Int(kContractDataEndVersion).Int(m.req_id);
  return w.Finish();
}

Status EncodeServerMessage(const TickSnapshotEnd& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kTickSnapshotEndName);
  w.Int(Id(IncomingId::kTickSnapshotEnd)).Int(kTickSnapshotEndVersion).Int(m.req_id);
  return w.Finish();
}

Status EncodeServerMessage(const TickPrice& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kTickPriceName);
  w.Int(Id(IncomingId::kTickPrice))
      .Int(kTickPriceVersion)
      .Int(m.req_id)
      .Int(m.tick_type)
      .Double(m.price)
      .Dec(m.size)
      .Int(TickAttribMask(m.attrib));
  return w.Finish();
}

Status EncodeServerMessage(const TickSize& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kTickSizeName);
  w.Int(Id(IncomingId::kTickSize)).Int(kTickSizeVersion).Int(m.req_id).Int(m.tick_type).Dec(m.size);
  return w.Finish();
}

Status EncodeServerMessage(const TickGeneric& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kTickGenericName);
  w.Int(Id(IncomingId::kTickGeneric))
      .Int(kTickGenericVersion)
      .Int(m.req_id)
      .Int(m.tick_type)
      .Double(m.value);
  return w.Finish();
}

Status EncodeServerMessage(const TickString& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kTickStringName);
  w.Int(Id(IncomingId::kTickString))
      .Int(kTickStringVersion)
      .Int(m.req_id)
      .Int(m.tick_type)
      .StrictText(m.value, "value");
  return w.Finish();
}

Status EncodeServerMessage(const TickReqParams& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kTickReqParamsName);
  w.Int(Id(IncomingId::kTickReqParams))
      .Int(m.req_id)
      .Double(m.min_tick)
      .String(m.bbo_exchange, "bboExchange")
      .Int(m.snapshot_permissions);
  return w.Finish();
}

Status EncodeServerMessage(const MarketDataType& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kMarketDataTypeName);
  w.Int(Id(IncomingId::kMarketDataType))
      .Int(kMarketDataTypeVersion)
      .Int(m.req_id)
      .Int(m.market_data_type);
  return w.Finish();
}

Status EncodeServerMessage(const SymbolSamples& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kSymbolSamplesName);
  w.Int(Id(IncomingId::kSymbolSamples))
      .Int(m.req_id)
      .Int(static_cast<int64_t>(m.descriptions.size()));
  for (const ContractDescription& c : m.descriptions) {
    w.Int(c.con_id)
        .String(c.symbol, "symbol")
        .String(c.sec_type, "secType")
        .String(c.primary_exchange, "primaryExchange")
        .String(c.currency, "currency")
        .Int(static_cast<int64_t>(c.derivative_sec_types.size()));
    for (const std::string& type : c.derivative_sec_types) w.String(type, "derivativeSecType");
    w.String(c.description, "description").String(c.issuer_id, "issuerId");
  }
  return w.Finish();
}

Status EncodeServerMessage(const HeadTimestamp& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kHeadTimestampName);
  w.Int(Id(IncomingId::kHeadTimestamp)).Int(m.req_id).String(m.head_timestamp, "headTimestamp");
  return w.Finish();
}

Status EncodeServerMessage(const HistoricalTicks& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kHistoricalTicksName);
  w.Int(Id(IncomingId::kHistoricalTicks)).Int(m.req_id).Int(static_cast<int64_t>(m.ticks.size()));
  for (const HistoricalTick& t : m.ticks) w.Int(t.time).Int(0).Double(t.price).Dec(t.size);
  w.Bool(m.done);
  return w.Finish();
}

Status EncodeServerMessage(const HistoricalTicksBidAsk& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kHistoricalTicksBidAskName);
  w.Int(Id(IncomingId::kHistoricalTicksBidAsk))
      .Int(m.req_id)
      .Int(static_cast<int64_t>(m.ticks.size()));
  for (const HistoricalTickBidAsk& t : m.ticks) {
    const int mask = (t.attrib.ask_past_high ? 1 : 0) | (t.attrib.bid_past_low ? 2 : 0);
    w.Int(t.time).Int(mask).Double(t.price_bid).Double(t.price_ask).Dec(t.size_bid).Dec(t.size_ask);
  }
  w.Bool(m.done);
  return w.Finish();
}

Status EncodeServerMessage(const HistoricalTicksLast& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kHistoricalTicksLastName);
  w.Int(Id(IncomingId::kHistoricalTicksLast))
      .Int(m.req_id)
      .Int(static_cast<int64_t>(m.ticks.size()));
  for (const HistoricalTickLast& t : m.ticks) {
    w.Int(t.time)
        .Int(LastMask(t.attrib))
        .Double(t.price)
        .Dec(t.size)
        .String(t.exchange, "exchange")
        .String(t.special_conditions, "specialConditions");
  }
  w.Bool(m.done);
  return w.Finish();
}

Status EncodeServerMessage(const TickByTickLast& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  if (m.tick_type != TickByTickType::kLast && m.tick_type != TickByTickType::kAllLast) {
    return InvalidArgument("TICK_BY_TICK Last/AllLast with tick type " +
                           std::to_string(static_cast<int>(m.tick_type)));
  }
  MessageWriter w(out, TextPolicy::kNoNul, kTickByTickName);
  w.Int(Id(IncomingId::kTickByTick))
      .Int(m.req_id)
      .Int(static_cast<int>(m.tick_type))
      .Int(m.time)
      .Double(m.price)
      .Dec(m.size)
      .Int(LastMask(m.attrib))
      .String(m.exchange, "exchange")
      .String(m.special_conditions, "specialConditions");
  return w.Finish();
}

Status EncodeServerMessage(const TickByTickBidAsk& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kTickByTickName);
  const int mask = (m.attrib.bid_past_low ? 1 : 0) | (m.attrib.ask_past_high ? 2 : 0);
  w.Int(Id(IncomingId::kTickByTick))
      .Int(m.req_id)
      .Int(static_cast<int>(TickByTickType::kBidAsk))
      .Int(m.time)
      .Double(m.bid_price)
      .Double(m.ask_price)
      .Dec(m.bid_size)
      .Dec(m.ask_size)
      .Int(mask);
  return w.Finish();
}

Status EncodeServerMessage(const TickByTickMidPoint& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kTickByTickName);
  w.Int(Id(IncomingId::kTickByTick))
      .Int(m.req_id)
      .Int(static_cast<int>(TickByTickType::kMidPoint))
      .Int(m.time)
      .Double(m.mid_point);
  return w.Finish();
}

}  // namespace ibstream::protocol
