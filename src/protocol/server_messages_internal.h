// Internal to the protocol part: what the server-message decoder (server_message_decoder.cc)
// and encoder (server_message_encoder.cc) share: message names for errors, the message id as an
// int, the rules both sides apply to CONTRACT_DATA fields, and the tail of every decoder.
#pragma once

#include <string_view>

#include "common/check.h"
#include "common/status.h"
#include "protocol/constants.h"
#include "protocol/contract.h"
#include "protocol/counters.h"
#include "protocol/field_codec.h"
#include "protocol/server_messages.h"

namespace ibstream::protocol {

inline constexpr const char* kTickPriceName = "TICK_PRICE (1)";
inline constexpr const char* kTickSizeName = "TICK_SIZE (2)";
inline constexpr const char* kErrMsgName = "ERR_MSG (4)";
inline constexpr const char* kNextValidIdName = "NEXT_VALID_ID (9)";
inline constexpr const char* kContractDataName = "CONTRACT_DATA (10)";
inline constexpr const char* kMarketDepthName = "UPDATE_MKT_DEPTH (12)";
inline constexpr const char* kMarketDepthL2Name = "UPDATE_MKT_DEPTH_L2 (13)";
inline constexpr const char* kManagedAcctsName = "MANAGED_ACCTS (15)";
inline constexpr const char* kHistoricalDataName = "HISTORICAL_DATA (17)";
inline constexpr const char* kTickGenericName = "TICK_GENERIC (45)";
inline constexpr const char* kTickStringName = "TICK_STRING (46)";
inline constexpr const char* kCurrentTimeName = "CURRENT_TIME (49)";
inline constexpr const char* kRealTimeBarsName = "REAL_TIME_BARS (50)";
inline constexpr const char* kContractDataEndName = "CONTRACT_DATA_END (52)";
inline constexpr const char* kTickSnapshotEndName = "TICK_SNAPSHOT_END (57)";
inline constexpr const char* kMarketDataTypeName = "MARKET_DATA_TYPE (58)";
inline constexpr const char* kSymbolSamplesName = "SYMBOL_SAMPLES (79)";
inline constexpr const char* kMktDepthExchangesName = "MKT_DEPTH_EXCHANGES (80)";
inline constexpr const char* kTickReqParamsName = "TICK_REQ_PARAMS (81)";
inline constexpr const char* kHeadTimestampName = "HEAD_TIMESTAMP (88)";
inline constexpr const char* kHistoricalDataUpdateName = "HISTORICAL_DATA_UPDATE (90)";
inline constexpr const char* kHistoricalTicksName = "HISTORICAL_TICKS (96)";
inline constexpr const char* kHistoricalTicksBidAskName = "HISTORICAL_TICKS_BID_ASK (97)";
inline constexpr const char* kHistoricalTicksLastName = "HISTORICAL_TICKS_LAST (98)";
inline constexpr const char* kTickByTickName = "TICK_BY_TICK (99)";

inline int Id(IncomingId id) { return static_cast<int>(id); }

inline bool HasFundFields(const ContractDetails& d, int server_version) {
  return server_version >= kServerVersionFundDataFields && d.contract.sec_type == "FUND";
}

// What Python's str.split() splits on, within ASCII.
inline bool IsSplitSpace(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

// Server-message encoders are only called with a supported server version (an invariant).
inline void CheckServerMessageVersion(int server_version) {
  IBSTREAM_CHECK(IsSupportedServerVersion(server_version),
                 "server message encoder called with an unsupported server version");
}

// The tail every message shares: a field error is the message's error (the reader has counted
// it); otherwise the message counts as decoded and goes to its handler method.
template <typename Message>
Status Deliver(const FieldReader& r, ProtocolCounters& counters, ServerMessageHandler& handler,
               void (ServerMessageHandler::*on_message)(const Message&), const Message& m) {
  IBSTREAM_RETURN_IF_ERROR(r.status());
  ++counters.messages_decoded;
  (handler.*on_message)(m);
  return Status::Ok();
}

}  // namespace ibstream::protocol
