#include "http/router.h"

namespace ibstream::http {
namespace {

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

bool IsParam(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler, SseHandler sse,
                 RouteOptions options, WsHandler ws) {
  routes_.push_back(Route{std::move(method), Split(pattern), std::move(handler), std::move(sse),
                          options, std::move(ws)});
}

void Router::Get(std::string pattern, Handler handler, RouteOptions options) {
  Add("GET", std::move(pattern), std::move(handler), nullptr, options);
}
void Router::Post(std::string pattern, Handler handler, RouteOptions options) {
  Add("POST", std::move(pattern), std::move(handler), nullptr, options);
}
void Router::Delete(std::string pattern, Handler handler, RouteOptions options) {
  Add("DELETE", std::move(pattern), std::move(handler), nullptr, options);
}
void Router::Sse(std::string pattern, SseHandler handler, RouteOptions options) {
  Add("GET", std::move(pattern), nullptr, std::move(handler), options);
}
void Router::WebSocket(std::string pattern, WsHandler handler, RouteOptions options) {
  Add("GET", std::move(pattern), nullptr, nullptr, options, std::move(handler));
}

Router::Match Router::Find(const std::string& method, const std::string& path) const {
  const std::vector<std::string> segments = Split(path);
  Match match;
  bool path_matched = false;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t i = 0; i < segments.size() && ok; ++i) {
      if (IsParam(route.segments[i])) {
        params[route.segments[i].substr(1, route.segments[i].size() - 2)] = segments[i];
      } else {
        ok = route.segments[i] == segments[i];
      }
    }
    if (!ok) continue;
    path_matched = true;
    if (route.method != method && !(method == "HEAD" && route.method == "GET")) continue;
    match.handler = route.handler ? &route.handler : nullptr;
    match.sse_handler = route.sse_handler ? &route.sse_handler : nullptr;
    match.ws_handler = route.ws_handler ? &route.ws_handler : nullptr;
    match.options = route.options;
    match.params = std::move(params);
    return match;
  }
  match.error_status = path_matched ? 405 : 404;
  return match;
}

std::vector<std::string> Router::List() const {
  std::vector<std::string> out;
  for (const Route& route : routes_) {
    std::string line = route.method + " ";
    for (const std::string& s : route.segments) line += "/" + s;
    if (route.segments.empty()) line += "/";
    if (route.sse_handler) line += " (SSE)";
    if (route.ws_handler) line += " (WebSocket)";
    out.push_back(line);
  }
  return out;
}

}  // namespace ibstream::http
