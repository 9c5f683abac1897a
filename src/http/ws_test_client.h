// A Beast WebSocket client for the tests: connects over loopback, reads with a deadline and
// reports the close code the server sent.
#pragma once

#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>  // before Asio (GCC 12 + Boost 1.74)

namespace ibstream::http::api_test {

class WsTestClient {
 public:
  // Connects and asks for `target`; ok() says whether the upgrade was accepted. `rcvbuf` (when
  // positive) shrinks the socket's receive buffer.
  WsTestClient(uint16_t port, const std::string& target, int rcvbuf = 0) : ws_(io_) {
    namespace asio = boost::asio;
    auto& socket = ws_.next_layer();
    socket.open(asio::ip::tcp::v4());
    if (rcvbuf > 0) {
      setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    }
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    boost::system::error_code ec;
    ws_.handshake("127.0.0.1", target, ec);
    ok_ = !ec;
  }

  bool ok() const { return ok_; }

  void Send(const std::string& text, bool binary = false) {
    ws_.binary(binary);
    ws_.write(boost::asio::buffer(text));
  }
  void Send(const nlohmann::json& message) { Send(message.dump()); }

  // One message, or nullopt when the connection closed (see close_code) or the deadline passed.
  std::optional<std::string> Read(std::chrono::seconds deadline = std::chrono::seconds(20)) {
    if (closed_) return std::nullopt;
    buffer_.clear();
    bool done = false;
    boost::system::error_code ec;
    ws_.async_read(buffer_, [&](boost::system::error_code e, size_t) {
      ec = e;
      done = true;
    });
    io_.restart();
    io_.run_for(deadline);
    if (!done) {
      boost::system::error_code ignored;
      ws_.next_layer().close(ignored);
      io_.restart();
      io_.run();
      closed_ = true;
      timed_out_ = true;
      return std::nullopt;
    }
    if (ec) {
      closed_ = true;
      return std::nullopt;
    }
    return boost::beast::buffers_to_string(buffer_.data());
  }

  // The next message parsed as JSON (discarded when it is not).
  std::optional<nlohmann::json> ReadJson() {
    auto text = Read();
    if (!text) return std::nullopt;
    return nlohmann::json::parse(*text, nullptr, false);
  }

  // Reads until a message whose "type" is `type`; nullopt when the connection ends first.
  std::optional<nlohmann::json> ReadType(const std::string& type) {
    while (auto m = ReadJson()) {
      if (m->is_object() && m->value("type", "") == type) return m;
    }
    return std::nullopt;
  }

  // Reads until the server closes; the close code it sent (0 when none arrived).
  uint16_t ReadUntilClosed() {
    while (Read()) {
    }
    return close_code();
  }
  uint16_t close_code() const { return static_cast<uint16_t>(ws_.reason().code); }
  std::string close_reason() const { return std::string(ws_.reason().reason.c_str()); }
  bool timed_out() const { return timed_out_; }

  void Close() {
    boost::system::error_code ec;
    ws_.close(boost::beast::websocket::close_code::normal, ec);
  }

 private:
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::beast::flat_buffer buffer_;
  bool ok_ = false;
  bool closed_ = false;
  bool timed_out_ = false;
};

}  // namespace ibstream::http::api_test
