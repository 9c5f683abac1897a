#include "protocol/requests_account.h"

#include <array>
#include <utility>

#include "common/check.h"
#include "protocol/constants.h"
#include "protocol/field_codec.h"
#include "protocol/requests_internal.h"

namespace ibstream::protocol {
namespace {

// Legacy version fields the official clients send.
constexpr int kReqAccountDataVersion = 2;
constexpr int kReqExecutionsVersion = 3;
constexpr int kVersion1 = 1;
// From this server version on CANCEL_ORDER has no version field.
constexpr int kServerVersionCmeTaggingFields = 177;

constexpr const char* kPlaceOrderName = "PLACE_ORDER (3)";
constexpr const char* kCancelOrderName = "CANCEL_ORDER (4)";
constexpr const char* kReqOpenOrdersName = "REQ_OPEN_ORDERS (5)";
constexpr const char* kReqAcctDataName = "REQ_ACCT_DATA (6)";
constexpr const char* kReqExecutionsName = "REQ_EXECUTIONS (7)";
constexpr const char* kReqAutoOpenOrdersName = "REQ_AUTO_OPEN_ORDERS (15)";
constexpr const char* kReqAllOpenOrdersName = "REQ_ALL_OPEN_ORDERS (16)";
constexpr const char* kReqManagedAcctsName = "REQ_MANAGED_ACCTS (17)";
constexpr const char* kReqGlobalCancelName = "REQ_GLOBAL_CANCEL (58)";
constexpr const char* kReqPositionsName = "REQ_POSITIONS (61)";
constexpr const char* kReqAccountSummaryName = "REQ_ACCOUNT_SUMMARY (62)";
constexpr const char* kCancelAccountSummaryName = "CANCEL_ACCOUNT_SUMMARY (63)";
constexpr const char* kCancelPositionsName = "CANCEL_POSITIONS (64)";
constexpr const char* kReqSmartComponentsName = "REQ_SMART_COMPONENTS (83)";
constexpr const char* kReqMarketRuleName = "REQ_MARKET_RULE (91)";
constexpr const char* kReqCompletedOrdersName = "REQ_COMPLETED_ORDERS (99)";

using internal::CheckRequestServerVersion;

int Id(AccountOutgoingId id) { return static_cast<int>(id); }

// `id, 1`: the requests that carry nothing but their version.
Status EncodeBare(AccountOutgoingId id, const char* name, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, name);
  w.Int(Id(id)).Int(kVersion1);
  return w.Finish();
}

// IB's names of the client message ids, by id (empty: not defined).
constexpr std::array<std::string_view, 105> kRequestNames = [] {
  std::array<std::string_view, 105> n{};
  n[1] = "REQ_MKT_DATA";
  n[2] = "CANCEL_MKT_DATA";
  n[3] = "PLACE_ORDER";
  n[4] = "CANCEL_ORDER";
  n[5] = "REQ_OPEN_ORDERS";
  n[6] = "REQ_ACCT_DATA";
  n[7] = "REQ_EXECUTIONS";
  n[8] = "REQ_IDS";
  n[9] = "REQ_CONTRACT_DATA";
  n[10] = "REQ_MKT_DEPTH";
  n[11] = "CANCEL_MKT_DEPTH";
  n[12] = "REQ_NEWS_BULLETINS";
  n[13] = "CANCEL_NEWS_BULLETINS";
  n[14] = "SET_SERVER_LOGLEVEL";
  n[15] = "REQ_AUTO_OPEN_ORDERS";
  n[16] = "REQ_ALL_OPEN_ORDERS";
  n[17] = "REQ_MANAGED_ACCTS";
  n[18] = "REQ_FA";
  n[19] = "REPLACE_FA";
  n[20] = "REQ_HISTORICAL_DATA";
  n[21] = "EXERCISE_OPTIONS";
  n[22] = "REQ_SCANNER_SUBSCRIPTION";
  n[23] = "CANCEL_SCANNER_SUBSCRIPTION";
  n[24] = "REQ_SCANNER_PARAMETERS";
  n[25] = "CANCEL_HISTORICAL_DATA";
  n[49] = "REQ_CURRENT_TIME";
  n[50] = "REQ_REAL_TIME_BARS";
  n[51] = "CANCEL_REAL_TIME_BARS";
  n[52] = "REQ_FUNDAMENTAL_DATA";
  n[53] = "CANCEL_FUNDAMENTAL_DATA";
  n[54] = "REQ_CALC_IMPLIED_VOLAT";
  n[55] = "REQ_CALC_OPTION_PRICE";
  n[56] = "CANCEL_CALC_IMPLIED_VOLAT";
  n[57] = "CANCEL_CALC_OPTION_PRICE";
  n[58] = "REQ_GLOBAL_CANCEL";
  n[59] = "REQ_MARKET_DATA_TYPE";
  n[61] = "REQ_POSITIONS";
  n[62] = "REQ_ACCOUNT_SUMMARY";
  n[63] = "CANCEL_ACCOUNT_SUMMARY";
  n[64] = "CANCEL_POSITIONS";
  n[65] = "VERIFY_REQUEST";
  n[66] = "VERIFY_MESSAGE";
  n[67] = "QUERY_DISPLAY_GROUPS";
  n[68] = "SUBSCRIBE_TO_GROUP_EVENTS";
  n[69] = "UPDATE_DISPLAY_GROUP";
  n[70] = "UNSUBSCRIBE_FROM_GROUP_EVENTS";
  n[71] = "START_API";
  n[72] = "VERIFY_AND_AUTH_REQUEST";
  n[73] = "VERIFY_AND_AUTH_MESSAGE";
  n[74] = "REQ_POSITIONS_MULTI";
  n[75] = "CANCEL_POSITIONS_MULTI";
  n[76] = "REQ_ACCOUNT_UPDATES_MULTI";
  n[77] = "CANCEL_ACCOUNT_UPDATES_MULTI";
  n[78] = "REQ_SEC_DEF_OPT_PARAMS";
  n[79] = "REQ_SOFT_DOLLAR_TIERS";
  n[80] = "REQ_FAMILY_CODES";
  n[81] = "REQ_MATCHING_SYMBOLS";
  n[82] = "REQ_MKT_DEPTH_EXCHANGES";
  n[83] = "REQ_SMART_COMPONENTS";
  n[84] = "REQ_NEWS_ARTICLE";
  n[85] = "REQ_NEWS_PROVIDERS";
  n[86] = "REQ_HISTORICAL_NEWS";
  n[87] = "REQ_HEAD_TIMESTAMP";
  n[88] = "REQ_HISTOGRAM_DATA";
  n[89] = "CANCEL_HISTOGRAM_DATA";
  n[90] = "CANCEL_HEAD_TIMESTAMP";
  n[91] = "REQ_MARKET_RULE";
  n[92] = "REQ_PNL";
  n[93] = "CANCEL_PNL";
  n[94] = "REQ_PNL_SINGLE";
  n[95] = "CANCEL_PNL_SINGLE";
  n[96] = "REQ_HISTORICAL_TICKS";
  n[97] = "REQ_TICK_BY_TICK_DATA";
  n[98] = "CANCEL_TICK_BY_TICK_DATA";
  n[99] = "REQ_COMPLETED_ORDERS";
  n[100] = "REQ_WSH_META_DATA";
  n[101] = "CANCEL_WSH_META_DATA";
  n[102] = "REQ_WSH_EVENT_DATA";
  n[103] = "CANCEL_WSH_EVENT_DATA";
  n[104] = "REQ_USER_INFO";
  return n;
}();

}  // namespace

