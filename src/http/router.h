// Routes: method + path pattern ("/v3/buffer/{id}/info") -> handler.
//
// Plain handlers return a Response. Server-sent-event handlers get an SseSink to push events to
// for as long as the client stays; they must return quickly and feed the sink from elsewhere.
// Handlers run on the server's thread: whatever they read must be safe to read from there.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/http_types.h"
#include "http/sse.h"
#include "http/ws.h"

namespace ibstream::http {

using Handler = std::function<Response(const Request&)>;
// Called once per SSE client. Returning a Response with a status other than 200 refuses the
// stream with that response (e.g. 404 for an unknown contract); otherwise the stream starts and
// `sink` is live until the client goes away or the sink is closed.
using SseHandler = std::function<Response(const Request&, std::shared_ptr<SseSink> sink)>;

// Called once per WebSocket client, before the upgrade is answered. Returning a Response with a
// status other than 200 refuses the upgrade with that response; otherwise the connection is
// upgraded and `connection` is live until the client goes away or it is closed. The handler sets
// the connection's receivers (WsConnection::SetOnMessage, SetOnClose) before it returns.
using WsHandler = std::function<Response(const Request&, std::shared_ptr<WsConnection> connection)>;

struct RouteOptions {
  // Requires "Authorization: Bearer <token>" matching the server's token.
  bool requires_token = false;
};

class Router {
 public:
  void Get(std::string pattern, Handler handler, RouteOptions options = {});
  void Post(std::string pattern, Handler handler, RouteOptions options = {});
  void Delete(std::string pattern, Handler handler, RouteOptions options = {});
  void Sse(std::string pattern, SseHandler handler, RouteOptions options = {});
  // A GET route that upgrades to a WebSocket (a plain GET to it is answered 426).
  void WebSocket(std::string pattern, WsHandler handler, RouteOptions options = {});

  struct Match {
    const Handler* handler = nullptr;         // set for a plain route
    const SseHandler* sse_handler = nullptr;  // set for an SSE route
    const WsHandler* ws_handler = nullptr;    // set for a WebSocket route
    RouteOptions options;
    std::map<std::string, std::string> params;
    // When nothing matched: 404 (no such path) or 405 (path exists, method does not).
    int error_status = 0;
  };

  // Finds the route for `method` and decoded `path`.
  Match Find(const std::string& method, const std::string& path) const;

  // "GET /health", ... for documentation and tests.
  std::vector<std::string> List() const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
    SseHandler sse_handler;
    RouteOptions options;
    WsHandler ws_handler;
  };
  void Add(std::string method, std::string pattern, Handler handler, SseHandler sse,
           RouteOptions options, WsHandler ws = nullptr);

  std::vector<Route> routes_;
};

}  // namespace ibstream::http
