// Beast is confined to this file.
#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>  // before Asio: GCC 12 + Boost 1.74 need std::exchange declared first

namespace ibstream::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

struct Server::Impl {
  Impl(Router r, ServerOptions o) : router(std::move(r)), options(std::move(o)) {}

  // Declared before the router: handlers may own threads that push to SSE sinks, whose wake-ups
  // post to `io`, so the router (and those threads) must be destroyed first.
  asio::io_context io{1};
  Router router;
  ServerOptions options;
  ServerCounters counters;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread thread;
  std::atomic<uint16_t> bound_port{0};
  std::once_flag stop_once;
  // Live connections, so Stop can close them.
  std::mutex sockets_mutex;
  std::vector<std::weak_ptr<beast::tcp_stream>> streams;

  awaitable<void> Accept() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor->async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
        continue;
      }
      asio::co_spawn(io, Session(std::move(socket)), asio::detached);
    }
  }

  // The refusal for a route that needs a token the request does not carry.
  std::optional<Response> CheckToken(const Request& request, const RouteOptions& route) const {
    if (!route.requires_token) return std::nullopt;
    if (options.bearer_token.empty()) {
      return JsonError(403, "this endpoint is disabled: no bearer token is configured");
    }
    if (request.authorization != "Bearer " + options.bearer_token) {
      Response r = JsonError(401, "missing or wrong bearer token");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
    return std::nullopt;
  }

  Response Handle(Request& request, const Router::Match& match) {
    if (match.error_status == 404)
      return JsonError(404, "no such endpoint", {{"path", request.path}});
    if (match.error_status == 405) {
      return JsonError(405, "method not allowed", {{"method", request.method}});
    }
    if (auto refusal = CheckToken(request, match.options)) return *refusal;
    request.path_params = match.params;
    try {
      return (*match.handler)(request);
    } catch (const std::exception& e) {
      counters.handler_failures.fetch_add(1);
      return JsonError(500, std::string("internal error: ") + e.what());
    }
  }

  static bhttp::response<bhttp::string_body> ToBeast(const Response& r, unsigned version,
                                                     bool keep_alive) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
    res.set(bhttp::field::server, "ibstream");
    res.set(bhttp::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) res.set(k, v);
    res.keep_alive(keep_alive);
    res.body() = r.body;
    res.prepare_payload();
    return res;
  }

  void Track(const std::shared_ptr<beast::tcp_stream>& stream) {
    std::lock_guard lock(sockets_mutex);
    std::erase_if(streams, [](const auto& w) { return w.expired(); });
    streams.push_back(stream);
  }

  awaitable<void> Session(tcp::socket socket) {
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    Track(stream);
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(options.max_body_bytes);
      parser.header_limit(16 * 1024);
      stream->expires_after(options.idle_timeout);
      boost::system::error_code ec;
      co_await bhttp::async_read(*stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
      if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
          ec == beast::error::timeout || ec == asio::error::operation_aborted ||
          ec == asio::error::connection_reset) {
        break;
      }
      if (ec) {
        counters.requests.fetch_add(1);
        counters.bad_requests.fetch_add(1);
        const bool too_large = ec == bhttp::error::body_limit;
        Response r = too_large ? JsonError(413, "request body too large")
                               : JsonError(400, "malformed HTTP request: " + ec.message());
        auto res = ToBeast(r, 11, false);
        stream->expires_after(options.write_timeout);
        co_await bhttp::async_write(*stream, res, asio::redirect_error(use_awaitable, ec));
        break;
      }
      counters.requests.fetch_add(1);
      auto req = parser.release();
      Request request;
      request.method = std::string(req.method_string());
      request.body = std::move(req.body());
      if (auto it = req.find(bhttp::field::authorization); it != req.end()) {
        request.authorization = std::string(it->value());
      }
      Response response;
      Router::Match match;
      if (!ParseTarget(req.target(), request.path, request.query)) {
        response = JsonError(400, "malformed request target");
      } else {
        match = router.Find(request.method, request.path);
        if (match.sse_handler && match.error_status == 0) {
          co_await ServeSse(stream, request, match);
          break;
        }
        response = Handle(request, match);
      }
      if (response.status >= 400 && response.status < 500) counters.bad_requests.fetch_add(1);
      const bool keep_alive = req.keep_alive();
      auto res = ToBeast(response, req.version(), keep_alive);
      if (request.method == "HEAD") res.body().clear();
      stream->expires_after(options.write_timeout);
      co_await bhttp::async_write(*stream, res, asio::redirect_error(use_awaitable, ec));
      if (ec || !keep_alive) break;
    }
    boost::system::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream->close();
  }

  awaitable<void> ServeSse(std::shared_ptr<beast::tcp_stream> stream, Request& request,
                           const Router::Match& match) {
    boost::system::error_code ec;
    // A timer the sink cancels to wake this coroutine; owned jointly so a late wake is harmless.
    auto timer = std::make_shared<asio::steady_timer>(io);
    auto sink = std::make_shared<SseSink>(
        options.max_sse_queued_bytes,
        [timer, ex = io.get_executor()] { asio::post(ex, [timer] { timer->cancel(); }); });
    Response verdict;
    if (auto refusal = CheckToken(request, match.options)) {
      verdict = *refusal;
    } else {
      try {
        request.path_params = match.params;
        verdict = (*match.sse_handler)(request, sink);
      } catch (const std::exception& e) {
        counters.handler_failures.fetch_add(1);
        verdict = JsonError(500, std::string("internal error: ") + e.what());
      }
    }
    if (verdict.status != 200) {
      if (verdict.status >= 400 && verdict.status < 500) counters.bad_requests.fetch_add(1);
      auto res = ToBeast(verdict, 11, false);
      stream->expires_after(options.write_timeout);
      co_await bhttp::async_write(*stream, res, asio::redirect_error(use_awaitable, ec));
      sink->NotifyClientGone();
      co_return;
    }
    std::string head =
        "HTTP/1.1 200 OK\r\nServer: ibstream\r\nContent-Type: text/event-stream\r\n"
        "Cache-Control: no-cache\r\nConnection: close\r\nAccess-Control-Allow-Origin: *\r\n"
        "X-Accel-Buffering: no\r\n";
    for (const auto& [k, v] : verdict.headers) head += k + ": " + v + "\r\n";
    head += "\r\n";
    counters.sse_clients.fetch_add(1);
    stream->expires_after(options.write_timeout);
    co_await asio::async_write(*stream, asio::buffer(head),
                               asio::redirect_error(use_awaitable, ec));
    while (!ec) {
      std::string out = sink->TakeQueued();
      if (out.empty()) {
        if (sink->closed()) break;
        timer->expires_after(options.sse_keepalive);
        boost::system::error_code wait_ec;
        co_await timer->async_wait(asio::redirect_error(use_awaitable, wait_ec));
        out = sink->TakeQueued();
        if (out.empty() && !wait_ec && !sink->closed()) out = std::string(SseKeepalive());
        if (out.empty()) continue;
      }
      stream->expires_after(options.write_timeout);
      co_await asio::async_write(*stream, asio::buffer(out),
                                 asio::redirect_error(use_awaitable, ec));
    }
    if (sink->overflowed() || ec == beast::error::timeout) counters.sse_dropped_slow.fetch_add(1);
    counters.sse_clients.fetch_sub(1);
    sink->NotifyClientGone();
  }
};

