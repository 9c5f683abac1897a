#include "protocol/server_messages.h"

#include <cmath>

#include "protocol/constants.h"
#include "protocol/field_codec.h"

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

constexpr const char* kTickPriceName = "TICK_PRICE (1)";
constexpr const char* kTickSizeName = "TICK_SIZE (2)";
constexpr const char* kErrMsgName = "ERR_MSG (4)";
constexpr const char* kNextValidIdName = "NEXT_VALID_ID (9)";
constexpr const char* kContractDataName = "CONTRACT_DATA (10)";
constexpr const char* kManagedAcctsName = "MANAGED_ACCTS (15)";
constexpr const char* kTickGenericName = "TICK_GENERIC (45)";
constexpr const char* kTickStringName = "TICK_STRING (46)";
constexpr const char* kCurrentTimeName = "CURRENT_TIME (49)";
constexpr const char* kContractDataEndName = "CONTRACT_DATA_END (52)";
constexpr const char* kTickSnapshotEndName = "TICK_SNAPSHOT_END (57)";
constexpr const char* kMarketDataTypeName = "MARKET_DATA_TYPE (58)";
constexpr const char* kSymbolSamplesName = "SYMBOL_SAMPLES (79)";
constexpr const char* kTickReqParamsName = "TICK_REQ_PARAMS (81)";
constexpr const char* kHeadTimestampName = "HEAD_TIMESTAMP (88)";
constexpr const char* kHistoricalTicksName = "HISTORICAL_TICKS (96)";
constexpr const char* kHistoricalTicksBidAskName = "HISTORICAL_TICKS_BID_ASK (97)";
constexpr const char* kHistoricalTicksLastName = "HISTORICAL_TICKS_LAST (98)";
constexpr const char* kTickByTickName = "TICK_BY_TICK (99)";

int Id(IncomingId id) { return static_cast<int>(id); }

void CheckVersion(int server_version) {
  IBSTREAM_CHECK(IsSupportedServerVersion(server_version),
                 "server message encoder called with an unsupported server version");
}

bool HasFundFields(const ContractDetails& d, int server_version) {
  return server_version >= kServerVersionFundDataFields && d.contract.sec_type == "FUND";
}

// What Python's str.split() splits on, within ASCII.
bool IsSplitSpace(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

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

// The inverse: first token -> date, second -> time; further tokens (bonds only) are ignored.
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

int TickAttribMask(const TickAttrib& a) {
  return (a.can_auto_execute ? 1 : 0) | (a.past_limit ? 2 : 0) | (a.pre_open ? 4 : 0);
}
int LastMask(const TickAttribLast& a) { return (a.past_limit ? 1 : 0) | (a.unreported ? 2 : 0); }
TickAttribLast LastAttrib(int64_t mask) { return {(mask & 1) != 0, (mask & 2) != 0}; }

// ev_multiplier: an integer when it is one (the Python client parses it with int()).
void WriteEvMultiplier(double value, MessageWriter& w) {
  if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) < 9.0e18) {
    w.Int(static_cast<int64_t>(value));
  } else {
    w.Double(value);
  }
}

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

// --- Decoders (client side): Decode() reads the message id and calls the one for it. ---

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
      IBSTREAM_RETURN_IF_ERROR(r.status());
      ++counters_.messages_decoded;
      handler.OnTickByTickLast(m);
      return Status::Ok();
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
      IBSTREAM_RETURN_IF_ERROR(r.status());
      ++counters_.messages_decoded;
      handler.OnTickByTickBidAsk(m);
      return Status::Ok();
    }
    case TickByTickType::kMidPoint: {
      TickByTickMidPoint m;
      m.req_id = req_id;
      m.time = time;
      m.mid_point = r.Double("midPoint");
      IBSTREAM_RETURN_IF_ERROR(r.status());
      ++counters_.messages_decoded;
      handler.OnTickByTickMidPoint(m);
      return Status::Ok();
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
  IBSTREAM_RETURN_IF_ERROR(r.status());
  ++counters_.messages_decoded;
  handler.OnTickPrice(m);
  return Status::Ok();
}

Status ServerMessageDecoder::DecodeTickSize(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kTickSizeName);
  TickSize m;
  r.Skip("version");
  m.req_id = r.Int("reqId");
  m.tick_type = r.Int("tickType");
  m.size = r.Dec("size");
  IBSTREAM_RETURN_IF_ERROR(r.status());
  ++counters_.messages_decoded;
  handler.OnTickSize(m);
  return Status::Ok();
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
  ++counters_.messages_decoded;
  handler.OnError(m);
  return Status::Ok();
}

Status ServerMessageDecoder::DecodeNextValidId(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kNextValidIdName);
  NextValidId m;
  r.Skip("version");
  m.order_id = r.Long("orderId");
  IBSTREAM_RETURN_IF_ERROR(r.status());
  ++counters_.messages_decoded;
  handler.OnNextValidId(m);
  return Status::Ok();
}

