// Account, position, execution, order-list and rule messages, both directions: the
// ServerMessageDecoder's DecodeAccountMessage (client side) and their EncodeServerMessage
// overloads (simulator side). Layouts: server_messages_account.h.
#include <string>

#include "common/check.h"
#include "protocol/field_codec.h"
#include "protocol/server_messages.h"
#include "protocol/server_messages_internal.h"

namespace ibstream::protocol {
namespace {

// Legacy version fields real TWS sends; decoders skip them.
constexpr int kAcctValueVersion = 2;
constexpr int kPortfolioValueVersion = 8;
constexpr int kAcctUpdateTimeVersion = 1;
constexpr int kAcctDownloadEndVersion = 1;
constexpr int kAccountSummaryVersion = 1;
constexpr int kAccountSummaryEndVersion = 1;
constexpr int kPositionDataVersion = 3;
constexpr int kPositionEndVersion = 1;
constexpr int kExecutionDataEndVersion = 1;
constexpr int kOpenOrderEndVersion = 1;

constexpr const char* kAcctValueName = "ACCT_VALUE (6)";
constexpr const char* kPortfolioValueName = "PORTFOLIO_VALUE (7)";
constexpr const char* kAcctUpdateTimeName = "ACCT_UPDATE_TIME (8)";
constexpr const char* kOpenOrderEndName = "OPEN_ORDER_END (53)";
constexpr const char* kAcctDownloadEndName = "ACCT_DOWNLOAD_END (54)";
constexpr const char* kExecutionDataEndName = "EXECUTION_DATA_END (55)";
constexpr const char* kPositionDataName = "POSITION_DATA (61)";
constexpr const char* kPositionEndName = "POSITION_END (62)";
constexpr const char* kAccountSummaryName = "ACCOUNT_SUMMARY (63)";
constexpr const char* kAccountSummaryEndName = "ACCOUNT_SUMMARY_END (64)";
constexpr const char* kSmartComponentsName = "SMART_COMPONENTS (82)";
constexpr const char* kMarketRuleName = "MARKET_RULE (93)";
constexpr const char* kCompletedOrdersEndName = "COMPLETED_ORDERS_END (102)";

int Id(AccountIncomingId id) { return static_cast<int>(id); }

// The contract block of PORTFOLIO_VALUE (with primaryExchange, without exchange) and of
// POSITION_DATA (with exchange, without primaryExchange).
void ReadPositionContract(FieldReader& r, Contract& c, bool primary_exchange) {
  c.con_id = r.Int("conId");
  c.symbol = r.String("symbol");
  c.sec_type = r.String("secType");
  c.last_trade_date_or_contract_month = r.String("lastTradeDateOrContractMonth");
  c.strike = r.Double("strike");
  c.right = r.String("right");
  c.multiplier = r.String("multiplier");
  if (primary_exchange) {
    c.primary_exchange = r.String("primaryExchange");
  } else {
    c.exchange = r.String("exchange");
  }
  c.currency = r.String("currency");
  c.local_symbol = r.String("localSymbol");
  c.trading_class = r.String("tradingClass");
}

void WritePositionContract(const Contract& c, bool primary_exchange, MessageWriter& w) {
  w.Int(c.con_id)
      .String(c.symbol, "symbol")
      .String(c.sec_type, "secType")
      .String(c.last_trade_date_or_contract_month, "lastTradeDateOrContractMonth")
      .Double(c.strike)
      .String(c.right, "right")
      .String(c.multiplier, "multiplier")
      .String(primary_exchange ? c.primary_exchange : c.exchange,
              primary_exchange ? "primaryExchange" : "exchange")
      .String(c.currency, "currency")
      .String(c.local_symbol, "localSymbol")
      .String(c.trading_class, "tradingClass");
}

// Messages that carry only a version field: `id, version`.
Status EncodeVersionOnly(AccountIncomingId id, int version, const char* name, int server_version,
                         std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, name);
  w.Int(Id(id)).Int(version);
  return w.Finish();
}

// Messages that carry `id, version, reqId`.
Status EncodeReqIdOnly(AccountIncomingId id, int version, const char* name, int32_t req_id,
                       int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, name);
  w.Int(Id(id)).Int(version).Int(req_id);
  return w.Finish();
}

}  // namespace

bool IsAccountMessageId(int32_t message_id) {
  switch (static_cast<AccountIncomingId>(message_id)) {
    case AccountIncomingId::kAcctValue:
    case AccountIncomingId::kPortfolioValue:
    case AccountIncomingId::kAcctUpdateTime:
    case AccountIncomingId::kOpenOrderEnd:
    case AccountIncomingId::kAcctDownloadEnd:
    case AccountIncomingId::kExecutionDataEnd:
    case AccountIncomingId::kPositionData:
    case AccountIncomingId::kPositionEnd:
    case AccountIncomingId::kAccountSummary:
    case AccountIncomingId::kAccountSummaryEnd:
    case AccountIncomingId::kSmartComponents:
    case AccountIncomingId::kMarketRule:
    case AccountIncomingId::kCompletedOrdersEnd:
      return true;
  }
  return false;
}

