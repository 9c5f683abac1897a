// Internal to the client library: the implementation behind client::Client, shared by the
// client_*.cc files (one job each, see README.md). Includes Asio; never include it from a public
// header. The class is internal, so its methods are public where another file calls them.
//
// Everything runs on the strand unless a comment says otherwise.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <variant>
#include <vector>

#include "client/asio.h"
#include "client/client.h"
#include "client/event_loop.h"
#include "client/market_data_ticks.h"
#include "client/token_bucket.h"
#include "protocol/framing.h"
#include "protocol/requests.h"

namespace ibstream::client {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace detail {

inline Status NotConnected() { return Unavailable("not connected to TWS/Gateway"); }

// IB's client-side code for a request made while not connected.
inline constexpr int32_t kNotConnectedCode = 504;

// A span of the client's clock as a real timer duration (never negative).
inline asio::steady_timer::duration RealDuration(const Clock& clock, Duration span) {
  Duration real = clock.ToRealDuration(span);
  if (real < Duration::zero()) real = Duration::zero();
  return std::chrono::duration_cast<asio::steady_timer::duration>(real);
}

}  // namespace detail

class Client::Impl : public std::enable_shared_from_this<Client::Impl>,
                     public protocol::ServerMessageHandler {
 public:
  Impl(EventLoop& loop, const Clock& clock, ClientOptions options, ClientCallbacks callbacks)
      : strand_(asio::make_strand(loop.context())),
        clock_(clock),
        options_(std::move(options)),
        callbacks_(std::move(callbacks)),
        socket_(strand_),
        resolver_(strand_),
        connect_timer_(strand_),
        pace_timer_(strand_),
        probe_timer_(strand_),
        probe_deadline_timer_(strand_),
        bucket_(options_.pace_rate, options_.pace_burst, clock.Now()) {}

  // Any thread.
  template <typename Fn>
  void Post(Fn fn) {
    asio::post(strand_, [self = shared_from_this(), fn = std::move(fn)]() mutable { fn(*self); });
  }
  bool OnStrand() const { return strand_.running_in_this_thread(); }

 private:
  enum class State { kIdle, kConnecting, kHandshaking, kReady, kClosed };

  struct ContractDetailsRequest {
    std::vector<protocol::ContractDetails> details;
    std::function<void(Result<std::vector<protocol::ContractDetails>>)> done;
  };
  struct TickByTickRequest {
    // Each message is converted into tick_scratch_ with this contract id (and, for trades, this
    // type) and handed to handlers.tick.
    TickHandlers handlers;
    int64_t contract_id = 0;
    TickType type = TickType::kBidAsk;
  };
  struct MarketDataRequest {
    // TICK_PRICE / TICK_SIZE / TICK_STRING are folded by `ticks` into tick_scratch_ and handed to
    // handlers.tick.
    TickHandlers handlers;
    MarketDataTicks ticks;
  };
  struct MarketDepthRequest {
    // UPDATE_MKT_DEPTH / UPDATE_MKT_DEPTH_L2 become TickType::kDepth ticks (tick_scratch_).
    TickHandlers handlers;
    int64_t contract_id = 0;
    bool smart = false;
  };
  struct HistoricalRequest {
    int64_t contract_id = 0;
    TickType type = TickType::kBidAsk;
    std::vector<Tick> ticks;
    std::function<void(Result<std::vector<Tick>>)> done;
  };
  struct HeadTimestampRequest {
    std::function<void(Result<TimePoint>)> done;
  };
  struct MatchingSymbolsRequest {
    std::function<void(Result<std::vector<protocol::ContractDescription>>)> done;
  };
  struct PendingRequest {
    std::variant<ContractDetailsRequest, TickByTickRequest, MarketDataRequest, HistoricalRequest,
                 HeadTimestampRequest, MatchingSymbolsRequest, MarketDepthRequest>
        value;

    // Ends a one-shot request (contract details, historical data, ...) with `status` through
    // its `done`; a live subscription has none and is left alone.
    void FailOneShot(const Status& status) {
      std::visit(
          [&status](auto& r) {
            using T = std::decay_t<decltype(r)>;
            if constexpr (!std::is_same_v<T, TickByTickRequest> &&
                          !std::is_same_v<T, MarketDataRequest> &&
                          !std::is_same_v<T, MarketDepthRequest>) {
              if (r.done) r.done(status);
            }
          },
          value);
    }
  };
  struct TimeWaiter {
    bool probe = false;
    std::function<void(Result<TimePoint>)> done;
    TimePoint sent;  // when the request was queued (ServerTimeSample)
  };
  struct Outgoing {
    std::string bytes;
    bool paced = true;
  };

