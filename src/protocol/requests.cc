#include "protocol/requests.h"

#include "protocol/constants.h"
#include "protocol/field_codec.h"
#include "protocol/requests_internal.h"

namespace ibstream::protocol {
namespace {

// Legacy version fields the official clients send (docs/PROTOCOL.md §3.2).
constexpr int kReqMktDataVersion = 11;
constexpr int kCancelMktDataVersion = 2;
constexpr int kReqIdsVersion = 1;
constexpr int kReqContractDataVersion = 8;
constexpr int kReqCurrentTimeVersion = 1;
constexpr int kReqMarketDataTypeVersion = 1;
constexpr int kStartApiVersion = 2;
constexpr int kReqMktDepthVersion = 5;
constexpr int kCancelMktDepthVersion = 1;

constexpr const char* kStartApiName = "START_API (71)";
constexpr const char* kReqMktDataName = "REQ_MKT_DATA (1)";
constexpr const char* kCancelMktDataName = "CANCEL_MKT_DATA (2)";
constexpr const char* kReqIdsName = "REQ_IDS (8)";
constexpr const char* kReqContractDataName = "REQ_CONTRACT_DATA (9)";
constexpr const char* kReqCurrentTimeName = "REQ_CURRENT_TIME (49)";
constexpr const char* kReqMarketDataTypeName = "REQ_MARKET_DATA_TYPE (59)";
constexpr const char* kReqMatchingSymbolsName = "REQ_MATCHING_SYMBOLS (81)";
constexpr const char* kReqHeadTimestampName = "REQ_HEAD_TIMESTAMP (87)";
constexpr const char* kCancelHeadTimestampName = "CANCEL_HEAD_TIMESTAMP (90)";
constexpr const char* kReqHistoricalTicksName = "REQ_HISTORICAL_TICKS (96)";
constexpr const char* kReqTickByTickDataName = "REQ_TICK_BY_TICK_DATA (97)";
constexpr const char* kCancelTickByTickDataName = "CANCEL_TICK_BY_TICK_DATA (98)";
constexpr const char* kReqMktDepthName = "REQ_MKT_DEPTH (10)";
constexpr const char* kCancelMktDepthName = "CANCEL_MKT_DEPTH (11)";
constexpr const char* kReqMktDepthExchangesName = "REQ_MKT_DEPTH_EXCHANGES (82)";

using internal::CheckRequestServerVersion;

using internal::Id;

using internal::ReadComboLegs;
using internal::ReadContract12;
using internal::ReadContract13;
using internal::WriteComboLegs;
using internal::WriteContract12;
using internal::WriteContract13;

using internal::ReadRequest;  // the bar requests' readers (requests_bars.cc)

// One reader per request: each names its message for errors and reads its fields in wire order.
void ReadRequest(FieldReader& r, StartApi& m) {
  r.set_message_name(kStartApiName);
  r.Skip("version");
  m.client_id = r.Int("clientId");
  m.optional_capabilities = r.String("optionalCapabilities");
}

void ReadRequest(FieldReader& r, ReqMktData& m) {
  r.set_message_name(kReqMktDataName);
  r.Skip("version");
  m.req_id = r.Int("reqId");
  ReadContract12(r, m.contract);
  if (r.ok() && m.contract.sec_type == "BAG") ReadComboLegs(r, m.combo_legs);
  if (r.Bool("deltaNeutralFlag")) {
    DeltaNeutralContract dn;
    dn.con_id = r.Int("deltaNeutral.conId");
    dn.delta = r.Double("deltaNeutral.delta");
    dn.price = r.Double("deltaNeutral.price");
    m.delta_neutral = dn;
  }
  m.generic_tick_list = r.String("genericTickList");
  m.snapshot = r.Bool("snapshot");
  m.regulatory_snapshot = r.Bool("regulatorySnapshot");
  m.mkt_data_options = r.String("mktDataOptions");
}

void ReadRequest(FieldReader& r, CancelMktData& m) {
  r.set_message_name(kCancelMktDataName);
  r.Skip("version");
  m.req_id = r.Int("reqId");
}

void ReadRequest(FieldReader& r, ReqIds& m) {
  r.set_message_name(kReqIdsName);
  r.Skip("version");
  m.num_ids = r.Int("numIds");
}

void ReadRequest(FieldReader& r, ReqContractDetails& m) {
  r.set_message_name(kReqContractDataName);
  r.Skip("version");
  m.req_id = r.Int("reqId");
  ReadContract13(r, m.contract);
  m.contract.sec_id_type = r.String("secIdType");
  m.contract.sec_id = r.String("secId");
  m.contract.issuer_id = r.String("issuerId");
}

void ReadRequest(FieldReader& r, ReqCurrentTime& /*m*/) {
  r.set_message_name(kReqCurrentTimeName);
  r.Skip("version");
}

void ReadRequest(FieldReader& r, ReqMarketDataType& m) {
  r.set_message_name(kReqMarketDataTypeName);
  r.Skip("version");
  m.market_data_type = r.Int("marketDataType");
}

void ReadRequest(FieldReader& r, ReqMatchingSymbols& m) {
  r.set_message_name(kReqMatchingSymbolsName);
  m.req_id = r.Int("reqId");
  m.pattern = r.String("pattern");
}

void ReadRequest(FieldReader& r, ReqHeadTimestamp& m) {
  r.set_message_name(kReqHeadTimestampName);
  m.req_id = r.Int("reqId");
  ReadContract13(r, m.contract);
  m.use_rth = r.Bool("useRTH");
  m.what_to_show = r.String("whatToShow");
  m.format_date = r.Int("formatDate");
}

void ReadRequest(FieldReader& r, CancelHeadTimestamp& m) {
  r.set_message_name(kCancelHeadTimestampName);
  m.req_id = r.Int("reqId");
}

void ReadRequest(FieldReader& r, ReqHistoricalTicks& m) {
  r.set_message_name(kReqHistoricalTicksName);
  m.req_id = r.Int("reqId");
  ReadContract13(r, m.contract);
  m.start_date_time = r.String("startDateTime");
  m.end_date_time = r.String("endDateTime");
  m.number_of_ticks = r.Int("numberOfTicks");
  m.what_to_show = r.String("whatToShow");
  m.use_rth = r.Bool("useRth");
  m.ignore_size = r.Bool("ignoreSize");
  m.misc_options = r.String("miscOptions");
}

void ReadRequest(FieldReader& r, ReqTickByTickData& m) {
  r.set_message_name(kReqTickByTickDataName);
  m.req_id = r.Int("reqId");
  ReadContract12(r, m.contract);
  m.tick_type = r.String("tickType");
  m.number_of_ticks = r.Int("numberOfTicks");
  m.ignore_size = r.Bool("ignoreSize");
}

void ReadRequest(FieldReader& r, CancelTickByTickData& m) {
  r.set_message_name(kCancelTickByTickDataName);
  m.req_id = r.Int("reqId");
}

void ReadRequest(FieldReader& r, ReqMktDepth& m) {
  r.set_message_name(kReqMktDepthName);
  r.Skip("version");
  m.req_id = r.Int("reqId");
  ReadContract12(r, m.contract);
  m.num_rows = r.Int("numRows");
  m.is_smart_depth = r.Bool("isSmartDepth");
  m.mkt_depth_options = r.String("mktDepthOptions");
}

void ReadRequest(FieldReader& r, CancelMktDepth& m) {
  r.set_message_name(kCancelMktDepthName);
  r.Skip("version");
  m.req_id = r.Int("reqId");
  m.is_smart_depth = r.Bool("isSmartDepth");
}

void ReadRequest(FieldReader& r, ReqMktDepthExchanges& /*m*/) {
  r.set_message_name(kReqMktDepthExchangesName);
}

template <typename Request>
Request ReadRequestOf(FieldReader& r) {
  Request m;
  ReadRequest(r, m);
  return m;
}

}  // namespace

namespace internal {

void CheckRequestServerVersion(int server_version) {
  IBSTREAM_CHECK(IsSupportedServerVersion(server_version),
                 "request encoder called with an unsupported server version");
}

void WriteComboLegs(const std::vector<ComboLeg>& legs, MessageWriter& w) {
  w.Int(static_cast<int64_t>(legs.size()));
  for (const ComboLeg& leg : legs) {
    w.Int(leg.con_id).Int(leg.ratio).String(leg.action, "action").String(leg.exchange, "exchange");
  }
}

void ReadComboLegs(FieldReader& r, std::vector<ComboLeg>& legs) {
  const int32_t count = r.Count("comboLegsCount", 4);
  legs.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count && r.ok(); ++i) {
    ComboLeg leg;
    leg.con_id = r.Int("comboLeg.conId");
    leg.ratio = r.Int("comboLeg.ratio");
    leg.action = r.String("comboLeg.action");
    leg.exchange = r.String("comboLeg.exchange");
    legs.push_back(std::move(leg));
  }
}

void WriteContract12(const Contract& c, MessageWriter& w) {
  w.Int(c.con_id)
      .String(c.symbol, "symbol")
      .String(c.sec_type, "secType")
      .String(c.last_trade_date_or_contract_month, "lastTradeDateOrContractMonth")
      .Double(c.strike)
      .String(c.right, "right")
      .String(c.multiplier, "multiplier")
      .String(c.exchange, "exchange")
      .String(c.primary_exchange, "primaryExchange")
      .String(c.currency, "currency")
      .String(c.local_symbol, "localSymbol")
      .String(c.trading_class, "tradingClass");
}

void WriteContract13(const Contract& c, MessageWriter& w) {
  WriteContract12(c, w);
  w.Bool(c.include_expired);
}

void ReadContract12(FieldReader& r, Contract& c) {
  c.con_id = r.Int("conId");
  c.symbol = r.String("symbol");
  c.sec_type = r.String("secType");
  c.last_trade_date_or_contract_month = r.String("lastTradeDateOrContractMonth");
  c.strike = r.Double("strike");
  c.right = r.String("right");
  c.multiplier = r.String("multiplier");
  c.exchange = r.String("exchange");
  c.primary_exchange = r.String("primaryExchange");
  c.currency = r.String("currency");
  c.local_symbol = r.String("localSymbol");
  c.trading_class = r.String("tradingClass");
}

void ReadContract13(FieldReader& r, Contract& c) {
  ReadContract12(r, c);
  c.include_expired = r.Bool("includeExpired");
}

}  // namespace internal

