// Client::Impl, connection lifecycle: resolve, try each port, the handshake (hello, ack, START_API,
// NEXT_VALID_ID + MANAGED_ACCTS), ready, failed connects, closing a ready session exactly once.
#include <memory>
#include <string>

#include "client/client_impl.h"
#include "protocol/handshake.h"

namespace ibstream::client {

void Client::Impl::Shutdown() {
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

void Client::Impl::Connect(std::function<void(const ConnectResult&)> done) {
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

void Client::Impl::Disconnect() {
  if (state_ == State::kConnecting || state_ == State::kHandshaking) {
    FailConnect(DisconnectReason::kClosedByUser, Unavailable("connect cancelled"));
    return;
  }
  Close(DisconnectReason::kClosedByUser, Status::Ok());
}

void Client::Impl::TryPort(size_t index) {
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
  connect_timer_.expires_after(detail::RealDuration(clock_, options_.connect_timeout));
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

void Client::Impl::OnTcpConnected(uint16_t port) {
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
  connect_timer_.expires_after(detail::RealDuration(clock_, options_.connect_timeout));
  connect_timer_.async_wait([self = shared_from_this(), gen](const boost::system::error_code& ec) {
    if (ec || gen != self->generation_ || self->state_ != State::kHandshaking) return;
    self->FailConnect(DisconnectReason::kConnectTimeout,
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

void Client::Impl::OnAck(std::string_view payload) {
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

void Client::Impl::OnNextValidId(const protocol::NextValidId& m) {
  session_.next_valid_id = m.order_id;
  got_next_valid_id_ = true;
  MaybeReady();
}

void Client::Impl::OnManagedAccounts(const protocol::ManagedAccounts& m) {
  session_.accounts.assign(m.accounts);
  got_accounts_ = true;
  MaybeReady();
}

void Client::Impl::MaybeReady() {
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

void Client::Impl::FailConnect(DisconnectReason reason, Status status) {
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

void Client::Impl::Close(DisconnectReason reason, Status detail) {
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
  for (auto& [id, request] : requests) request.FailOneShot(lost);
  for (TimeWaiter& w : waiters) {
    if (!w.probe && w.done) w.done(lost);
  }
  PublishStats();
  if (callbacks_.on_disconnected) {
    callbacks_.on_disconnected(DisconnectEvent{reason, std::move(detail), clock_.Now()});
  }
}

void Client::Impl::ShutdownConnection() {
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

void Client::Impl::ConnectionFailed(DisconnectReason reason, Status detail) {
  if (state_ == State::kHandshaking) {
    FailConnect(reason, std::move(detail));
  } else {
    Close(reason, std::move(detail));
  }
}

void Client::Impl::RetireDecoder() {
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

}  // namespace ibstream::client
