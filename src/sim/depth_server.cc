#include "sim/depth_server.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

namespace ibstream::sim {
namespace {

// The market maker named in smart depth rows: the exchange the contract trades on.
const std::string& MarketMakerOf(const SimContract& c) {
  const protocol::Contract& k = c.details.contract;
  if (!c.profile.trade_exchange.empty()) return c.profile.trade_exchange;
  return k.exchange == "SMART" && !k.primary_exchange.empty() ? k.primary_exchange : k.exchange;
}

DepthQuote QuoteOf(const MarketEvent& e) { return {e.bid, e.ask, e.bid_size, e.ask_size}; }

}  // namespace

int DepthServer::Active() const {
  int n = 0;
  for (const ClientSessionPtr& s : sessions_.sessions()) {
    if (s->open) n += static_cast<int>(s->depth_subs.size());
  }
  return n;
}

bool DepthServer::Watches(int32_t con_id) const {
  for (const ClientSessionPtr& s : sessions_.sessions()) {
    if (!s->open) continue;
    for (const auto& [id, sub] : s->depth_subs) {
      if (sub.con_id == con_id) return true;
    }
  }
  return false;
}

void DepthServer::Start(ClientSession& s, const protocol::ReqMktDepth& r, const SimContract& c,
                        const MarketEvent* quote) {
  if (s.subs.count(r.req_id) || s.depth_subs.count(r.req_id)) {
    SendError(s, r.req_id, 322, "Error processing request.-'bQ' : cause - Duplicate ticker id");
    return;
  }
  if (Active() >= faults_.market_depth_limit) {
    counters_.Add(&SimulatorStats::market_depth_refusals);
    SendError(s, r.req_id, 309,
              "Max number of market depth requests has been reached. (" +
                  std::to_string(faults_.market_depth_limit) + ")");
    return;
  }
  DepthSubscription sub;
  sub.req_id = r.req_id;
  sub.con_id = c.con_id();
  sub.rows = std::clamp(r.num_rows, 1, kMaxDepthRows);
  sub.smart = r.is_smart_depth;
  DepthSubscription& held = s.depth_subs[r.req_id] = std::move(sub);
  if (quote != nullptr) Update(s, held, c, *quote);
}

void DepthServer::Cancel(ClientSession& s, const protocol::CancelMktDepth& r) {
  s.depth_subs.erase(r.req_id);
}

void DepthServer::AnswerExchanges(ClientSession& s, const Catalog& catalog) {
  protocol::MktDepthExchanges answer;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& c : catalog.contracts()) {
    const protocol::Contract& k = c->details.contract;
    const bool smart = k.exchange == "SMART";
    const std::string& exchange =
        smart && !k.primary_exchange.empty() ? k.primary_exchange : k.exchange;
    if (!seen.emplace(exchange, k.sec_type).second) continue;
    protocol::DepthMktDataDescription d;
    d.exchange = exchange;
    d.sec_type = k.sec_type;
    d.listing_exch = k.primary_exchange;
    d.service_data_type = "Deep";
    d.agg_group = c->details.agg_group;
    answer.descriptions.push_back(std::move(d));
  }
  Send(s, answer);
}

void DepthServer::OnQuote(const SimContract& c, const MarketEvent& quote) {
  for (const ClientSessionPtr& s : sessions_.sessions()) {
    if (s->depth_subs.empty()) continue;
    for (auto& [id, sub] : s->depth_subs) {
      if (sub.con_id == c.con_id()) Update(*s, sub, c, quote);
    }
  }
}

void DepthServer::Update(ClientSession& s, DepthSubscription& sub, const SimContract& c,
                         const MarketEvent& quote) {
  if (!s.open || s.half_open || s.close_after_flush) return;
  // Depth is withheld exactly when the market's reqMktData would be.
  Subscription as_mkt_data;
  as_mkt_data.req_id = sub.req_id;
  as_mkt_data.con_id = sub.con_id;
  as_mkt_data.mkt_data = true;
  if (faults_.WithholdsLiveData(s.client_id, as_mkt_data, c)) return;

  DepthBook next = ModelDepthBook(c, generator_.seed(), QuoteOf(quote), sub.rows);
  scratch_.clear();
  DiffDepthBook(sub.held, next, scratch_);
  for (const DepthUpdate& u : scratch_) {
    if (sub.smart) {
      Send(s, protocol::MarketDepthL2{sub.req_id, u.position, MarketMakerOf(c), u.operation, u.side,
                                      u.row.price, u.row.size, true});
    } else {
      Send(s, protocol::MarketDepth{sub.req_id, u.position, u.operation, u.side, u.row.price,
                                    u.row.size});
    }
  }
  sub.held = std::move(next);
}

}  // namespace ibstream::sim