Status EncodeRequest(const StartApi& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kStartApiName);
  w.Int(Id(OutgoingId::kStartApi))
      .Int(kStartApiVersion)
      .Int(request.client_id)
      .String(request.optional_capabilities, "optionalCapabilities");
  return w.Finish();
}

Status EncodeRequest(const ReqMktData& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqMktDataName);
  w.Int(Id(OutgoingId::kReqMktData)).Int(kReqMktDataVersion).Int(request.req_id);
  WriteContract12(request.contract, w);
  if (request.contract.sec_type == "BAG") WriteComboLegs(request.combo_legs, w);
  if (request.delta_neutral.has_value()) {
    w.Bool(true)
        .Int(request.delta_neutral->con_id)
        .Double(request.delta_neutral->delta)
        .Double(request.delta_neutral->price);
  } else {
    w.Bool(false);
  }
  w.String(request.generic_tick_list, "genericTickList")
      .Bool(request.snapshot)
      .Bool(request.regulatory_snapshot)
      .String(request.mkt_data_options, "mktDataOptions");
  return w.Finish();
}

Status EncodeRequest(const CancelMktData& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kCancelMktDataName);
  w.Int(Id(OutgoingId::kCancelMktData)).Int(kCancelMktDataVersion).Int(request.req_id);
  return w.Finish();
}

