// Client -> server requests (docs/PROTOCOL.md §2.3 and §3): one struct per request, an
// encoder for the client and a decoder for the simulator.
//
// Layouts are those of server versions 176..187 (identical across that range for every request
// here). Encoders append one framed message to `out` (no allocation when `out` has capacity)
// and refuse text the official clients refuse (not printable ASCII) with InvalidArgument naming
// the field; on error nothing is appended.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"
#include "protocol/contract.h"
#include "protocol/counters.h"
#include "protocol/requests_bars.h"

namespace ibstream::protocol {

// START_API (71): `71, 2, clientId, optionalCapabilities`.
struct StartApi {
  int32_t client_id = 0;
  std::string optional_capabilities;

  friend bool operator==(const StartApi&, const StartApi&) = default;
};

// REQ_MKT_DATA (1).
struct ReqMktData {
  int32_t req_id = 0;
  Contract contract;  // C12 (no includeExpired); combo legs follow only for secType "BAG"
  std::vector<ComboLeg> combo_legs;
  std::optional<DeltaNeutralContract> delta_neutral;
  std::string generic_tick_list;  // "233,236" or empty
  bool snapshot = false;
  bool regulatory_snapshot = false;
  std::string mkt_data_options;  // "tag=value;..." (the official clients send it empty)