Status ServerMessageDecoder::DecodeAccountMessage(int32_t id, FieldReader& r,
                                                  ServerMessageHandler& h) {
  using H = ServerMessageHandler;
  switch (static_cast<AccountIncomingId>(id)) {
    case AccountIncomingId::kAcctValue: {
      r.set_message_name(kAcctValueName);
      AccountValue m;
      r.Skip("version");
      m.key = r.String("key");
      m.value = r.String("value");
      m.currency = r.String("currency");
      m.account_name = r.String("accountName");
      return Deliver(r, counters_, h, &H::OnAccountValue, m);
    }
    case AccountIncomingId::kPortfolioValue: {
      r.set_message_name(kPortfolioValueName);
      PortfolioValue m;
      r.Skip("version");
      ReadPositionContract(r, m.contract, /*primary_exchange=*/true);
      m.position = r.Dec("position");
      m.market_price = r.Double("marketPrice");
      m.market_value = r.Double("marketValue");
      m.average_cost = r.Double("averageCost");
      m.unrealized_pnl = r.Double("unrealizedPNL");
      m.realized_pnl = r.Double("realizedPNL");
      m.account_name = r.String("accountName");
      return Deliver(r, counters_, h, &H::OnPortfolioValue, m);
    }
    case AccountIncomingId::kAcctUpdateTime: {
      r.set_message_name(kAcctUpdateTimeName);
      AccountUpdateTime m;
      r.Skip("version");
      m.time_stamp = r.String("timeStamp");
      return Deliver(r, counters_, h, &H::OnAccountUpdateTime, m);
    }
    case AccountIncomingId::kOpenOrderEnd: {
      r.set_message_name(kOpenOrderEndName);
      r.Skip("version");
      return Deliver(r, counters_, h, &H::OnOpenOrderEnd, OpenOrderEnd{});
    }
    case AccountIncomingId::kAcctDownloadEnd: {
      r.set_message_name(kAcctDownloadEndName);
      AccountDownloadEnd m;
      r.Skip("version");
      m.account_name = r.String("accountName");
      return Deliver(r, counters_, h, &H::OnAccountDownloadEnd, m);
    }
    case AccountIncomingId::kExecutionDataEnd: {
      r.set_message_name(kExecutionDataEndName);
      ExecutionDataEnd m;
      r.Skip("version");
      m.req_id = r.Int("reqId");
      return Deliver(r, counters_, h, &H::OnExecutionDataEnd, m);
    }
    case AccountIncomingId::kPositionData: {
      r.set_message_name(kPositionDataName);
      PositionData m;
      r.Skip("version");
      m.account = r.String("account");
      ReadPositionContract(r, m.contract, /*primary_exchange=*/false);
      m.position = r.Dec("position");
      m.average_cost = r.Double("avgCost");
      return Deliver(r, counters_, h, &H::OnPositionData, m);
    }
    case AccountIncomingId::kPositionEnd: {
      r.set_message_name(kPositionEndName);
      r.Skip("version");
      return Deliver(r, counters_, h, &H::OnPositionEnd, PositionEnd{});
    }
    case AccountIncomingId::kAccountSummary: {
      r.set_message_name(kAccountSummaryName);
      AccountSummary m;
      r.Skip("version");
      m.req_id = r.Int("reqId");
      m.account = r.String("account");
      m.tag = r.String("tag");
      m.value = r.String("value");
      m.currency = r.String("currency");
      return Deliver(r, counters_, h, &H::OnAccountSummary, m);
    }
    case AccountIncomingId::kAccountSummaryEnd: {
      r.set_message_name(kAccountSummaryEndName);
      AccountSummaryEnd m;
      r.Skip("version");
      m.req_id = r.Int("reqId");
      return Deliver(r, counters_, h, &H::OnAccountSummaryEnd, m);
    }
    case AccountIncomingId::kSmartComponents: {
      r.set_message_name(kSmartComponentsName);
      SmartComponents m;
      m.req_id = r.Int("reqId");
      const int32_t count = r.Count("count", 3);
      m.components.reserve(static_cast<size_t>(count));
      for (int32_t i = 0; i < count && r.ok(); ++i) {
        SmartComponent& c = m.components.emplace_back();
        c.bit_number = r.Int("bitNumber");
        c.exchange = r.String("exchange");
        c.exchange_letter = r.String("exchangeLetter");
      }
      return Deliver(r, counters_, h, &H::OnSmartComponents, m);
    }
    case AccountIncomingId::kMarketRule: {
      r.set_message_name(kMarketRuleName);
      MarketRule m;
      m.market_rule_id = r.Int("marketRuleId");
      const int32_t count = r.Count("count", 2);
      m.increments.reserve(static_cast<size_t>(count));
      for (int32_t i = 0; i < count && r.ok(); ++i) {
        PriceIncrement& p = m.increments.emplace_back();
        p.low_edge = r.Double("lowEdge");
        p.increment = r.Double("increment");
      }
      return Deliver(r, counters_, h, &H::OnMarketRule, m);
    }
    case AccountIncomingId::kCompletedOrdersEnd:
      r.set_message_name(kCompletedOrdersEndName);
      return Deliver(r, counters_, h, &H::OnCompletedOrdersEnd, CompletedOrdersEnd{});
  }
  IBSTREAM_CHECK(false, "DecodeAccountMessage called with a message id it does not decode");
  return Status::Ok();
}

