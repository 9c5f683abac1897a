// The HTTP server: Boost.Beast on one thread of its own, behind a Beast-free interface.
//
// Binds to loopback by default. Plain routes answer one response per request (keep-alive);
// SSE routes hold the connection and write what their sink queues, with keepalive comments when
// idle. Every request read gets an answer: malformed requests (including a target that is not
// valid UTF-8 once percent-decoded) get a 400 JSON body, unknown paths 404, wrong methods 405,
// bodies over the limit 413, headers over the limit (request line and all fields together) 431,
// a missing or wrong bearer token 401; a handler that throws gets a 500 and a counter (a bug,
// never expected for bad input). HEAD is answered with the GET route's headers and no body; on an
// SSE route it answers the stream's headers without starting a stream.
//
// WebSocket routes upgrade a GET that asks for it (anything else there is 426). Each client gets
// a bounded send queue (`max_ws_queued_bytes`), its messages are capped at `max_ws_message_bytes`,
// idle clients are pinged and dropped after `idle_timeout` without an answer, and a write that
// makes no progress for `write_timeout` drops the client.
//
// Connections beyond `max_connections` are answered 503 (JSON) and closed. So is a connection whose
// descriptor is numbered at or above `descriptor_ceiling`, at once and without waiting for the
// client: descriptors are handed out lowest first, so such a number means every one below it is
// taken, and the ones above are kept for storage and the rest of the process. When accept() fails
// for want of resources (EMFILE, ENFILE, ENOBUFS, ENOMEM) the server waits before accepting again,
// `accept_backoff_initial` doubling up to `accept_backoff_max`, and logs one line per episode.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/prometheus.h"
#include "http/router.h"

namespace ibstream::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8851;  // 0 picks a free port (see Server::port())
  // Required by routes marked requires_token; when empty those routes answer 403.
  std::string bearer_token;
  size_t max_body_bytes = 64 * 1024;
  // The request line and every header field together; more is refused with 431.
  size_t max_header_bytes = 16 * 1024;
  // Connections open at once (SSE streams included); keep it below the descriptor limit.
  size_t max_connections = 256;
  // Connections never keep a descriptor numbered at or above this (0: no ceiling). The daemon sets
  // it to the descriptor limit minus what storage reserves (fs::ReservedDescriptors), so that
  // descriptors the count limit does not see (inherited ones, refusals in flight, files other
  // parts opened) cannot starve storage of the next hour's journal.
  uint64_t descriptor_ceiling = 0;
  std::chrono::milliseconds accept_backoff_initial{100};
  std::chrono::milliseconds accept_backoff_max{1000};
  // Receives the server's warnings (one line per accept back-off episode), from the server's
  // thread. Empty: they go to stderr.
  std::function<void(const std::string&)> log_warning;
  size_t max_sse_queued_bytes = 1 << 20;
  // A WebSocket client's unsent bytes; beyond them it is dropped (close code kWsCloseTooSlow).
  size_t max_ws_queued_bytes = 1 << 20;
  // The largest message a WebSocket client may send; a larger one ends the connection (1009).
  size_t max_ws_message_bytes = 64 * 1024;
  std::chrono::milliseconds sse_keepalive{15000};
  std::chrono::milliseconds idle_timeout{60000};
  // A write that makes no progress for this long drops the client.
  std::chrono::milliseconds write_timeout{10000};
};

struct ServerCounters {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> bad_requests{0};  // 4xx answers
  std::atomic<uint64_t> handler_failures{0};
  std::atomic<uint64_t> sse_clients{0};  // currently connected
  std::atomic<uint64_t> sse_dropped_slow{0};
  std::atomic<uint64_t> websocket_clients{0};  // currently connected
  std::atomic<uint64_t> websocket_dropped_slow{0};
  std::atomic<uint64_t> websocket_bad_frames{0};  // protocol errors, messages over the limit
  std::atomic<uint64_t> connections{0};           // currently open (refusals not included)
  std::atomic<uint64_t> connections_refused{0};   // answered 503 at max_connections
  std::atomic<uint64_t> connections_refused_descriptors{0};  // 503 at descriptor_ceiling
  std::atomic<uint64_t> accept_errors{0};                    // accept() failures of any kind
  std::atomic<uint64_t> accept_backoffs{0};  // episodes of accept() starved of resources
};

// The wait before the next accept() after one failed for want of resources: `previous` is the
// last wait of this episode (zero at its start). `initial` first, then doubling, never above
// `max`.
std::chrono::milliseconds NextAcceptBackoff(std::chrono::milliseconds previous,
                                            std::chrono::milliseconds initial,
                                            std::chrono::milliseconds max);

// Writes `counters` as the ibstream_http_* families of /metrics (connections, refusals, accept
// errors and back-offs, requests). Reads atomics only: safe from any thread.
void WriteServerMetrics(const ServerCounters& counters, PrometheusWriter& w);

class Server {
 public:
  Server(Router router, ServerOptions options);
  ~Server();  // stops and joins

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving on a thread of its own. An address in use or a bad host is an error.
  Status Start();
  // Stops accepting, closes every connection and joins the thread. Idempotent.
  void Stop();

  // The bound port (useful with port 0); 0 before Start.
  uint16_t port() const;
  const ServerCounters& counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ibstream::http
