// The API listener and its client sessions: accepting, reading and framing, the handshake
// (version negotiation, START_API, a client id already in use), the per-client writes and closing.
// Requests of a started session are handed to `Callbacks::on_request`.
//
// Threading: every method runs on the loop thread that runs `io`, except port() (any thread).
#pragma once

// Asio needs <utility> first under GCC 12 (docs/TOOLCHAIN.md §3.1).
// clang-format off
#include <utility>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
// clang-format on

#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "sim/client_session.h"
#include "sim/sim_counters.h"

namespace ibstream::sim {

class ClientSessions {
 public:
  struct Callbacks {
    // A session has just started its API with a client id of its own: greet it.
    std::function<void(ClientSession&)> on_start_api;
    // One decoded-later request frame of a started session.
    std::function<void(ClientSession&, std::string_view payload)> on_request;
    // A session's subscriptions went away (it closed).
    std::function<void()> on_subscriptions_changed;
    // A closing session still has subscriptions: called with the close reason just before they
    // are dropped (unset: nothing).
    std::function<void(const ClientSession&, std::string_view reason)> on_subscriptions_ending;
    // A read's frames have all been handled, before the session's output is written.
    std::function<void()> after_input;
  };

  // `io`, `clock` and `counters` must outlive this. `quiet`: log nothing.
  ClientSessions(boost::asio::io_context& io, const Clock& clock, SimCounters& counters,
                 bool quiet);

  ClientSessions(const ClientSessions&) = delete;
  ClientSessions& operator=(const ClientSessions&) = delete;

  void set_callbacks(Callbacks callbacks) { callbacks_ = std::move(callbacks); }

  // Binds and listens on `endpoint` (port 0: any free port, kept for Relisten()). Errors: the
  // bind or listen failure.
  [[nodiscard]] Status Listen(const boost::asio::ip::tcp::endpoint& endpoint);
  // Listens again on the port bound first (a gateway restart ending) and accepts.
  [[nodiscard]] Status Relisten();
  // Starts accepting connections.
  void Accept();
  // Closes the listener (no new connections; the sessions stay).
  void CloseListener();
  uint16_t port() const { return port_.load(); }

  // Writes what is queued for `s` (one write in flight per session); closes a session marked
  // close_after_flush once everything is written.
  void Flush(const ClientSessionPtr& s);
  void FlushAll();
  // Closes `s` (FIN, or RST when `rst`), drops its subscriptions, logs `reason`. At once the
  // session is gone (no longer listed, fed or read); with a FIN, what was already queued for it
  // is still written first and the socket shut down after it (as the kernel sends what it holds
  // before a FIN), unless the session is frozen (half-open). An RST discards it.
  void Close(ClientSession& s, std::string_view reason, bool rst);
  void CloseAll(std::string_view reason);
  ClientSessionPtr Find(uint64_t id) const;
  // Sends an ERR_MSG (id -1) to every started, not frozen session.
  void Broadcast(int32_t code, const std::string& text);

  // The open sessions, in accept order.
  const std::vector<ClientSessionPtr>& sessions() const { return sessions_; }

 private:
  void StartRead(const ClientSessionPtr& s);
  void ProcessFrames(const ClientSessionPtr& s);
  void HandleHello(ClientSession& s, std::string_view payload);
  void HandleStartApi(ClientSession& s, std::string_view payload);
  void UpdateActiveClients(bool accepted, bool closed);
  // Hands `s->out` to the socket (one write in flight per session).
  void StartWrite(const ClientSessionPtr& s);
  // FIN and close of the socket.
  void ShutDown(ClientSession& s);

  const Clock& clock_;
  SimCounters& counters_;
  bool quiet_;
  Callbacks callbacks_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::endpoint listen_endpoint_;
  std::atomic<uint16_t> port_{0};
  std::vector<ClientSessionPtr> sessions_;
  uint64_t next_session_id_ = 1;
};

}  // namespace ibstream::sim
