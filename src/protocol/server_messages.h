// Server -> client messages (docs/PROTOCOL.md §4): one struct per message, a decoder for the
// client (ServerMessageDecoder + ServerMessageHandler) and encoders for the simulator.
//
// Lifetimes: std::string_view and std::span members of the structs handed to a handler point
// into the frame being decoded or into the decoder's reused scratch buffers; they are valid only
// during the handler call. Copy what you keep. std::string / std::vector members (ContractDetails,
// SymbolSamples, MktDepthExchanges) are owned by the struct. Decoding TICK_BY_TICK, TICK_PRICE,
// TICK_SIZE and the historical-ticks messages allocates nothing once the scratch buffers have
// grown.
//
// Encoders append one framed message to `out` for `server_version` (in our range; checked),
// writing the legacy version placeholders real TWS sends, escaping error text and longName as
// \uXXXX, and refusing NUL inside strings (InvalidArgument); on error nothing is appended.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/decimal.h"
#include "common/status.h"
#include "protocol/constants.h"
#include "protocol/contract.h"
#include "protocol/counters.h"
#include "protocol/server_messages_account.h"

namespace ibstream::protocol {

class FieldReader;

// IB's wire codes of TICK_BY_TICK's tickType field.
enum class TickByTickType : int32_t {
  kNone = 0,  // carries nothing; ignored
  kLast = 1,
  kAllLast = 2,
  kBidAsk = 3,
  kMidPoint = 4,
};

// Attribute masks. Our structs hold bools; the wire masks' bit orders are documented per message
// because they differ (live BidAsk bit0 = bidPastLow, historical BidAsk bit0 = askPastHigh).
struct TickAttribLast {
  bool past_limit = false;  // bit0 (live and historical)
  bool unreported = false;  // bit1
  friend bool operator==(const TickAttribLast&, const TickAttribLast&) = default;
};
struct TickAttribBidAsk {
  bool bid_past_low = false;   // TICK_BY_TICK: bit0; HISTORICAL_TICKS_BID_ASK: bit1
  bool ask_past_high = false;  // TICK_BY_TICK: bit1; HISTORICAL_TICKS_BID_ASK: bit0
  friend bool operator==(const TickAttribBidAsk&, const TickAttribBidAsk&) = default;
};
struct TickAttrib {
  bool can_auto_execute = false;  // bit0
  bool past_limit = false;        // bit1
  bool pre_open = false;          // bit2
  friend bool operator==(const TickAttrib&, const TickAttrib&) = default;
};

// ERR_MSG (4): `4, 2, id, code, text, advancedOrderRejectJson`.
struct ErrorMessage {
  int32_t id = -1;  // request id, order id, or -1 for connection-level notices
  int32_t code = 0;
  std::string_view text;  // \uXXXX escapes decoded (UTF-8)
  std::string_view advanced_order_reject_json;
};

// NEXT_VALID_ID (9): `9, 1, orderId`.
struct NextValidId {
  int64_t order_id = 0;
};

// MANAGED_ACCTS (15): `15, 1, accounts` (comma list, may end with a comma).
struct ManagedAccounts {
  std::string_view accounts;
};

// CURRENT_TIME (49): `49, 1, time` (Unix epoch seconds).
struct CurrentTime {
  int64_t time = 0;
};

// CONTRACT_DATA_END (52): `52, 1, reqId`.
struct ContractDataEnd {
  int32_t req_id = 0;
};

// TICK_SNAPSHOT_END (57): `57, 1, reqId`.
struct TickSnapshotEnd {
  int32_t req_id = 0;
};

// TICK_PRICE (1): `1, 6, reqId, tickType, price, size, attrMask`. The official clients follow
// the price callback with a synthetic size callback for BID/ASK/LAST and their delayed forms;
// this decoder does not: `size` is here and SizeTickTypeForPriceTick() gives the size tick type.
struct TickPrice {
  int32_t req_id = 0;
  int32_t tick_type = 0;  // IB tick type: 1 BID, 2 ASK, 4 LAST, 66/67/68 delayed, ...
  double price = 0;       // -1 means "no quote available"
  Decimal size;
  TickAttrib attrib;
};
// 0 for BID(1), 3 for ASK(2), 5 for LAST(4), 69/70/71 for DELAYED_BID/ASK/LAST(66/67/68);
// -1 when a TICK_PRICE of that type carries no separate size.
int32_t SizeTickTypeForPriceTick(int32_t price_tick_type);

// TICK_SIZE (2): `2, 6, reqId, tickType, size`.
struct TickSize {
  int32_t req_id = 0;
  int32_t tick_type = 0;
  Decimal size;  // unset when the field was empty or a sentinel
};

// TICK_GENERIC (45): `45, 6, reqId, tickType, value`.
struct TickGeneric {
  int32_t req_id = 0;
  int32_t tick_type = 0;
  double value = 0;
};

// TICK_STRING (46): `46, 6, reqId, tickType, value`.
struct TickString {
  int32_t req_id = 0;
  int32_t tick_type = 0;
  std::string_view value;
};

// MARKET_DATA_TYPE (58): `58, 1, reqId, marketDataType`.
struct MarketDataType {
  int32_t req_id = 0;
  int32_t market_data_type = 0;  // 1 real-time, 2 frozen, 3 delayed, 4 delayed-frozen
};

// SYMBOL_SAMPLES (79): `79, reqId, count, {conId, symbol, secType, primaryExchange, currency,
// n, derivSecType x n, description, issuerId} x count`.
struct SymbolSamples {
  int32_t req_id = 0;
  std::vector<ContractDescription> descriptions;
};

// TICK_REQ_PARAMS (81): `81, reqId, minTick, bboExchange, snapshotPermissions`.
struct TickReqParams {
  int32_t req_id = 0;
  double min_tick = 0;
  std::string_view bbo_exchange;
  int32_t snapshot_permissions = 0;
};

// HEAD_TIMESTAMP (88): `88, reqId, headTimestamp` (epoch seconds text when formatDate was 2).
struct HeadTimestamp {
  int32_t req_id = 0;
  std::string_view head_timestamp;
};

// HISTORICAL_TICKS (96), whatToShow MIDPOINT: per tick `time, 0 (unused), price, size`.
struct HistoricalTick {
  int64_t time = 0;
  double price = 0;
  Decimal size;
};
struct HistoricalTicks {
  int32_t req_id = 0;
  std::span<const HistoricalTick> ticks;
  bool done = false;
};

// HISTORICAL_TICKS_BID_ASK (97): per tick `time, mask, bid, ask, bidSize, askSize`,
// mask bit0 = askPastHigh, bit1 = bidPastLow (the reverse of TICK_BY_TICK).
struct HistoricalTickBidAsk {
  int64_t time = 0;
  TickAttribBidAsk attrib;
  double price_bid = 0;
  double price_ask = 0;
  Decimal size_bid;
  Decimal size_ask;
};
struct HistoricalTicksBidAsk {
  int32_t req_id = 0;
  std::span<const HistoricalTickBidAsk> ticks;
  bool done = false;
};

// HISTORICAL_TICKS_LAST (98): per tick `time, mask, price, size, exchange, specialConditions`,
// mask bit0 = pastLimit, bit1 = unreported.
struct HistoricalTickLast {
  int64_t time = 0;
  TickAttribLast attrib;
  double price = 0;
  Decimal size;
  std::string_view exchange;
  std::string_view special_conditions;
};
struct HistoricalTicksLast {
  int32_t req_id = 0;
  std::span<const HistoricalTickLast> ticks;
  bool done = false;
};

// TICK_BY_TICK (99), tickType 1 (Last) or 2 (AllLast):
// `99, reqId, tickType, time, price, size, mask, exchange, specialConditions`.
struct TickByTickLast {
  int32_t req_id = 0;
  TickByTickType tick_type = TickByTickType::kLast;  // kLast or kAllLast
  int64_t time = 0;                                  // Unix epoch seconds
  double price = 0;
  Decimal size;
  TickAttribLast attrib;  // mask bit0 pastLimit, bit1 unreported
  std::string_view exchange;
  std::string_view special_conditions;
};

// TICK_BY_TICK, tickType 3: `99, reqId, 3, time, bid, ask, bidSize, askSize, mask`,
// mask bit0 = bidPastLow, bit1 = askPastHigh.
struct TickByTickBidAsk {
  int32_t req_id = 0;
  int64_t time = 0;
  double bid_price = 0;
  double ask_price = 0;
  Decimal bid_size;
  Decimal ask_size;
  TickAttribBidAsk attrib;
};

// TICK_BY_TICK, tickType 4: `99, reqId, 4, time, midPoint`.
struct TickByTickMidPoint {
  int32_t req_id = 0;
  int64_t time = 0;
  double mid_point = 0;
};

// Market depth operations and sides, as IB numbers them on the wire.
enum class DepthOperation : int32_t { kInsert = 0, kUpdate = 1, kDelete = 2 };
enum class DepthSide : int32_t { kAsk = 0, kBid = 1 };

// UPDATE_MKT_DEPTH (12): `12, 1, reqId, position, operation, side, price, size`. A row of the
// book at `position` (0 = best) is inserted (the rows from there down move one deeper),
// updated in place, or deleted (the rows below move up). The decoder refuses an operation
// outside 0..2 or a side outside 0..1 (kBadValue): a client cannot apply it to a book.
struct MarketDepth {
  int32_t req_id = 0;
  int32_t position = 0;
  DepthOperation operation = DepthOperation::kInsert;
  DepthSide side = DepthSide::kAsk;
  double price = 0;
  Decimal size;
};

// UPDATE_MKT_DEPTH_L2 (13): `13, 1, reqId, position, marketMaker, operation, side, price, size,
// isSmartDepth`. marketMaker is the exchange (smart depth) or market maker of the row.
struct MarketDepthL2 {
  int32_t req_id = 0;
  int32_t position = 0;
  std::string_view market_maker;
  DepthOperation operation = DepthOperation::kInsert;
  DepthSide side = DepthSide::kAsk;
  double price = 0;
  Decimal size;
  bool is_smart_depth = false;
};

// MKT_DEPTH_EXCHANGES (80): `80, count, {exchange, secType, listingExch, serviceDataType,
// aggGroup} x count` (the layout of every server version in our range).
struct DepthMktDataDescription {
  std::string exchange;
  std::string sec_type;
  std::string listing_exch;
  std::string service_data_type;  // "Deep" or "Deep2"
  int32_t agg_group = kUnsetInteger;
  friend bool operator==(const DepthMktDataDescription&, const DepthMktDataDescription&) = default;
};
struct MktDepthExchanges {
  std::vector<DepthMktDataDescription> descriptions;
};

// Receives decoded messages. Every method has an empty default, so a handler overrides only what
// it needs. Called on the thread that calls ServerMessageDecoder::Decode.
class ServerMessageHandler {
 public:
  virtual ~ServerMessageHandler() = default;

