#include "notify/test_servers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace ibstream::notify::testing {
namespace {

int ListenLoopback(uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(fd, 16) != 0) {
    ::close(fd);
    throw std::runtime_error("bind/listen: " + std::string(std::strerror(errno)));
  }
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  return fd;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

LoopbackServer::LoopbackServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ListenLoopback(port_);
  thread_ = std::thread([this] { Run(); });
}

LoopbackServer::~LoopbackServer() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);  // wakes the blocked accept()
  thread_.join();
  ::close(listen_fd_);
}

void LoopbackServer::Run() {
  while (!stopping_) {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;  // shut down
    }
    timeval timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    handler_(fd);
    ::close(fd);
  }
}

bool ReadLine(int fd, std::string& line) {
  line.clear();
  char c = 0;
  while (true) {
    ssize_t n = ::recv(fd, &c, 1, 0);
    if (n <= 0) return false;
    if (c == '\n') break;
    line += c;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

bool ReadExactly(int fd, size_t n, std::string& out) {
  out.resize(n);
  size_t done = 0;
  while (done < n) {
    ssize_t got = ::recv(fd, out.data() + done, n - done, 0);
    if (got <= 0) return false;
    done += static_cast<size_t>(got);
  }
  return true;
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    data.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

uint16_t UnusedPort() {
  uint16_t port = 0;
  ::close(ListenLoopback(port));
  return port;
}

HttpTestServer::HttpTestServer(Responder responder)
    : responder_(std::move(responder)), server_([this](int fd) { Handle(fd); }) {}

std::string HttpTestServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

bool HttpTestServer::WaitForRequests(size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return received_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

std::vector<HttpRequest> HttpTestServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

void HttpTestServer::Handle(int fd) {
  HttpRequest request;
  std::string line;
  if (!ReadLine(fd, line)) return;
  size_t space = line.find(' ');
  request.method = line.substr(0, space);
  request.target = line.substr(space + 1, line.rfind(' ') - space - 1);
  while (ReadLine(fd, line) && !line.empty()) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t value = line.find_first_not_of(' ', colon + 1);
    request.headers[Lower(line.substr(0, colon))] =
        value == std::string::npos ? "" : line.substr(value);
  }
  auto length = request.headers.find("content-length");
  if (length != request.headers.end()) {
    ReadExactly(fd, std::strtoul(length->second.c_str(), nullptr, 10), request.body);
  }
  size_t index = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    index = requests_.size();
    requests_.push_back(request);
    received_.notify_all();
  }
  int status = responder_(request, index);
  std::string body = "{\"status\":" + std::to_string(status) + "}";
  WriteAll(fd, "HTTP/1.1 " + std::to_string(status) +
                   " Test\r\nContent-Type: application/json\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
}

SmtpTestServer::SmtpTestServer(int rcpt_reply)
    : rcpt_reply_(rcpt_reply), server_([this](int fd) { Handle(fd); }) {}

std::string SmtpTestServer::Url() const { return "smtp://127.0.0.1:" + std::to_string(port()); }

bool SmtpTestServer::WaitForMessages(size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return messages_.size() >= count; });
}

bool SmtpTestServer::WaitForSessions(size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return sessions_ >= count; });
}

std::vector<SmtpMessage> SmtpTestServer::messages() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return messages_;
}

size_t SmtpTestServer::sessions() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sessions_;
}

void SmtpTestServer::Handle(int fd) {
  SmtpMessage message;
  std::string line;
  WriteAll(fd, "220 localhost ESMTP test\r\n");
  while (ReadLine(fd, line)) {
    std::string verb = Lower(line.substr(0, line.find_first_of(" :")));
    if (verb == "ehlo" || verb == "helo") {
      message.ehlo = line.size() > 5 ? line.substr(5) : "";
      WriteAll(fd, "250-localhost\r\n250 8BITMIME\r\n");
    } else if (verb == "mail") {
      message.mail_from = line.substr(line.find(':') + 1);
      WriteAll(fd, "250 OK\r\n");
    } else if (verb == "rcpt") {
      message.rcpt_to.push_back(line.substr(line.find(':') + 1));
      WriteAll(fd, std::to_string(rcpt_reply_) + (rcpt_reply_ < 400 ? " OK\r\n" : " refused\r\n"));
    } else if (verb == "data") {
      WriteAll(fd, "354 End data with <CR><LF>.<CR><LF>\r\n");
      while (ReadLine(fd, line) && line != ".") {
        if (!line.empty() && line.front() == '.') line.erase(0, 1);
        message.data += line + "\r\n";
      }
      WriteAll(fd, "250 OK queued\r\n");
      std::lock_guard<std::mutex> lock(mutex_);
      messages_.push_back(message);
      changed_.notify_all();
    } else if (verb == "quit") {
      WriteAll(fd, "221 Bye\r\n");
      break;
    } else if (verb == "rset" || verb == "noop") {
      WriteAll(fd, "250 OK\r\n");
    } else {
      WriteAll(fd, "502 Command not implemented\r\n");
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  ++sessions_;
  changed_.notify_all();
}

}  // namespace ibstream::notify::testing
