#include "sim/account_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <set>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/server_messages.h"

namespace ibstream::sim {
namespace {

// One value of the account: ACCT_VALUE (key, value, currency) and ACCOUNT_SUMMARY (tag, ...).
struct AccountField {
  std::string key;
  std::string value;
  std::string currency;
};

std::string Money(double value) { return fmt::format("{:.2f}", value); }

// The values of an empty cash-only margin account worth `nlv` USD: no positions, so no margin
// and every fund equal to the net liquidation value; 4x buying power (Reg T intraday).
std::vector<AccountField> SummaryFields(double nlv) {
  const std::string all = Money(nlv);
  const std::string zero = Money(0);
  return {{"AccountType", "INDIVIDUAL", ""},
          {"NetLiquidation", all, "USD"},
          {"TotalCashValue", all, "USD"},
          {"SettledCash", all, "USD"},
          {"AccruedCash", zero, "USD"},
          {"BuyingPower", Money(4 * nlv), "USD"},
          {"EquityWithLoanValue", all, "USD"},
          {"PreviousDayEquityWithLoanValue", all, "USD"},
          {"GrossPositionValue", zero, "USD"},
          {"ReqTEquity", all, "USD"},
          {"ReqTMargin", zero, "USD"},
          {"SMA", all, "USD"},
          {"InitMarginReq", zero, "USD"},
          {"MaintMarginReq", zero, "USD"},
          {"AvailableFunds", all, "USD"},
          {"ExcessLiquidity", all, "USD"},
          {"Cushion", "1", ""},
          {"FullInitMarginReq", zero, "USD"},
          {"FullMaintMarginReq", zero, "USD"},
          {"FullAvailableFunds", all, "USD"},
          {"FullExcessLiquidity", all, "USD"},
          {"LookAheadNextChange", "0", ""},
          {"LookAheadInitMarginReq", zero, "USD"},
          {"LookAheadMaintMarginReq", zero, "USD"},
          {"LookAheadAvailableFunds", all, "USD"},
          {"LookAheadExcessLiquidity", all, "USD"},
          {"HighestSeverity", "0", ""},
          {"DayTradesRemaining", "-1", ""},
          {"Leverage", "0", ""}};
}

std::set<std::string, std::less<>> SplitTags(std::string_view tags) {
  std::set<std::string, std::less<>> out;
  while (!tags.empty()) {
    const size_t comma = tags.find(',');
    std::string_view tag = tags.substr(0, comma);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (!tag.empty()) out.emplace(tag);
    tags.remove_prefix(comma == std::string_view::npos ? tags.size() : comma + 1);
  }
  return out;
}

bool ListsRule(std::string_view rule_ids, int32_t rule) {
  const std::string wanted = std::to_string(rule);
  for (const std::string& id : SplitTags(rule_ids)) {
    if (id == wanted) return true;
  }
  return false;
}

}  // namespace

AccountServer::AccountServer(Options options, const Clock& clock, const Catalog& catalog,
                             SimCounters& counters)
    : options_(std::move(options)), clock_(clock), catalog_(catalog), counters_(counters) {
  const std::string_view accounts = options_.accounts;
  account_ = std::string(accounts.substr(0, accounts.find(',')));
}

bool AccountServer::Handle(ClientSession& s, std::string_view payload) {
  auto decoded = protocol::DecodeAccountRequest(payload, s.server_version, &s.counters);
  if (!decoded.ok()) {
    counters_.Add(&SimulatorStats::malformed_requests);
    SendError(s, -1, 320, "Error reading request: " + decoded.status().message());
    s.close_after_flush = true;
    if (!options_.quiet) {
      spdlog::warn("sim: client {}: malformed request: {}", s.client_id,
                   decoded.status().ToString());
    }
    return true;
  }
  if (!decoded->has_value()) return false;
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        namespace p = protocol;
        if constexpr (std::is_same_v<T, p::ReqAccountUpdates>) {
          OnAccountUpdates(s, r);
        } else if constexpr (std::is_same_v<T, p::ReqAccountSummary>) {
          OnAccountSummary(s, r);
        } else if constexpr (std::is_same_v<T, p::ReqPositions>) {
          Send(s, p::PositionEnd{});
        } else if constexpr (std::is_same_v<T, p::ReqExecutions>) {
          Send(s, p::ExecutionDataEnd{r.req_id});
        } else if constexpr (std::is_same_v<T, p::ReqOpenOrders> ||
                             std::is_same_v<T, p::ReqAllOpenOrders>) {
          Send(s, p::OpenOrderEnd{});
        } else if constexpr (std::is_same_v<T, p::ReqCompletedOrders>) {
          Send(s, p::CompletedOrdersEnd{});
        } else if constexpr (std::is_same_v<T, p::ReqManagedAccts>) {
          Send(s, p::ManagedAccounts{options_.accounts});
        } else if constexpr (std::is_same_v<T, p::ReqSmartComponents>) {
          p::SmartComponents m;
          m.req_id = r.req_id;
          m.components = {{1, "NYSE", "N"},
                          {2, "ARCA", "P"},
                          {3, "ISLAND", "Q"},
                          {4, "BATS", "Z"},
                          {5, "IEX", "V"}};
          Send(s, m);
        } else if constexpr (std::is_same_v<T, p::ReqMarketRule>) {
          OnMarketRule(s, r);
        } else if constexpr (std::is_same_v<T, p::ReqAutoOpenOrders>) {
          OnAutoOpenOrders(s, r);
        } else if constexpr (std::is_same_v<T, p::PlaceOrder>) {
          counters_.Add(&SimulatorStats::unsupported_requests);
          SendError(s, r.order_id, 201,
                    "Order rejected - reason:the simulated gateway accepts no orders (it serves "
                    "market data and an empty paper account)");
        } else if constexpr (std::is_same_v<T, p::CancelOrder>) {
          SendError(s, r.order_id, 10147,
                    fmt::format("OrderId {} that needs to be cancelled is not found.", r.order_id));
        } else if constexpr (std::is_same_v<T, p::ReqGlobalCancel>) {
          Unsupported(s, -1, p::AccountRequestName(**decoded),
                      "the simulated gateway holds no orders to cancel");
        } else {
          static_assert(std::is_same_v<T, p::CancelAccountSummary> ||
                        std::is_same_v<T, p::CancelPositions>);
          // Nothing to stop: the answers were complete. IB does not acknowledge a cancel.
        }
      },
      **decoded);
  return true;
}

