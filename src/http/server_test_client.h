// A raw HTTP/1.1 client for the server's tests: bytes out, bytes back, no parsing beyond the
// status line and a JSON body.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>  // before Asio (GCC 12 + Boost 1.74)

namespace ibstream::http::testing {

// Sends raw bytes and reads until the server closes the connection, or until what was read
// contains `stop_at` when that is not empty. A read that waits more than 10 s ends it, so a
// server that never answers fails the test instead of hanging it.
inline std::string RoundTrip(uint16_t port, const std::string& raw,
                             const std::string& stop_at = "") {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  timeval timeout{10, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  boost::system::error_code ec;
  asio::write(socket, asio::buffer(raw), ec);
  std::string out;
  char buf[4096];
  while (stop_at.empty() || out.find(stop_at) == std::string::npos) {
    const size_t n = socket.read_some(asio::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  return out;
}

inline std::string Get(uint16_t port, const std::string& target, const std::string& extra = "") {
  return RoundTrip(
      port, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + extra + "\r\n");
}

// The status code of the first response in `response`; -1 when there is none.
inline int StatusOf(const std::string& response) {
  if (response.size() < 12) return -1;
  return std::stoi(response.substr(9, 3));
}

// The body after the first blank line, parsed; discarded (not an exception) when not JSON.
inline nlohmann::json BodyJson(const std::string& response) {
  const size_t at = response.find("\r\n\r\n");
  if (at == std::string::npos) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(response.substr(at + 4), nullptr, false);
}

}  // namespace ibstream::http::testing
