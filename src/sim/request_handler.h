// The answers to a started API session: the START_API greeting (accounts, order id, farm status)
// and the dispatch of every decoded request: contract details and matching symbols, current time
// and ids, reqMktData and tick-by-tick subscriptions, market depth (handed to the fan-out's
// DepthServer), the historical requests (handed to HistoricalAnswers) and the account, position,
// execution, order-list and rule requests (handed to AccountServer). A request the simulator does
// not serve gets 321 naming it, a malformed one 320 and the session is closed after its last
// message.
//
// Threading: owned by the loop thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "protocol/requests.h"
#include "sim/account_server.h"
#include "sim/catalog.h"
#include "sim/client_session.h"
#include "sim/client_sessions.h"
#include "sim/fault_state.h"
#include "sim/historical_answers.h"
#include "sim/market_fanout.h"
#include "sim/sim_counters.h"

namespace ibstream::sim {

class RequestHandler {
 public:
  struct Options {
    std::string accounts = "DU1234567";
    bool quiet = false;
  };

  // Everything referenced must outlive this; `catalog` is read at each request (it is filled at
  // Simulator::Start()).
  RequestHandler(Options options, const Clock& clock, const Catalog& catalog,
                 const ClientSessions& sessions, MarketFanout& markets,
                 HistoricalAnswers& historical, const FaultState& faults, SimCounters& counters);

  RequestHandler(const RequestHandler&) = delete;
  RequestHandler& operator=(const RequestHandler&) = delete;

  // A session has just started its API: MANAGED_ACCTS, NEXT_VALID_ID, the farms' status (2104 /
  // 2103, 2106 / 2105, 2158) and 1100 while connectivity is lost.
  void Greet(ClientSession& s);
  // One request frame of a started session.
  void Handle(ClientSession& s, std::string_view payload);

 private:
  void OnContractDetails(ClientSession& s, const protocol::ReqContractDetails& r);
  void OnMktData(ClientSession& s, const protocol::ReqMktData& r);
  void OnCancel(ClientSession& s, int32_t req_id, bool mkt_data);
  void OnTickByTick(ClientSession& s, const protocol::ReqTickByTickData& r);
  // The one contract `c` names; null after sending 200 when none or several match.
  const SimContract* Resolve(ClientSession& s, int32_t req_id, const protocol::Contract& c);
  // Tick-by-tick streams of all open sessions (the limit is account-wide).
  int ActiveTickByTick() const;
  // Market-data lines held by all open sessions: every reqMktData and tick-by-tick stream.
  int ActiveLines() const;
  // When every market-data line is held: answers 101 for `req_id`, counts it, records the
  // refusal in the truth and returns true.
  bool RefuseOverLines(ClientSession& s, int32_t req_id, int32_t con_id, std::string_view stream);

  Options options_;
  const Clock& clock_;
  const Catalog& catalog_;
  const ClientSessions& sessions_;
  MarketFanout& markets_;
  HistoricalAnswers& historical_;
  AccountServer account_;
  const FaultState& faults_;
  SimCounters& counters_;
  int64_t next_order_id_ = 1;
};

}  // namespace ibstream::sim