 public:
  // Connection lifecycle (client_connection.cc). Shutdown() is called by ~Client: on the strand
  // or with the loop stopped.
  void Shutdown();
  void Connect(std::function<void(const ConnectResult&)> done);
  void Disconnect();
  void TryPort(size_t index);
  void OnTcpConnected(uint16_t port);
  void OnAck(std::string_view payload);
  void OnNextValidId(const protocol::NextValidId& m) override;
  void OnManagedAccounts(const protocol::ManagedAccounts& m) override;
  void MaybeReady();
  void FailConnect(DisconnectReason reason, Status status);
  // Closes a ready connection and reports it once.
  void Close(DisconnectReason reason, Status detail);
  void ShutdownConnection();
  void ConnectionFailed(DisconnectReason reason, Status detail);
  // Folds the current decoder's counters into the running totals before it is replaced.
  void RetireDecoder();

  // Requests (client_requests.cc): contract details, matching symbols, head timestamp,
  // historical ticks, and their replies.
  void RequestContractDetails(
      int32_t id, protocol::Contract contract,
      std::function<void(Result<std::vector<protocol::ContractDetails>>)> done);
  void OnContractDetails(const protocol::ContractDetails& m) override;
  void OnContractDataEnd(const protocol::ContractDataEnd& m) override;
  void RequestMatchingSymbols(
      int32_t id, std::string pattern,
      std::function<void(Result<std::vector<protocol::ContractDescription>>)> done);
  void OnSymbolSamples(const protocol::SymbolSamples& m) override;
  void RequestHeadTimestamp(int32_t id, protocol::Contract contract, std::string what_to_show,
                            bool use_rth, std::function<void(Result<TimePoint>)> done);
  void OnHeadTimestamp(const protocol::HeadTimestamp& m) override;
  void RequestHistoricalTicks(int32_t id, HistoricalTicksQuery query,
                              std::function<void(Result<std::vector<Tick>>)> done);
  void OnHistoricalTicks(const protocol::HistoricalTicks& m) override;
  void OnHistoricalTicksBidAsk(const protocol::HistoricalTicksBidAsk& m) override;
  void OnHistoricalTicksLast(const protocol::HistoricalTicksLast& m) override;
  Tick BackfillTick(const HistoricalRequest& r, int64_t time, TimePoint now);
  void FinishHistorical(int32_t id);

  // Tick-by-tick subscriptions (client_market_data.cc).
  void SubscribeTicks(int32_t id, protocol::Contract contract, TickType type, TickHandlers handlers,
                      int32_t number_of_ticks, bool ignore_size);
  // Sends reqTickByTickData and registers `subscription` (or reports 504 / the encoding error
  // to its error handler).
  void StartTickByTick(int32_t id, protocol::Contract contract, TickType type,
                       TickByTickRequest subscription, int32_t number_of_ticks, bool ignore_size);
  void CancelTickByTick(int32_t id);
  void OnTickByTickLast(const protocol::TickByTickLast& m) override;
  void OnTickByTickBidAsk(const protocol::TickByTickBidAsk& m) override;
  void OnTickByTickMidPoint(const protocol::TickByTickMidPoint& m) override;
  // reqMktData subscriptions (client_market_data.cc).
  void SubscribeMarketData(int32_t id, protocol::Contract contract, TickHandlers handlers);
  void CancelMarketData(int32_t id);
  void OnTickPrice(const protocol::TickPrice& m) override;
  void OnTickSize(const protocol::TickSize& m) override;
  void OnTickString(const protocol::TickString& m) override;
  // Hands tick_scratch_ to the subscription's handler when `emitted`.
  void DeliverMarketData(MarketDataRequest& r, bool emitted);
  // reqMktDepth subscriptions (client_depth.cc).
  void SubscribeMarketDepth(int32_t id, protocol::Contract contract, int rows, bool smart,
                            TickHandlers handlers);
  void CancelMarketDepth(int32_t id);
  void OnMarketDepth(const protocol::MarketDepth& m) override;
  void OnMarketDepthL2(const protocol::MarketDepthL2& m) override;
  void DeliverDepth(MarketDepthRequest& r, int32_t position, protocol::DepthOperation operation,
                    protocol::DepthSide side, double price, const Decimal& size,
                    std::string_view market_maker);

  // Error routing, current time, market data type (client_routing.cc).
  void OnError(const protocol::ErrorMessage& m) override;
  void RequestCurrentTime(std::function<void(Result<TimePoint>)> done);
  void OnCurrentTime(const protocol::CurrentTime& m) override;
  void SetMarketDataType(int32_t type);

  // Reading, paced writing, liveness probe, statistics (client_transport.cc).
  void StartRead();
  void OnRead(const boost::system::error_code& ec, size_t n);
  void ProtocolFailure(const Status& error);
  // Writing, paced.
  void Enqueue(std::string bytes, bool paced);
  void PumpWrites();
  // Liveness probe.
  void ScheduleProbe();
  void SendProbe();
  void PublishStats();
  ClientStats stats() const;

