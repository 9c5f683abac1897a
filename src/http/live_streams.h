// The SSE streams of the recorder API: the bookkeeping of every SSE session (the stream limit,
// the active count, the fan-out subscription), the timer thread that ends streams at their
// `timeout`, and the live endpoints /v2/stream/{id}/live and /v2/stream/{id}/live/{tick_type}.
// Buffer replays (buffer_endpoints.h) start their sessions here too. Internal to src/http.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/api_state.h"
#include "http/deadline_timer.h"
#include "http/http_types.h"
#include "http/sse.h"
#include "http/sse_session.h"
#include "recorder/recorder_view.h"

namespace ibstream::http {

// The query parameters every SSE endpoint takes: limit (1..10000 ticks) and timeout (5..3600 s).
struct SseParams {
  std::optional<int64_t> limit;
  std::optional<int64_t> timeout;
  // `include=backfill`: backfilled ticks as well, as storage takes them (marked as such).
  bool include_backfill = false;
  std::optional<Response> error;  // the 400 for a bad value
};
SseParams ReadSseParams(const Request& request);

// Shared by the router's SSE handlers (and the buffer replays); the handlers' methods run on the
// server's thread. The destructor stops the timer thread and ends the sessions still running
// without sending them anything (the server, and the loop that wakes its writers, may be gone).
class LiveStreams {
 public:
  explicit LiveStreams(std::shared_ptr<ApiState> state);
  ~LiveStreams();

  LiveStreams(const LiveStreams&) = delete;
  LiveStreams& operator=(const LiveStreams&) = delete;

  // GET /v2/stream/{id}/live?tick_types=... (type_in_path: /live/{tick_type}).
  Response Live(const Request& request, std::shared_ptr<SseSink> sink, bool type_in_path);

  // The 429 when max_sse_streams clients are connected; empty otherwise.
  std::optional<Response> CheckStreamLimit() const;
  // A new session for `types` of `c`, counted as active until its client goes away.
  std::shared_ptr<SseSession> StartSession(const std::shared_ptr<SseSink>& sink,
                                           const recorder::ContractView& c,
                                           const std::vector<TickType>& types,
                                           std::optional<int64_t> limit);
  // Subscribes the session to the live ticks of `types` of `contract_id` and, with
  // `include_backfill`, to their backfilled ticks that storage took (not those it refused).
  void SubscribeLive(const std::shared_ptr<SseSession>& session, int64_t contract_id,
                     const std::vector<TickType>& types, bool include_backfill = false);
  // One stream id of an SSE session running now (a client of several tick types has several).
  struct ActiveStream {
    std::string stream_id;
    int64_t contract_id = 0;
    TickType type = TickType::kBidAsk;
    TimePoint started;
  };
  // The streams of the sessions running now, oldest session first.
  std::vector<ActiveStream> Active();
  // Ends the running sessions of `contract_id` (all of them when empty) with a `complete` event,
  // reason "manual_stop"; returns their streams.
  std::vector<ActiveStream> Stop(std::optional<int64_t> contract_id);

  // Ends the session with reason "timeout" after `seconds` on options.steady_clock; nothing when
  // empty.
  void EndAfter(std::optional<int64_t> seconds, const std::shared_ptr<SseSession>& session);

 private:
  const std::shared_ptr<ApiState> state_;

  std::mutex mu_;
  std::vector<std::weak_ptr<SseSession>> sessions_;  // guarded by mu_
  DeadlineTimer timeouts_;                           // the sessions' `timeout`
};

}  // namespace ibstream::http
