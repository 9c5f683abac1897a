// The recorder API's stored-tick endpoints: the SSE buffer replay /v2/stream/{id}/buffer (stored
// ticks of the window, then live ticks, on replay threads of its own), and the plain
// /v3/buffer/{id}/info and /v3/buffer/{id}/query. Internal to src/http.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/api_state.h"
#include "http/http_types.h"
#include "http/live_streams.h"
#include "http/sse.h"
#include "http/sse_session.h"

namespace ibstream::http {

// GET /v3/buffer/{id}/info: what is recorded of the contract's streams.
Response BufferInfo(ApiState& api, const Request& request);
// GET /v3/buffer/{id}/query: stored ticks of a window as v3 records (JSON, or through the v3
// protobuf codec), at most options.max_query_records.
Response BufferQuery(ApiState& api, const Request& request);

// GET /v2/stream/{id}/buffer. Shared by the router's handler; runs at most
// options.max_buffer_replays replay threads at once (more get 503). The destructor stops and
// joins them.
class BufferReplays {
 public:
  BufferReplays(std::shared_ptr<ApiState> state, std::shared_ptr<LiveStreams> streams);
  ~BufferReplays();

  BufferReplays(const BufferReplays&) = delete;
  BufferReplays& operator=(const BufferReplays&) = delete;

  Response Buffer(const Request& request, std::shared_ptr<SseSink> sink);

 private:
  // The 503 when max_buffer_replays are running; empty otherwise.
  std::optional<Response> CheckReplayLimit();
  // Replay thread: the window's stored ticks, then the live ones held back meanwhile.
  void Replay(std::shared_ptr<SseSession> session, std::vector<StreamKey> streams, Duration span,
              std::string duration_text, std::optional<int64_t> limit);
  // Waits while the client's queue is above half its bound. False when the API stops.
  bool WaitForClientToDrain(const SseSession& session);
  void ReapReplays();  // mu_ held

  const std::shared_ptr<ApiState> state_;
  const std::shared_ptr<LiveStreams> streams_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  struct ReplayThread {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<ReplayThread> replays_;  // guarded by mu_
};

}  // namespace ibstream::http