  std::atomic<bool> stop_dispatch_{false};

 private:
  // Encodes and queues a request when ready; false (nothing sent) otherwise.
  template <typename Request>
  bool SendRequest(const Request& request) {
    if (state_ != State::kReady) return false;
    std::string frame;
    Status status = protocol::EncodeRequest(request, session_.server_version, frame);
    if (!status.ok()) return false;
    Enqueue(std::move(frame), /*paced=*/true);
    return true;
  }

  // The start of every live subscription: when not ready, 504 "Not connected" to `on_error`
  // (may be empty) and false; when the request does not encode, that error to `on_error` and
  // false; otherwise the request is queued (paced) and true, and the caller registers it.
  template <typename Request>
  bool SendSubscription(int32_t id, const Request& request,
                        const std::function<void(const RequestError&)>& on_error) {
    if (state_ != State::kReady) {
      if (on_error) on_error(RequestError{id, detail::kNotConnectedCode, "Not connected"});
      return false;
    }
    std::string frame;
    Status status = protocol::EncodeRequest(request, session_.server_version, frame);
    if (!status.ok()) {
      if (on_error) on_error(RequestError{id, 0, status.ToString()});
      return false;
    }
    Enqueue(std::move(frame), /*paced=*/true);
    return true;
  }

  template <typename Callback>
  bool Ready(Callback& done) {
    if (state_ == State::kReady) return true;
    if (done) done(detail::NotConnected());
    return false;
  }

  template <typename Request, typename Callback>
  bool EncodeOrFail(const Request& request, Callback& done) {
    std::string frame;
    Status status = protocol::EncodeRequest(request, session_.server_version, frame);
    if (!status.ok()) {
      if (done) done(status);
      return false;
    }
    Enqueue(std::move(frame), true);
    return true;
  }

  template <typename T>
  T* Find(int32_t id) {
    auto it = requests_.find(id);
    if (it == requests_.end()) {
      ++stats_.unroutable_messages;
      return nullptr;
    }
    T* r = std::get_if<T>(&it->second.value);
    if (r == nullptr) ++stats_.unroutable_messages;
    return r;
  }

  // The hot path: one hash lookup per tick at most, none while the id repeats. unordered_map
  // nodes are stable, so the cached pointer stays valid until that id is erased.
  TickByTickRequest* FindTickByTick(int32_t id) {
    if (id == cached_tick_id_ && cached_tick_request_ != nullptr) return cached_tick_request_;
    TickByTickRequest* r = Find<TickByTickRequest>(id);
    if (r != nullptr) {
      cached_tick_id_ = id;
      cached_tick_request_ = r;
    }
    return r;
  }

  void EraseRequest(int32_t id) {
    if (id == cached_tick_id_) cached_tick_request_ = nullptr;
    requests_.erase(id);
  }

  asio::strand<asio::io_context::executor_type> strand_;
  const Clock& clock_;
  ClientOptions options_;
  ClientCallbacks callbacks_;
  tcp::socket socket_;
  tcp::resolver resolver_;
  asio::steady_timer connect_timer_;
  asio::steady_timer pace_timer_;
  asio::steady_timer probe_timer_;
  asio::steady_timer probe_deadline_timer_;
  TokenBucket bucket_;

  State state_ = State::kIdle;
  bool shut_down_ = false;
  uint64_t generation_ = 0;
  asio::ip::address address_;
  std::string last_connect_error_;
  bool any_timeout_ = false;
  std::function<void(const ConnectResult&)> connect_done_;
  SessionInfo session_;
  bool got_next_valid_id_ = false;
  bool got_accounts_ = false;
  bool ack_received_ = false;

  protocol::ProtocolCounters frame_counters_;
  protocol::ProtocolCounters earlier_decoders_;
  std::unique_ptr<protocol::FrameReader> reader_;
  std::unique_ptr<protocol::ServerMessageDecoder> decoder_;

  std::deque<Outgoing> outgoing_;
  std::string write_buffer_;
  bool writing_ = false;
  bool pace_timer_armed_ = false;

  std::unordered_map<int32_t, PendingRequest> requests_;
  int32_t cached_tick_id_ = 0;
  TickByTickRequest* cached_tick_request_ = nullptr;
  Tick tick_scratch_;  // the one Tick handed to every SubscribeTicks handler
  std::deque<TimeWaiter> time_waiters_;
  bool probe_outstanding_ = false;

  ClientStats stats_;
  mutable std::mutex stats_mutex_;
  ClientStats published_stats_;
};

}  // namespace ibstream::client