void AccountServer::OnAccountUpdates(ClientSession& s, const protocol::ReqAccountUpdates& r) {
  if (!r.subscribe) return;  // IB does not acknowledge an unsubscribe
  if (!r.account_code.empty() && r.account_code != account_) {
    Unsupported(s, -1, "REQ_ACCT_DATA (6)", "unknown account code '" + r.account_code + "'");
    return;
  }
  Send(s, protocol::AccountValue{"AccountCode", account_, "", account_});
  Send(s, protocol::AccountValue{"AccountReady", "true", "", account_});
  for (const AccountField& f : SummaryFields(options_.net_liquidation)) {
    Send(s, protocol::AccountValue{f.key, f.value, f.currency, account_});
  }
  const std::string cash = Money(options_.net_liquidation);
  Send(s, protocol::AccountValue{"CashBalance", cash, "USD", account_});
  Send(s, protocol::AccountValue{"CashBalance", cash, "BASE", account_});
  Send(s, protocol::AccountValue{"Currency", "USD", "USD", account_});
  Send(s, protocol::AccountValue{"RealizedPnL", Money(0), "USD", account_});
  Send(s, protocol::AccountValue{"UnrealizedPnL", Money(0), "USD", account_});
  const int64_t seconds_of_day = ((ToUnixSeconds(clock_.Now()) % 86400) + 86400) % 86400;
  const std::string time =
      fmt::format("{:02d}:{:02d}", seconds_of_day / 3600, (seconds_of_day / 60) % 60);
  Send(s, protocol::AccountUpdateTime{time});
  Send(s, protocol::AccountDownloadEnd{account_});
}

void AccountServer::OnAccountSummary(ClientSession& s, const protocol::ReqAccountSummary& r) {
  const auto tags = SplitTags(r.tags);
  // Tags the account does not have ($LEDGER, unknown names) are left out, as by IB.
  for (const AccountField& f : SummaryFields(options_.net_liquidation)) {
    if (tags.count(f.key) == 0) continue;
    Send(s, protocol::AccountSummary{r.req_id, account_, f.key, f.value, f.currency});
  }
  Send(s, protocol::AccountSummaryEnd{r.req_id});
}

void AccountServer::OnMarketRule(ClientSession& s, const protocol::ReqMarketRule& r) {
  for (const auto& c : catalog_.contracts()) {
    if (!ListsRule(c->details.market_rule_ids, r.market_rule_id)) continue;
    protocol::MarketRule m;
    m.market_rule_id = r.market_rule_id;
    m.increments = {{0, c->details.min_tick}};
    Send(s, m);
    return;
  }
  Unsupported(s, -1, "REQ_MARKET_RULE (91)",
              fmt::format("no contract of the simulator uses market rule {}", r.market_rule_id));
}

void AccountServer::OnAutoOpenOrders(ClientSession& s, const protocol::ReqAutoOpenOrders& r) {
  // Binding TWS orders is a setting of client 0; there are no orders to bind, nothing to say.
  if (s.client_id == 0) return;
  Unsupported(
      s, -1, protocol::AccountRequestName(r),
      fmt::format("only client id 0 can bind TWS orders, this is client id {}", s.client_id));
}

void AccountServer::Unsupported(ClientSession& s, int32_t id, std::string_view request,
                                std::string_view why) {
  counters_.Add(&SimulatorStats::unsupported_requests);
  SendError(s, id, 321, fmt::format("Error validating request.-'{}' : cause - {}", request, why));
}

}  // namespace ibstream::sim
