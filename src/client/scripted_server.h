// A scripted loopback TWS for tests and benchmarks: listens on 127.0.0.1 port 0, speaks the
// handshake with the protocol library's server-side encoders, records every request and replies
// per script. Raw sockets on one thread of its own (no Asio), so it shares nothing with the
// client under test.
//
// Threading: every public method is thread-safe. Actions on the connection (Send, Close, Reset)
// run on the server's thread in the order they were called; the request handler runs on that
// thread too and may call them.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "protocol/framing.h"
#include "protocol/handshake.h"
#include "protocol/requests.h"
#include "protocol/server_messages.h"

namespace ibstream::client::testing {

struct ScriptedServerOptions {
  int server_version = 187;  // the version the ack carries (not negotiated: tests may lie)
  std::string connection_time = "20250811 10:15:30 CDT";
  bool send_ack = true;  // false: accept the hello and stay silent
  // What START_API gets: MANAGED_ACCTS and NEXT_VALID_ID (in this order or reversed), or, for a
  // client id in `ids_in_use`, error 326 followed by closing the connection.
  bool send_ready = true;
  bool next_valid_id_first = false;
  std::string accounts = "DU1234567";
  int64_t next_valid_id = 1;
  std::set<int32_t> ids_in_use;
  // Farm notices (ERR_MSG id -1) sent right after the ready messages.
  std::vector<std::pair<int32_t, std::string>> notices_after_ready;
  // Reply to reqCurrentTime with CURRENT_TIME (false simulates a half-open connection).
  bool answer_current_time = true;
  int64_t current_time = 1754925330;
};

class ScriptedServer {
 public:
  using RequestHandler = std::function<void(ScriptedServer&, const protocol::ClientRequest&)>;

  explicit ScriptedServer(ScriptedServerOptions options = {});
  // Stops the thread and closes every socket.
  ~ScriptedServer();

  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  // Binds 127.0.0.1:0, listens and starts the thread.
  [[nodiscard]] Status Start();
  uint16_t port() const { return port_; }

  // Called for every request after the hello (START_API included), after the built-in replies.
  void SetRequestHandler(RequestHandler handler);
  // Changes whether reqCurrentTime is answered (e.g. to go half-open mid-session).
  void SetAnswerCurrentTime(bool answer);

  // Queues framed bytes for the current connection (dropped when there is none).
  void Send(std::string bytes);
  // Encodes one server message at the options' server version and Sends it (IBSTREAM_CHECKs that
  // it encodes: tests script valid messages; use Send for garbage).
  template <typename Message>
  void SendMessage(const Message& message) {
    std::string bytes;
    Status status = protocol::EncodeServerMessage(message, options_.server_version, bytes);
    CheckEncoded(status);
    Send(std::move(bytes));
  }
  // Closes the connection with FIN (the client sees EOF).
  void CloseConnection();
  // Closes the connection with RST (SO_LINGER 0; the client sees "connection reset").
  void ResetConnection();

  // Observations.
  std::vector<protocol::ClientRequest> requests() const;
  std::optional<protocol::ClientHello> hello() const;
  int connections_accepted() const { return connections_accepted_.load(); }
  bool connected() const { return connected_.load(); }
  // Counts requests that could not be decoded (a client bug).
  int bad_requests() const { return bad_requests_.load(); }

 private:
  void Run();
  void RunCommands();
  void OnReadable();
  void HandleFrame(std::string_view payload);
  void WriteAll(std::string_view bytes);
  void CloseConn(bool reset);
  void CheckEncoded(const Status& status);
  void Post(std::function<void()> command);

  ScriptedServerOptions options_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  int conn_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<std::thread::id> thread_id_{};
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_accepted_{0};
  std::atomic<bool> connected_{false};
  std::atomic<int> bad_requests_{0};
  std::atomic<bool> answer_current_time_{true};

  mutable std::mutex mutex_;  // guards the members below
  std::deque<std::function<void()>> commands_;
  RequestHandler handler_;
  std::vector<protocol::ClientRequest> requests_;
  std::optional<protocol::ClientHello> hello_;

  // Server thread only.
  std::unique_ptr<protocol::FrameReader> reader_;
  bool hello_done_ = false;
};

// Polls `condition` until it holds or `timeout` passes; true when it held. For tests: waits on a
// condition with a deadline instead of sleeping for a fixed time.
bool WaitUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace ibstream::client::testing
