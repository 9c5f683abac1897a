// Client::Impl, tick-by-tick subscriptions: subscribe, cancel, and delivery of live ticks to the
// subscription's handlers.
#include <string>

#include "client/client_impl.h"

namespace ibstream::client {

namespace {

constexpr int32_t kNotConnectedCode = 504;

}  // namespace

void Client::Impl::SubscribeTickByTick(int32_t id, protocol::Contract contract, TickType type,
                                       TickByTickHandlers handlers, int32_t number_of_ticks,
                                       bool ignore_size) {
  protocol::ReqTickByTickData request;
  request.req_id = id;
  request.contract = std::move(contract);
  request.tick_type = std::string(TickTypeIbName(type));
  request.number_of_ticks = number_of_ticks;
  request.ignore_size = ignore_size;
  if (state_ != State::kReady) {
    if (handlers.error) handlers.error(RequestError{id, kNotConnectedCode, "Not connected"});
    return;
  }
  std::string frame;
  Status status = protocol::EncodeRequest(request, session_.server_version, frame);
  if (!status.ok()) {
    if (handlers.error) handlers.error(RequestError{id, 0, status.ToString()});
    return;
  }
  Enqueue(std::move(frame), true);
  requests_.emplace(id, PendingRequest{TickByTickRequest{std::move(handlers)}});
}

void Client::Impl::CancelTickByTick(int32_t id) {
  EraseRequest(id);
  SendRequest(protocol::CancelTickByTickData{id});
}

void Client::Impl::OnTickByTickLast(const protocol::TickByTickLast& m) {
  TickByTickRequest* r = FindTickByTick(m.req_id);
  if (r != nullptr && r->handlers.last) r->handlers.last(m);
}

void Client::Impl::OnTickByTickBidAsk(const protocol::TickByTickBidAsk& m) {
  TickByTickRequest* r = FindTickByTick(m.req_id);
  if (r != nullptr && r->handlers.bid_ask) r->handlers.bid_ask(m);
}

void Client::Impl::OnTickByTickMidPoint(const protocol::TickByTickMidPoint& m) {
  TickByTickRequest* r = FindTickByTick(m.req_id);
  if (r != nullptr && r->handlers.mid_point) r->handlers.mid_point(m);
}

}  // namespace ibstream::client
