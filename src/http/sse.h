// Server-sent events: framing per the WHATWG specification and a bounded per-client queue.
//
// The recorder pushes events from its own thread; a slow or stalled client never slows it: when a
// client's queue is full the client is dropped (the sink closes) and Push returns false.
#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace ibstream::http {

// "event: tick\ndata: {...}\n\n" (and "id: N\n" when `id` is not empty). Every line of `data`
// becomes its own "data: " line; the event ends with an empty line, as the specification requires
// for dispatch.
std::string FormatSseEvent(std::string_view event, std::string_view data, std::string_view id = {});

// A comment line clients ignore, sent to keep idle connections alive: ": keepalive\n\n".
std::string_view SseKeepalive();

// Thread-safe: Push and Close may be called from any thread.
class SseSink {
 public:
  // `max_queued_bytes` bounds the unsent bytes; `wake` is called (from the pushing thread) after
  // an event is queued or the sink closes, so the writer can wake up.
  SseSink(size_t max_queued_bytes, std::function<void()> wake);

  SseSink(const SseSink&) = delete;
  SseSink& operator=(const SseSink&) = delete;

  // Queues a formatted event (see FormatSseEvent). Returns false, and closes the sink, when the
  // queue would exceed its bound; returns false when already closed.
  bool Push(std::string event_text);

  // Ends the stream after what is queued has been written.
  void Close();

  bool closed() const { return closed_.load(std::memory_order_acquire); }
  // True when the sink closed because the client could not keep up.
  bool overflowed() const { return overflowed_.load(std::memory_order_acquire); }

  // Bytes queued and not yet taken by the writer (lets a producer that can wait, such as a
  // buffer replay, pace itself instead of overflowing the queue).
  size_t queued_bytes();

  // Takes everything queued (for the writer).
  std::string TakeQueued();

  // Called when the client goes away (by the server); the handler may set it to unsubscribe.
  void SetOnClose(std::function<void()> on_close);
  void NotifyClientGone();

 private:
  const size_t max_queued_bytes_;
  std::function<void()> wake_;
  std::mutex mutex_;
  std::string queued_;              // guarded by mutex_
  std::function<void()> on_close_;  // guarded by mutex_
  std::atomic<bool> closed_{false};
  std::atomic<bool> overflowed_{false};
};

}  // namespace ibstream::http
