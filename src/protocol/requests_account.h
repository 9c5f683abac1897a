// Client -> server requests of the account, position, execution, order-list and rule family
// (what ib_async / ib_insync send while connecting, and their relatives), and the order
// requests the simulator refuses. One struct per request, an encoder for the client and a
// decoder for the simulator, kept apart from requests.h: the recorder never sends these, so
// they are not part of ClientRequest; DecodeClientRequest reports them as UnknownRequest and
// DecodeAccountRequest reads them.
//
// Layouts are those of server versions 176..187, as the conformance vectors show them.
// Encoders append one framed message to `out` and refuse text that is not printable ASCII
// (InvalidArgument naming the field); on error nothing is appended.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/status.h"
#include "protocol/counters.h"

namespace ibstream::protocol {

// Message ids of this file (field 1 of a request), apart from OutgoingId so both lists grow
// independently.
enum class AccountOutgoingId : int {
  kPlaceOrder = 3,
  kCancelOrder = 4,
  kReqOpenOrders = 5,
  kReqAccountData = 6,
  kReqExecutions = 7,
  kReqAutoOpenOrders = 15,
  kReqAllOpenOrders = 16,
  kReqManagedAccts = 17,
  kReqGlobalCancel = 58,
  kReqPositions = 61,
  kReqAccountSummary = 62,
  kCancelAccountSummary = 63,
  kCancelPositions = 64,
  kReqSmartComponents = 83,
  kReqMarketRule = 91,
  kReqCompletedOrders = 99,
};

// REQ_ACCT_DATA (6): `6, 2, subscribe, acctCode` (reqAccountUpdates; acctCode may be empty).
struct ReqAccountUpdates {
  bool subscribe = false;
  std::string account_code;
  friend bool operator==(const ReqAccountUpdates&, const ReqAccountUpdates&) = default;
};

// REQ_ACCOUNT_SUMMARY (62): `62, 1, reqId, groupName, tags` (tags: comma list).
struct ReqAccountSummary {
  int32_t req_id = 0;
  std::string group;  // "All" or a group name
  std::string tags;
  friend bool operator==(const ReqAccountSummary&, const ReqAccountSummary&) = default;
};

// CANCEL_ACCOUNT_SUMMARY (63): `63, 1, reqId`.
struct CancelAccountSummary {
  int32_t req_id = 0;
  friend bool operator==(const CancelAccountSummary&, const CancelAccountSummary&) = default;
};

// REQ_POSITIONS (61): `61, 1`.
struct ReqPositions {
  friend bool operator==(const ReqPositions&, const ReqPositions&) = default;
};

// CANCEL_POSITIONS (64): `64, 1`.
struct CancelPositions {
  friend bool operator==(const CancelPositions&, const CancelPositions&) = default;
};

// REQ_EXECUTIONS (7): `7, 3, reqId, clientId, acctCode, time, symbol, secType, exchange, side`.
struct ExecutionFilter {
  int32_t client_id = 0;
  std::string acct_code;
  std::string time;  // "yyyymmdd-hh:mm:ss"
  std::string symbol;
  std::string sec_type;
  std::string exchange;
  std::string side;  // "BUY", "SELL"
  friend bool operator==(const ExecutionFilter&, const ExecutionFilter&) = default;
};
struct ReqExecutions {
  int32_t req_id = 0;
  ExecutionFilter filter;
  friend bool operator==(const ReqExecutions&, const ReqExecutions&) = default;
};

// REQ_OPEN_ORDERS (5): `5, 1`.
struct ReqOpenOrders {
  friend bool operator==(const ReqOpenOrders&, const ReqOpenOrders&) = default;
};

// REQ_ALL_OPEN_ORDERS (16): `16, 1`.
struct ReqAllOpenOrders {
  friend bool operator==(const ReqAllOpenOrders&, const ReqAllOpenOrders&) = default;
};

// REQ_AUTO_OPEN_ORDERS (15): `15, 1, autoBind` (client id 0 only).
struct ReqAutoOpenOrders {
  bool auto_bind = false;
  friend bool operator==(const ReqAutoOpenOrders&, const ReqAutoOpenOrders&) = default;
};

// REQ_COMPLETED_ORDERS (99): `99, apiOnly`.
struct ReqCompletedOrders {
  bool api_only = false;
  friend bool operator==(const ReqCompletedOrders&, const ReqCompletedOrders&) = default;
};

// REQ_MANAGED_ACCTS (17): `17, 1`.
struct ReqManagedAccts {
  friend bool operator==(const ReqManagedAccts&, const ReqManagedAccts&) = default;
};

// REQ_SMART_COMPONENTS (83): `83, reqId, bboExchange` (the code TICK_REQ_PARAMS gave).
struct ReqSmartComponents {
  int32_t req_id = 0;
  std::string bbo_exchange;
  friend bool operator==(const ReqSmartComponents&, const ReqSmartComponents&) = default;
};

// REQ_MARKET_RULE (91): `91, marketRuleId`.
struct ReqMarketRule {
  int32_t market_rule_id = 0;
  friend bool operator==(const ReqMarketRule&, const ReqMarketRule&) = default;
};

// PLACE_ORDER (3): `3, orderId, <contract and order>` from server version 145 on. The simulator
// refuses every order, so only the order id (to address the refusal) is read; no encoder.
struct PlaceOrder {
  int32_t order_id = 0;
  friend bool operator==(const PlaceOrder&, const PlaceOrder&) = default;
};

// CANCEL_ORDER (4): `4, orderId, manualOrderCancelTime, ...` (no version field from server
// version 177 on, `4, 1, orderId, ...` below it). Only the order id is read; no encoder.
struct CancelOrder {
  int32_t order_id = 0;
  friend bool operator==(const CancelOrder&, const CancelOrder&) = default;
};

// REQ_GLOBAL_CANCEL (58): `58, ...`. Nothing is read after the id; no encoder.
struct ReqGlobalCancel {
  friend bool operator==(const ReqGlobalCancel&, const ReqGlobalCancel&) = default;
};

using AccountRequest =
    std::variant<ReqAccountUpdates, ReqAccountSummary, CancelAccountSummary, ReqPositions,
                 CancelPositions, ReqExecutions, ReqOpenOrders, ReqAllOpenOrders, ReqAutoOpenOrders,
                 ReqCompletedOrders, ReqManagedAccts, ReqSmartComponents, ReqMarketRule, PlaceOrder,
                 CancelOrder, ReqGlobalCancel>;

// Client side: appends the framed request for `server_version` (must be supported; checked).
[[nodiscard]] Status EncodeRequest(const ReqAccountUpdates& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqAccountSummary& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const CancelAccountSummary& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqPositions& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const CancelPositions& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqExecutions& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqOpenOrders& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqAllOpenOrders& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqAutoOpenOrders& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqCompletedOrders& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqManagedAccts& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqSmartComponents& request, int server_version,
                                   std::string& out);
[[nodiscard]] Status EncodeRequest(const ReqMarketRule& request, int server_version,
                                   std::string& out);

// Simulator side: decodes one frame payload whose message id is one of AccountOutgoingId.
// nullopt for any other id (nothing counted: the caller decodes or reports it); a missing
// field or text in a numeric field is a ParseError naming the request and the field. Surplus
// trailing fields are ignored. `counters`, if not null, counts the outcome.
Result<std::optional<AccountRequest>> DecodeAccountRequest(std::string_view payload,
                                                           int server_version,
                                                           ProtocolCounters* counters = nullptr);

// "REQ_ACCT_DATA (6)", ... for the alternative held by `request`.
std::string_view AccountRequestName(const AccountRequest& request);

// IB's name of a client message id ("REQ_HISTORICAL_DATA (20)"), for the errors that name a
// request the simulator does not serve; "message id N" when the id is not one IB defines.
std::string RequestNameOfId(int32_t message_id);

}  // namespace ibstream::protocol