Status EncodeServerMessage(const AccountValue& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kAcctValueName);
  w.Int(Id(AccountIncomingId::kAcctValue))
      .Int(kAcctValueVersion)
      .String(m.key, "key")
      .String(m.value, "value")
      .String(m.currency, "currency")
      .String(m.account_name, "accountName");
  return w.Finish();
}

Status EncodeServerMessage(const PortfolioValue& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kPortfolioValueName);
  w.Int(Id(AccountIncomingId::kPortfolioValue)).Int(kPortfolioValueVersion);
  WritePositionContract(m.contract, /*primary_exchange=*/true, w);
  w.Dec(m.position)
      .Double(m.market_price)
      .Double(m.market_value)
      .Double(m.average_cost)
      .Double(m.unrealized_pnl)
      .Double(m.realized_pnl)
      .String(m.account_name, "accountName");
  return w.Finish();
}

Status EncodeServerMessage(const AccountUpdateTime& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kAcctUpdateTimeName);
  w.Int(Id(AccountIncomingId::kAcctUpdateTime))
      .Int(kAcctUpdateTimeVersion)
      .String(m.time_stamp, "timeStamp");
  return w.Finish();
}

Status EncodeServerMessage(const AccountDownloadEnd& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kAcctDownloadEndName);
  w.Int(Id(AccountIncomingId::kAcctDownloadEnd))
      .Int(kAcctDownloadEndVersion)
      .String(m.account_name, "accountName");
  return w.Finish();
}

Status EncodeServerMessage(const AccountSummary& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kAccountSummaryName);
  w.Int(Id(AccountIncomingId::kAccountSummary))
      .Int(kAccountSummaryVersion)
      .Int(m.req_id)
      .String(m.account, "account")
      .String(m.tag, "tag")
      .String(m.value, "value")
      .String(m.currency, "currency");
  return w.Finish();
}

Status EncodeServerMessage(const AccountSummaryEnd& m, int server_version, std::string& out) {
  return EncodeReqIdOnly(AccountIncomingId::kAccountSummaryEnd, kAccountSummaryEndVersion,
                         kAccountSummaryEndName, m.req_id, server_version, out);
}

Status EncodeServerMessage(const PositionData& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kPositionDataName);
  w.Int(Id(AccountIncomingId::kPositionData))
      .Int(kPositionDataVersion)
      .String(m.account, "account");
  WritePositionContract(m.contract, /*primary_exchange=*/false, w);
  w.Dec(m.position).Double(m.average_cost);
  return w.Finish();
}

Status EncodeServerMessage(const PositionEnd&, int server_version, std::string& out) {
  return EncodeVersionOnly(AccountIncomingId::kPositionEnd, kPositionEndVersion, kPositionEndName,
                           server_version, out);
}

Status EncodeServerMessage(const ExecutionDataEnd& m, int server_version, std::string& out) {
  return EncodeReqIdOnly(AccountIncomingId::kExecutionDataEnd, kExecutionDataEndVersion,
                         kExecutionDataEndName, m.req_id, server_version, out);
}

Status EncodeServerMessage(const OpenOrderEnd&, int server_version, std::string& out) {
  return EncodeVersionOnly(AccountIncomingId::kOpenOrderEnd, kOpenOrderEndVersion,
                           kOpenOrderEndName, server_version, out);
}

Status EncodeServerMessage(const CompletedOrdersEnd&, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kCompletedOrdersEndName);
  w.Int(Id(AccountIncomingId::kCompletedOrdersEnd));
  return w.Finish();
}

Status EncodeServerMessage(const SmartComponents& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kSmartComponentsName);
  w.Int(Id(AccountIncomingId::kSmartComponents))
      .Int(m.req_id)
      .Int(static_cast<int64_t>(m.components.size()));
  for (const SmartComponent& c : m.components) {
    w.Int(c.bit_number).String(c.exchange, "exchange").String(c.exchange_letter, "exchangeLetter");
  }
  return w.Finish();
}

Status EncodeServerMessage(const MarketRule& m, int server_version, std::string& out) {
  CheckServerMessageVersion(server_version);
  MessageWriter w(out, TextPolicy::kNoNul, kMarketRuleName);
  w.Int(Id(AccountIncomingId::kMarketRule))
      .Int(m.market_rule_id)
      .Int(static_cast<int64_t>(m.increments.size()));
  for (const PriceIncrement& p : m.increments) w.Double(p.low_edge).Double(p.increment);
  return w.Finish();
}

}  // namespace ibstream::protocol
