#include "sim/client_sessions.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <span>

#include "calendar/time_zone.h"
#include "protocol/constants.h"
#include "protocol/handshake.h"
#include "protocol/requests.h"

namespace ibstream::sim {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// The connect ack's time: the simulated TWS runs in UTC.
std::string IbUtcTime(TimePoint t) {
  const auto s = std::chrono::floor<std::chrono::seconds>(t);
  return date::format("%Y%m%d %H:%M:%S", s) + " UTC";
}

}  // namespace

ClientSessions::ClientSessions(asio::io_context& io, const Clock& clock, SimCounters& counters,
                               bool quiet)
    : clock_(clock), counters_(counters), quiet_(quiet), acceptor_(io) {}

Status ClientSessions::Listen(const tcp::endpoint& endpoint) {
  listen_endpoint_ = endpoint;
  return Relisten();
}

Status ClientSessions::Relisten() {
  error_code ec;
  acceptor_.open(listen_endpoint_.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(listen_endpoint_, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    acceptor_.close(ignored);
    return IoError(fmt::format("listen on {}:{}: {}", listen_endpoint_.address().to_string(),
                               listen_endpoint_.port(), ec.message()));
  }
  port_ = acceptor_.local_endpoint().port();
  // A restart must come back on the same port.
  listen_endpoint_.port(port_);
  return Status::Ok();
}

void ClientSessions::CloseListener() {
  error_code ec;
  acceptor_.close(ec);
}

void ClientSessions::UpdateActiveClients(bool accepted, bool closed) {
  const int active = static_cast<int>(sessions_.size());
  counters_.Update([&](SimulatorStats& s) {
    if (accepted) ++s.connections_accepted;
    if (closed) ++s.connections_closed;
    s.active_clients = active;
  });
}

void ClientSessions::Accept() {
  acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec != asio::error::operation_aborted && acceptor_.is_open()) Accept();
      return;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto s = std::make_shared<ClientSession>(std::move(socket));
    s->id = next_session_id_++;
    s->quiet = quiet_;
    s->reader.ExpectApiPrefix();
    sessions_.push_back(s);
    UpdateActiveClients(/*accepted=*/true, /*closed=*/false);
    StartRead(s);
    Accept();
  });
}

void ClientSessions::StartRead(const ClientSessionPtr& s) {
  if (!s->open || s->half_open) return;
  std::span<char> span = s->reader.WritableSpan(64 * 1024);
  s->socket.async_read_some(
      asio::buffer(span.data(), span.size()), [this, s](error_code ec, size_t n) {
        if (!s->open) return;
        if (ec) {
          Close(*s, ec == asio::error::eof ? "client closed" : ec.message(), false);
          return;
        }
        s->reader.Commit(n);
        if (s->half_open) return;
        ProcessFrames(s);
        callbacks_.after_input();
        Flush(s);
        StartRead(s);
      });
}

void ClientSessions::ProcessFrames(const ClientSessionPtr& s) {
  while (s->open && !s->close_after_flush) {
    auto frame = s->reader.Next();
    if (!frame.ok()) {
      counters_.Add(&SimulatorStats::malformed_requests);
      if (s->state == ClientSession::State::kReady) {
        SendError(*s, -1, 320, "Error reading request: " + frame.status().message());
      }
      s->close_after_flush = true;
      if (!quiet_) spdlog::warn("sim: client {}: {}", s->id, frame.status().ToString());
      return;
    }
    if (!frame->has_value()) return;
    const std::string_view payload = **frame;
    switch (s->state) {
      case ClientSession::State::kHello:
        HandleHello(*s, payload);
        break;
      case ClientSession::State::kAwaitStartApi:
        HandleStartApi(*s, payload);
        break;
      case ClientSession::State::kReady:
        callbacks_.on_request(*s, payload);
        break;
    }
  }
}

void ClientSessions::HandleHello(ClientSession& s, std::string_view payload) {
  auto hello = protocol::ParseClientHello(payload);
  if (!hello.ok()) {
    counters_.Add(&SimulatorStats::malformed_requests);
    Close(s, "bad hello: " + hello.status().message(), false);
    return;
  }
  auto version = protocol::ChooseServerVersion(*hello, protocol::kMinServerVersion,
                                               protocol::kMaxServerVersion);
  if (!version) {
    Close(s, fmt::format("no common version with v{}..{}", hello->min_version, hello->max_version),
          false);
    return;
  }
  s.server_version = *version;
  Status st = protocol::EncodeConnectAck({*version, IbUtcTime(clock_.Now())}, s.out);
  if (!st.ok()) {
    Close(s, st.ToString(), false);
    return;
  }
  s.state = ClientSession::State::kAwaitStartApi;
}