Status EncodeRequest(const ReqIds& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqIdsName);
  w.Int(Id(OutgoingId::kReqIds)).Int(kReqIdsVersion).Int(request.num_ids);
  return w.Finish();
}

Status EncodeRequest(const ReqContractDetails& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqContractDataName);
  w.Int(Id(OutgoingId::kReqContractData)).Int(kReqContractDataVersion).Int(request.req_id);
  WriteContract13(request.contract, w);
  w.String(request.contract.sec_id_type, "secIdType")
      .String(request.contract.sec_id, "secId")
      .String(request.contract.issuer_id, "issuerId");
  return w.Finish();
}

Status EncodeRequest(const ReqCurrentTime&, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqCurrentTimeName);
  w.Int(Id(OutgoingId::kReqCurrentTime)).Int(kReqCurrentTimeVersion);
  return w.Finish();
}

Status EncodeRequest(const ReqMarketDataType& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqMarketDataTypeName);
  w.Int(Id(OutgoingId::kReqMarketDataType))
      .Int(kReqMarketDataTypeVersion)
      .Int(request.market_data_type);
  return w.Finish();
}

Status EncodeRequest(const ReqMatchingSymbols& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqMatchingSymbolsName);
  w.Int(Id(OutgoingId::kReqMatchingSymbols)).Int(request.req_id).String(request.pattern, "pattern");
  return w.Finish();
}

Status EncodeRequest(const ReqHeadTimestamp& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqHeadTimestampName);
  w.Int(Id(OutgoingId::kReqHeadTimestamp)).Int(request.req_id);
  WriteContract13(request.contract, w);
  w.Bool(request.use_rth).String(request.what_to_show, "whatToShow").Int(request.format_date);
  return w.Finish();
}

