// Client::Impl, tick-by-tick subscriptions: subscribe (protocol-message handlers or domain Ticks),
// cancel, and delivery of live ticks to the subscription's handlers.
#include <string>

#include "client/client_impl.h"

namespace ibstream::client {

namespace {

constexpr int32_t kNotConnectedCode = 504;

}  // namespace

void Client::Impl::SubscribeTickByTick(int32_t id, protocol::Contract contract, TickType type,
                                       TickByTickHandlers handlers, int32_t number_of_ticks,
                                       bool ignore_size) {
  TickByTickRequest subscription;
  subscription.handlers = std::move(handlers);
  StartTickByTick(id, std::move(contract), type, std::move(subscription), number_of_ticks,
                  ignore_size);
}

void Client::Impl::SubscribeTicks(int32_t id, protocol::Contract contract, TickType type,
                                  TickHandlers handlers, int32_t number_of_ticks,
                                  bool ignore_size) {
  TickByTickRequest subscription;
  subscription.handlers.error = std::move(handlers.error);
  subscription.on_tick = std::move(handlers.tick);
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
  const auto& on_error = subscription.handlers.error;
  if (state_ != State::kReady) {
    if (on_error) on_error(RequestError{id, kNotConnectedCode, "Not connected"});
    return;
  }
  std::string frame;
  Status status = protocol::EncodeRequest(request, session_.server_version, frame);
  if (!status.ok()) {
    if (on_error) on_error(RequestError{id, 0, status.ToString()});
    return;
  }
  Enqueue(std::move(frame), true);
  requests_.emplace(id, PendingRequest{std::move(subscription)});
}

void Client::Impl::CancelTickByTick(int32_t id) {
  EraseRequest(id);
  SendRequest(protocol::CancelTickByTickData{id});
}

void Client::Impl::OnTickByTickLast(const protocol::TickByTickLast& m) {
  TickByTickRequest* r = FindTickByTick(m.req_id);
  if (r == nullptr) return;
  if (r->on_tick) {
    ToTick(m, r->contract_id, clock_.Now(), tick_scratch_);
    tick_scratch_.type = r->type;  // Last and AllLast share the message
    r->on_tick(tick_scratch_);
  } else if (r->handlers.last) {
    r->handlers.last(m);
  }
}

void Client::Impl::OnTickByTickBidAsk(const protocol::TickByTickBidAsk& m) {
  TickByTickRequest* r = FindTickByTick(m.req_id);
  if (r == nullptr) return;
  if (r->on_tick) {
    ToTick(m, r->contract_id, clock_.Now(), tick_scratch_);
    r->on_tick(tick_scratch_);
  } else if (r->handlers.bid_ask) {
    r->handlers.bid_ask(m);
  }
}

void Client::Impl::OnTickByTickMidPoint(const protocol::TickByTickMidPoint& m) {
  TickByTickRequest* r = FindTickByTick(m.req_id);
  if (r == nullptr) return;
  if (r->on_tick) {
    ToTick(m, r->contract_id, clock_.Now(), tick_scratch_);
    r->on_tick(tick_scratch_);
  } else if (r->handlers.mid_point) {
    r->handlers.mid_point(m);
  }
}

}  // namespace ibstream::client