Status EncodeRequest(const ReqAccountUpdates& r, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqAcctDataName);
  w.Int(Id(AccountOutgoingId::kReqAccountData))
      .Int(kReqAccountDataVersion)
      .Bool(r.subscribe)
      .String(r.account_code, "acctCode");
  return w.Finish();
}

Status EncodeRequest(const ReqAccountSummary& r, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqAccountSummaryName);
  w.Int(Id(AccountOutgoingId::kReqAccountSummary))
      .Int(kVersion1)
      .Int(r.req_id)
      .String(r.group, "groupName")
      .String(r.tags, "tags");
  return w.Finish();
}

Status EncodeRequest(const CancelAccountSummary& r, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kCancelAccountSummaryName);
  w.Int(Id(AccountOutgoingId::kCancelAccountSummary)).Int(kVersion1).Int(r.req_id);
  return w.Finish();
}

Status EncodeRequest(const ReqPositions&, int server_version, std::string& out) {
  return EncodeBare(AccountOutgoingId::kReqPositions, kReqPositionsName, server_version, out);
}

Status EncodeRequest(const CancelPositions&, int server_version, std::string& out) {
  return EncodeBare(AccountOutgoingId::kCancelPositions, kCancelPositionsName, server_version, out);
}

Status EncodeRequest(const ReqExecutions& r, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqExecutionsName);
  const ExecutionFilter& f = r.filter;
  w.Int(Id(AccountOutgoingId::kReqExecutions))
      .Int(kReqExecutionsVersion)
      .Int(r.req_id)
      .Int(f.client_id)
      .String(f.acct_code, "acctCode")
      .String(f.time, "time")
      .String(f.symbol, "symbol")
      .String(f.sec_type, "secType")
      .String(f.exchange, "exchange")
      .String(f.side, "side");
  return w.Finish();
}