  friend bool operator==(const ReqMktData&, const ReqMktData&) = default;
};

// CANCEL_MKT_DATA (2).
struct CancelMktData {
  int32_t req_id = 0;
  friend bool operator==(const CancelMktData&, const CancelMktData&) = default;
};

// REQ_IDS (8); numIds is deprecated, any value.
struct ReqIds {
  int32_t num_ids = 1;
  friend bool operator==(const ReqIds&, const ReqIds&) = default;
};

// REQ_CONTRACT_DATA (9): the full contract (C13 + secIdType, secId, issuerId).
struct ReqContractDetails {
  int32_t req_id = 0;
  Contract contract;
  friend bool operator==(const ReqContractDetails&, const ReqContractDetails&) = default;
};

// REQ_MKT_DEPTH (10): `10, 5, reqId, C12, numRows, isSmartDepth, mktDepthOptions`.
struct ReqMktDepth {
  int32_t req_id = 0;
  Contract contract;  // C12 (no includeExpired)
  int32_t num_rows = 0;
  bool is_smart_depth = false;    // true: aggregated across exchanges (UPDATE_MKT_DEPTH_L2)
  std::string mkt_depth_options;  // "tag=value;..." (the official clients send it empty)
  friend bool operator==(const ReqMktDepth&, const ReqMktDepth&) = default;
};

// CANCEL_MKT_DEPTH (11): `11, 1, reqId, isSmartDepth`.
struct CancelMktDepth {
  int32_t req_id = 0;
  bool is_smart_depth = false;
  friend bool operator==(const CancelMktDepth&, const CancelMktDepth&) = default;
};

// REQ_MKT_DEPTH_EXCHANGES (82): `82` alone; answered by MKT_DEPTH_EXCHANGES (80).
struct ReqMktDepthExchanges {
  friend bool operator==(const ReqMktDepthExchanges&, const ReqMktDepthExchanges&) = default;
};

// REQ_CURRENT_TIME (49).
struct ReqCurrentTime {
  friend bool operator==(const ReqCurrentTime&, const ReqCurrentTime&) = default;
};

// REQ_MARKET_DATA_TYPE (59): 1 real-time, 2 frozen, 3 delayed, 4 delayed-frozen.
struct ReqMarketDataType {
  int32_t market_data_type = 1;
  friend bool operator==(const ReqMarketDataType&, const ReqMarketDataType&) = default;
};

// REQ_MATCHING_SYMBOLS (81).
struct ReqMatchingSymbols {
  int32_t req_id = 0;
  std::string pattern;
  friend bool operator==(const ReqMatchingSymbols&, const ReqMatchingSymbols&) = default;
};

// REQ_HEAD_TIMESTAMP (87): `87, reqId, C13, useRTH, whatToShow, formatDate`.
struct ReqHeadTimestamp {
  int32_t req_id = 0;
  Contract contract;
  bool use_rth = false;
  std::string what_to_show;  // TRADES, MIDPOINT, BID, ASK, BID_ASK
  int32_t format_date = 2;   // 1 local-time string, 2 epoch seconds
  friend bool operator==(const ReqHeadTimestamp&, const ReqHeadTimestamp&) = default;
};

// CANCEL_HEAD_TIMESTAMP (90).
struct CancelHeadTimestamp {
  int32_t req_id = 0;
  friend bool operator==(const CancelHeadTimestamp&, const CancelHeadTimestamp&) = default;
};

// REQ_HISTORICAL_TICKS (96): exactly one of start/end is non-empty.
struct ReqHistoricalTicks {
  int32_t req_id = 0;
  Contract contract;
  std::string start_date_time;  // "20250811 09:30:00 US/Central" or "20250811-14:30:05"
  std::string end_date_time;
  int32_t number_of_ticks = 1000;  // at most 1000
  std::string what_to_show;        // TRADES, BID_ASK, MIDPOINT
  bool use_rth = false;
  bool ignore_size = false;
  std::string misc_options;  // "tag=value;..." (normally empty)
  friend bool operator==(const ReqHistoricalTicks&, const ReqHistoricalTicks&) = default;
};

// REQ_TICK_BY_TICK_DATA (97): `97, reqId, C12, tickType, numberOfTicks, ignoreSize`.
struct ReqTickByTickData {
  int32_t req_id = 0;
  Contract contract;
  std::string tick_type;  // "Last", "AllLast", "BidAsk", "MidPoint" (case-sensitive)
  int32_t number_of_ticks = 0;
  bool ignore_size = false;
  friend bool operator==(const ReqTickByTickData&, const ReqTickByTickData&) = default;
};

// CANCEL_TICK_BY_TICK_DATA (98).
struct CancelTickByTickData {
  int32_t req_id = 0;
  friend bool operator==(const CancelTickByTickData&, const CancelTickByTickData&) = default;
};

// A request whose message id we do not implement (the simulator answers or ignores it).
struct UnknownRequest {
  int32_t message_id = 0;
  friend bool operator==(const UnknownRequest&, const UnknownRequest&) = default;
};

using ClientRequest =
    std::variant<StartApi, ReqMktData, CancelMktData, ReqIds, ReqContractDetails, ReqCurrentTime,
                 ReqMarketDataType, ReqMatchingSymbols, ReqHeadTimestamp, CancelHeadTimestamp,
                 ReqHistoricalTicks, ReqTickByTickData, CancelTickByTickData, ReqMktDepth,
                 CancelMktDepth, ReqMktDepthExchanges, ReqHistoricalData, CancelHistoricalData,
                 ReqRealTimeBars, CancelRealTimeBars, UnknownRequest>;

// Client side: appends the framed request for `server_version` (must be supported; checked).
[[nodiscard]] Status EncodeRequest(const StartApi& request, int server_version, std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqMktData& request, int server_version, std::string& out);
[[nodiscard]] Status EncodeRequest(const CancelMktData& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqIds& request, int server_version, std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqContractDetails& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqCurrentTime& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqMarketDataType& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqMatchingSymbols& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqHeadTimestamp& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const CancelHeadTimestamp& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqHistoricalTicks& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqTickByTickData& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const CancelTickByTickData& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqMktDepth& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const CancelMktDepth& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqMktDepthExchanges& request, int server_version,
                                   std::string& out);
// UnknownRequest cannot be encoded (InvalidArgument); ClientRequest dispatches.
[[nodiscard]] Status EncodeRequest(const UnknownRequest& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ClientRequest& request, int server_version,
                                   std::string& out);

// Simulator side: decodes one frame payload (after the hello). Unknown message ids give an
// UnknownRequest; missing fields, text in numeric fields and a bad message id give a
// ParseError naming the request and the field. Surplus trailing fields are ignored (as TWS
// tolerates). `counters`, if not null, counts the outcome. Any server version in our range.
Result<ClientRequest> DecodeClientRequest(std::string_view payload, int server_version,
                                          ProtocolCounters* counters = nullptr);

// "REQ_TICK_BY_TICK_DATA", ... for the alternative held by `request`.
std::string_view RequestName(const ClientRequest& request);

}  // namespace ibstream::protocol
