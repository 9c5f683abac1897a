// One connected API client as the simulator's loop thread sees it: its socket, its framing state,
// its handshake state, the bytes queued for it and its market-data subscriptions.
//
// Threading: owned by the loop thread; nothing here is locked.
#pragma once

// Asio needs <utility> first under GCC 12 (docs/TOOLCHAIN.md §3.1).
// clang-format off
#include <utility>
#include <boost/asio/ip/tcp.hpp>
// clang-format on

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/decimal.h"
#include "common/status.h"
#include "model/tick.h"
#include "protocol/framing.h"
#include "protocol/server_messages.h"
#include "sim/depth_book.h"

namespace ibstream::sim {

// A reqMktData or reqTickByTickData stream of one client.
struct Subscription {
  int32_t req_id = 0;
  int32_t con_id = 0;
  bool mkt_data = false;  // reqMktData, else tick-by-tick
  TickType type = TickType::kBidAsk;
  bool ignore_size = false;
  // The virtual instant (unix ns) of the request: events dated before it are not sent to it, as
  // IB sends a new subscription nothing from before it was asked for, even when the loop
  // releases them only after the request (they were due since an earlier poll).
  int64_t since_ns = 0;
  // Tick-by-tick ignoreSize filter / reqMktData change detection.
  double last_bid = std::numeric_limits<double>::quiet_NaN();
  double last_ask = std::numeric_limits<double>::quiet_NaN();
  Decimal last_bid_size;
  Decimal last_ask_size;
};

// A reqMktDepth stream of one client (depth_server.h).
struct DepthSubscription {
  int32_t req_id = 0;
  int32_t con_id = 0;
  int rows = 1;        // numRows as served (1..kMaxDepthRows)
  bool smart = false;  // UPDATE_MKT_DEPTH_L2 with isSmartDepth
  DepthBook held;      // the book the client holds after what was sent
  std::string symbol;  // the contract's, for the truth file
  // The virtual instant (unix ns) of the request: a change of the book published at a grid
  // instant before it is not sent (the request got the book as it was when asked; the next change
  // brings it up to date), as for Subscription::since_ns.
  int64_t since_ns = 0;
};

struct ClientSession {
  explicit ClientSession(boost::asio::ip::tcp::socket s) : socket(std::move(s)) {}

  enum class State { kHello, kAwaitStartApi, kReady };

  uint64_t id = 0;
  boost::asio::ip::tcp::socket socket;
  protocol::ProtocolCounters counters;
  protocol::FrameReader reader{&counters};
  State state = State::kHello;
  int server_version = 0;
  int32_t client_id = -1;
  std::string out;      // queued, not yet handed to the socket
  std::string writing;  // being written
  bool write_in_flight = false;
  bool open = true;
  bool half_open = false;
  bool close_after_flush = false;
  // Closed with a FIN while output was pending: the socket is shut down once it is written.
  bool fin_after_write = false;
  bool quiet = false;  // log nothing (encoding failures)
  int market_data_type = 1;
  std::map<int32_t, Subscription> subs;             // by request id
  std::map<int32_t, DepthSubscription> depth_subs;  // by request id
};
using ClientSessionPtr = std::shared_ptr<ClientSession>;

// Logs an encoding failure (an internal invariant: the simulator's own messages) unless quiet.
void LogEncodingFailure(const ClientSession& s, const Status& status);

// Queues `m` to `s` in the session's negotiated server version.
template <typename Message>
void Send(ClientSession& s, const Message& m) {
  Status st = protocol::EncodeServerMessage(m, s.server_version, s.out);
  if (!st.ok()) LogEncodingFailure(s, st);
}

// Queues an ERR_MSG.
void SendError(ClientSession& s, int32_t id, int32_t code, std::string_view text);

}  // namespace ibstream::sim