Server::Server(Router router, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(router), std::move(options))) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) return InvalidArgument("http: bad listen address '" + impl_->options.host + "'");
  auto acceptor = std::make_unique<tcp::acceptor>(impl_->io);
  const tcp::endpoint endpoint(address, impl_->options.port);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("http: cannot listen on " + impl_->options.host + ":" +
                       std::to_string(impl_->options.port) + ": " + ec.message());
  }
  impl_->bound_port = acceptor->local_endpoint().port();
  impl_->acceptor = std::move(acceptor);
  asio::co_spawn(impl_->io, impl_->Accept(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
  return Status::Ok();
}

void Server::Stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  std::call_once(impl_->stop_once, [this] {
    asio::post(impl_->io, [this] {
      boost::system::error_code ignored;
      if (impl_->acceptor) impl_->acceptor->close(ignored);
      std::lock_guard lock(impl_->sockets_mutex);
      for (auto& weak : impl_->streams) {
        if (auto s = weak.lock()) s->socket().close(ignored);
      }
    });
    // Give sessions a moment to unwind, then stop the loop regardless.
    asio::post(impl_->io, [this] { impl_->io.stop(); });
    impl_->thread.join();
  });
}

uint16_t Server::port() const { return impl_->bound_port.load(); }
const ServerCounters& Server::counters() const { return impl_->counters; }

}  // namespace ibstream::http
