#include "client/client.h"

#include <charconv>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <variant>

#include "client/asio.h"
#include "client/event_loop.h"
#include "client/token_bucket.h"
#include "protocol/constants.h"
#include "protocol/field_codec.h"
#include "protocol/framing.h"
#include "protocol/handshake.h"
#include "protocol/requests.h"

namespace ibstream::client {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr size_t kReadChunk = 256 * 1024;
constexpr int32_t kNotConnectedCode = 504;
constexpr int32_t kClientIdInUseCode = 326;

Status NotConnected() { return Unavailable("not connected to TWS/Gateway"); }

asio::steady_timer::duration RealDuration(const Clock& clock, Duration span) {
  Duration real = clock.ToRealDuration(span);
  if (real < Duration::zero()) real = Duration::zero();
  return std::chrono::duration_cast<asio::steady_timer::duration>(real);
}

DisconnectReason ReasonForReadError(const boost::system::error_code& ec) {
  if (ec == asio::error::eof) return DisconnectReason::kEof;
  if (ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
      ec == asio::error::broken_pipe) {
    return DisconnectReason::kReset;
  }
  return DisconnectReason::kReadError;
}

std::string_view WhatToShow(TickType type) {
  switch (type) {
    case TickType::kBidAsk:
      return "BID_ASK";
    case TickType::kMidPoint:
      return "MIDPOINT";
    case TickType::kLast:
    case TickType::kAllLast:
      return "TRADES";
  }
  return "TRADES";
}

}  // namespace

Status StatusFromRequestError(const RequestError& error) {
  std::string message = "IB error " + std::to_string(error.code) + " (request " +
                        std::to_string(error.req_id) + "): " + error.text;
  if (error.code == 200) return NotFound(std::move(message));
  return Unavailable(std::move(message));
}

std::optional<int32_t> IbErrorCode(const Status& status) {
  constexpr std::string_view kPrefix = "IB error ";
  std::string_view text = status.message();
  if (text.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  text.remove_prefix(kPrefix.size());
  int32_t code = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), code);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  return code;
}

void ToTick(const protocol::TickByTickBidAsk& in, int64_t contract_id, TimePoint received,
            Tick& out) {
  out.contract_id = contract_id;
  out.type = TickType::kBidAsk;
  out.source = TickSource::kLive;
  out.attributes = static_cast<uint8_t>((in.attrib.bid_past_low ? kAttrBidPastLow : 0) |
                                        (in.attrib.ask_past_high ? kAttrAskPastHigh : 0));
  out.exchange_time = FromUnixSeconds(in.time);
  out.receive_time = received;
  out.sequence = 0;
  out.price = 0;
  out.size = Decimal();
  out.bid_price = in.bid_price;
  out.ask_price = in.ask_price;
  out.bid_size = in.bid_size;
  out.ask_size = in.ask_size;
  out.exchange.clear();
  out.special_conditions.clear();
}

void ToTick(const protocol::TickByTickLast& in, int64_t contract_id, TimePoint received,
            Tick& out) {
  out.contract_id = contract_id;
  out.type =
      in.tick_type == protocol::TickByTickType::kAllLast ? TickType::kAllLast : TickType::kLast;
  out.source = TickSource::kLive;
  out.attributes = static_cast<uint8_t>((in.attrib.past_limit ? kAttrPastLimit : 0) |
                                        (in.attrib.unreported ? kAttrUnreported : 0));
  out.exchange_time = FromUnixSeconds(in.time);
  out.receive_time = received;
  out.sequence = 0;
  out.price = in.price;
  out.size = in.size;
  out.bid_price = 0;
  out.ask_price = 0;
  out.bid_size = Decimal();
  out.ask_size = Decimal();
  out.exchange.assign(in.exchange);
  out.special_conditions.assign(in.special_conditions);
}

void ToTick(const protocol::TickByTickMidPoint& in, int64_t contract_id, TimePoint received,
            Tick& out) {
  out.contract_id = contract_id;
  out.type = TickType::kMidPoint;
  out.source = TickSource::kLive;
  out.attributes = 0;
  out.exchange_time = FromUnixSeconds(in.time);
  out.receive_time = received;
  out.sequence = 0;
  out.price = in.mid_point;
  out.size = Decimal();
  out.bid_price = 0;
  out.ask_price = 0;
  out.bid_size = Decimal();
  out.ask_size = Decimal();
  out.exchange.clear();
  out.special_conditions.clear();
}

