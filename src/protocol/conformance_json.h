// Test-only helper of conformance_test.cc: a ServerMessageHandler that records every callback
// in the shape of the conformance vectors' `official_decoder` (callback name + argument list, as
// the official Python client reports them), so decoded messages compare with the vectors as JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "protocol/contract.h"
#include "protocol/server_messages.h"

namespace ibstream::protocol::conformance {

using nlohmann::json;

// The official Python client's "unset" decimal (2**127 - 1) as the vectors show it.
inline constexpr std::string_view kUnsetDecimalText = "170141183460469231731687303715884105727";

inline json Dec(const Decimal& d) {
  return json{{"decimal", d.is_set() ? d.ToString() : std::string(kUnsetDecimalText)}};
}

inline json ContractJson(const Contract& c) {
  return json{{"conId", c.con_id},
              {"symbol", c.symbol},
              {"secType", c.sec_type},
              {"lastTradeDateOrContractMonth", c.last_trade_date_or_contract_month},
              {"strike", c.strike},
              {"right", c.right},
              {"multiplier", c.multiplier},
              {"exchange", c.exchange},
              {"primaryExchange", c.primary_exchange},
              {"currency", c.currency},
              {"localSymbol", c.local_symbol},
              {"tradingClass", c.trading_class},
              {"includeExpired", c.include_expired},
              {"secIdType", c.sec_id_type},
              {"secId", c.sec_id},
              {"issuerId", c.issuer_id}};
}

// The official Python client maps these two FUND fields to enums; "" is its NoneItem.
inline std::string FundEnum(const std::string& raw) { return raw.empty() ? "NoneItem" : raw; }

inline json ContractDetailsJson(const ContractDetails& d) {
  json contract = ContractJson(d.contract);
  contract["lastTradeDate"] = d.last_trade_date;
  json sec_ids = nullptr;
  if (!d.sec_id_list.empty()) {
    sec_ids = json::array();
    for (const TagValue& tv : d.sec_id_list)
      sec_ids.push_back({{"tag", tv.tag}, {"value", tv.value}});
  }
  json reasons = nullptr;
  if (!d.ineligibility_reasons.empty()) {
    reasons = json::array();
    for (const IneligibilityReason& r : d.ineligibility_reasons) {
      reasons.push_back({{"id", r.id}, {"description", r.description}});
    }
  }
  const FundData& f = d.fund;
  return json{{"contract", contract},
              {"marketName", d.market_name},
              {"minTick", d.min_tick},
              {"orderTypes", d.order_types},
              {"validExchanges", d.valid_exchanges},
              {"priceMagnifier", d.price_magnifier},
              {"underConId", d.under_con_id},
              {"longName", d.long_name},
              {"contractMonth", d.contract_month},
              {"industry", d.industry},
              {"category", d.category},
              {"subcategory", d.subcategory},
              {"timeZoneId", d.time_zone_id},
              {"tradingHours", d.trading_hours},
              {"liquidHours", d.liquid_hours},
              {"evRule", d.ev_rule},
              {"evMultiplier", d.ev_multiplier},
              {"aggGroup", d.agg_group},
              {"underSymbol", d.under_symbol},
              {"underSecType", d.under_sec_type},
              {"marketRuleIds", d.market_rule_ids},
              {"secIdList", sec_ids},
              {"realExpirationDate", d.real_expiration_date},
              {"lastTradeTime", d.last_trade_time},
              {"stockType", d.stock_type},
              {"minSize", Dec(d.min_size)},
              {"sizeIncrement", Dec(d.size_increment)},
              {"suggestedSizeIncrement", Dec(d.suggested_size_increment)},
              {"fundName", f.fund_name},
              {"fundFamily", f.fund_family},
              {"fundType", f.fund_type},
              {"fundFrontLoad", f.fund_front_load},
              {"fundBackLoad", f.fund_back_load},
              {"fundBackLoadTimeInterval", f.fund_back_load_time_interval},
              {"fundManagementFee", f.fund_management_fee},
              {"fundClosed", f.fund_closed},
              {"fundClosedForNewInvestors", f.fund_closed_for_new_investors},
              {"fundClosedForNewMoney", f.fund_closed_for_new_money},
              {"fundNotifyAmount", f.fund_notify_amount},
              {"fundMinimumInitialPurchase", f.fund_minimum_initial_purchase},
              {"fundSubsequentMinimumPurchase", f.fund_subsequent_minimum_purchase},
              {"fundBlueSkyStates", f.fund_blue_sky_states},
              {"fundBlueSkyTerritories", f.fund_blue_sky_territories},
              {"fundDistributionPolicyIndicator", FundEnum(f.fund_distribution_policy_indicator)},
              {"fundAssetType", FundEnum(f.fund_asset_type)},
              {"ineligibilityReasonList", reasons}};
}

// Records every callback in the shape of the vectors' official_decoder.
class JsonHandler : public ServerMessageHandler {
 public:
  json calls = json::array();

