// Names of message ids and decode-error kinds (constants.h, counters.h).
#include "protocol/constants.h"
#include "protocol/counters.h"

namespace ibstream::protocol {

std::string_view IncomingIdName(int id) {
  switch (static_cast<IncomingId>(id)) {
    case IncomingId::kTickPrice:
      return "TICK_PRICE";
    case IncomingId::kTickSize:
      return "TICK_SIZE";
    case IncomingId::kErrMsg:
      return "ERR_MSG";
    case IncomingId::kNextValidId:
      return "NEXT_VALID_ID";
    case IncomingId::kContractData:
      return "CONTRACT_DATA";
    case IncomingId::kManagedAccts:
      return "MANAGED_ACCTS";
    case IncomingId::kTickGeneric:
      return "TICK_GENERIC";
    case IncomingId::kTickString:
      return "TICK_STRING";
    case IncomingId::kCurrentTime:
      return "CURRENT_TIME";
    case IncomingId::kContractDataEnd:
      return "CONTRACT_DATA_END";
    case IncomingId::kTickSnapshotEnd:
      return "TICK_SNAPSHOT_END";
    case IncomingId::kMarketDataType:
      return "MARKET_DATA_TYPE";
    case IncomingId::kSymbolSamples:
      return "SYMBOL_SAMPLES";
    case IncomingId::kTickReqParams:
      return "TICK_REQ_PARAMS";
    case IncomingId::kHeadTimestamp:
      return "HEAD_TIMESTAMP";
    case IncomingId::kHistoricalTicks:
      return "HISTORICAL_TICKS";
    case IncomingId::kHistoricalTicksBidAsk:
      return "HISTORICAL_TICKS_BID_ASK";
    case IncomingId::kHistoricalTicksLast:
      return "HISTORICAL_TICKS_LAST";
    case IncomingId::kTickByTick:
      return "TICK_BY_TICK";
  }
  return "UNKNOWN";
}

std::string_view OutgoingIdName(int id) {
  switch (static_cast<OutgoingId>(id)) {
    case OutgoingId::kReqMktData:
      return "REQ_MKT_DATA";
    case OutgoingId::kCancelMktData:
      return "CANCEL_MKT_DATA";
    case OutgoingId::kReqIds:
      return "REQ_IDS";
    case OutgoingId::kReqContractData:
      return "REQ_CONTRACT_DATA";
    case OutgoingId::kReqCurrentTime:
      return "REQ_CURRENT_TIME";
    case OutgoingId::kReqMarketDataType:
      return "REQ_MARKET_DATA_TYPE";
    case OutgoingId::kStartApi:
      return "START_API";
    case OutgoingId::kReqMatchingSymbols:
      return "REQ_MATCHING_SYMBOLS";
    case OutgoingId::kReqHeadTimestamp:
      return "REQ_HEAD_TIMESTAMP";
    case OutgoingId::kCancelHeadTimestamp:
      return "CANCEL_HEAD_TIMESTAMP";
    case OutgoingId::kReqHistoricalTicks:
      return "REQ_HISTORICAL_TICKS";
    case OutgoingId::kReqTickByTickData:
      return "REQ_TICK_BY_TICK_DATA";
    case OutgoingId::kCancelTickByTickData:
      return "CANCEL_TICK_BY_TICK_DATA";
  }
  return "UNKNOWN";
}

std::string_view DecodeErrorKindName(DecodeErrorKind kind) {
  switch (kind) {
    case DecodeErrorKind::kBadFrameLength:
      return "bad_frame_length";
    case DecodeErrorKind::kBadHello:
      return "bad_hello";
    case DecodeErrorKind::kBadMessageId:
      return "bad_message_id";
    case DecodeErrorKind::kMissingField:
      return "missing_field";
    case DecodeErrorKind::kBadInteger:
      return "bad_integer";
    case DecodeErrorKind::kBadDouble:
      return "bad_double";
    case DecodeErrorKind::kBadDecimal:
      return "bad_decimal";
    case DecodeErrorKind::kBadCount:
      return "bad_count";
    case DecodeErrorKind::kBadValue:
      return "bad_value";
  }
  return "unknown";
}

}  // namespace ibstream::protocol
