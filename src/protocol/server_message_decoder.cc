// ServerMessageDecoder (client side): Decode() reads the message id and calls the one DecodeX
// for it.
#include <string>
#include <string_view>

#include "common/check.h"
#include "protocol/field_codec.h"
#include "protocol/server_messages.h"
#include "protocol/server_messages_internal.h"

namespace ibstream::protocol {
namespace {

// CONTRACT_DATA's lastTradeDateOrContractMonth, split as the official decoders do: on '-' when
// there is one, else on spaces. First token -> date, second -> time; further tokens (bonds only)
// are ignored.
void SplitLastTradeDate(std::string_view text, ContractDetails& d) {
  std::string_view tokens[2];
  int count = 0;
  if (text.find('-') != std::string_view::npos) {
    size_t start = 0;
    while (count < 2) {
      const size_t dash = text.find('-', start);
      tokens[count++] =
          text.substr(start, dash == std::string_view::npos ? text.npos : dash - start);
      if (dash == std::string_view::npos) break;
      start = dash + 1;
    }
  } else {
    size_t i = 0;
    while (count < 2) {
      while (i < text.size() && IsSplitSpace(text[i])) ++i;
      if (i >= text.size()) break;
      const size_t start = i;
      while (i < text.size() && !IsSplitSpace(text[i])) ++i;
      tokens[count++] = text.substr(start, i - start);
    }
  }
  d.contract.last_trade_date_or_contract_month = std::string(tokens[0]);
  d.last_trade_time = std::string(tokens[1]);
}

// CONTRACT_DATA's FUND block (server version >= 179, secType FUND).
void ReadFundData(FieldReader& r, FundData& f) {
  f.fund_name = r.String("fundName");
  f.fund_family = r.String("fundFamily");
  f.fund_type = r.String("fundType");
  f.fund_front_load = r.String("fundFrontLoad");
  f.fund_back_load = r.String("fundBackLoad");
  f.fund_back_load_time_interval = r.String("fundBackLoadTimeInterval");
  f.fund_management_fee = r.String("fundManagementFee");
  f.fund_closed = r.Bool("fundClosed");
  f.fund_closed_for_new_investors = r.Bool("fundClosedForNewInvestors");
  f.fund_closed_for_new_money = r.Bool("fundClosedForNewMoney");
  f.fund_notify_amount = r.String("fundNotifyAmount");
  f.fund_minimum_initial_purchase = r.String("fundMinimumInitialPurchase");
  f.fund_subsequent_minimum_purchase = r.String("fundSubsequentMinimumPurchase");
  f.fund_blue_sky_states = r.String("fundBlueSkyStates");
  f.fund_blue_sky_territories = r.String("fundBlueSkyTerritories");
  f.fund_distribution_policy_indicator = r.String("fundDistributionPolicyIndicator");
  f.fund_asset_type = r.String("fundAssetType");
}

TickAttribLast LastAttrib(int64_t mask) { return {(mask & 1) != 0, (mask & 2) != 0}; }

}  // namespace

int32_t SizeTickTypeForPriceTick(int32_t price_tick_type) {
  switch (price_tick_type) {
    case 1:
      return 0;  // BID -> BID_SIZE
    case 2:
      return 3;  // ASK -> ASK_SIZE
    case 4:
      return 5;  // LAST -> LAST_SIZE
    case 66:
      return 69;  // DELAYED_BID -> DELAYED_BID_SIZE
    case 67:
      return 70;  // DELAYED_ASK -> DELAYED_ASK_SIZE
    case 68:
      return 71;  // DELAYED_LAST -> DELAYED_LAST_SIZE
    default:
      return -1;
  }
}

ServerMessageDecoder::ServerMessageDecoder(int server_version) : server_version_(server_version) {
  IBSTREAM_CHECK(IsSupportedServerVersion(server_version),
                 "ServerMessageDecoder needs a supported server version");
}

Status ServerMessageDecoder::DecodeTickByTick(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kTickByTickName);
  const int32_t req_id = r.Int("reqId");
  const int32_t tick_type = r.Int("tickType");
  const int64_t time = r.Long("time");
  switch (static_cast<TickByTickType>(tick_type)) {
    case TickByTickType::kLast:
    case TickByTickType::kAllLast: {
      TickByTickLast m;
      m.req_id = req_id;
      m.tick_type = static_cast<TickByTickType>(tick_type);
      m.time = time;
      m.price = r.Double("price");
      m.size = r.Dec("size");
      m.attrib = LastAttrib(r.Int("mask"));
      m.exchange = r.String("exchange");
      m.special_conditions = r.String("specialConditions");
      return Deliver(r, counters_, handler, &ServerMessageHandler::OnTickByTickLast, m);
    }
    case TickByTickType::kBidAsk: {
      TickByTickBidAsk m;
      m.req_id = req_id;
      m.time = time;
      m.bid_price = r.Double("bidPrice");
      m.ask_price = r.Double("askPrice");
      m.bid_size = r.Dec("bidSize");
      m.ask_size = r.Dec("askSize");
      const int32_t mask = r.Int("mask");
      m.attrib.bid_past_low = (mask & 1) != 0;
      m.attrib.ask_past_high = (mask & 2) != 0;
      return Deliver(r, counters_, handler, &ServerMessageHandler::OnTickByTickBidAsk, m);
    }
    case TickByTickType::kMidPoint: {
      TickByTickMidPoint m;
      m.req_id = req_id;
      m.time = time;
      m.mid_point = r.Double("midPoint");
      return Deliver(r, counters_, handler, &ServerMessageHandler::OnTickByTickMidPoint, m);
    }
    case TickByTickType::kNone:
      IBSTREAM_RETURN_IF_ERROR(r.status());
      ++counters_.messages_decoded;
      return Status::Ok();
  }
  IBSTREAM_RETURN_IF_ERROR(r.status());
  ++counters_.unknown_tick_types_skipped;
  return Status::Ok();
}