  virtual void OnError(const ErrorMessage&) {}
  virtual void OnNextValidId(const NextValidId&) {}
  virtual void OnManagedAccounts(const ManagedAccounts&) {}
  virtual void OnCurrentTime(const CurrentTime&) {}
  virtual void OnContractDetails(const ContractDetails&) {}
  virtual void OnContractDataEnd(const ContractDataEnd&) {}
  virtual void OnTickSnapshotEnd(const TickSnapshotEnd&) {}
  virtual void OnTickPrice(const TickPrice&) {}
  virtual void OnTickSize(const TickSize&) {}
  virtual void OnTickGeneric(const TickGeneric&) {}
  virtual void OnTickString(const TickString&) {}
  virtual void OnTickReqParams(const TickReqParams&) {}
  virtual void OnMarketDataType(const MarketDataType&) {}
  virtual void OnSymbolSamples(const SymbolSamples&) {}
  virtual void OnHeadTimestamp(const HeadTimestamp&) {}
  virtual void OnHistoricalTicks(const HistoricalTicks&) {}
  virtual void OnHistoricalTicksBidAsk(const HistoricalTicksBidAsk&) {}
  virtual void OnHistoricalTicksLast(const HistoricalTicksLast&) {}
  virtual void OnTickByTickLast(const TickByTickLast&) {}
  virtual void OnTickByTickBidAsk(const TickByTickBidAsk&) {}
  virtual void OnTickByTickMidPoint(const TickByTickMidPoint&) {}
  virtual void OnMarketDepth(const MarketDepth&) {}
  virtual void OnMarketDepthL2(const MarketDepthL2&) {}
  virtual void OnMktDepthExchanges(const MktDepthExchanges&) {}
  // Account, position, execution, order-list and rule answers (server_messages_account.h).
  virtual void OnAccountValue(const AccountValue&) {}
  virtual void OnPortfolioValue(const PortfolioValue&) {}
  virtual void OnAccountUpdateTime(const AccountUpdateTime&) {}
  virtual void OnAccountDownloadEnd(const AccountDownloadEnd&) {}
  virtual void OnAccountSummary(const AccountSummary&) {}
  virtual void OnAccountSummaryEnd(const AccountSummaryEnd&) {}
  virtual void OnPositionData(const PositionData&) {}
  virtual void OnPositionEnd(const PositionEnd&) {}
  virtual void OnExecutionDataEnd(const ExecutionDataEnd&) {}
  virtual void OnOpenOrderEnd(const OpenOrderEnd&) {}
  virtual void OnCompletedOrdersEnd(const CompletedOrdersEnd&) {}
  virtual void OnSmartComponents(const SmartComponents&) {}
  virtual void OnMarketRule(const MarketRule&) {}
  // A frame with a valid message id this library does not decode (already counted); the
  // payload is the whole frame, for logging.
  virtual void OnUnknownMessage(int32_t /*message_id*/, std::string_view /*payload*/) {}
};

// Decodes server message payloads (from FrameReader) for one connection. Not thread-safe; owns
// reused scratch buffers and the counters.
class ServerMessageDecoder {
 public:
  // `server_version` is the negotiated one and must be supported (IBSTREAM_CHECK: the client
  // refuses other versions in the handshake).
  explicit ServerMessageDecoder(int server_version);

