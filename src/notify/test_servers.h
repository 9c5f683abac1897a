// Loopback receivers for the notify tests: a tiny HTTP server and a tiny SMTP server, each on
// 127.0.0.1 with a port chosen by the kernel. Test-only code (linked into notify_tests only).
//
// Each server handles one connection at a time on its own thread and records what it received;
// tests wait for recordings with a deadline, never by sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ibstream::notify::testing {

// Accepts connections on 127.0.0.1:0 and runs `handler(fd)` for each, one after another. The
// handler owns nothing: the server closes the socket after it returns. Accepted sockets time out
// reads and writes after 10 s so a confused client cannot hang a test.
class LoopbackServer {
 public:
  using Handler = std::function<void(int fd)>;

  explicit LoopbackServer(Handler handler);
  // Stops accepting, waits for the handler in progress, joins.
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  uint16_t port() const { return port_; }

 private:
  void Run();

  Handler handler_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Reads one line ending in LF; the CR LF or LF is stripped. False on EOF or error.
bool ReadLine(int fd, std::string& line);
bool ReadExactly(int fd, size_t n, std::string& out);
bool WriteAll(int fd, std::string_view data);

// A port on which nothing listens (bound, read and closed again).
uint16_t UnusedPort();

struct HttpRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class HttpTestServer {
 public:
  // Called for each request (0-based index) on the server thread; returns the status to answer.
  // It may block (e.g. to hold a request in flight) as long as it returns within 10 s.
  using Responder = std::function<int(const HttpRequest& request, size_t index)>;

  explicit HttpTestServer(Responder responder);

  uint16_t port() const { return server_.port(); }
  std::string Url(const std::string& path) const;
  // Waits until `count` requests have been received (before being answered).
  bool WaitForRequests(size_t count, std::chrono::milliseconds timeout);
  std::vector<HttpRequest> requests() const;

 private:
  void Handle(int fd);

  Responder responder_;
  mutable std::mutex mutex_;
  std::condition_variable received_;
  std::vector<HttpRequest> requests_;
  LoopbackServer server_;  // last: its thread uses the members above
};

struct SmtpMessage {
  std::string ehlo;
  std::string mail_from;
  std::vector<std::string> rcpt_to;
  std::string data;  // the message as received, dot-unstuffed, CRLF line endings
};

class SmtpTestServer {
 public:
  // The reply code to RCPT TO (250 accepts; 450 or 550 refuse).
  explicit SmtpTestServer(int rcpt_reply = 250);

  uint16_t port() const { return server_.port(); }
  std::string Url() const;
  bool WaitForMessages(size_t count, std::chrono::milliseconds timeout);
  bool WaitForSessions(size_t count, std::chrono::milliseconds timeout);
  std::vector<SmtpMessage> messages() const;
  size_t sessions() const;

 private:
  void Handle(int fd);

  const int rcpt_reply_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<SmtpMessage> messages_;
  size_t sessions_ = 0;
  LoopbackServer server_;  // last: its thread uses the members above
};

}  // namespace ibstream::notify::testing
