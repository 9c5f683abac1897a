// Market depth as the simulator serves it: reqMktDepth, cancelMktDepth and
// reqMktDepthExchanges.
//
// A depth request gets the modelled book of its market (depth_book.h) as inserts, at most
// kMaxDepthRows rows per side (numRows below 1 is served as 1), then the operations that move the
// client's book to the new one at each reqMktData grid instant (kMktDataGridNs) from its request
// on at which the market's quote changed. Plain depth is sent as
// UPDATE_MKT_DEPTH; smart depth as UPDATE_MKT_DEPTH_L2 with isSmartDepth=1 and the contract's
// exchange as the market maker of every row. At most FaultState::market_depth_limit depth requests
// (SimulatorOptions::market_depth_limit, default 3) are open at a time across the simulated
// account; one more is refused with 309 as IB does (counted:
// SimulatorStats::market_depth_refusals). A request id already in use by the session is refused
// with 322. Depth follows reqMktData's faults: while the market's data is withheld nothing is sent,
// and the next quote after it brings the client's book up to date in one diff.
//
// With a truth writer every depth update sent is written to the truth file as a Depth record
// naming the subscription (client and request id), and every depth request as subscription
// records of stream "MktDepth": "start" when served, "refused" (309, 322) when not, "end" on
// cancelMktDepth ("cancel") or when the session closes (RecordEnds).
//
// Threading: owned by the loop thread (a member of MarketFanout).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/requests.h"
#include "sim/catalog.h"
#include "sim/client_session.h"
#include "sim/client_sessions.h"
#include "sim/fault_state.h"
#include "sim/sim_counters.h"
#include "sim/tick_generator.h"
#include "sim/truth_writer.h"

namespace ibstream::sim {

class DepthServer {
 public:
  // Everything referenced must outlive this.
  DepthServer(const TickGenerator& generator, const FaultState& faults,
              const ClientSessions& sessions, SimCounters& counters)
      : generator_(generator), faults_(faults), sessions_(sessions), counters_(counters) {}

  DepthServer(const DepthServer&) = delete;
  DepthServer& operator=(const DepthServer&) = delete;

  // Where depth updates and depth subscriptions are recorded (not owned; null: nowhere).
  void set_truth(TruthWriter* truth) { truth_ = truth; }

  // reqMktDepth for the resolved contract `c` at `now`; `quote` is the market's current quote
  // (null when it has none yet: the book then starts with the first quote).
  void Start(ClientSession& s, const protocol::ReqMktDepth& r, const SimContract& c,
             const MarketEvent* quote, TimePoint now);
  // reqMktDepth of `c` after its replayed recording ended: kReplayEndedCode (`text`) at once,
  // recorded as refused.
  void RefuseEnded(ClientSession& s, const protocol::ReqMktDepth& r, const SimContract& c,
                   std::string_view text, TimePoint now);
  // `c`'s replayed recording ended at `at`: every depth subscription on it gets
  // kReplayEndedCode (`text`) and ends.
  void EndContract(const SimContract& c, TimePoint at, std::string_view text);
  // cancelMktDepth: the subscription ends; an unknown id is ignored.
  void Cancel(ClientSession& s, const protocol::CancelMktDepth& r, TimePoint now);
  // Records the end of every depth subscription of `s` for `reason` (the session is closing).
  void RecordEnds(const ClientSession& s, TimePoint now, std::string_view reason);
  // reqMktDepthExchanges: one row per (exchange, secType) of the catalog, SMART contracts listed
  // by their primary exchange.
  void AnswerExchanges(ClientSession& s, const Catalog& catalog);

  // `c`'s market published a changed quote at `at`: every depth subscription on it requested at
  // or before `at` gets its diff (a poll may publish a grid instant from before a request read
  // since the previous poll).
  void OnQuote(const SimContract& c, const MarketEvent& quote, TimePoint at);

  // Open depth requests across the account's open sessions.
  int Active() const;
  // Whether an open session has a depth request on `con_id` (its market must be generated).
  bool Watches(int32_t con_id) const;

 private:
  // Sends the operations that turn `sub.held` into the book around `quote`.
  void Update(ClientSession& s, DepthSubscription& sub, const SimContract& c,
              const MarketEvent& quote, TimePoint at);
  void RecordSubscription(SubscriptionEvent event, const ClientSession& s, int32_t req_id,
                          int32_t con_id, std::string_view symbol, TimePoint now,
                          std::string_view reason);

  const TickGenerator& generator_;
  const FaultState& faults_;
  const ClientSessions& sessions_;
  SimCounters& counters_;
  TruthWriter* truth_ = nullptr;
  std::vector<DepthUpdate> scratch_;
  Tick truth_scratch_;
};

}  // namespace ibstream::sim
