// Fuzzes the request side of the HTTP server without sockets: Beast's request parser with the
// server's limits, then what the server does with what it parsed (target decoding, routing, the
// JSON error shape, bounded JSON bodies).
//
// Input: the bytes a client sends on one connection. Checked properties:
//  * nothing throws and nothing crashes, whatever the bytes;
//  * a target ParseTarget accepts decodes to a path and query that are valid UTF-8 (strict JSON
//    serialization of them does not throw), and a second decode of the same target agrees;
//  * every route lookup ends in a handler or a 404/405, and every error body is one JSON object
//    with "error" and "status";
//  * ParseJsonBody answers a value or a named error for any body, never an exception.
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/http_types.h"
#include "http/json_body.h"
#include "http/router.h"

namespace ibstream::http {
namespace {

namespace bhttp = boost::beast::http;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_http_request: property violated: %s\n", what);
  std::abort();
}

// The shapes of the recorder API's routes: literal segments and {param} segments, GET, POST,
// DELETE and SSE.
const Router& Routes() {
  static const Router router = [] {
    Router r;
    auto ok = [](const Request&) { return JsonResponse("{}"); };
    r.Get("/health", ok);
    r.Get("/v3/buffer/{id}/info", ok);
    r.Get("/v3/buffer/{id}/query", ok);
    r.Get("/background/health/{contract_id}", ok);
    r.Post("/v1/backfill", ok, RouteOptions{.requires_token = true});
    r.Post("/v1/contracts", ok, RouteOptions{.requires_token = true});
    r.Delete("/v1/contracts/{id}", ok, RouteOptions{.requires_token = true});
    r.Sse("/v2/stream/{id}/live",
          [](const Request&, std::shared_ptr<SseSink>) { return Response{}; });
    r.Sse("/v2/stream/{id}/live/{tick_type}",
          [](const Request&, std::shared_ptr<SseSink>) { return Response{}; });
    return r;
  }();
  return router;
}

void CheckErrorShape(const Response& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("error") || j.value("status", 0) != r.status) {
    Fail("an error body is not {error, status}");
  }
}

void CheckDecoded(std::string_view target) {
  std::string path;
  std::map<std::string, std::string> query;
  if (!ParseTarget(target, path, query)) {
    CheckErrorShape(JsonError(400, "malformed request target"));
    return;
  }
  try {
    // Strict serialization throws on invalid UTF-8.
    nlohmann::json strict = {{"path", path}};
    for (const auto& [k, v] : query) strict[k] = v;
    (void)strict.dump();
  } catch (const nlohmann::json::exception&) {
    Fail("ParseTarget accepted a target that is not valid UTF-8 once decoded");
  }
  std::string again;
  std::map<std::string, std::string> query_again;
  if (!ParseTarget(target, again, query_again) || again != path || query_again != query) {
    Fail("ParseTarget is not deterministic");
  }
  for (const char* method : {"GET", "HEAD", "POST", "DELETE", "PUT"}) {
    const Router::Match match = Routes().Find(method, path);
    if (match.error_status == 0) {
      if (!match.handler && !match.sse_handler) Fail("a match without a handler");
    } else if (match.error_status == 404) {
      CheckErrorShape(JsonError(404, "no such endpoint", {{"path", path}}));
    } else if (match.error_status == 405) {
      CheckErrorShape(JsonError(405, "method not allowed", {{"method", method}}));
    } else {
      Fail("a lookup that is neither a match nor 404/405");
    }
  }
}

void CheckBody(std::string_view body) {
  auto parsed = ParseJsonBody(body);
  if (!parsed.ok() && parsed.status().message().empty()) Fail("an unnamed body error");
}

}  // namespace
}  // namespace ibstream::http

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ibstream::http;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Whatever the bytes, the pieces after the parser must cope with them on their own too.
  CheckDecoded(bytes.substr(0, bytes.find('\n')));
  CheckBody(bytes);
  CheckErrorShape(JsonError(400, "malformed HTTP request: " + std::string(bytes)));

  // The server's parser and limits (server.h: 64 KiB body, 16 KiB of headers).
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024);
  parser.header_limit(16 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  std::string_view rest = bytes;
  while (!rest.empty() && !parser.is_done()) {
    const size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    if (ec && ec != bhttp::error::need_more) return 0;
    if (used == 0) break;
    rest.remove_prefix(used);
  }
  if (!parser.is_done()) {
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;
  }
  const auto& req = parser.get();
  CheckDecoded(req.target());
  CheckBody(req.body());
  return 0;
}