Status ServerMessageDecoder::DecodeTickPrice(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kTickPriceName);
  TickPrice m;
  r.Skip("version");
  m.req_id = r.Int("reqId");
  m.tick_type = r.Int("tickType");
  m.price = r.Double("price");
  m.size = r.Dec("size");
  const int32_t mask = r.Int("attrMask");
  m.attrib.can_auto_execute = (mask & 1) != 0;
  m.attrib.past_limit = (mask & 2) != 0;
  m.attrib.pre_open = (mask & 4) != 0;
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnTickPrice, m);
}

Status ServerMessageDecoder::DecodeTickSize(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kTickSizeName);
  TickSize m;
  r.Skip("version");
  m.req_id = r.Int("reqId");
  m.tick_type = r.Int("tickType");
  m.size = r.Dec("size");
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnTickSize, m);
}

Status ServerMessageDecoder::DecodeErrMsg(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kErrMsgName);
  ErrorMessage m;
  r.Skip("version");
  m.id = r.Int("id");
  m.code = r.Int("errorCode");
  const std::string_view text = r.String("errorMsg");
  if (server_version_ >= kServerVersionAdvancedOrderReject) {
    m.advanced_order_reject_json = r.String("advancedOrderRejectJson");
  }
  IBSTREAM_RETURN_IF_ERROR(r.status());
  if (server_version_ >= kServerVersionEncodeMsgAscii7 &&
      text.find('\\') != std::string_view::npos) {
    text_scratch_.clear();
    AppendUnescapedUnicode(text, text_scratch_);
    m.text = text_scratch_;
  } else {
    m.text = text;
  }
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnError, m);
}

Status ServerMessageDecoder::DecodeNextValidId(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kNextValidIdName);
  NextValidId m;
  r.Skip("version");
  m.order_id = r.Long("orderId");
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnNextValidId, m);
}

Status ServerMessageDecoder::DecodeManagedAccts(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kManagedAcctsName);
  ManagedAccounts m;
  r.Skip("version");
  m.accounts = r.String("accountsList");
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnManagedAccounts, m);
}

Status ServerMessageDecoder::DecodeCurrentTime(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kCurrentTimeName);
  CurrentTime m;
  r.Skip("version");
  m.time = r.Long("time");
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnCurrentTime, m);
}

