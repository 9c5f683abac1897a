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

// The truth file's name of a depth request's stream.
constexpr std::string_view kDepthStreamName = "MktDepth";

BookOperation BookOperationOf(protocol::DepthOperation op) {
  switch (op) {
    case protocol::DepthOperation::kInsert:
      return BookOperation::kInsert;
    case protocol::DepthOperation::kUpdate:
      return BookOperation::kUpdate;
    case protocol::DepthOperation::kDelete:
      return BookOperation::kDelete;
  }
  return BookOperation::kUpdate;
}

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
                        const MarketEvent* quote, TimePoint now) {
  if (s.subs.count(r.req_id) || s.depth_subs.count(r.req_id)) {
    const std::string text = "Error processing request.-'bQ' : cause - Duplicate ticker id";
    SendError(s, r.req_id, 322, text);
    RecordSubscription(SubscriptionEvent::kRefused, s, r.req_id, c.con_id(), c.symbol(), now,
                       "322 " + text);
    return;
  }
  if (Active() >= faults_.market_depth_limit) {
    counters_.Add(&SimulatorStats::market_depth_refusals);
    const std::string text = "Max number of market depth requests has been reached. (" +
                             std::to_string(faults_.market_depth_limit) + ")";
    SendError(s, r.req_id, 309, text);
    RecordSubscription(SubscriptionEvent::kRefused, s, r.req_id, c.con_id(), c.symbol(), now,
                       "309 " + text);
    return;
  }
  DepthSubscription sub;
  sub.req_id = r.req_id;
  sub.con_id = c.con_id();
  sub.rows = std::clamp(r.num_rows, 1, kMaxDepthRows);
  sub.smart = r.is_smart_depth;
  sub.symbol = c.symbol();
  sub.since_ns = ToUnixNanos(now);
  DepthSubscription& held = s.depth_subs[r.req_id] = std::move(sub);
  RecordSubscription(SubscriptionEvent::kStart, s, r.req_id, c.con_id(), c.symbol(), now, "");
  if (quote != nullptr) Update(s, held, c, *quote, now);
}

void DepthServer::RefuseEnded(ClientSession& s, const protocol::ReqMktDepth& r,
                              const SimContract& c, std::string_view text, TimePoint now) {
  SendError(s, r.req_id, kReplayEndedCode, text);
  RecordSubscription(SubscriptionEvent::kRefused, s, r.req_id, c.con_id(), c.symbol(), now,
                     std::to_string(kReplayEndedCode) + " replay ended");
}

void DepthServer::EndContract(const SimContract& c, TimePoint at, std::string_view text) {
  for (const ClientSessionPtr& s : sessions_.sessions()) {
    if (!s->open) continue;
    for (auto it = s->depth_subs.begin(); it != s->depth_subs.end();) {
      if (it->second.con_id != c.con_id()) {
        ++it;
        continue;
      }
      SendError(*s, it->first, kReplayEndedCode, text);
      RecordSubscription(SubscriptionEvent::kEnd, *s, it->first, c.con_id(), it->second.symbol, at,
                         "replay ended");
      it = s->depth_subs.erase(it);
    }
  }
}

void DepthServer::Cancel(ClientSession& s, const protocol::CancelMktDepth& r, TimePoint now) {
  auto it = s.depth_subs.find(r.req_id);
  if (it == s.depth_subs.end()) return;
  RecordSubscription(SubscriptionEvent::kEnd, s, r.req_id, it->second.con_id, it->second.symbol,
                     now, "cancel");
  s.depth_subs.erase(it);
}

void DepthServer::RecordEnds(const ClientSession& s, TimePoint now, std::string_view reason) {
  for (const auto& [id, sub] : s.depth_subs) {
    RecordSubscription(SubscriptionEvent::kEnd, s, id, sub.con_id, sub.symbol, now, reason);
  }
}

void DepthServer::RecordSubscription(SubscriptionEvent event, const ClientSession& s,
                                     int32_t req_id, int32_t con_id, std::string_view symbol,
                                     TimePoint now, std::string_view reason) {
  if (truth_ == nullptr) return;
  truth_->WriteSubscription(
      {event, s.client_id, req_id, con_id, symbol, kDepthStreamName, now, reason});
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

void DepthServer::OnQuote(const SimContract& c, const MarketEvent& quote, TimePoint at) {
  for (const ClientSessionPtr& s : sessions_.sessions()) {
    if (s->depth_subs.empty()) continue;
    for (auto& [id, sub] : s->depth_subs) {
      if (sub.con_id == c.con_id() && ToUnixNanos(at) >= sub.since_ns) {
        Update(*s, sub, c, quote, at);
      }
    }
  }
}

void DepthServer::Update(ClientSession& s, DepthSubscription& sub, const SimContract& c,
                         const MarketEvent& quote, TimePoint at) {
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
    if (truth_ == nullptr) continue;
    Tick& t = truth_scratch_;
    t.contract_id = sub.con_id;
    t.type = TickType::kDepth;
    t.exchange_time = at;
    t.receive_time = at;
    t.book_operation = BookOperationOf(u.operation);
    t.book_side = u.side == protocol::DepthSide::kBid ? BookSide::kBid : BookSide::kAsk;
    t.book_position = u.position;
    t.price = u.row.price;
    t.size = u.row.size;
    t.exchange = sub.smart ? MarketMakerOf(c) : std::string();
    truth_->WriteDepthUpdate(t, sub.symbol, s.client_id, sub.req_id);
  }
  sub.held = std::move(next);
}

}  // namespace ibstream::sim
