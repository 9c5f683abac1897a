// Client::Impl, live subscriptions: tick-by-tick and reqMktData (subscribe, cancel), and delivery
// of their ticks as domain Ticks to the subscription's handlers.
#include <string>

#include "client/client_impl.h"
#include "client/tick_conversion.h"

namespace ibstream::client {

void Client::Impl::SubscribeTicks(int32_t id, protocol::Contract contract, TickType type,
                                  TickHandlers handlers, int32_t number_of_ticks,
                                  bool ignore_size) {
  TickByTickRequest subscription;
  subscription.handlers = std::move(handlers);
  subscription.contract_id = contract.con_id;
  subscription.type = type;
  StartTickByTick(id, std::move(contract), type, std::move(subscription), number_of_ticks,
                  ignore_size);
}

void Client::Impl::StartTickByTick(int32_t id, protocol::Contract contract, TickType type,
                                   TickByTickRequest subscription, int32_t number_of_ticks,
                                   bool ignore_size) {
  protocol::ReqTickByTickData request;
  request.req_id = id;
  request.contract = std::move(contract);
  request.tick_type = std::string(TickTypeIbName(type));
  request.number_of_ticks = number_of_ticks;
  request.ignore_size = ignore_size;
  if (!SendSubscription(id, request, subscription.handlers.error)) return;
  requests_.emplace(id, PendingRequest{std::move(subscription)});
}

void Client::Impl::CancelTickByTick(int32_t id) {
  EraseRequest(id);
  SendRequest(protocol::CancelTickByTickData{id});
}

void Client::Impl::OnTickByTickLast(const protocol::TickByTickLast& m) {
  TickByTickRequest* r = FindTickByTick(m.req_id);
  if (r == nullptr) return;
  if (!r->handlers.tick) return;
  ToTick(m, r->contract_id, clock_.Now(), tick_scratch_);
  tick_scratch_.type = r->type;  // Last and AllLast share the message
  r->handlers.tick(tick_scratch_);
}

void Client::Impl::OnTickByTickBidAsk(const protocol::TickByTickBidAsk& m) {
  TickByTickRequest* r = FindTickByTick(m.req_id);
  if (r == nullptr) return;
  if (!r->handlers.tick) return;
  ToTick(m, r->contract_id, clock_.Now(), tick_scratch_);
  r->handlers.tick(tick_scratch_);
}

void Client::Impl::OnTickByTickMidPoint(const protocol::TickByTickMidPoint& m) {
  TickByTickRequest* r = FindTickByTick(m.req_id);
  if (r == nullptr) return;
  if (!r->handlers.tick) return;
  ToTick(m, r->contract_id, clock_.Now(), tick_scratch_);
  r->handlers.tick(tick_scratch_);
}

void Client::Impl::SubscribeMarketData(int32_t id, protocol::Contract contract,
                                       TickHandlers handlers) {
  const int64_t contract_id = contract.con_id;
  protocol::ReqMktData request;
  request.req_id = id;
  request.contract = std::move(contract);
  if (!SendSubscription(id, request, handlers.error)) return;
  requests_.emplace(
      id, PendingRequest{MarketDataRequest{std::move(handlers), MarketDataTicks(contract_id)}});
}

void Client::Impl::CancelMarketData(int32_t id) {
  EraseRequest(id);
  SendRequest(protocol::CancelMktData{id});
}

void Client::Impl::DeliverMarketData(MarketDataRequest& r, bool emitted) {
  if (emitted && r.handlers.tick) r.handlers.tick(tick_scratch_);
}

void Client::Impl::OnTickPrice(const protocol::TickPrice& m) {
  auto* r = Find<MarketDataRequest>(m.req_id);
  if (r == nullptr) return;
  DeliverMarketData(*r, r->ticks.OnTickPrice(m, clock_.Now(), tick_scratch_));
}

void Client::Impl::OnTickSize(const protocol::TickSize& m) {
  auto* r = Find<MarketDataRequest>(m.req_id);
  if (r == nullptr) return;
  DeliverMarketData(*r, r->ticks.OnTickSize(m, clock_.Now(), tick_scratch_));
}

void Client::Impl::OnTickString(const protocol::TickString& m) {
  auto* r = Find<MarketDataRequest>(m.req_id);
  if (r == nullptr) return;
  const uint64_t bad_before = r->ticks.bad_timestamps();
  const bool emitted = r->ticks.OnTickString(m, clock_.Now(), tick_scratch_);
  stats_.bad_market_data += r->ticks.bad_timestamps() - bad_before;
  DeliverMarketData(*r, emitted);
}

}  // namespace ibstream::client