Status ServerMessageDecoder::DecodeContractData(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kContractDataName);
  // Server versions >= 164 send no version field.
  ContractDetails d;
  d.req_id = r.Int("reqId");
  d.contract.symbol = r.String("symbol");
  d.contract.sec_type = r.String("secType");
  SplitLastTradeDate(r.String("lastTradeDateOrContractMonth"), d);
  if (server_version_ >= kServerVersionLastTradeDate) {
    d.last_trade_date = r.String("lastTradeDate");
  }
  d.contract.strike = r.Double("strike");
  d.contract.right = r.String("right");
  d.contract.exchange = r.String("exchange");
  d.contract.currency = r.String("currency");
  d.contract.local_symbol = r.String("localSymbol");
  d.market_name = r.String("marketName");
  d.contract.trading_class = r.String("tradingClass");
  d.contract.con_id = r.Int("conId");
  d.min_tick = r.Double("minTick");
  d.contract.multiplier = r.String("multiplier");
  d.order_types = r.String("orderTypes");
  d.valid_exchanges = r.String("validExchanges");
  d.price_magnifier = r.Int("priceMagnifier");
  d.under_con_id = r.Int("underConId");
  const std::string_view long_name = r.String("longName");
  if (server_version_ >= kServerVersionEncodeMsgAscii7) {
    AppendUnescapedUnicode(long_name, d.long_name);
  } else {
    d.long_name = long_name;
  }
  d.contract.primary_exchange = r.String("primaryExchange");
  d.contract_month = r.String("contractMonth");
  d.industry = r.String("industry");
  d.category = r.String("category");
  d.subcategory = r.String("subcategory");
  d.time_zone_id = r.String("timeZoneId");
  d.trading_hours = r.String("tradingHours");
  d.liquid_hours = r.String("liquidHours");
  d.ev_rule = r.String("evRule");
  d.ev_multiplier = r.Double("evMultiplier");
  const int32_t sec_ids = r.Count("secIdListCount", 2);
  d.sec_id_list.reserve(static_cast<size_t>(sec_ids));
  for (int32_t i = 0; i < sec_ids && r.ok(); ++i) {
    TagValue tv;
    tv.tag = r.String("secIdList.tag");
    tv.value = r.String("secIdList.value");
    d.sec_id_list.push_back(std::move(tv));
  }
  d.agg_group = r.Int("aggGroup");
  d.under_symbol = r.String("underSymbol");
  d.under_sec_type = r.String("underSecType");
  d.market_rule_ids = r.String("marketRuleIds");
  d.real_expiration_date = r.String("realExpirationDate");
  d.stock_type = r.String("stockType");
  d.min_size = r.Dec("minSize");
  d.size_increment = r.Dec("sizeIncrement");
  d.suggested_size_increment = r.Dec("suggestedSizeIncrement");
  if (HasFundFields(d, server_version_)) ReadFundData(r, d.fund);
  if (server_version_ >= kServerVersionIneligibilityReasons) {
    const int32_t reasons = r.Count("ineligibilityReasonCount", 2);
    d.ineligibility_reasons.reserve(static_cast<size_t>(reasons));
    for (int32_t i = 0; i < reasons && r.ok(); ++i) {
      IneligibilityReason reason;
      reason.id = r.String("ineligibilityReason.id");
      reason.description = r.String("ineligibilityReason.description");
      d.ineligibility_reasons.push_back(std::move(reason));
    }
  }
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnContractDetails, d);
}

Status ServerMessageDecoder::DecodeContractDataEnd(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kContractDataEndName);
  ContractDataEnd m;
  r.Skip("version");
  m.req_id = r.Int("reqId");
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnContractDataEnd, m);
}

Status ServerMessageDecoder::DecodeTickSnapshotEnd(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kTickSnapshotEndName);
  TickSnapshotEnd m;
  r.Skip("version");
  m.req_id = r.Int("reqId");
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnTickSnapshotEnd, m);
}

Status ServerMessageDecoder::DecodeTickGeneric(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kTickGenericName);
  TickGeneric m;
  r.Skip("version");
  m.req_id = r.Int("reqId");
  m.tick_type = r.Int("tickType");
  m.value = r.Double("value");
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnTickGeneric, m);
}

