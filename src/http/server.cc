// Beast is confined to this file.
#include "http/server.h"

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cerrno>
#include <deque>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>  // before Asio: GCC 12 + Boost 1.74 need std::exchange declared first

// Asio's coroutine frames are allocated by a class-specific operator new that GCC 12 inlines down
// to ::operator new, then paired with the class-specific operator delete (which hands the memory
// back to the same recycling allocator): a false -Wmismatched-new-delete, depending on inlining.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace ibstream::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using namespace std::chrono_literals;

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

  void Warn(const std::string& line) const {
    if (options.log_warning) {
      options.log_warning(line);
    } else {
      std::cerr << line << "\n";
    }
  }

  // accept() failed for want of descriptors or memory: retrying at once would spin.
  static bool IsStarved(const boost::system::error_code& ec) {
    if (ec.category() != boost::system::system_category()) return false;
    const int v = ec.value();
    return v == EMFILE || v == ENFILE || v == ENOBUFS || v == ENOMEM;
  }

  awaitable<void> Accept() {
    asio::steady_timer backoff_timer(io);
    std::chrono::milliseconds backoff{0};
    uint64_t errors_in_episode = 0;
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor->async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
        counters.accept_errors.fetch_add(1);
        if (!IsStarved(ec)) continue;  // e.g. ECONNABORTED: that connection only
        ++errors_in_episode;
        if (backoff.count() == 0) {
          counters.accept_backoffs.fetch_add(1);
          Warn("http: accept failed (" + ec.message() + "); retrying with back-off up to " +
               std::to_string(options.accept_backoff_max.count()) + " ms");
        }
        backoff =
            NextAcceptBackoff(backoff, options.accept_backoff_initial, options.accept_backoff_max);
        backoff_timer.expires_after(backoff);
        co_await backoff_timer.async_wait(asio::redirect_error(use_awaitable, ec));
        if (!acceptor->is_open()) co_return;
        continue;
      }
      if (backoff.count() != 0) {
        Warn("http: accepting again after " + std::to_string(errors_in_episode) +
             " failed accept() calls");
        backoff = std::chrono::milliseconds{0};
        errors_in_episode = 0;
      }
      if (options.descriptor_ceiling > 0 &&
          static_cast<uint64_t>(socket.native_handle()) >= options.descriptor_ceiling) {
        // The descriptor is one storage's reserve would need: answered and given back at once.
        counters.connections_refused_descriptors.fetch_add(1);
        asio::co_spawn(io, Refuse(std::move(socket), /*drain=*/false), asio::detached);
        continue;
      }
      if (counters.connections.load() >= options.max_connections) {
        counters.connections_refused.fetch_add(1);
        asio::co_spawn(io, Refuse(std::move(socket), /*drain=*/true), asio::detached);
        continue;
      }
      counters.connections.fetch_add(1);
      asio::co_spawn(io, Session(std::move(socket)), asio::detached);
    }
  }

  // Answers 503 without reading the request. With `drain`, then reads what the client sends for
  // a moment so that closing does not reset the connection before the client reads the answer;
  // without, closes as soon as the answer is written (the descriptor is needed elsewhere).
  awaitable<void> Refuse(tcp::socket socket, bool drain) {
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    Track(stream);
    auto res = ToBeast(JsonError(503, "too many connections",
                                 {{"max_connections", std::to_string(options.max_connections)}}),
                       11, false);
    res.set(bhttp::field::retry_after, "1");
    boost::system::error_code ec;
    stream->expires_after(std::min<std::chrono::milliseconds>(options.write_timeout, 1s));
    co_await bhttp::async_write(*stream, res, asio::redirect_error(use_awaitable, ec));
    stream->socket().shutdown(tcp::socket::shutdown_send, ec);
    std::string discard(4096, '\0');
    size_t drained = 0;
    while (drain && !ec && drained < discard.size() * 16) {
      drained += co_await stream->async_read_some(asio::buffer(discard),
                                                  asio::redirect_error(use_awaitable, ec));
    }
    stream->close();
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

  using Parser = bhttp::request_parser<bhttp::string_body>;

  // Reads one request. Beast's header limit bounds only what is not yet parsed, so the total of
  // the request line and header fields is counted here.
  awaitable<boost::system::error_code> ReadRequest(beast::tcp_stream& stream,
                                                   beast::flat_buffer& buffer, Parser& parser) {
    boost::system::error_code ec;
    size_t header_bytes = 0;
    while (!parser.is_header_done()) {
      header_bytes += co_await bhttp::async_read_some(stream, buffer, parser,
                                                      asio::redirect_error(use_awaitable, ec));
      if (ec) co_return ec;
      if (header_bytes > options.max_header_bytes) co_return bhttp::error::header_limit;
    }
    if (!parser.is_done()) {
      co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    }
    co_return ec;
  }

  static bool IsDisconnect(const boost::system::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
           ec == beast::error::timeout || ec == asio::error::operation_aborted ||
           ec == asio::error::connection_reset;
  }

  static Response ReadError(const boost::system::error_code& ec) {
    if (ec == bhttp::error::body_limit) return JsonError(413, "request body too large");
    if (ec == bhttp::error::header_limit) {
      return JsonError(431, "request header fields too large");
    }
    return JsonError(400, "malformed HTTP request: " + ec.message());
  }

  // The HEAD answer of an SSE route: the stream's headers, no stream.
  Response SseHead(const Request& request, const Router::Match& match) const {
    if (auto refusal = CheckToken(request, match.options)) return *refusal;
    Response r;
    r.content_type = "text/event-stream";
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
  }

  // Decodes what Beast parsed into a Request; nullopt (a 400) when it cannot be decoded.
  static std::optional<Request> Decode(const bhttp::request<bhttp::string_body>& req) {
    try {
      Request request;
      request.method = std::string(req.method_string());
      if (!ParseTarget(req.target(), request.path, request.query)) return std::nullopt;
      if (auto it = req.find(bhttp::field::authorization); it != req.end()) {
        request.authorization = std::string(it->value());
      }
      request.body = req.body();
      return request;
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

  struct ConnectionSlot {
    explicit ConnectionSlot(ServerCounters& c) : counters(c) {}
    ~ConnectionSlot() { counters.connections.fetch_sub(1); }
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;
    ServerCounters& counters;
  };

  // Runs for each accepted connection; Accept counted it in `connections`.
  awaitable<void> Session(tcp::socket socket) {
    const ConnectionSlot slot(counters);
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    Track(stream);
    beast::flat_buffer buffer;
    for (;;) {
      Parser parser;
      parser.body_limit(options.max_body_bytes);
      parser.header_limit(static_cast<uint32_t>(options.max_header_bytes));
      stream->expires_after(options.idle_timeout);
      boost::system::error_code ec = co_await ReadRequest(*stream, buffer, parser);
      if (IsDisconnect(ec)) break;
      if (ec) {
        counters.requests.fetch_add(1);
        counters.bad_requests.fetch_add(1);
        auto res = ToBeast(ReadError(ec), 11, false);
        stream->expires_after(options.write_timeout);
        co_await bhttp::async_write(*stream, res, asio::redirect_error(use_awaitable, ec));
        break;
      }
      counters.requests.fetch_add(1);
      auto req = parser.release();
      std::optional<Request> request = Decode(req);
      Response response;
      if (!request) {
        response = JsonError(400, "malformed request target");
      } else {
        const Router::Match match = router.Find(request->method, request->path);
        if (match.ws_handler && match.error_status == 0) {
          if (request->method == "GET" && websocket::is_upgrade(req)) {
            co_await ServeWebSocket(stream, std::move(req), *request, match);
            break;
          }
          response = JsonError(426, "this endpoint is a WebSocket: upgrade required");
          response.headers.emplace_back("Upgrade", "websocket");
        } else if (match.sse_handler && match.error_status == 0) {
          if (request->method != "HEAD") {
            co_await ServeSse(stream, *request, match);
            break;
          }
          response = SseHead(*request, match);
        } else {
          response = Handle(*request, match);
        }
      }
      if (response.status >= 400 && response.status < 500) counters.bad_requests.fetch_add(1);
      const bool keep_alive = req.keep_alive();
      auto res = ToBeast(response, req.version(), keep_alive);
      // HEAD: Content-Length stays that of the GET answer; no body is written.
      if (req.method() == bhttp::verb::head) res.body().clear();
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

  // What the reader and the writer of one WebSocket client share.
  struct WsClient {
    WsClient(std::shared_ptr<beast::tcp_stream> s, asio::io_context& io)
        : stream(std::move(s)), ws(*stream), wake(io), stall(io) {}
    std::shared_ptr<beast::tcp_stream> stream;  // owns what `ws` reads and writes
    websocket::stream<beast::tcp_stream&> ws;
    asio::steady_timer wake;   // cancelled when the connection has something to write
    asio::steady_timer stall;  // drops the client when a write makes no progress
    std::shared_ptr<WsConnection> connection;
    uint64_t write_generation = 0;
    bool writing = false;
    bool reader_done = false;
  };

  // Runs one write (or the close handshake) under the write timeout: a client that stops reading
  // is dropped, since nothing else would ever end the write.
  template <typename Op>
  awaitable<boost::system::error_code> GuardedWrite(const std::shared_ptr<WsClient>& c, Op op) {
    const uint64_t generation = ++c->write_generation;
    c->writing = true;
    c->stall.expires_after(options.write_timeout);
    c->stall.async_wait([this, c, generation](const boost::system::error_code& ec) {
      if (ec || !c->writing || c->write_generation != generation) return;
      c->connection->Close(kWsCloseTooSlow, "write stalled: the client does not read");
      boost::system::error_code ignored;
      c->stream->socket().close(ignored);
      counters.websocket_dropped_slow.fetch_add(1);
    });
    boost::system::error_code ec = co_await op();
    c->writing = false;
    c->stall.cancel();
    co_return ec;
  }

  awaitable<void> WsWriter(std::shared_ptr<WsClient> c) {
    boost::system::error_code ec;
    WsConnection& conn = *c->connection;
    while (!ec && !c->reader_done) {
      std::deque<std::string> batch = conn.TakeQueued();
      if (batch.empty()) {
        if (conn.closed()) break;
        c->wake.expires_at(asio::steady_timer::time_point::max());
        co_await c->wake.async_wait(asio::redirect_error(use_awaitable, ec));
        ec = {};
        continue;
      }
      for (std::string& message : batch) {
        if (conn.overflowed() || c->reader_done) break;
        c->ws.text(true);
        ec = co_await GuardedWrite(c, [&]() -> awaitable<boost::system::error_code> {
          boost::system::error_code write_ec;
          co_await c->ws.async_write(asio::buffer(message),
                                     asio::redirect_error(use_awaitable, write_ec));
          co_return write_ec;
        });
        if (ec) break;
      }
      if (conn.overflowed()) break;
    }
    if (ec || c->reader_done) co_return;
    if (conn.overflowed()) counters.websocket_dropped_slow.fetch_add(1);
    const websocket::close_reason reason(static_cast<websocket::close_code>(conn.close_code()),
                                         conn.close_reason());
    co_await GuardedWrite(c, [&]() -> awaitable<boost::system::error_code> {
      boost::system::error_code close_ec;
      co_await c->ws.async_close(reason, asio::redirect_error(use_awaitable, close_ec));
      co_return close_ec;
    });
  }

  static bool IsWsBadFrame(const boost::system::error_code& ec) {
    return ec == websocket::condition::protocol_violation ||
           ec == websocket::error::message_too_big || ec == websocket::error::buffer_overflow;
  }

  awaitable<void> ServeWebSocket(std::shared_ptr<beast::tcp_stream> stream,
                                 bhttp::request<bhttp::string_body> req, Request& request,
                                 const Router::Match& match) {
    boost::system::error_code ec;
    auto client = std::make_shared<WsClient>(stream, io);
    const auto remote = stream->socket().remote_endpoint(ec);
    const std::string peer = ec ? std::string("unknown") : remote.address().to_string();
    std::weak_ptr<WsClient> weak = client;
    client->connection = std::make_shared<WsConnection>(options.max_ws_queued_bytes, peer,
                                                        [weak, ex = io.get_executor()] {
                                                          asio::post(ex, [weak] {
                                                            if (auto c = weak.lock())
                                                              c->wake.cancel();
                                                          });
                                                        });
    Response verdict;
    if (auto refusal = CheckToken(request, match.options)) {
      verdict = *refusal;
    } else {
      try {
        request.path_params = match.params;
        verdict = (*match.ws_handler)(request, client->connection);
      } catch (const std::exception& e) {
        counters.handler_failures.fetch_add(1);
        verdict = JsonError(500, std::string("internal error: ") + e.what());
      }
    }
    if (verdict.status != 200) {
      if (verdict.status >= 400 && verdict.status < 500) counters.bad_requests.fetch_add(1);
      auto res = ToBeast(verdict, req.version(), false);
      stream->expires_after(options.write_timeout);
      co_await bhttp::async_write(*stream, res, asio::redirect_error(use_awaitable, ec));
      client->connection->NotifyClientGone();
      co_return;
    }
    stream->expires_never();  // the WebSocket's own timeouts from here on
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = options.write_timeout;
    timeouts.idle_timeout = options.idle_timeout;
    timeouts.keep_alive_pings = true;
    client->ws.set_option(timeouts);
    client->ws.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(bhttp::field::server, "ibstream"); }));
    client->ws.read_message_max(options.max_ws_message_bytes);
    co_await client->ws.async_accept(req, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      client->connection->NotifyClientGone();
      co_return;
    }
    counters.websocket_clients.fetch_add(1);
    asio::co_spawn(io, WsWriter(client), asio::detached);
    beast::flat_buffer in;
    for (;;) {
      in.clear();
      co_await client->ws.async_read(in, asio::redirect_error(use_awaitable, ec));
      if (ec) break;
      const std::string text = beast::buffers_to_string(in.data());
      client->connection->Deliver(text, !client->ws.got_text());
    }
    if (IsWsBadFrame(ec)) counters.websocket_bad_frames.fetch_add(1);
    client->reader_done = true;
    client->connection->NotifyClientGone();
    client->wake.cancel();
    counters.websocket_clients.fetch_sub(1);
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

std::chrono::milliseconds NextAcceptBackoff(std::chrono::milliseconds previous,
                                            std::chrono::milliseconds initial,
                                            std::chrono::milliseconds max) {
  const std::chrono::milliseconds floor{1};  // a zero initial wait would still spin
  if (previous.count() <= 0) return std::clamp(initial, floor, std::max(max, floor));
  return std::clamp(previous * 2, floor, std::max(max, floor));
}

void WriteServerMetrics(const ServerCounters& counters, PrometheusWriter& w) {
  auto value = [](const std::atomic<uint64_t>& a) { return static_cast<double>(a.load()); };
  w.Family("ibstream_http_connections", "gauge", "HTTP connections open (SSE streams included).");
  w.Sample(value(counters.connections));
  w.Family("ibstream_http_connections_refused_total", "counter",
           "HTTP connections answered 503 at http.max_connections.");
  w.Sample(value(counters.connections_refused));
  w.Family("ibstream_http_connections_refused_descriptors_total", "counter",
           "HTTP connections answered 503 because their descriptor was one storage reserves.");
  w.Sample(value(counters.connections_refused_descriptors));
  w.Family("ibstream_http_accept_errors_total", "counter", "Failed accept() calls.");
  w.Sample(value(counters.accept_errors));
  w.Family("ibstream_http_accept_backoffs_total", "counter",
           "Episodes of accept() failing for want of descriptors or memory (backed off).");
  w.Sample(value(counters.accept_backoffs));
  w.Family("ibstream_http_requests_total", "counter", "HTTP requests read.");
  w.Sample(value(counters.requests));
  w.Family("ibstream_http_bad_requests_total", "counter", "HTTP requests answered 4xx.");
  w.Sample(value(counters.bad_requests));
  w.Family("ibstream_http_websocket_clients", "gauge", "WebSocket clients connected.");
  w.Sample(value(counters.websocket_clients));
  w.Family("ibstream_http_websocket_bad_frames_total", "counter",
           "WebSocket connections ended by a protocol error or a message over the size limit.");
  w.Sample(value(counters.websocket_bad_frames));
  w.Family("ibstream_http_handler_failures_total", "counter",
           "HTTP handlers that threw (answered 500; a bug).");
  w.Sample(value(counters.handler_failures));
}

uint16_t Server::port() const { return impl_->bound_port.load(); }
const ServerCounters& Server::counters() const { return impl_->counters; }

}  // namespace ibstream::http
