#include "cli/merge_http.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cctype>
#include <utility>

#include "config/values.h"
#include "http/recorder_api.h"
#include "http/server.h"

namespace ibstream::cli {

Result<MergeHttpOptions> ParseMergeHttpListen(const std::string& text) {
  MergeHttpOptions options;
  auto parsed = config::ParseHostPort(text.starts_with(":") ? "127.0.0.1" + text : text);
  if (!parsed.ok()) {
    return InvalidArgument("--http '" + text + "': " + parsed.status().message());
  }
  options.host = parsed->host;
  options.port = parsed->port;
  return options;
}

Result<std::string> ReadMergeHttpToken(fs::FileSystem* fs, const std::string& path) {
  auto text = fs::ReadFile(fs, path, 4096);
  if (!text.ok()) return text.status().WithContext("--token-file " + path);
  std::string token = std::move(*text);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty()) return InvalidArgument("--token-file " + path + ": empty");
  for (const char c : token) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '\0') {
      return InvalidArgument("--token-file " + path +
                             ": the token must be one line without whitespace");
    }
  }
  if (token.size() < 16) {
    return InvalidArgument("--token-file " + path +
                           ": the token is too short (at least 16 "
                           "characters, as http.bearer_token)");
  }
  return token;
}

Result<std::unique_ptr<MergeHttpServer>> MergeHttpServer::Start(std::shared_ptr<MergeApi> api,
                                                                const MergeHttpOptions& options) {
  http::Router router;
  http::RecorderApiOptions api_options;
  api_options.steady_clock = options.steady_clock;
  // The server's own counters, once it exists (the router it serves is built first).
  auto server_counters = std::make_shared<std::atomic<const http::ServerCounters*>>(nullptr);
  api_options.extra_metrics = [api, server_counters](http::PrometheusWriter& w) {
    api->WriteMetrics(w);
    if (const http::ServerCounters* c = server_counters->load()) http::WriteServerMetrics(*c, w);
  };
  api_options.extra_status = [api] { return api->StatusJson(); };
  http::RegisterRecorderApi(router, api, std::move(api_options));
  http::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.bearer_token = options.bearer_token;
  server_options.log_warning = [](const std::string& line) { spdlog::warn("{}", line); };
  auto server = std::make_unique<http::Server>(std::move(router), std::move(server_options));
  server_counters->store(&server->counters());
  IBSTREAM_RETURN_IF_ERROR(server->Start());
  return std::unique_ptr<MergeHttpServer>(new MergeHttpServer(std::move(server), options.host));
}

MergeHttpServer::MergeHttpServer(std::unique_ptr<http::Server> server, std::string host)
    : server_(std::move(server)), host_(std::move(host)) {}

MergeHttpServer::~MergeHttpServer() { Stop(); }

uint16_t MergeHttpServer::port() const { return server_->port(); }

std::string MergeHttpServer::url() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port()) + "/";
}

void MergeHttpServer::Stop() { server_->Stop(); }

}  // namespace ibstream::cli
