// One SSE client of /v2/stream/{id}/live or /buffer: turns ticks into the original's events and
// pushes them into the client's bounded sink, ends the stream with a `complete` (or `error`)
// event, and while a buffer replay runs holds the live ticks back until the replay is done.
//
// Threads. Pushes happen on the recorder's thread (live ticks), a replay thread and the timer
// thread (timeouts); one mutex orders them and guards the session's state. A session that is
// over stays over: every later push answers false. Internal to src/http.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "http/api_common.h"
#include "http/api_state.h"
#include "http/sse.h"
#include "model/tick.h"

namespace ibstream::http {

class SseSession {
 public:
  // `stream_ids` names each tick type's stream (the first is the session's main stream);
  // `limit` ends the stream after that many ticks.
  SseSession(std::shared_ptr<ApiState> state, std::shared_ptr<SseSink> sink, int64_t contract_id,
             std::map<TickType, std::string> stream_ids, std::optional<int64_t> limit);

  SseSession(const SseSession&) = delete;
  SseSession& operator=(const SseSession&) = delete;

  const std::shared_ptr<SseSink>& sink() const { return sink_; }
  // The session's fan-out subscription (0 until subscribed); unsubscribed when the session ends.
  std::atomic<uint64_t> fanout_id{0};

  int64_t contract_id() const { return contract_id_; }
  // When the session started, on the recorder's clock.
  TimePoint started() const { return started_; }
  // The stream id of each tick type of the session.
  const std::map<TickType, std::string>& stream_ids() const { return stream_ids_; }
  std::string StreamId(TickType type) const;
  std::string MainStreamId() const { return stream_ids_.begin()->second; }

  // Queues a non-tick event (info, error). False once the session is over.
  bool PushEvent(std::string_view type, std::string_view stream_id, const Json& data);

  // A live tick from the fan-out (recorder thread), or a backfilled one storage took when the
  // client asked for them (`include=backfill`: sent with metadata {"backfill": true}). False:
  // unsubscribe me.
  bool OnLive(const Tick& tick);
  // The metadata of a tick sent live: {"backfill": true} for a backfilled one, else none.
  static std::string_view LiveMetadata(const Tick& tick);

  // Replay: one stored tick with its position. False once the session is over.
  bool OnReplayed(const Tick& tick, size_t index, size_t total);

  void StartReplay();
  // Ends the replay: the live ticks that arrived meanwhile (not already replayed) go out, then
  // live ticks flow directly. False once the session is over.
  bool FinishReplay();

  // Ends the stream with a `complete` event (limit_reached, timeout, server_shutdown ...).
  void Finish(std::string_view reason);
  // Ends the stream with an `error` event, then `complete`.
  void Error(std::string_view code, std::string_view message);
  // The client went away (server thread), or the API is shutting down: no event is sent.
  void OnClientGone();

  bool finished();

 private:
  bool PushLocked(std::string_view type, const std::string& envelope);
  bool EmitLocked(const Tick& tick, std::string_view metadata);
  void ErrorLocked(std::string_view code, std::string_view message);
  void FinishLocked(std::string_view reason);

  const std::shared_ptr<ApiState> state_;
  const std::shared_ptr<SseSink> sink_;
  const int64_t contract_id_;
  const std::map<TickType, std::string> stream_ids_;
  const std::optional<int64_t> limit_;
  const TimePoint started_;

  std::mutex mu_;
  bool finished_ = false;  // guarded by mu_, as is everything below
  uint64_t sent_ = 0;
  bool replaying_ = false;
  std::deque<Tick> pending_;
  std::map<TickType, uint64_t> last_replayed_;
};

}  // namespace ibstream::http