Status ServerMessageDecoder::DecodeManagedAccts(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kManagedAcctsName);
  ManagedAccounts m;
  r.Skip("version");
  m.accounts = r.String("accountsList");
  IBSTREAM_RETURN_IF_ERROR(r.status());
  ++counters_.messages_decoded;
  handler.OnManagedAccounts(m);
  return Status::Ok();
}

Status ServerMessageDecoder::DecodeCurrentTime(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kCurrentTimeName);
  CurrentTime m;
  r.Skip("version");
  m.time = r.Long("time");
  IBSTREAM_RETURN_IF_ERROR(r.status());
  ++counters_.messages_decoded;
  handler.OnCurrentTime(m);
  return Status::Ok();
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
  IBSTREAM_RETURN_IF_ERROR(r.status());
  ++counters_.messages_decoded;
  handler.OnContractDetails(d);
  return Status::Ok();
}

Status ServerMessageDecoder::DecodeContractDataEnd(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kContractDataEndName);
  ContractDataEnd m;
  r.Skip("version");
  m.req_id = r.Int("reqId");
  IBSTREAM_RETURN_IF_ERROR(r.status());
  ++counters_.messages_decoded;
  handler.OnContractDataEnd(m);
  return Status::Ok();
}

Status ServerMessageDecoder::DecodeTickSnapshotEnd(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kTickSnapshotEndName);
  TickSnapshotEnd m;
  r.Skip("version");
  m.req_id = r.Int("reqId");
  IBSTREAM_RETURN_IF_ERROR(r.status());
  ++counters_.messages_decoded;
  handler.OnTickSnapshotEnd(m);
  return Status::Ok();
}

Status ServerMessageDecoder::DecodeTickGeneric(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kTickGenericName);
  TickGeneric m;
  r.Skip("version");
  m.req_id = r.Int("reqId");
  m.tick_type = r.Int("tickType");
  m.value = r.Double("value");
  IBSTREAM_RETURN_IF_ERROR(r.status());
  ++counters_.messages_decoded;
  handler.OnTickGeneric(m);
  return Status::Ok();
}

Status ServerMessageDecoder::DecodeTickString(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kTickStringName);
  TickString m;
  r.Skip("version");
  m.req_id = r.Int("reqId");
  m.tick_type = r.Int("tickType");
  m.value = r.String("value");
  IBSTREAM_RETURN_IF_ERROR(r.status());
  ++counters_.messages_decoded;
  handler.OnTickString(m);
  return Status::Ok();
}

Status ServerMessageDecoder::DecodeMarketDataType(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kMarketDataTypeName);
  MarketDataType m;
  r.Skip("version");
  m.req_id = r.Int("reqId");
  m.market_data_type = r.Int("marketDataType");
  IBSTREAM_RETURN_IF_ERROR(r.status());
  ++counters_.messages_decoded;
  handler.OnMarketDataType(m);
  return Status::Ok();
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
  IBSTREAM_RETURN_IF_ERROR(r.status());
  ++counters_.messages_decoded;
  handler.OnSymbolSamples(m);
  return Status::Ok();
}

Status ServerMessageDecoder::DecodeTickReqParams(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kTickReqParamsName);
  TickReqParams m;
  m.req_id = r.Int("reqId");
  m.min_tick = r.Double("minTick");
  m.bbo_exchange = r.String("bboExchange");
  m.snapshot_permissions = r.Int("snapshotPermissions");
  IBSTREAM_RETURN_IF_ERROR(r.status());
  ++counters_.messages_decoded;
  handler.OnTickReqParams(m);
  return Status::Ok();
}

Status ServerMessageDecoder::DecodeHeadTimestamp(FieldReader& r, ServerMessageHandler& handler) {
  r.set_message_name(kHeadTimestampName);
  HeadTimestamp m;
  m.req_id = r.Int("reqId");
  m.head_timestamp = r.String("headTimestamp");
  IBSTREAM_RETURN_IF_ERROR(r.status());
  ++counters_.messages_decoded;
  handler.OnHeadTimestamp(m);
  return Status::Ok();
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
  IBSTREAM_RETURN_IF_ERROR(r.status());
  m.ticks = historical_scratch_;
  ++counters_.messages_decoded;
  handler.OnHistoricalTicks(m);
  return Status::Ok();
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
  IBSTREAM_RETURN_IF_ERROR(r.status());
  m.ticks = historical_bid_ask_scratch_;
  ++counters_.messages_decoded;
  handler.OnHistoricalTicksBidAsk(m);
  return Status::Ok();
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
  IBSTREAM_RETURN_IF_ERROR(r.status());
  m.ticks = historical_last_scratch_;
  ++counters_.messages_decoded;
  handler.OnHistoricalTicksLast(m);
  return Status::Ok();
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
  }

  ++counters_.unknown_ids_skipped;
  handler.OnUnknownMessage(id, payload);
  return Status::Ok();
}

// --- Encoders (simulator side) ---

