// The account side of the simulated gateway: what a paper IB Gateway answers to the account,
// position, execution, order-list and rule requests (protocol/requests_account.h) of an empty
// paper account, so that clients such as ib_async / ib_insync, which send those while
// connecting, connect at once:
//
//   reqAccountUpdates(true)   ACCT_VALUE x n, ACCT_UPDATE_TIME, ACCT_DOWNLOAD_END
//   reqAccountSummary         ACCOUNT_SUMMARY per known tag, ACCOUNT_SUMMARY_END
//   reqPositions              POSITION_END             (no positions)
//   reqExecutions             EXECUTION_DATA_END       (no executions)
//   reqOpenOrders / All       OPEN_ORDER_END           (no orders)
//   reqCompletedOrders        COMPLETED_ORDERS_END
//   reqManagedAccts           MANAGED_ACCTS
//   reqSmartComponents        SMART_COMPONENTS (the exchanges behind the simulator's BBO code)
//   reqMarketRule             MARKET_RULE from the catalog's minimum ticks
//   placeOrder                error 201 to the order id: the simulator accepts no orders
//   cancelOrder               error 10147: no such order
// reqAccountUpdates(false), cancelAccountSummary, cancelPositions and reqAutoOpenOrders of
// client 0 get no answer, as from IB. A request the simulator does not serve (reqGlobalCancel,
// reqAutoOpenOrders of another client, an unknown account or market rule) gets 321 naming it,
// counted as unsupported; a malformed one 320 and the session closes, as for other requests.
//
// Threading: owned by the loop thread (RequestHandler's).
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "protocol/requests_account.h"
#include "sim/catalog.h"
#include "sim/client_session.h"
#include "sim/sim_counters.h"

namespace ibstream::sim {

// The code TICK_REQ_PARAMS gives as bboExchange, which reqSmartComponents resolves.
inline constexpr std::string_view kSimBboExchange = "9c0001";

class AccountServer {
 public:
  struct Options {
    // MANAGED_ACCTS' list ("DU1234567" or "DU1234567,DU7654321"); the first is the account
    // whose values are served.
    std::string accounts = "DU1234567";
    double net_liquidation = 1000000.0;  // USD
    bool quiet = false;
  };

  // `catalog` and `counters` must outlive this; `clock` gives ACCT_UPDATE_TIME.
  AccountServer(Options options, const Clock& clock, const Catalog& catalog, SimCounters& counters);

  AccountServer(const AccountServer&) = delete;
  AccountServer& operator=(const AccountServer&) = delete;

  // Answers `payload` (one request frame of a started session) when it is one of
  // requests_account.h's and returns true; false for any other message id (the caller answers).
  bool Handle(ClientSession& s, std::string_view payload);

  // The account whose values are served.
  const std::string& account() const { return account_; }

 private:
  void OnAccountUpdates(ClientSession& s, const protocol::ReqAccountUpdates& r);
  void OnAccountSummary(ClientSession& s, const protocol::ReqAccountSummary& r);
  void OnMarketRule(ClientSession& s, const protocol::ReqMarketRule& r);
  void OnAutoOpenOrders(ClientSession& s, const protocol::ReqAutoOpenOrders& r);
  // 321 naming the request and why, counted as unsupported.
  void Unsupported(ClientSession& s, int32_t id, std::string_view request, std::string_view why);

  Options options_;
  const Clock& clock_;
  const Catalog& catalog_;
  SimCounters& counters_;
  std::string account_;
};

}  // namespace ibstream::sim
