// Server -> client messages of the account, position, execution, order-list and rule requests
// (the answers an empty paper account gives): their structs and simulator-side encoders. The
// client-side decoding is ServerMessageDecoder's (server_messages.h, which includes this file);
// the code of both directions is in server_message_account.cc.
//
// Layouts are those of server versions 176..187, as the conformance vectors show them. Lifetimes
// are those of server_messages.h: std::string_view members point into the frame being decoded
// (valid during the handler call); Contract and the vectors are owned.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/decimal.h"
#include "common/status.h"
#include "protocol/contract.h"

namespace ibstream::protocol {

// Message ids of this file (field 1 of a message). Kept apart from IncomingId so the two lists
// grow independently; IsAccountMessageId() tells the decoder which ids are these.
enum class AccountIncomingId : int {
  kAcctValue = 6,
  kPortfolioValue = 7,
  kAcctUpdateTime = 8,
  kOpenOrderEnd = 53,
  kAcctDownloadEnd = 54,
  kExecutionDataEnd = 55,
  kPositionData = 61,
  kPositionEnd = 62,
  kAccountSummary = 63,
  kAccountSummaryEnd = 64,
  kSmartComponents = 82,
  kMarketRule = 93,
  kCompletedOrdersEnd = 102,
};
bool IsAccountMessageId(int32_t message_id);

// ACCT_VALUE (6): `6, 2, key, value, currency, accountName` (reqAccountUpdates).
struct AccountValue {
  std::string_view key;  // "NetLiquidation", "CashBalance", "AccountCode", ...
  std::string_view value;
  std::string_view currency;  // "USD", "BASE" or empty
  std::string_view account_name;
};

// PORTFOLIO_VALUE (7): `7, 8, conId, symbol, secType, lastTradeDateOrContractMonth, strike, right,
// multiplier, primaryExchange, currency, localSymbol, tradingClass, position, marketPrice,
// marketValue, averageCost, unrealizedPNL, realizedPNL, accountName`.
struct PortfolioValue {
  Contract contract;  // the fields above; exchange is not carried
  Decimal position;
  double market_price = 0;
  double market_value = 0;
  double average_cost = 0;
  double unrealized_pnl = 0;
  double realized_pnl = 0;
  std::string_view account_name;
};

// ACCT_UPDATE_TIME (8): `8, 1, timeStamp` ("HH:MM").
struct AccountUpdateTime {
  std::string_view time_stamp;
};

// ACCT_DOWNLOAD_END (54): `54, 1, accountName`: the end of reqAccountUpdates' first answer.
struct AccountDownloadEnd {
  std::string_view account_name;
};

// ACCOUNT_SUMMARY (63): `63, 1, reqId, account, tag, value, currency`.
struct AccountSummary {
  int32_t req_id = 0;
  std::string_view account;
  std::string_view tag;
  std::string_view value;
  std::string_view currency;
};

// ACCOUNT_SUMMARY_END (64): `64, 1, reqId`.
struct AccountSummaryEnd {
  int32_t req_id = 0;
};

// POSITION_DATA (61): `61, 3, account, conId, symbol, secType, lastTradeDateOrContractMonth,
// strike, right, multiplier, exchange, currency, localSymbol, tradingClass, position, avgCost`.
struct PositionData {
  std::string_view account;
  Contract contract;  // the fields above; primaryExchange is not carried
  Decimal position;
  double average_cost = 0;
};

// POSITION_END (62): `62, 1`.
struct PositionEnd {};

// EXECUTION_DATA_END (55): `55, 1, reqId`.
struct ExecutionDataEnd {
  int32_t req_id = 0;
};

// OPEN_ORDER_END (53): `53, 1`.
struct OpenOrderEnd {};

// COMPLETED_ORDERS_END (102): `102` alone.
struct CompletedOrdersEnd {};

// SMART_COMPONENTS (82): `82, reqId, count, {bitNumber, exchange, exchangeLetter} x count`.
struct SmartComponent {
  int32_t bit_number = 0;
  std::string exchange;
  std::string exchange_letter;
  friend bool operator==(const SmartComponent&, const SmartComponent&) = default;
};
struct SmartComponents {
  int32_t req_id = 0;
  std::vector<SmartComponent> components;
};

// MARKET_RULE (93): `93, marketRuleId, count, {lowEdge, increment} x count`.
struct PriceIncrement {
  double low_edge = 0;
  double increment = 0;
  friend bool operator==(const PriceIncrement&, const PriceIncrement&) = default;
};
struct MarketRule {
  int32_t market_rule_id = 0;
  std::vector<PriceIncrement> increments;
};

// Simulator side: appends one framed message for `server_version` (in our range; checked),
// writing the legacy version placeholders; NUL inside a string is InvalidArgument and nothing
// is appended.
[[nodiscard]] Status EncodeServerMessage(const AccountValue& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const PortfolioValue& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const AccountUpdateTime& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const AccountDownloadEnd& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const AccountSummary& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const AccountSummaryEnd& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const PositionData& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const PositionEnd& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const ExecutionDataEnd& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const OpenOrderEnd& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const CompletedOrdersEnd& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const SmartComponents& message, int server_version,
                                         std::string& out);
[[nodiscard]] Status EncodeServerMessage(const MarketRule& message, int server_version,
                                         std::string& out);

}  // namespace ibstream::protocol