  void Add(const char* callback, json args) {
    calls.push_back({{"callback", callback}, {"args", std::move(args)}});
  }
  void OnError(const ErrorMessage& m) override {
    Add("error", {m.id, m.code, m.text, m.advanced_order_reject_json});
  }
  void OnNextValidId(const NextValidId& m) override { Add("nextValidId", {m.order_id}); }
  void OnManagedAccounts(const ManagedAccounts& m) override {
    Add("managedAccounts", {m.accounts});
  }
  void OnCurrentTime(const CurrentTime& m) override { Add("currentTime", {m.time}); }
  void OnContractDetails(const ContractDetails& m) override {
    Add("contractDetails", {m.req_id, ContractDetailsJson(m)});
  }
  void OnContractDataEnd(const ContractDataEnd& m) override {
    Add("contractDetailsEnd", {m.req_id});
  }
  void OnTickSnapshotEnd(const TickSnapshotEnd& m) override { Add("tickSnapshotEnd", {m.req_id}); }
  void OnTickPrice(const TickPrice& m) override {
    Add("tickPrice", {m.req_id,
                      m.tick_type,
                      m.price,
                      {{"canAutoExecute", m.attrib.can_auto_execute},
                       {"pastLimit", m.attrib.past_limit},
                       {"preOpen", m.attrib.pre_open}}});
    // The official clients' synthetic size callback.
    const int32_t size_type = SizeTickTypeForPriceTick(m.tick_type);
    if (size_type != -1) Add("tickSize", {m.req_id, size_type, Dec(m.size)});
  }
  void OnTickSize(const TickSize& m) override {
    Add("tickSize", {m.req_id, m.tick_type, Dec(m.size)});
  }
  void OnTickGeneric(const TickGeneric& m) override {
    Add("tickGeneric", {m.req_id, m.tick_type, m.value});
  }
  void OnTickString(const TickString& m) override {
    Add("tickString", {m.req_id, m.tick_type, m.value});
  }
  void OnTickReqParams(const TickReqParams& m) override {
    Add("tickReqParams", {m.req_id, m.min_tick, m.bbo_exchange, m.snapshot_permissions});
  }
  void OnMarketDataType(const MarketDataType& m) override {
    Add("marketDataType", {m.req_id, m.market_data_type});
  }
  void OnSymbolSamples(const SymbolSamples& m) override {
    json items = json::array();
    for (const ContractDescription& d : m.descriptions) {
      Contract c;
      c.con_id = d.con_id;
      c.symbol = d.symbol;
      c.sec_type = d.sec_type;
      c.primary_exchange = d.primary_exchange;
      c.currency = d.currency;
      c.issuer_id = d.issuer_id;
      json contract = ContractJson(c);
      contract["description"] = d.description;
      items.push_back({{"contract", contract}, {"derivativeSecTypes", d.derivative_sec_types}});
    }
    Add("symbolSamples", {m.req_id, items});
  }
  void OnHeadTimestamp(const HeadTimestamp& m) override {
    Add("headTimestamp", {m.req_id, m.head_timestamp});
  }
  void OnHistoricalTicks(const HistoricalTicks& m) override {
    json ticks = json::array();
    for (const HistoricalTick& t : m.ticks) {
      ticks.push_back({{"time", t.time}, {"price", t.price}, {"size", Dec(t.size)}});
    }
    Add("historicalTicks", {m.req_id, ticks, m.done});
  }
  void OnHistoricalTicksBidAsk(const HistoricalTicksBidAsk& m) override {
    json ticks = json::array();
    for (const HistoricalTickBidAsk& t : m.ticks) {
      ticks.push_back(
          {{"time", t.time},
           {"tickAttribBidAsk",
            {{"bidPastLow", t.attrib.bid_past_low}, {"askPastHigh", t.attrib.ask_past_high}}},
           {"priceBid", t.price_bid},
           {"priceAsk", t.price_ask},
           {"sizeBid", Dec(t.size_bid)},
           {"sizeAsk", Dec(t.size_ask)}});
    }
    Add("historicalTicksBidAsk", {m.req_id, ticks, m.done});
  }
  void OnHistoricalTicksLast(const HistoricalTicksLast& m) override {
    json ticks = json::array();
    for (const HistoricalTickLast& t : m.ticks) {
      ticks.push_back({{"time", t.time},
                       {"tickAttribLast",
                        {{"pastLimit", t.attrib.past_limit}, {"unreported", t.attrib.unreported}}},
                       {"price", t.price},
                       {"size", Dec(t.size)},
                       {"exchange", t.exchange},
                       {"specialConditions", t.special_conditions}});
    }
    Add("historicalTicksLast", {m.req_id, ticks, m.done});
  }
  void OnTickByTickLast(const TickByTickLast& m) override {
    Add("tickByTickAllLast",
        {m.req_id,
         static_cast<int>(m.tick_type),
         m.time,
         m.price,
         Dec(m.size),
         {{"pastLimit", m.attrib.past_limit}, {"unreported", m.attrib.unreported}},
         m.exchange,
         m.special_conditions});
  }
  void OnTickByTickBidAsk(const TickByTickBidAsk& m) override {
    Add("tickByTickBidAsk",
        {m.req_id,
         m.time,
         m.bid_price,
         m.ask_price,
         Dec(m.bid_size),
         Dec(m.ask_size),
         {{"bidPastLow", m.attrib.bid_past_low}, {"askPastHigh", m.attrib.ask_past_high}}});
  }
  void OnTickByTickMidPoint(const TickByTickMidPoint& m) override {
    Add("tickByTickMidPoint", {m.req_id, m.time, m.mid_point});
  }
  void OnMarketDepth(const MarketDepth& m) override {
    Add("updateMktDepth", {m.req_id, m.position, static_cast<int>(m.operation),
                           static_cast<int>(m.side), m.price, Dec(m.size)});
  }
  void OnMarketDepthL2(const MarketDepthL2& m) override {
    Add("updateMktDepthL2", {m.req_id, m.position, m.market_maker, static_cast<int>(m.operation),
                             static_cast<int>(m.side), m.price, Dec(m.size), m.is_smart_depth});
  }
  void OnMktDepthExchanges(const MktDepthExchanges& m) override {
    json items = json::array();
    for (const DepthMktDataDescription& d : m.descriptions) {
      items.push_back({{"exchange", d.exchange},
                       {"secType", d.sec_type},
                       {"listingExch", d.listing_exch},
                       {"serviceDataType", d.service_data_type},
                       {"aggGroup", d.agg_group}});
    }
    // One argument, the list: `{items}` alone is a copy to clang and a one-element array to GCC.
    Add("mktDepthExchanges", json::array({items}));
  }
  void OnAccountValue(const AccountValue& m) override {
    Add("updateAccountValue", {m.key, m.value, m.currency, m.account_name});
  }
  void OnPortfolioValue(const PortfolioValue& m) override {
    Add("updatePortfolio",
        {ContractJson(m.contract), Dec(m.position), m.market_price, m.market_value, m.average_cost,
         m.unrealized_pnl, m.realized_pnl, m.account_name});
  }
  void OnAccountUpdateTime(const AccountUpdateTime& m) override {
    Add("updateAccountTime", {m.time_stamp});
  }
  void OnAccountDownloadEnd(const AccountDownloadEnd& m) override {
    Add("accountDownloadEnd", {m.account_name});
  }
  void OnAccountSummary(const AccountSummary& m) override {
    Add("accountSummary", {m.req_id, m.account, m.tag, m.value, m.currency});
  }
  void OnAccountSummaryEnd(const AccountSummaryEnd& m) override {
    Add("accountSummaryEnd", {m.req_id});
  }
  void OnPositionData(const PositionData& m) override {
    Add("position", {m.account, ContractJson(m.contract), Dec(m.position), m.average_cost});
  }
  void OnPositionEnd(const PositionEnd&) override { Add("positionEnd", json::array()); }
  void OnExecutionDataEnd(const ExecutionDataEnd& m) override { Add("execDetailsEnd", {m.req_id}); }
  void OnOpenOrderEnd(const OpenOrderEnd&) override { Add("openOrderEnd", json::array()); }
  void OnCompletedOrdersEnd(const CompletedOrdersEnd&) override {
    Add("completedOrdersEnd", json::array());
  }
  void OnSmartComponents(const SmartComponents& m) override {
    json items = json::array();
    for (const SmartComponent& c : m.components) {
      items.push_back({{"bitNumber", c.bit_number},
                       {"exchange", c.exchange},
                       {"exchangeLetter", c.exchange_letter}});
    }
    Add("smartComponents", {m.req_id, items});
  }
  void OnMarketRule(const MarketRule& m) override {
    json items = json::array();
    for (const PriceIncrement& p : m.increments) {
      items.push_back({{"lowEdge", p.low_edge}, {"increment", p.increment}});
    }
    Add("marketRule", {m.market_rule_id, items});
  }
  void OnHistoricalData(const HistoricalData& m) override {
    for (const Bar& b : m.bars) Add("historicalData", {m.req_id, BarJson(b)});
    Add("historicalDataEnd", {m.req_id, m.start_date, m.end_date});
  }
  void OnHistoricalDataUpdate(const HistoricalDataUpdate& m) override {
    Add("historicalDataUpdate", {m.req_id, BarJson(m.bar)});
  }
  void OnRealTimeBar(const RealTimeBar& m) override {
    Add("realtimeBar",
        {m.req_id, m.time, m.open, m.high, m.low, m.close, Dec(m.volume), Dec(m.wap), m.count});
  }
  void OnUnknownMessage(int32_t id, std::string_view) override { Add("unknown", {id}); }

 private:
  static json BarJson(const Bar& b) {
    return json{{"date", b.date},    {"open", b.open},         {"high", b.high},
                {"low", b.low},      {"close", b.close},       {"volume", Dec(b.volume)},
                {"wap", Dec(b.wap)}, {"barCount", b.bar_count}};
  }
};

}  // namespace ibstream::protocol::conformance
