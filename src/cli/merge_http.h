// `ibstream merge --nats URL --http HOST:PORT`: the recorder's read API (src/http, every endpoint
// of its README) served over a running merge through MergeApi (merge_api.h), plus the merge's
// state under "merge" in /v1/status and its counters in /metrics. Commands that change a
// recorder (backfill, track, untrack) answer 409: the merge alone writes the merged store.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "cli/merge_api.h"
#include "common/status.h"
#include "fs/file_system.h"

namespace ibstream::http {
class Server;
}  // namespace ibstream::http

namespace ibstream::cli {

struct MergeHttpOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port (MergeHttpServer::port says which)
  // Required by the command endpoints (backfill, gap retries, track/untrack, ending SSE
  // streams), as `http.bearer_token` on a recorder; empty: they answer 403.
  std::string bearer_token;
  // The real-time clock of SSE timeouts; must outlive the server (tests give a manual one).
  const SteadyClock* steady_clock = &SteadyClock::Real();
};

// "HOST:PORT", "[v6]:PORT" or ":PORT" (loopback); InvalidArgument otherwise.
Result<MergeHttpOptions> ParseMergeHttpListen(const std::string& text);

// The bearer token in `path` (`merge --token-file`): the file's text without its trailing
// newline, held to the rule of the recorder's `http.bearer_token` (at least 16 characters, no
// whitespace). Errors: the file cannot be read (or is over 4 KiB), the token breaks the rule
// (InvalidArgument naming the file, never the token).
Result<std::string> ReadMergeHttpToken(fs::FileSystem* fs, const std::string& path);

class MergeHttpServer {
 public:
  // Serves `api` until Stop or destruction. Errors: the address cannot be bound.
  static Result<std::unique_ptr<MergeHttpServer>> Start(std::shared_ptr<MergeApi> api,
                                                        const MergeHttpOptions& options);
  ~MergeHttpServer();  // stops
  MergeHttpServer(const MergeHttpServer&) = delete;
  MergeHttpServer& operator=(const MergeHttpServer&) = delete;

  uint16_t port() const;
  // "http://HOST:PORT/".
  std::string url() const;
  // Closes every connection and joins the server's thread. Idempotent.
  void Stop();

 private:
  MergeHttpServer(std::unique_ptr<http::Server> server, std::string host);
  std::unique_ptr<http::Server> server_;
  std::string host_;
};

}  // namespace ibstream::cli