Status EncodeRequest(const CancelHeadTimestamp& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kCancelHeadTimestampName);
  w.Int(Id(OutgoingId::kCancelHeadTimestamp)).Int(request.req_id);
  return w.Finish();
}

Status EncodeRequest(const ReqHistoricalTicks& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqHistoricalTicksName);
  w.Int(Id(OutgoingId::kReqHistoricalTicks)).Int(request.req_id);
  WriteContract13(request.contract, w);
  w.String(request.start_date_time, "startDateTime")
      .String(request.end_date_time, "endDateTime")
      .Int(request.number_of_ticks)
      .String(request.what_to_show, "whatToShow")
      .Bool(request.use_rth)
      .Bool(request.ignore_size)
      .String(request.misc_options, "miscOptions");
  return w.Finish();
}

Status EncodeRequest(const ReqTickByTickData& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqTickByTickDataName);
  w.Int(Id(OutgoingId::kReqTickByTickData)).Int(request.req_id);
  WriteContract12(request.contract, w);
  w.String(request.tick_type, "tickType").Int(request.number_of_ticks).Bool(request.ignore_size);
  return w.Finish();
}

Status EncodeRequest(const CancelTickByTickData& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kCancelTickByTickDataName);
  w.Int(Id(OutgoingId::kCancelTickByTickData)).Int(request.req_id);
  return w.Finish();
}

Status EncodeRequest(const ReqMktDepth& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqMktDepthName);
  w.Int(Id(OutgoingId::kReqMktDepth)).Int(kReqMktDepthVersion).Int(request.req_id);
  WriteContract12(request.contract, w);
  w.Int(request.num_rows)
      .Bool(request.is_smart_depth)
      .String(request.mkt_depth_options, "mktDepthOptions");
  return w.Finish();
}

Status EncodeRequest(const CancelMktDepth& request, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kCancelMktDepthName);
  w.Int(Id(OutgoingId::kCancelMktDepth))
      .Int(kCancelMktDepthVersion)
      .Int(request.req_id)
      .Bool(request.is_smart_depth);
  return w.Finish();
}

Status EncodeRequest(const ReqMktDepthExchanges&, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqMktDepthExchangesName);
  w.Int(Id(OutgoingId::kReqMktDepthExchanges));
  return w.Finish();
}

Status EncodeRequest(const UnknownRequest& request, int, std::string&) {
  return InvalidArgument("cannot encode unknown request id " + std::to_string(request.message_id));
}

Status EncodeRequest(const ClientRequest& request, int server_version, std::string& out) {
  return std::visit([&](const auto& r) -> Status { return EncodeRequest(r, server_version, out); },
                    request);
}