Status EncodeServerMessage(const ErrorMessage& m, int server_version, std::string& out) {
  CheckVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kErrMsgName);
  w.Int(Id(IncomingId::kErrMsg)).Int(kErrMsgVersion).Int(m.id).Int(m.code);
  w.EscapedString(m.text);
  w.String(m.advanced_order_reject_json, "advancedOrderRejectJson");
  return w.Finish();
}

Status EncodeServerMessage(const NextValidId& m, int server_version, std::string& out) {
  CheckVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kNextValidIdName);
  w.Int(Id(IncomingId::kNextValidId)).Int(kNextValidIdVersion).Int(m.order_id);
  return w.Finish();
}

Status EncodeServerMessage(const ManagedAccounts& m, int server_version, std::string& out) {
  CheckVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kManagedAcctsName);
  w.Int(Id(IncomingId::kManagedAccts))
      .Int(kManagedAcctsVersion)
      .StrictText(m.accounts, "accountsList");
  return w.Finish();
}

Status EncodeServerMessage(const CurrentTime& m, int server_version, std::string& out) {
  CheckVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kCurrentTimeName);
  w.Int(Id(IncomingId::kCurrentTime)).Int(kCurrentTimeVersion).Int(m.time);
  return w.Finish();
}

Status EncodeServerMessage(const ContractDetails& d, int server_version, std::string& out) {
  CheckVersion(server_version);
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
  CheckVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kContractDataEndName);
  w.Int(Id(IncomingId::kContractDataEnd)).Int(kContractDataEndVersion).Int(m.req_id);
  return w.Finish();
}

Status EncodeServerMessage(const TickSnapshotEnd& m, int server_version, std::string& out) {
  CheckVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kTickSnapshotEndName);
  w.Int(Id(IncomingId::kTickSnapshotEnd)).Int(kTickSnapshotEndVersion).Int(m.req_id);
  return w.Finish();
}

Status EncodeServerMessage(const TickPrice& m, int server_version, std::string& out) {
  CheckVersion(server_version);
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
  CheckVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kTickSizeName);
  w.Int(Id(IncomingId::kTickSize)).Int(kTickSizeVersion).Int(m.req_id).Int(m.tick_type).Dec(m.size);
  return w.Finish();
}

Status EncodeServerMessage(const TickGeneric& m, int server_version, std::string& out) {
  CheckVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kTickGenericName);
  w.Int(Id(IncomingId::kTickGeneric))
      .Int(kTickGenericVersion)
      .Int(m.req_id)
      .Int(m.tick_type)
      .Double(m.value);
  return w.Finish();
}

Status EncodeServerMessage(const TickString& m, int server_version, std::string& out) {
  CheckVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kTickStringName);
  w.Int(Id(IncomingId::kTickString))
      .Int(kTickStringVersion)
      .Int(m.req_id)
      .Int(m.tick_type)
      .StrictText(m.value, "value");
  return w.Finish();
}

Status EncodeServerMessage(const TickReqParams& m, int server_version, std::string& out) {
  CheckVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kTickReqParamsName);
  w.Int(Id(IncomingId::kTickReqParams))
      .Int(m.req_id)
      .Double(m.min_tick)
      .String(m.bbo_exchange, "bboExchange")
      .Int(m.snapshot_permissions);
  return w.Finish();
}

Status EncodeServerMessage(const MarketDataType& m, int server_version, std::string& out) {
  CheckVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kMarketDataTypeName);
  w.Int(Id(IncomingId::kMarketDataType))
      .Int(kMarketDataTypeVersion)
      .Int(m.req_id)
      .Int(m.market_data_type);
  return w.Finish();
}

Status EncodeServerMessage(const SymbolSamples& m, int server_version, std::string& out) {
  CheckVersion(server_version);
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
  CheckVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kHeadTimestampName);
  w.Int(Id(IncomingId::kHeadTimestamp)).Int(m.req_id).String(m.head_timestamp, "headTimestamp");
  return w.Finish();
}

Status EncodeServerMessage(const HistoricalTicks& m, int server_version, std::string& out) {
  CheckVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kHistoricalTicksName);
  w.Int(Id(IncomingId::kHistoricalTicks)).Int(m.req_id).Int(static_cast<int64_t>(m.ticks.size()));
  for (const HistoricalTick& t : m.ticks) w.Int(t.time).Int(0).Double(t.price).Dec(t.size);
  w.Bool(m.done);
  return w.Finish();
}

Status EncodeServerMessage(const HistoricalTicksBidAsk& m, int server_version, std::string& out) {
  CheckVersion(server_version);
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
  CheckVersion(server_version);
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
  CheckVersion(server_version);
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
  CheckVersion(server_version);
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
  CheckVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kTickByTickName);
  w.Int(Id(IncomingId::kTickByTick))
      .Int(m.req_id)
      .Int(static_cast<int>(TickByTickType::kMidPoint))
      .Int(m.time)
      .Double(m.mid_point);
  return w.Finish();
}

}  // namespace ibstream::protocol
