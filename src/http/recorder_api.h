// The recorder's HTTP API: every endpoint of README.md registered on a Router, over a small
// data-source interface (recorder_api_source.h) so that tests can serve hand-made views.
//
// The handlers only read RecorderView snapshots, query storage, subscribe to the tick fan-out and
// ask for backfills: they never touch the recorder's live state and never make IB requests of
// their own. A live SSE client is a fan-out consumer that formats the tick and pushes it into
// the client's bounded sink; a client that cannot keep up is dropped, the recorder never waits.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "http/prometheus.h"
#include "http/recorder_api_source.h"
#include "http/router.h"
#include "model/tick.h"
#include "recorder/recorder_view.h"

namespace ibstream::http {

struct RecorderApiOptions {
  std::string version = "0.1.0";
  // SSE clients at once (the original's max_concurrent_streams); more get 429.
  int max_sse_streams = 100;
  // Buffer replays (/v2/stream/{id}/buffer) running at once; more get 503.
  int max_buffer_replays = 4;
  // Ticks a live client may have waiting while its buffer replay runs; beyond it the client is
  // dropped (it would never catch up).
  size_t max_pending_live_ticks = 20000;
  // /v3/buffer/{id}/query answers at most this many records (also the default limit).
  int64_t max_query_records = 100000;
  // The staleness threshold /background/health/summary reports when no stream has one in force.
  Duration default_staleness_threshold = std::chrono::minutes(5);
  // The SSE sinks' byte bound (ServerOptions::max_sse_queued_bytes): a buffer replay waits while
  // its client's queue is above half of it.
  size_t sse_queue_bytes = 1 << 20;
  // The real-time clock of SSE timeouts (the `timeout` parameter); must outlive the API. Tests
  // give a ManualSteadyClock.
  const SteadyClock* steady_clock = &SteadyClock::Real();
  // Adds the families of parts outside the recorder (e.g. the v3 live output) to /metrics. Runs
  // on the HTTP thread; must be thread-safe and quick.
  std::function<void(PrometheusWriter&)> extra_metrics;
  // Adds the state of parts outside the recorder (e.g. the NATS publisher) to /v1/status: a JSON
  // object whose members are appended to the status object ("{\"nats\":{...}}"). Runs on the
  // HTTP thread; must be thread-safe and quick.
  std::function<std::string()> extra_status;
};

// Counters of the API itself, shown under /metrics.
struct RecorderApiStats {
  uint64_t sse_streams_started = 0;
  uint64_t sse_streams_active = 0;
  uint64_t sse_ticks_sent = 0;
  uint64_t sse_clients_dropped = 0;  // sink full
  uint64_t backfill_requests = 0;
  uint64_t contract_changes = 0;  // contracts tracked or untracked through the API
};

// Registers every endpoint (README.md) on `router`. The router's handlers share ownership of
// `source` and of the API's state (a timer thread for SSE timeouts and buffer replay threads,
// joined when the last handler is destroyed, i.e. with the Server).
void RegisterRecorderApi(Router& router, std::shared_ptr<RecorderApiSource> source,
                         RecorderApiOptions options = {});

// --- pieces exposed for tests and the CLI ---------------------------------------------------

// "<n>h", "<n>m", "<n>d" or a bare number of hours (the original's buffer_duration); positive,
// at most 31 days. InvalidArgument otherwise.
Result<Duration> ParseBufferDuration(std::string_view text);

// The original's SSE `data` of a tick (§5 formatter fields plus contract_id, tick_type), as JSON
// text with Python's default separators.
std::string TickDataJson(const Tick& tick);

// A track request's JSON object as the TOML text of one [[contracts]] table (values keep their
// JSON types; null is refused). InvalidArgument for anything else.
Result<std::string> ContractJsonToToml(std::string_view json_text);

// The whole view as JSON (GET /v1/status, read by `ibstream status`).
std::string RecorderViewJson(const recorder::RecorderView& view);

}  // namespace ibstream::http