Status ServerMessageDecoder::DecodeTickString(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kTickStringName);
  TickString m;
  r.Skip("version");
  m.req_id = r.Int("reqId");
  m.tick_type = r.Int("tickType");
  m.value = r.String("value");
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnTickString, m);
}

Status ServerMessageDecoder::DecodeMarketDataType(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kMarketDataTypeName);
  MarketDataType m;
  r.Skip("version");
  m.req_id = r.Int("reqId");
  m.market_data_type = r.Int("marketDataType");
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnMarketDataType, m);
}

Status ServerMessageDecoder::DecodeSymbolSamples(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kSymbolSamplesName);
  SymbolSamples m;
  m.req_id = r.Int("reqId");
  // Each item has at least 8 fields: conId .. currency, the derivative count, description,
  // issuerId.
  const int32_t count = r.Count("count", 8);
  m.descriptions.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count && r.ok(); ++i) {
    ContractDescription c;
    c.con_id = r.Int("conId");
    c.symbol = r.String("symbol");
    c.sec_type = r.String("secType");
    c.primary_exchange = r.String("primaryExchange");
    c.currency = r.String("currency");
    const int32_t derivatives = r.Count("derivativeSecTypesCount", 1);
    c.derivative_sec_types.reserve(static_cast<size_t>(derivatives));
    for (int32_t k = 0; k < derivatives && r.ok(); ++k) {
      c.derivative_sec_types.emplace_back(r.String("derivativeSecType"));
    }
    c.description = r.String("description");
    c.issuer_id = r.String("issuerId");
    m.descriptions.push_back(std::move(c));
  }
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnSymbolSamples, m);
}

Status ServerMessageDecoder::DecodeTickReqParams(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kTickReqParamsName);
  TickReqParams m;
  m.req_id = r.Int("reqId");
  m.min_tick = r.Double("minTick");
  m.bbo_exchange = r.String("bboExchange");
  m.snapshot_permissions = r.Int("snapshotPermissions");
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnTickReqParams, m);
}

Status ServerMessageDecoder::DecodeHeadTimestamp(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kHeadTimestampName);
  HeadTimestamp m;
  m.req_id = r.Int("reqId");
  m.head_timestamp = r.String("headTimestamp");
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnHeadTimestamp, m);
}

Status ServerMessageDecoder::DecodeHistoricalTicks(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kHistoricalTicksName);
  HistoricalTicks m;
  m.req_id = r.Int("reqId");
  const int32_t count = r.Count("tickCount", 4);
  historical_scratch_.clear();
  for (int32_t i = 0; i < count && r.ok(); ++i) {
    HistoricalTick& t = historical_scratch_.emplace_back();
    t.time = r.Long("time");
    r.Skip("unused");
    t.price = r.Double("price");
    t.size = r.Dec("size");
  }
  m.done = r.Bool("done");
  m.ticks = historical_scratch_;
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnHistoricalTicks, m);
}

Status ServerMessageDecoder::DecodeHistoricalTicksBidAsk(FieldReader& r,
                                                         ServerMessageHandler& handler) {
  r.set_message_name(kHistoricalTicksBidAskName);
  HistoricalTicksBidAsk m;
  m.req_id = r.Int("reqId");
  const int32_t count = r.Count("tickCount", 6);
  historical_bid_ask_scratch_.clear();
  for (int32_t i = 0; i < count && r.ok(); ++i) {
    HistoricalTickBidAsk& t = historical_bid_ask_scratch_.emplace_back();
    t.time = r.Long("time");
    const int32_t mask = r.Int("mask");
    t.attrib.ask_past_high = (mask & 1) != 0;
    t.attrib.bid_past_low = (mask & 2) != 0;
    t.price_bid = r.Double("priceBid");
    t.price_ask = r.Double("priceAsk");
    t.size_bid = r.Dec("sizeBid");
    t.size_ask = r.Dec("sizeAsk");
  }
  m.done = r.Bool("done");
  m.ticks = historical_bid_ask_scratch_;
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnHistoricalTicksBidAsk, m);
}