// Everything below runs on the strand unless a comment says otherwise.
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

  // Called by ~Client: on the strand or with the loop stopped.
  void Shutdown() {
    callbacks_ = ClientCallbacks();
    connect_done_ = nullptr;
    requests_.clear();
    time_waiters_.clear();
    shut_down_ = true;
    boost::system::error_code ignored;
    resolver_.cancel();
    connect_timer_.cancel();
    pace_timer_.cancel();
    probe_timer_.cancel();
    probe_deadline_timer_.cancel();
    socket_.close(ignored);
    state_ = State::kClosed;
  }

  void Connect(std::function<void(const ConnectResult&)> done) {
    if (shut_down_) return;
    if (state_ != State::kIdle && state_ != State::kClosed) {
      ConnectResult result;
      result.status = FailedPrecondition("a connection is already open or opening");
      result.failure = DisconnectReason::kNone;
      if (done) done(result);
      return;
    }
    ++generation_;
    state_ = State::kConnecting;
    connect_done_ = std::move(done);
    session_ = SessionInfo();
    session_.host = options_.host;
    session_.client_id = options_.client_id;
    got_next_valid_id_ = false;
    got_accounts_ = false;
    ack_received_ = false;
    last_connect_error_.clear();
    any_timeout_ = false;
    if (options_.ports.empty()) {
      FailConnect(DisconnectReason::kConnectFailed, InvalidArgument("no port configured"));
      return;
    }
    uint64_t gen = generation_;
    resolver_.async_resolve(options_.host, "", asio::ip::resolver_base::numeric_service,
                            [self = shared_from_this(), gen](const boost::system::error_code& ec,
                                                             tcp::resolver::results_type results) {
                              if (gen != self->generation_ || self->state_ != State::kConnecting)
                                return;
                              if (ec || results.empty()) {
                                self->FailConnect(
                                    DisconnectReason::kConnectFailed,
                                    Unavailable("cannot resolve host '" + self->options_.host +
                                                "': " + (ec ? ec.message() : "no address")));
                                return;
                              }
                              self->address_ = results.begin()->endpoint().address();
                              self->TryPort(0);
                            });
  }

  void Disconnect() {
    if (state_ == State::kConnecting || state_ == State::kHandshaking) {
      FailConnect(DisconnectReason::kClosedByUser, Unavailable("connect cancelled"));
      return;
    }
    Close(DisconnectReason::kClosedByUser, Status::Ok());
  }

  // Requests.
  template <typename Request>
  bool SendRequest(const Request& request) {
    if (state_ != State::kReady) return false;
    std::string frame;
    Status status = protocol::EncodeRequest(request, session_.server_version, frame);
    if (!status.ok()) return false;
    Enqueue(std::move(frame), /*paced=*/true);
    return true;
  }

  void RequestContractDetails(
      int32_t id, protocol::Contract contract,
      std::function<void(Result<std::vector<protocol::ContractDetails>>)> done) {
    if (!Ready(done)) return;
    protocol::ReqContractDetails request{id, std::move(contract)};
    if (!EncodeOrFail(request, done)) return;
    requests_.emplace(id, PendingRequest{ContractDetailsRequest{{}, std::move(done)}});
  }

  void SubscribeTickByTick(int32_t id, protocol::Contract contract, TickType type,
                           TickByTickHandlers handlers, int32_t number_of_ticks, bool ignore_size) {
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

  void CancelTickByTick(int32_t id) {
    EraseRequest(id);
    SendRequest(protocol::CancelTickByTickData{id});
  }

  void RequestHistoricalTicks(int32_t id, HistoricalTicksQuery query,
                              std::function<void(Result<std::vector<Tick>>)> done) {
    if (!Ready(done)) return;
    protocol::ReqHistoricalTicks request;
    request.req_id = id;
    request.contract = query.contract;
    request.start_date_time = query.start_date_time;
    request.end_date_time = query.end_date_time;
    request.number_of_ticks = query.number_of_ticks;
    request.what_to_show = std::string(WhatToShow(query.type));
    request.use_rth = query.use_rth;
    request.ignore_size = query.ignore_size;
    if (!EncodeOrFail(request, done)) return;
    requests_.emplace(id, PendingRequest{HistoricalRequest{
                              query.contract.con_id, query.type, {}, std::move(done)}});
  }

  void RequestHeadTimestamp(int32_t id, protocol::Contract contract, std::string what_to_show,
                            bool use_rth, std::function<void(Result<TimePoint>)> done) {
    if (!Ready(done)) return;
    protocol::ReqHeadTimestamp request;
    request.req_id = id;
    request.contract = std::move(contract);
    request.use_rth = use_rth;
    request.what_to_show = std::move(what_to_show);
    request.format_date = 2;
    if (!EncodeOrFail(request, done)) return;
    requests_.emplace(id, PendingRequest{HeadTimestampRequest{std::move(done)}});
  }

  void RequestMatchingSymbols(
      int32_t id, std::string pattern,
      std::function<void(Result<std::vector<protocol::ContractDescription>>)> done) {
    if (!Ready(done)) return;
    protocol::ReqMatchingSymbols request{id, std::move(pattern)};
    if (!EncodeOrFail(request, done)) return;
    requests_.emplace(id, PendingRequest{MatchingSymbolsRequest{std::move(done)}});
  }

  void RequestCurrentTime(std::function<void(Result<TimePoint>)> done) {
    if (!Ready(done)) return;
    if (!EncodeOrFail(protocol::ReqCurrentTime{}, done)) return;
    time_waiters_.push_back(TimeWaiter{false, std::move(done)});
  }

  void SetMarketDataType(int32_t type) { SendRequest(protocol::ReqMarketDataType{type}); }

  ClientStats stats() const {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    return published_stats_;
  }

  // ServerMessageHandler.
  void OnError(const protocol::ErrorMessage& m) override {
    auto it = m.id == -1 ? requests_.end() : requests_.find(m.id);
    if (it == requests_.end()) {
      ConnectionNotice notice;
      notice.kind = NoticeKindForCode(m.code);
      notice.id = m.id;
      notice.code = m.code;
      notice.text.assign(m.text);
      notice.farm.assign(FarmNameFromText(m.text));
      notice.received = clock_.Now();
      ++stats_.notices;
      if (callbacks_.on_notice) callbacks_.on_notice(notice);
      if (m.code == kClientIdInUseCode) {
        Status detail = FailedPrecondition("client id " + std::to_string(options_.client_id) +
                                           " is already in use (IB error 326): " + notice.text);
        if (state_ == State::kHandshaking) {
          FailConnect(DisconnectReason::kClientIdInUse, detail);
        } else {
          Close(DisconnectReason::kClientIdInUse, detail);
        }
      }
      return;
    }
    ++stats_.request_errors;
    RequestError error{m.id, m.code, std::string(m.text)};
    PendingRequest& request = it->second;
    if (auto* tbt = std::get_if<TickByTickRequest>(&request.value)) {
      if (tbt->handlers.error) tbt->handlers.error(error);
      return;
    }
    PendingRequest done = std::move(it->second);
    EraseRequest(m.id);
    Status status = StatusFromRequestError(error);
    std::visit(
        [&](auto& r) {
          using T = std::decay_t<decltype(r)>;
          if constexpr (!std::is_same_v<T, TickByTickRequest>) {
            if (r.done) r.done(status);
          }
        },
        done.value);
  }

  void OnNextValidId(const protocol::NextValidId& m) override {
    session_.next_valid_id = m.order_id;
    got_next_valid_id_ = true;
    MaybeReady();
  }

  void OnManagedAccounts(const protocol::ManagedAccounts& m) override {
    session_.accounts.assign(m.accounts);
    got_accounts_ = true;
    MaybeReady();
  }

  void OnCurrentTime(const protocol::CurrentTime& m) override {
    if (time_waiters_.empty()) {
      ++stats_.unroutable_messages;
      return;
    }
    TimeWaiter waiter = std::move(time_waiters_.front());
    time_waiters_.pop_front();
    if (waiter.probe) {
      probe_outstanding_ = false;
      probe_deadline_timer_.cancel();
      ScheduleProbe();
      return;
    }
    if (waiter.done) waiter.done(FromUnixSeconds(m.time));
  }

  void OnContractDetails(const protocol::ContractDetails& m) override {
    auto* r = Find<ContractDetailsRequest>(m.req_id);
    if (r == nullptr) return;
    r->details.push_back(m);
  }

  void OnContractDataEnd(const protocol::ContractDataEnd& m) override {
    auto* r = Find<ContractDetailsRequest>(m.req_id);
    if (r == nullptr) return;
    ContractDetailsRequest done = std::move(*r);
    EraseRequest(m.req_id);
    if (done.done) done.done(std::move(done.details));
  }

  void OnSymbolSamples(const protocol::SymbolSamples& m) override {
    auto* r = Find<MatchingSymbolsRequest>(m.req_id);
    if (r == nullptr) return;
    MatchingSymbolsRequest done = std::move(*r);
    EraseRequest(m.req_id);
    if (done.done) done.done(m.descriptions);
  }

  void OnHeadTimestamp(const protocol::HeadTimestamp& m) override {
    auto* r = Find<HeadTimestampRequest>(m.req_id);
    if (r == nullptr) return;
    HeadTimestampRequest done = std::move(*r);
    EraseRequest(m.req_id);
    Result<int64_t> seconds = protocol::ParseInt64(m.head_timestamp);
    if (!done.done) return;
    if (!seconds.ok()) {
      done.done(ParseError("HEAD_TIMESTAMP: expected epoch seconds, got '" +
                           std::string(m.head_timestamp) + "'"));
      return;
    }
    done.done(FromUnixSeconds(*seconds));
  }

  void OnHistoricalTicks(const protocol::HistoricalTicks& m) override {
    auto* r = Find<HistoricalRequest>(m.req_id);
    if (r == nullptr) return;
    TimePoint now = clock_.Now();
    for (const protocol::HistoricalTick& t : m.ticks) {
      Tick tick = BackfillTick(*r, t.time, now);
      tick.price = t.price;
      // MIDPOINT history carries a size IB always sends as 0; the live MidPoint stream has none.
      // Left unset, a backfilled midpoint is the same record as the live one of the same second
      // (queries reconcile the two on content, size included).
      if (tick.type != TickType::kMidPoint) tick.size = t.size;
      r->ticks.push_back(std::move(tick));
    }
    if (m.done) FinishHistorical(m.req_id);
  }

  void OnHistoricalTicksBidAsk(const protocol::HistoricalTicksBidAsk& m) override {
    auto* r = Find<HistoricalRequest>(m.req_id);
    if (r == nullptr) return;
    TimePoint now = clock_.Now();
    for (const protocol::HistoricalTickBidAsk& t : m.ticks) {
      Tick tick = BackfillTick(*r, t.time, now);
      tick.bid_price = t.price_bid;
      tick.ask_price = t.price_ask;
      tick.bid_size = t.size_bid;
      tick.ask_size = t.size_ask;
      tick.attributes = static_cast<uint8_t>((t.attrib.bid_past_low ? kAttrBidPastLow : 0) |
                                             (t.attrib.ask_past_high ? kAttrAskPastHigh : 0));
      r->ticks.push_back(std::move(tick));
    }
    if (m.done) FinishHistorical(m.req_id);
  }

  void OnHistoricalTicksLast(const protocol::HistoricalTicksLast& m) override {
    auto* r = Find<HistoricalRequest>(m.req_id);
    if (r == nullptr) return;
    TimePoint now = clock_.Now();
    for (const protocol::HistoricalTickLast& t : m.ticks) {
      Tick tick = BackfillTick(*r, t.time, now);
      tick.price = t.price;
      tick.size = t.size;
      tick.exchange.assign(t.exchange);
      tick.special_conditions.assign(t.special_conditions);
      tick.attributes = static_cast<uint8_t>((t.attrib.past_limit ? kAttrPastLimit : 0) |
                                             (t.attrib.unreported ? kAttrUnreported : 0));
      r->ticks.push_back(std::move(tick));
    }
    if (m.done) FinishHistorical(m.req_id);
  }

  void OnTickByTickLast(const protocol::TickByTickLast& m) override {
    TickByTickRequest* r = FindTickByTick(m.req_id);
    if (r != nullptr && r->handlers.last) r->handlers.last(m);
  }
  void OnTickByTickBidAsk(const protocol::TickByTickBidAsk& m) override {
    TickByTickRequest* r = FindTickByTick(m.req_id);
    if (r != nullptr && r->handlers.bid_ask) r->handlers.bid_ask(m);
  }
  void OnTickByTickMidPoint(const protocol::TickByTickMidPoint& m) override {
    TickByTickRequest* r = FindTickByTick(m.req_id);
    if (r != nullptr && r->handlers.mid_point) r->handlers.mid_point(m);
  }

  std::atomic<bool> stop_dispatch_{false};

 private:
  enum class State { kIdle, kConnecting, kHandshaking, kReady, kClosed };

  struct ContractDetailsRequest {
    std::vector<protocol::ContractDetails> details;
    std::function<void(Result<std::vector<protocol::ContractDetails>>)> done;
  };
  struct TickByTickRequest {
    TickByTickHandlers handlers;
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
    std::variant<ContractDetailsRequest, TickByTickRequest, HistoricalRequest, HeadTimestampRequest,
                 MatchingSymbolsRequest>
        value;
  };
  struct TimeWaiter {
    bool probe = false;
    std::function<void(Result<TimePoint>)> done;
  };
  struct Outgoing {
    std::string bytes;
    bool paced = true;
  };

  template <typename Callback>
  bool Ready(Callback& done) {
    if (state_ == State::kReady) return true;
    if (done) done(NotConnected());
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

  Tick BackfillTick(const HistoricalRequest& r, int64_t time, TimePoint now) {
    Tick tick;
    tick.contract_id = r.contract_id;
    tick.type = r.type;
    tick.source = TickSource::kBackfill;
    tick.exchange_time = FromUnixSeconds(time);
    tick.receive_time = now;
    return tick;
  }

  void FinishHistorical(int32_t id) {
    auto* r = Find<HistoricalRequest>(id);
    if (r == nullptr) return;
    HistoricalRequest done = std::move(*r);
    EraseRequest(id);
    if (done.done) done.done(std::move(done.ticks));
  }

  // Connecting.
  void TryPort(size_t index) {
    if (index >= options_.ports.size()) {
      std::string ports;
      for (uint16_t p : options_.ports) {
        if (!ports.empty()) ports += ",";
        ports += std::to_string(p);
      }
      std::string message = "cannot connect to " + options_.host + " port" +
                            (options_.ports.size() > 1 ? "s " : " ") + ports + ": " +
                            last_connect_error_;
      if (any_timeout_ && last_connect_error_ == "timed out") {
        FailConnect(DisconnectReason::kConnectTimeout, Timeout(std::move(message)));
      } else {
        FailConnect(DisconnectReason::kConnectFailed, Unavailable(std::move(message)));
      }
      return;
    }
    boost::system::error_code ignored;
    socket_.close(ignored);
    uint64_t gen = generation_;
    auto timed_out = std::make_shared<bool>(false);
    connect_timer_.expires_after(RealDuration(clock_, options_.connect_timeout));
    connect_timer_.async_wait(
        [self = shared_from_this(), gen, timed_out](const boost::system::error_code& ec) {
          if (ec || gen != self->generation_ || self->state_ != State::kConnecting) return;
          *timed_out = true;
          boost::system::error_code ignored_close;
          self->socket_.close(ignored_close);
        });
    tcp::endpoint endpoint(address_, options_.ports[index]);
    socket_.async_connect(endpoint, [self = shared_from_this(), gen, index,
                                     timed_out](const boost::system::error_code& ec) {
      if (gen != self->generation_ || self->state_ != State::kConnecting) return;
      self->connect_timer_.cancel();
      if (ec || *timed_out) {
        self->any_timeout_ = self->any_timeout_ || *timed_out;
        self->last_connect_error_ = *timed_out ? "timed out" : ec.message();
        self->TryPort(index + 1);
        return;
      }
      self->OnTcpConnected(self->options_.ports[index]);
    });
  }

  void OnTcpConnected(uint16_t port) {
    state_ = State::kHandshaking;
    session_.port = port;
    boost::system::error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    reader_ = std::make_unique<protocol::FrameReader>(&frame_counters_);
    decoder_.reset();
    outgoing_.clear();
    write_buffer_.clear();
    writing_ = false;
    stop_dispatch_ = false;
    bucket_ = TokenBucket(options_.pace_rate, options_.pace_burst, clock_.Now());

    uint64_t gen = generation_;
    connect_timer_.expires_after(RealDuration(clock_, options_.connect_timeout));
    connect_timer_.async_wait(
        [self = shared_from_this(), gen](const boost::system::error_code& ec) {
          if (ec || gen != self->generation_ || self->state_ != State::kHandshaking) return;
          self->FailConnect(
              DisconnectReason::kConnectTimeout,
              Timeout("no handshake from " + self->options_.host + ":" +
                      std::to_string(self->session_.port) + " within the connect timeout"));
        });

    protocol::ClientHello hello;
    hello.options = options_.connect_options;
    std::string bytes;
    Status status = protocol::EncodeClientHello(hello, bytes);
    if (!status.ok()) {
      FailConnect(DisconnectReason::kHandshakeFailed, status);
      return;
    }
    Enqueue(std::move(bytes), /*paced=*/false);
    StartRead();
  }

  void OnAck(std::string_view payload) {
    Result<protocol::ConnectAck> ack = protocol::DecodeConnectAck(payload);
    if (!ack.ok()) {
      FailConnect(DisconnectReason::kHandshakeFailed, ack.status().WithContext("connect ack"));
      return;
    }
    Status version = protocol::CheckServerVersion(ack->server_version);
    if (!version.ok()) {
      FailConnect(DisconnectReason::kHandshakeFailed, version);
      return;
    }
    ack_received_ = true;
    session_.server_version = ack->server_version;
    session_.connection_time = ack->time;
    decoder_ = std::make_unique<protocol::ServerMessageDecoder>(ack->server_version);
    std::string frame;
    Status encoded = protocol::EncodeRequest(
        protocol::StartApi{options_.client_id, options_.optional_capabilities},
        session_.server_version, frame);
    if (!encoded.ok()) {
      FailConnect(DisconnectReason::kHandshakeFailed, encoded.WithContext("START_API"));
      return;
    }
    Enqueue(std::move(frame), true);
  }

  void MaybeReady() {
    if (state_ != State::kHandshaking || !got_next_valid_id_ || !got_accounts_) return;
    state_ = State::kReady;
    connect_timer_.cancel();
    session_.connected_at = clock_.Now();
    ++stats_.connections;
    probe_outstanding_ = false;
    ScheduleProbe();
    PublishStats();
    auto done = std::move(connect_done_);
    connect_done_ = nullptr;
    if (done) {
      ConnectResult result;
      result.session = session_;
      done(result);
    }
  }

  void FailConnect(DisconnectReason reason, Status status) {
    ShutdownConnection();
    state_ = State::kClosed;
    PublishStats();
    auto done = std::move(connect_done_);
    connect_done_ = nullptr;
    if (done) {
      ConnectResult result;
      result.status = std::move(status);
      result.failure = reason;
      done(result);
    }
  }

  // Closes a ready connection and reports it once.
  void Close(DisconnectReason reason, Status detail) {
    if (state_ != State::kReady) return;
    ShutdownConnection();
    state_ = State::kClosed;
    if (reason == DisconnectReason::kProbeTimeout) ++stats_.probe_timeouts;
    if (detail.ok()) detail = Unavailable(std::string(DisconnectReasonName(reason)));

    // Fail what was pending; subscriptions simply end.
    auto requests = std::move(requests_);
    requests_.clear();
    cached_tick_request_ = nullptr;
    auto waiters = std::move(time_waiters_);
    time_waiters_.clear();
    Status lost = Unavailable("connection lost (" + std::string(DisconnectReasonName(reason)) +
                              "): " + detail.message());
    for (auto& [id, request] : requests) {
      std::visit(
          [&](auto& r) {
            using T = std::decay_t<decltype(r)>;
            if constexpr (!std::is_same_v<T, TickByTickRequest>) {
              if (r.done) r.done(lost);
            }
          },
          request.value);
    }
    for (TimeWaiter& w : waiters) {
      if (!w.probe && w.done) w.done(lost);
    }
    PublishStats();
    if (callbacks_.on_disconnected) {
      callbacks_.on_disconnected(DisconnectEvent{reason, std::move(detail), clock_.Now()});
    }
  }

  void ShutdownConnection() {
    ++generation_;
    stop_dispatch_ = true;
    boost::system::error_code ignored;
    resolver_.cancel();
    connect_timer_.cancel();
    pace_timer_.cancel();
    pace_timer_armed_ = false;
    probe_timer_.cancel();
    probe_deadline_timer_.cancel();
    probe_outstanding_ = false;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    outgoing_.clear();
    writing_ = false;
  }

  void ConnectionFailed(DisconnectReason reason, Status detail) {
    if (state_ == State::kHandshaking) {
      FailConnect(reason, std::move(detail));
    } else {
      Close(reason, std::move(detail));
    }
  }

  // Reading.
  void StartRead() {
    std::span<char> span = reader_->WritableSpan(kReadChunk);
    uint64_t gen = generation_;
    socket_.async_read_some(
        asio::buffer(span.data(), span.size()),
        [self = shared_from_this(), gen](const boost::system::error_code& ec, size_t n) {
          if (gen != self->generation_) return;
          self->OnRead(ec, n);
        });
  }

  void OnRead(const boost::system::error_code& ec, size_t n) {
    if (ec) {
      DisconnectReason reason = ReasonForReadError(ec);
      std::string what = reason == DisconnectReason::kEof ? "connection closed by the peer"
                                                          : "read failed: " + ec.message();
      ConnectionFailed(reason, Unavailable(std::move(what)));
      return;
    }
    reader_->Commit(n);
    uint64_t gen = generation_;
    while (!stop_dispatch_ && gen == generation_) {
      Result<std::optional<std::string_view>> frame = reader_->Next();
      if (!frame.ok()) {
        ProtocolFailure(frame.status());
        return;
      }
      if (!frame->has_value()) break;
      std::string_view payload = **frame;
      if (!ack_received_) {
        OnAck(payload);
        continue;
      }
      Status status = decoder_->Decode(payload, *this);
      if (!status.ok()) {
        ProtocolFailure(status);
        return;
      }
    }
    if (gen != generation_ || stop_dispatch_) return;
    PublishStats();
    if (callbacks_.on_read_batch_end) callbacks_.on_read_batch_end();
    if (gen != generation_ || stop_dispatch_) return;
    StartRead();
  }

  void ProtocolFailure(const Status& error) {
    ++stats_.protocol_errors;
    PublishStats();
    if (callbacks_.on_protocol_error) {
      callbacks_.on_protocol_error(ProtocolErrorEvent{error, stats_.protocol_errors});
    }
    ConnectionFailed(DisconnectReason::kProtocolError, error);
  }

  // Writing, paced.
  void Enqueue(std::string bytes, bool paced) {
    outgoing_.push_back(Outgoing{std::move(bytes), paced});
    PumpWrites();
  }

  void PumpWrites() {
    if (writing_ || outgoing_.empty()) return;
    if (state_ != State::kHandshaking && state_ != State::kReady) return;
    TimePoint now = clock_.Now();
    while (!outgoing_.empty()) {
      Outgoing& next = outgoing_.front();
      if (next.paced) {
        if (!bucket_.TryTake(now)) break;
        ++stats_.messages_sent;
      }
      write_buffer_ += next.bytes;
      outgoing_.pop_front();
    }
    if (!write_buffer_.empty()) {
      writing_ = true;
      uint64_t gen = generation_;
      asio::async_write(
          socket_, asio::buffer(write_buffer_),
          [self = shared_from_this(), gen](const boost::system::error_code& ec, size_t) {
            if (gen != self->generation_) return;
            self->writing_ = false;
            self->write_buffer_.clear();
            self->PublishStats();
            if (ec) {
              self->ConnectionFailed(DisconnectReason::kWriteError,
                                     Unavailable("write failed: " + ec.message()));
              return;
            }
            self->PumpWrites();
          });
      return;
    }
    if (pace_timer_armed_) return;
    pace_timer_armed_ = true;
    ++stats_.pacing_waits;
    PublishStats();
    Duration wait = bucket_.TimeUntilAvailable(now);
    uint64_t gen = generation_;
    pace_timer_.expires_after(RealDuration(clock_, std::max(wait, Duration(1000))));
    pace_timer_.async_wait([self = shared_from_this(), gen](const boost::system::error_code& ec) {
      if (ec || gen != self->generation_) return;
      self->pace_timer_armed_ = false;
      self->PumpWrites();
    });
  }

  // Liveness probe.
  void ScheduleProbe() {
    if (options_.probe_interval <= Duration::zero() || state_ != State::kReady) return;
    uint64_t gen = generation_;
    probe_timer_.expires_after(RealDuration(clock_, options_.probe_interval));
    probe_timer_.async_wait([self = shared_from_this(), gen](const boost::system::error_code& ec) {
      if (ec || gen != self->generation_) return;
      self->SendProbe();
    });
  }

  void SendProbe() {
    if (state_ != State::kReady || probe_outstanding_) return;
    if (!SendRequest(protocol::ReqCurrentTime{})) return;
    probe_outstanding_ = true;
    ++stats_.probes_sent;
    time_waiters_.push_back(TimeWaiter{true, nullptr});
    uint64_t gen = generation_;
    probe_deadline_timer_.expires_after(RealDuration(clock_, options_.probe_deadline));
    probe_deadline_timer_.async_wait(
        [self = shared_from_this(), gen](const boost::system::error_code& ec) {
          if (ec || gen != self->generation_ || !self->probe_outstanding_) return;
          self->Close(DisconnectReason::kProbeTimeout,
                      Timeout("no reply to the liveness probe (reqCurrentTime) within the "
                              "deadline: the connection is half-open"));
        });
  }

  void PublishStats() {
    stats_.messages_queued = outgoing_.size();
    protocol::ProtocolCounters merged =
        decoder_ ? decoder_->counters() : protocol::ProtocolCounters();
    merged.frames_read = frame_counters_.frames_read;
    for (size_t i = 0; i < protocol::kDecodeErrorKindCount; ++i) {
      merged.errors[i] += frame_counters_.errors[i];
    }
    // Counters of earlier connections' decoders are folded in when a decoder is replaced.
    for (size_t i = 0; i < protocol::kDecodeErrorKindCount; ++i) {
      merged.errors[i] += earlier_decoders_.errors[i];
    }
    merged.messages_decoded += earlier_decoders_.messages_decoded;
    merged.unknown_ids_skipped += earlier_decoders_.unknown_ids_skipped;
    merged.unknown_tick_types_skipped += earlier_decoders_.unknown_tick_types_skipped;
    stats_.protocol = merged;
    std::lock_guard<std::mutex> lock(stats_mutex_);
    published_stats_ = stats_;
  }

 public:
  // Folds the current decoder's counters into the running totals before it is replaced.
  void RetireDecoder() {
    if (!decoder_) return;
    const protocol::ProtocolCounters& c = decoder_->counters();
    for (size_t i = 0; i < protocol::kDecodeErrorKindCount; ++i) {
      earlier_decoders_.errors[i] += c.errors[i];
    }
    earlier_decoders_.messages_decoded += c.messages_decoded;
    earlier_decoders_.unknown_ids_skipped += c.unknown_ids_skipped;
    earlier_decoders_.unknown_tick_types_skipped += c.unknown_tick_types_skipped;
    decoder_.reset();
  }

 private:
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
  std::deque<TimeWaiter> time_waiters_;
  bool probe_outstanding_ = false;

  ClientStats stats_;
  mutable std::mutex stats_mutex_;
  ClientStats published_stats_;
};

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

int32_t Client::SubscribeTickByTick(const protocol::Contract& contract, TickType type,
                                    TickByTickHandlers handlers, int32_t number_of_ticks,
                                    bool ignore_size) {
  int32_t id = NextRequestId();
  impl_->Post([id, contract, type, handlers = std::move(handlers), number_of_ticks,
               ignore_size](Impl& impl) mutable {
    impl.SubscribeTickByTick(id, std::move(contract), type, std::move(handlers), number_of_ticks,
                             ignore_size);
  });
  return id;
}

void Client::CancelTickByTick(int32_t req_id) {
  impl_->Post([req_id](Impl& impl) { impl.CancelTickByTick(req_id); });
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