Status EncodeRequest(const ReqOpenOrders&, int server_version, std::string& out) {
  return EncodeBare(AccountOutgoingId::kReqOpenOrders, kReqOpenOrdersName, server_version, out);
}

Status EncodeRequest(const ReqAllOpenOrders&, int server_version, std::string& out) {
  return EncodeBare(AccountOutgoingId::kReqAllOpenOrders, kReqAllOpenOrdersName, server_version,
                    out);
}

Status EncodeRequest(const ReqAutoOpenOrders& r, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqAutoOpenOrdersName);
  w.Int(Id(AccountOutgoingId::kReqAutoOpenOrders)).Int(kVersion1).Bool(r.auto_bind);
  return w.Finish();
}

Status EncodeRequest(const ReqCompletedOrders& r, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqCompletedOrdersName);
  w.Int(Id(AccountOutgoingId::kReqCompletedOrders)).Bool(r.api_only);
  return w.Finish();
}

Status EncodeRequest(const ReqManagedAccts&, int server_version, std::string& out) {
  return EncodeBare(AccountOutgoingId::kReqManagedAccts, kReqManagedAcctsName, server_version, out);
}

Status EncodeRequest(const ReqSmartComponents& r, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqSmartComponentsName);
  w.Int(Id(AccountOutgoingId::kReqSmartComponents))
      .Int(r.req_id)
      .String(r.bbo_exchange, "bboExchange");
  return w.Finish();
}

Status EncodeRequest(const ReqMarketRule& r, int server_version, std::string& out) {
  CheckRequestServerVersion(server_version);
  MessageWriter w(out, TextPolicy::kPrintableAscii, kReqMarketRuleName);
  w.Int(Id(AccountOutgoingId::kReqMarketRule)).Int(r.market_rule_id);
  return w.Finish();
}

