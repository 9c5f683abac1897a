// client::Client's public methods (each posts its work to the strand, see client_impl.h) and the
// IB error Status helpers.
#include "client/client.h"

#include <string>

#include "client/client_impl.h"

namespace ibstream::client {

Status StatusFromRequestError(const RequestError& error) {
  std::string message = "IB error " + std::to_string(error.code) + " (request " +
                        std::to_string(error.req_id) + "): " + error.text;
  if (error.code == 200) return NotFound(std::move(message)).WithDetailCode(error.code);
  return Unavailable(std::move(message)).WithDetailCode(error.code);
}

std::optional<int32_t> IbErrorCode(const Status& status) { return status.detail_code(); }

Client::Client(EventLoop& loop, const Clock& clock, ClientOptions options,
               ClientCallbacks callbacks)
    : next_request_id_(options.first_request_id),
      impl_(std::make_shared<Impl>(loop, clock, std::move(options), std::move(callbacks))) {}

Client::~Client() { impl_->Shutdown(); }

void Client::Connect(std::function<void(const ConnectResult&)> done) {
  impl_->Post([done = std::move(done)](Impl& impl) mutable {
    impl.RetireDecoder();
    impl.Connect(std::move(done));
  });
}

void Client::Disconnect() {
  if (impl_->OnStrand()) impl_->stop_dispatch_ = true;
  impl_->Post([](Impl& impl) { impl.Disconnect(); });
}

int32_t Client::NextRequestId() { return next_request_id_.fetch_add(1); }

int32_t Client::RequestContractDetails(
    const protocol::Contract& contract,
    std::function<void(Result<std::vector<protocol::ContractDetails>>)> done) {
  int32_t id = NextRequestId();
  impl_->Post([id, contract, done = std::move(done)](Impl& impl) mutable {
    impl.RequestContractDetails(id, std::move(contract), std::move(done));
  });
  return id;
}

int32_t Client::SubscribeTicks(const protocol::Contract& contract, TickType type,
                               TickHandlers handlers, int32_t number_of_ticks, bool ignore_size) {
  int32_t id = NextRequestId();
  impl_->Post([id, contract, type, handlers = std::move(handlers), number_of_ticks,
               ignore_size](Impl& impl) mutable {
    impl.SubscribeTicks(id, std::move(contract), type, std::move(handlers), number_of_ticks,
                        ignore_size);
  });
  return id;
}

void Client::CancelTickByTick(int32_t req_id) {
  impl_->Post([req_id](Impl& impl) { impl.CancelTickByTick(req_id); });
}

int32_t Client::SubscribeMarketData(const protocol::Contract& contract, TickHandlers handlers) {
  int32_t id = NextRequestId();
  impl_->Post([id, contract, handlers = std::move(handlers)](Impl& impl) mutable {
    impl.SubscribeMarketData(id, std::move(contract), std::move(handlers));
  });
  return id;
}

void Client::CancelMarketData(int32_t req_id) {
  impl_->Post([req_id](Impl& impl) { impl.CancelMarketData(req_id); });
}

int32_t Client::SubscribeMarketDepth(const protocol::Contract& contract, int rows, bool smart,
                                     TickHandlers handlers) {
  int32_t id = NextRequestId();
  impl_->Post([id, contract, rows, smart, handlers = std::move(handlers)](Impl& impl) mutable {
    impl.SubscribeMarketDepth(id, std::move(contract), rows, smart, std::move(handlers));
  });
  return id;
}

void Client::CancelMarketDepth(int32_t req_id) {
  impl_->Post([req_id](Impl& impl) { impl.CancelMarketDepth(req_id); });
}

int32_t Client::RequestHistoricalTicks(const HistoricalTicksQuery& query,
                                       std::function<void(Result<std::vector<Tick>>)> done) {
  int32_t id = NextRequestId();
  impl_->Post([id, query, done = std::move(done)](Impl& impl) mutable {
    impl.RequestHistoricalTicks(id, std::move(query), std::move(done));
  });
  return id;
}

int32_t Client::RequestHeadTimestamp(const protocol::Contract& contract, std::string what_to_show,
                                     bool use_rth, std::function<void(Result<TimePoint>)> done) {
  int32_t id = NextRequestId();
  impl_->Post([id, contract, what_to_show = std::move(what_to_show), use_rth,
               done = std::move(done)](Impl& impl) mutable {
    impl.RequestHeadTimestamp(id, std::move(contract), std::move(what_to_show), use_rth,
                              std::move(done));
  });
  return id;
}

int32_t Client::RequestMatchingSymbols(
    std::string pattern,
    std::function<void(Result<std::vector<protocol::ContractDescription>>)> done) {
  int32_t id = NextRequestId();
  impl_->Post([id, pattern = std::move(pattern), done = std::move(done)](Impl& impl) mutable {
    impl.RequestMatchingSymbols(id, std::move(pattern), std::move(done));
  });
  return id;
}

void Client::RequestCurrentTime(std::function<void(Result<TimePoint>)> done) {
  impl_->Post(
      [done = std::move(done)](Impl& impl) mutable { impl.RequestCurrentTime(std::move(done)); });
}

void Client::SetMarketDataType(int32_t market_data_type) {
  impl_->Post([market_data_type](Impl& impl) { impl.SetMarketDataType(market_data_type); });
}

ClientStats Client::stats() const { return impl_->stats(); }

}  // namespace ibstream::client