  ServerMessageDecoder(const ServerMessageDecoder&) = delete;
  ServerMessageDecoder& operator=(const ServerMessageDecoder&) = delete;

  // Decodes one payload and calls at most one handler method: none for TICK_BY_TICK type 0 or an
  // unknown tick-by-tick type (counted), OnUnknownMessage for unknown ids (counted, OK status).
  // A malformed known message (missing field, text in a numeric field, bad count) calls nothing
  // and returns a ParseError naming the message and the field (counted by kind); the stream
  // itself stays in sync, so the caller may log and continue.
  [[nodiscard]] Status Decode(std::string_view payload, ServerMessageHandler& handler);

  int server_version() const { return server_version_; }
  const ProtocolCounters& counters() const { return counters_; }

 private:
  // One per message id: reads the fields after the id (the reader is positioned there), calls
  // the handler and counts the message; a malformed message calls nothing.
  [[nodiscard]] Status DecodeTickByTick(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeTickPrice(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeTickSize(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeErrMsg(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeNextValidId(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeManagedAccts(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeCurrentTime(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeContractData(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeContractDataEnd(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeTickSnapshotEnd(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeTickGeneric(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeTickString(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeMarketDataType(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeSymbolSamples(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeTickReqParams(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeHeadTimestamp(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeHistoricalTicks(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeHistoricalTicksBidAsk(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeHistoricalTicksLast(FieldReader& r, ServerMessageHandler& handler);
  // In server_message_decoder_depth.cc.
  [[nodiscard]] Status DecodeMarketDepth(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeMarketDepthL2(FieldReader& r, ServerMessageHandler& handler);
  [[nodiscard]] Status DecodeMktDepthExchanges(FieldReader& r, ServerMessageHandler& handler);
  // In server_message_account.cc: the messages of server_messages_account.h
  // (IsAccountMessageId(id) holds).
  [[nodiscard]] Status DecodeAccountMessage(int32_t id, FieldReader& r,
                                            ServerMessageHandler& handler);

  int server_version_;
  ProtocolCounters counters_;
  std::string text_scratch_;
  std::vector<HistoricalTick> historical_scratch_;
  std::vector<HistoricalTickBidAsk> historical_bid_ask_scratch_;
  std::vector<HistoricalTickLast> historical_last_scratch_;
};

// Simulator side: appends one framed message. See the file comment.
[[nodiscard]] Status EncodeServerMessage(const ErrorMessage& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const NextValidId& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const ManagedAccounts& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const CurrentTime& message, int server_version,
                                         std::string& out);
// lastTradeDateOrContractMonth is written as the composite "<date>[ <time>]" (a '-' separator
// is used when a part holds spaces); a part containing '-' is InvalidArgument. lastTradeDate
// (>= 182), the FUND block (>= 179, secType FUND) and the ineligibility list (>= 186) are
// written only at the server versions that carry them.
[[nodiscard]] Status EncodeServerMessage(const ContractDetails& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const ContractDataEnd& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const TickSnapshotEnd& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const TickPrice& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const TickSize& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const TickGeneric& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const TickString& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const TickReqParams& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const MarketDataType& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const SymbolSamples& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const HeadTimestamp& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const HistoricalTicks& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const HistoricalTicksBidAsk& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const HistoricalTicksLast& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const TickByTickLast& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const TickByTickBidAsk& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const TickByTickMidPoint& message, int server_version,
                                         std::string& out);
// The depth encoders (server_message_encoder_depth.cc) refuse a position below 0
// (InvalidArgument): IB never sends one.
[[nodiscard]] Status EncodeServerMessage(const MarketDepth& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const MarketDepthL2& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const MktDepthExchanges& message, int server_version,
                                         std::string& out);

}  // namespace ibstream::protocol