void ClientSessions::HandleStartApi(ClientSession& s, std::string_view payload) {
  auto request = protocol::DecodeClientRequest(payload, s.server_version, &s.counters);
  if (!request.ok() || !std::holds_alternative<protocol::StartApi>(*request)) {
    counters_.Add(&SimulatorStats::malformed_requests);
    Close(s, "expected START_API", false);
    return;
  }
  s.state = ClientSession::State::kReady;
  const int32_t client_id = std::get<protocol::StartApi>(*request).client_id;
  for (const ClientSessionPtr& other : sessions_) {
    if (other.get() != &s && other->open && other->state == ClientSession::State::kReady &&
        other->client_id == client_id) {
      SendError(s, -1, 326,
                "Unable to connect as the client id is already in use. Retry with a unique "
                "client id.");
      s.close_after_flush = true;
      s.client_id = -2;
      return;
    }
  }
  s.client_id = client_id;
  callbacks_.on_start_api(s);
}

void ClientSessions::Flush(const ClientSessionPtr& s) {
  if (!s->open || s->half_open || s->write_in_flight) return;
  if (s->out.empty()) {
    if (s->close_after_flush) Close(*s, "closed after its last message", false);
    return;
  }
  StartWrite(s);
}

void ClientSessions::StartWrite(const ClientSessionPtr& s) {
  std::swap(s->out, s->writing);
  s->write_in_flight = true;
  counters_.bytes_sent.fetch_add(s->writing.size(), std::memory_order_relaxed);
  asio::async_write(s->socket, asio::buffer(s->writing), [this, s](error_code ec, size_t) {
    s->write_in_flight = false;
    s->writing.clear();
    if (!s->open) {
      // Closed with a FIN while this write was in flight: the rest of what was queued before
      // the close goes out, then the FIN.
      if (s->fin_after_write) {
        if (!ec && !s->out.empty()) {
          StartWrite(s);
        } else {
          ShutDown(*s);
        }
      }
      return;
    }
    if (ec) {
      Close(*s, "write: " + ec.message(), false);
      return;
    }
    Flush(s);
  });
}

void ClientSessions::ShutDown(ClientSession& s) {
  error_code ec;
  s.socket.shutdown(tcp::socket::shutdown_both, ec);
  s.socket.close(ec);
}

void ClientSessions::FlushAll() {
  for (const ClientSessionPtr& s : std::vector<ClientSessionPtr>(sessions_)) Flush(s);
}

void ClientSessions::Close(ClientSession& s, std::string_view reason, bool rst) {
  if (!s.open) return;
  s.open = false;
  error_code ec;
  // The session as the write handlers hold it (every open session is in sessions_).
  ClientSessionPtr shared;
  for (const ClientSessionPtr& p : sessions_) {
    if (p.get() == &s) shared = p;
  }
  if (rst) {
    s.socket.set_option(asio::socket_base::linger(true, 0), ec);
    s.socket.close(ec);
  } else if (shared && !s.half_open && (s.write_in_flight || !s.out.empty())) {
    // A FIN comes after what was queued before it (the events before a `close` fault's instant,
    // released by the same poll): the socket is shut down once that is written.
    s.fin_after_write = true;
    if (!s.write_in_flight) StartWrite(shared);
  } else {
    ShutDown(s);
  }
  if (!quiet_) {
    spdlog::info("sim: client {} (id {}) closed{}: {}", s.id, s.client_id, rst ? " (RST)" : "",
                 reason);
  }
  if (!s.subs.empty() && callbacks_.on_subscriptions_ending) {
    callbacks_.on_subscriptions_ending(s, reason);
  }
  s.subs.clear();
  callbacks_.on_subscriptions_changed();
  sessions_.erase(std::remove_if(sessions_.begin(), sessions_.end(),
                                 [&](const ClientSessionPtr& p) { return p.get() == &s; }),
                  sessions_.end());
  UpdateActiveClients(/*accepted=*/false, /*closed=*/true);
}

void ClientSessions::CloseAll(std::string_view reason) {
  for (const ClientSessionPtr& s : std::vector<ClientSessionPtr>(sessions_)) {
    Close(*s, reason, false);
  }
}

ClientSessionPtr ClientSessions::Find(uint64_t id) const {
  for (const ClientSessionPtr& s : sessions_) {
    if (s->id == id) return s;
  }
  return nullptr;
}

void ClientSessions::Broadcast(int32_t code, const std::string& text) {
  for (const ClientSessionPtr& s : sessions_) {
    if (s->open && s->state == ClientSession::State::kReady && !s->half_open) {
      SendError(*s, -1, code, text);
    }
  }
}

}  // namespace ibstream::sim