Status ServerMessageDecoder::DecodeHistoricalTicksLast(FieldReader& r,
                                                       ServerMessageHandler& handler) {
  r.set_message_name(kHistoricalTicksLastName);
  HistoricalTicksLast m;
  m.req_id = r.Int("reqId");
  const int32_t count = r.Count("tickCount", 6);
  historical_last_scratch_.clear();
  for (int32_t i = 0; i < count && r.ok(); ++i) {
    HistoricalTickLast& t = historical_last_scratch_.emplace_back();
    t.time = r.Long("time");
    t.attrib = LastAttrib(r.Int("mask"));
    t.price = r.Double("price");
    t.size = r.Dec("size");
    t.exchange = r.String("exchange");
    t.special_conditions = r.String("specialConditions");
  }
  m.done = r.Bool("done");
  m.ticks = historical_last_scratch_;
  return Deliver(r, counters_, handler, &ServerMessageHandler::OnHistoricalTicksLast, m);
}

Status ServerMessageDecoder::Decode(std::string_view payload, ServerMessageHandler& handler) {
  const size_t id_end = payload.find('\0');
  if (id_end == std::string_view::npos || id_end == 0) {
    ++counters_.error(DecodeErrorKind::kBadMessageId);
    return ParseError("server message: missing message id");
  }
  FieldReader r(payload, "server message", &counters_);
  const std::string_view id_text = r.String("msgId");
  int32_t id = 0;
  {
    Result<int32_t> parsed = ParseInt32(id_text);
    if (!parsed.ok()) {
      ++counters_.error(DecodeErrorKind::kBadMessageId);
      return ParseError("server message: bad message id: " + parsed.status().message());
    }
    id = *parsed;
  }

  switch (static_cast<IncomingId>(id)) {
    case IncomingId::kTickByTick:
      return DecodeTickByTick(r, handler);
    case IncomingId::kTickPrice:
      return DecodeTickPrice(r, handler);
    case IncomingId::kTickSize:
      return DecodeTickSize(r, handler);
    case IncomingId::kErrMsg:
      return DecodeErrMsg(r, handler);
    case IncomingId::kNextValidId:
      return DecodeNextValidId(r, handler);
    case IncomingId::kManagedAccts:
      return DecodeManagedAccts(r, handler);
    case IncomingId::kCurrentTime:
      return DecodeCurrentTime(r, handler);
    case IncomingId::kContractData:
      return DecodeContractData(r, handler);
    case IncomingId::kContractDataEnd:
      return DecodeContractDataEnd(r, handler);
    case IncomingId::kTickSnapshotEnd:
      return DecodeTickSnapshotEnd(r, handler);
    case IncomingId::kTickGeneric:
      return DecodeTickGeneric(r, handler);
    case IncomingId::kTickString:
      return DecodeTickString(r, handler);
    case IncomingId::kMarketDataType:
      return DecodeMarketDataType(r, handler);
    case IncomingId::kSymbolSamples:
      return DecodeSymbolSamples(r, handler);
    case IncomingId::kTickReqParams:
      return DecodeTickReqParams(r, handler);
    case IncomingId::kHeadTimestamp:
      return DecodeHeadTimestamp(r, handler);
    case IncomingId::kHistoricalTicks:
      return DecodeHistoricalTicks(r, handler);
    case IncomingId::kHistoricalTicksBidAsk:
      return DecodeHistoricalTicksBidAsk(r, handler);
    case IncomingId::kHistoricalTicksLast:
      return DecodeHistoricalTicksLast(r, handler);
    case IncomingId::kMarketDepth:
      return DecodeMarketDepth(r, handler);
    case IncomingId::kMarketDepthL2:
      return DecodeMarketDepthL2(r, handler);
    case IncomingId::kMktDepthExchanges:
      return DecodeMktDepthExchanges(r, handler);
    case IncomingId::kHistoricalData:
      return DecodeHistoricalData(r, handler);
    case IncomingId::kHistoricalDataUpdate:
      return DecodeHistoricalDataUpdate(r, handler);
    case IncomingId::kRealTimeBars:
      return DecodeRealTimeBar(r, handler);
  }

  if (IsAccountMessageId(id)) return DecodeAccountMessage(id, r, handler);
  ++counters_.unknown_ids_skipped;
  handler.OnUnknownMessage(id, payload);
  return Status::Ok();
}

}  // namespace ibstream::protocol