Result<ClientRequest> DecodeClientRequest(std::string_view payload, int server_version,
                                          ProtocolCounters* counters) {
  IBSTREAM_CHECK(IsSupportedServerVersion(server_version),
                 "request decoder called with an unsupported server version");
  const size_t id_end = payload.find('\0');
  if (id_end == std::string_view::npos || id_end == 0) {
    if (counters != nullptr) ++counters->error(DecodeErrorKind::kBadMessageId);
    return ParseError("request: missing message id");
  }
  FieldReader r(payload, "request", counters);
  Result<int32_t> id = ParseInt32(r.String("msgId"));
  if (!id.ok()) {
    if (counters != nullptr) ++counters->error(DecodeErrorKind::kBadMessageId);
    return ParseError("request: bad message id: " + id.status().message());
  }

  ClientRequest result;
  switch (static_cast<OutgoingId>(*id)) {
    case OutgoingId::kStartApi:
      result = ReadRequestOf<StartApi>(r);
      break;
    case OutgoingId::kReqMktData:
      result = ReadRequestOf<ReqMktData>(r);
      break;
    case OutgoingId::kCancelMktData:
      result = ReadRequestOf<CancelMktData>(r);
      break;
    case OutgoingId::kReqIds:
      result = ReadRequestOf<ReqIds>(r);
      break;
    case OutgoingId::kReqContractData:
      result = ReadRequestOf<ReqContractDetails>(r);
      break;
    case OutgoingId::kReqCurrentTime:
      result = ReadRequestOf<ReqCurrentTime>(r);
      break;
    case OutgoingId::kReqMarketDataType:
      result = ReadRequestOf<ReqMarketDataType>(r);
      break;
    case OutgoingId::kReqMatchingSymbols:
      result = ReadRequestOf<ReqMatchingSymbols>(r);
      break;
    case OutgoingId::kReqHeadTimestamp:
      result = ReadRequestOf<ReqHeadTimestamp>(r);
      break;
    case OutgoingId::kCancelHeadTimestamp:
      result = ReadRequestOf<CancelHeadTimestamp>(r);
      break;
    case OutgoingId::kReqHistoricalTicks:
      result = ReadRequestOf<ReqHistoricalTicks>(r);
      break;
    case OutgoingId::kReqTickByTickData:
      result = ReadRequestOf<ReqTickByTickData>(r);
      break;
    case OutgoingId::kCancelTickByTickData:
      result = ReadRequestOf<CancelTickByTickData>(r);
      break;
    case OutgoingId::kReqMktDepth:
      result = ReadRequestOf<ReqMktDepth>(r);
      break;
    case OutgoingId::kCancelMktDepth:
      result = ReadRequestOf<CancelMktDepth>(r);
      break;
    case OutgoingId::kReqMktDepthExchanges:
      result = ReadRequestOf<ReqMktDepthExchanges>(r);
      break;
    case OutgoingId::kReqHistoricalData:
      result = ReadRequestOf<ReqHistoricalData>(r);
      break;
    case OutgoingId::kCancelHistoricalData:
      result = ReadRequestOf<CancelHistoricalData>(r);
      break;
    case OutgoingId::kReqRealTimeBars:
      result = ReadRequestOf<ReqRealTimeBars>(r);
      break;
    case OutgoingId::kCancelRealTimeBars:
      result = ReadRequestOf<CancelRealTimeBars>(r);
      break;
    default:
      if (counters != nullptr) ++counters->unknown_ids_skipped;
      return ClientRequest(UnknownRequest{*id});
  }
  IBSTREAM_RETURN_IF_ERROR(r.status());
  if (counters != nullptr) ++counters->messages_decoded;
  return result;
}

std::string_view RequestName(const ClientRequest& request) {
  struct Namer {
    std::string_view operator()(const StartApi&) const { return "START_API"; }
    std::string_view operator()(const ReqMktData&) const { return "REQ_MKT_DATA"; }
    std::string_view operator()(const CancelMktData&) const { return "CANCEL_MKT_DATA"; }
    std::string_view operator()(const ReqIds&) const { return "REQ_IDS"; }
    std::string_view operator()(const ReqContractDetails&) const { return "REQ_CONTRACT_DATA"; }
    std::string_view operator()(const ReqCurrentTime&) const { return "REQ_CURRENT_TIME"; }
    std::string_view operator()(const ReqMarketDataType&) const { return "REQ_MARKET_DATA_TYPE"; }
    std::string_view operator()(const ReqMatchingSymbols&) const { return "REQ_MATCHING_SYMBOLS"; }
    std::string_view operator()(const ReqHeadTimestamp&) const { return "REQ_HEAD_TIMESTAMP"; }
    std::string_view operator()(const CancelHeadTimestamp&) const {
      return "CANCEL_HEAD_TIMESTAMP";
    }
    std::string_view operator()(const ReqHistoricalTicks&) const { return "REQ_HISTORICAL_TICKS"; }
    std::string_view operator()(const ReqTickByTickData&) const { return "REQ_TICK_BY_TICK_DATA"; }
    std::string_view operator()(const CancelTickByTickData&) const {
      return "CANCEL_TICK_BY_TICK_DATA";
    }
    std::string_view operator()(const ReqMktDepth&) const { return "REQ_MKT_DEPTH"; }
    std::string_view operator()(const CancelMktDepth&) const { return "CANCEL_MKT_DEPTH"; }
    std::string_view operator()(const ReqMktDepthExchanges&) const {
      return "REQ_MKT_DEPTH_EXCHANGES";
    }
    std::string_view operator()(const ReqHistoricalData&) const { return "REQ_HISTORICAL_DATA"; }
    std::string_view operator()(const CancelHistoricalData&) const {
      return "CANCEL_HISTORICAL_DATA";
    }
    std::string_view operator()(const ReqRealTimeBars&) const { return "REQ_REAL_TIME_BARS"; }
    std::string_view operator()(const CancelRealTimeBars&) const { return "CANCEL_REAL_TIME_BARS"; }
    std::string_view operator()(const UnknownRequest&) const { return "UNKNOWN"; }
  };
  return std::visit(Namer{}, request);
}

}  // namespace ibstream::protocol