Result<std::optional<AccountRequest>> DecodeAccountRequest(std::string_view payload,
                                                           int server_version,
                                                           ProtocolCounters* counters) {
  IBSTREAM_CHECK(IsSupportedServerVersion(server_version),
                 "request decoder called with an unsupported server version");
  FieldReader r(payload, "request", counters);
  Result<int32_t> id = ParseInt32(r.String("msgId"));
  if (!id.ok()) return std::optional<AccountRequest>();  // not ours: the caller reports it

  AccountRequest result;
  switch (static_cast<AccountOutgoingId>(*id)) {
    case AccountOutgoingId::kPlaceOrder:
      r.set_message_name(kPlaceOrderName);
      result = PlaceOrder{r.Int("orderId")};
      break;
    case AccountOutgoingId::kCancelOrder:
      r.set_message_name(kCancelOrderName);
      if (server_version < kServerVersionCmeTaggingFields) r.Skip("version");
      result = CancelOrder{r.Int("orderId")};
      break;
    case AccountOutgoingId::kReqGlobalCancel:
      r.set_message_name(kReqGlobalCancelName);
      result = ReqGlobalCancel{};
      break;
    case AccountOutgoingId::kReqOpenOrders:
      r.set_message_name(kReqOpenOrdersName);
      r.Skip("version");
      result = ReqOpenOrders{};
      break;
    case AccountOutgoingId::kReqAccountData: {
      r.set_message_name(kReqAcctDataName);
      ReqAccountUpdates m;
      r.Skip("version");
      m.subscribe = r.Bool("subscribe");
      m.account_code = r.String("acctCode");
      result = std::move(m);
      break;
    }
    case AccountOutgoingId::kReqExecutions: {
      r.set_message_name(kReqExecutionsName);
      ReqExecutions m;
      r.Skip("version");
      m.req_id = r.Int("reqId");
      m.filter.client_id = r.Int("clientId");
      m.filter.acct_code = r.String("acctCode");
      m.filter.time = r.String("time");
      m.filter.symbol = r.String("symbol");
      m.filter.sec_type = r.String("secType");
      m.filter.exchange = r.String("exchange");
      m.filter.side = r.String("side");
      result = std::move(m);
      break;
    }
    case AccountOutgoingId::kReqAutoOpenOrders:
      r.set_message_name(kReqAutoOpenOrdersName);
      r.Skip("version");
      result = ReqAutoOpenOrders{r.Bool("autoBind")};
      break;
    case AccountOutgoingId::kReqAllOpenOrders:
      r.set_message_name(kReqAllOpenOrdersName);
      r.Skip("version");
      result = ReqAllOpenOrders{};
      break;
    case AccountOutgoingId::kReqManagedAccts:
      r.set_message_name(kReqManagedAcctsName);
      r.Skip("version");
      result = ReqManagedAccts{};
      break;
    case AccountOutgoingId::kReqPositions:
      r.set_message_name(kReqPositionsName);
      r.Skip("version");
      result = ReqPositions{};
      break;
    case AccountOutgoingId::kReqAccountSummary: {
      r.set_message_name(kReqAccountSummaryName);
      ReqAccountSummary m;
      r.Skip("version");
      m.req_id = r.Int("reqId");
      m.group = r.String("groupName");
      m.tags = r.String("tags");
      result = std::move(m);
      break;
    }
    case AccountOutgoingId::kCancelAccountSummary:
      r.set_message_name(kCancelAccountSummaryName);
      r.Skip("version");
      result = CancelAccountSummary{r.Int("reqId")};
      break;
    case AccountOutgoingId::kCancelPositions:
      r.set_message_name(kCancelPositionsName);
      r.Skip("version");
      result = CancelPositions{};
      break;
    case AccountOutgoingId::kReqSmartComponents: {
      r.set_message_name(kReqSmartComponentsName);
      ReqSmartComponents m;
      m.req_id = r.Int("reqId");
      m.bbo_exchange = r.String("bboExchange");
      result = std::move(m);
      break;
    }
    case AccountOutgoingId::kReqMarketRule:
      r.set_message_name(kReqMarketRuleName);
      result = ReqMarketRule{r.Int("marketRuleId")};
      break;
    case AccountOutgoingId::kReqCompletedOrders:
      r.set_message_name(kReqCompletedOrdersName);
      result = ReqCompletedOrders{r.Bool("apiOnly")};
      break;
    default:
      return std::optional<AccountRequest>();
  }
  IBSTREAM_RETURN_IF_ERROR(r.status());
  if (counters != nullptr) ++counters->messages_decoded;
  return std::optional<AccountRequest>(std::move(result));
}

std::string_view AccountRequestName(const AccountRequest& request) {
  struct Namer {
    std::string_view operator()(const ReqAccountUpdates&) const { return kReqAcctDataName; }
    std::string_view operator()(const ReqAccountSummary&) const { return kReqAccountSummaryName; }
    std::string_view operator()(const CancelAccountSummary&) const {
      return kCancelAccountSummaryName;
    }
    std::string_view operator()(const ReqPositions&) const { return kReqPositionsName; }
    std::string_view operator()(const CancelPositions&) const { return kCancelPositionsName; }
    std::string_view operator()(const ReqExecutions&) const { return kReqExecutionsName; }
    std::string_view operator()(const ReqOpenOrders&) const { return kReqOpenOrdersName; }
    std::string_view operator()(const ReqAllOpenOrders&) const { return kReqAllOpenOrdersName; }
    std::string_view operator()(const ReqAutoOpenOrders&) const { return kReqAutoOpenOrdersName; }
    std::string_view operator()(const ReqCompletedOrders&) const { return kReqCompletedOrdersName; }
    std::string_view operator()(const ReqManagedAccts&) const { return kReqManagedAcctsName; }
    std::string_view operator()(const ReqSmartComponents&) const { return kReqSmartComponentsName; }
    std::string_view operator()(const ReqMarketRule&) const { return kReqMarketRuleName; }
    std::string_view operator()(const PlaceOrder&) const { return kPlaceOrderName; }
    std::string_view operator()(const CancelOrder&) const { return kCancelOrderName; }
    std::string_view operator()(const ReqGlobalCancel&) const { return kReqGlobalCancelName; }
  };
  return std::visit(Namer{}, request);
}

std::string RequestNameOfId(int32_t message_id) {
  if (message_id >= 0 && static_cast<size_t>(message_id) < kRequestNames.size() &&
      !kRequestNames[static_cast<size_t>(message_id)].empty()) {
    return std::string(kRequestNames[static_cast<size_t>(message_id)]) + " (" +
           std::to_string(message_id) + ")";
  }
  return "message id " + std::to_string(message_id);
}

}  // namespace ibstream::protocol
