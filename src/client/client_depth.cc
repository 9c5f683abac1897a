// reqMktDepth subscriptions: UPDATE_MKT_DEPTH and UPDATE_MKT_DEPTH_L2 as TickType::kDepth ticks.
#include "client/client_impl.h"

namespace ibstream::client {

void Client::Impl::SubscribeMarketDepth(int32_t id, protocol::Contract contract, int rows,
                                        bool smart, TickHandlers handlers) {
  const int64_t contract_id = contract.con_id;
  protocol::ReqMktDepth request;
  request.req_id = id;
  request.contract = std::move(contract);
  request.num_rows = rows;
  request.is_smart_depth = smart;
  if (!SendSubscription(id, request, handlers.error)) return;
  requests_.emplace(id,
                    PendingRequest{MarketDepthRequest{std::move(handlers), contract_id, smart}});
}

void Client::Impl::CancelMarketDepth(int32_t id) {
  bool smart = false;
  if (auto it = requests_.find(id); it != requests_.end()) {
    if (auto* r = std::get_if<MarketDepthRequest>(&it->second.value)) smart = r->smart;
  }
  EraseRequest(id);
  SendRequest(protocol::CancelMktDepth{id, smart});
}

void Client::Impl::DeliverDepth(MarketDepthRequest& r, int32_t position,
                                protocol::DepthOperation operation, protocol::DepthSide side,
                                double price, const Decimal& size, std::string_view market_maker) {
  if (!r.handlers.tick) return;
  Tick& t = tick_scratch_;
  const TimePoint now = clock_.Now();
  t.contract_id = r.contract_id;
  t.type = TickType::kDepth;
  t.source = TickSource::kLive;
  t.attributes = 0;
  t.exchange_time = now;
  t.receive_time = now;
  t.sequence = 0;
  t.price = price;
  t.size = size;
  t.bid_price = 0;
  t.ask_price = 0;
  t.bid_size = Decimal::Unset();
  t.ask_size = Decimal::Unset();
  t.volume = Decimal::Unset();
  t.book_position = position;
  t.book_operation = static_cast<BookOperation>(static_cast<uint8_t>(operation));
  t.book_side = side == protocol::DepthSide::kBid ? BookSide::kBid : BookSide::kAsk;
  t.exchange.assign(market_maker);
  t.special_conditions.clear();
  r.handlers.tick(t);
}

void Client::Impl::OnMarketDepth(const protocol::MarketDepth& m) {
  auto* r = Find<MarketDepthRequest>(m.req_id);
  if (r == nullptr) return;
  DeliverDepth(*r, m.position, m.operation, m.side, m.price, m.size, {});
}

void Client::Impl::OnMarketDepthL2(const protocol::MarketDepthL2& m) {
  auto* r = Find<MarketDepthRequest>(m.req_id);
  if (r == nullptr) return;
  DeliverDepth(*r, m.position, m.operation, m.side, m.price, m.size, m.market_maker);
}

}  // namespace ibstream::client
