// WebSocket connections behind a Beast-free interface: a bounded per-client send queue of text
// messages, the client's messages delivered to a callback, and closing with a code.
//
// The recorder pushes messages from its own thread; a slow or stalled client never slows it:
// when a client's queue would exceed its bound the connection is dropped (closed with
// kWsCloseTooSlow) and Send returns false.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace ibstream::http {

// Close codes (RFC 6455 and the original's 4000-4999 range).
inline constexpr uint16_t kWsCloseNormal = 1000;
inline constexpr uint16_t kWsClosePolicyViolation = 1008;
inline constexpr uint16_t kWsCloseInternalError = 1011;
inline constexpr uint16_t kWsCloseTryAgainLater = 1013;
inline constexpr uint16_t kWsCloseInvalidMessage = 4000;
inline constexpr uint16_t kWsCloseAuthRequired = 4001;
inline constexpr uint16_t kWsCloseInvalidContract = 4002;
inline constexpr uint16_t kWsCloseConnectionLost = 4003;
inline constexpr uint16_t kWsCloseRateLimitExceeded = 4004;
// A client whose send queue overflowed (it does not read fast enough).
inline constexpr uint16_t kWsCloseTooSlow = kWsCloseTryAgainLater;

// One WebSocket client. Thread-safe: Send and Close may be called from any thread. The server
// owns the socket; handlers hold the connection by shared_ptr and must not assume the client is
// still there (Send answers false once it is gone).
class WsConnection {
 public:
  // `max_queued_bytes` bounds the unsent bytes; `wake` is called (from the calling thread) after
  // a message is queued or the connection closes, so the writer can wake up. `peer` is the
  // client's address (for per-address limits).
  WsConnection(size_t max_queued_bytes, std::string peer, std::function<void()> wake);

  WsConnection(const WsConnection&) = delete;
  WsConnection& operator=(const WsConnection&) = delete;

  const std::string& peer() const { return peer_; }

  // Queues a text message. Returns false, and drops the client (close code kWsCloseTooSlow), when
  // the queue would exceed its bound; returns false when already closing or gone.
  bool Send(std::string text);

  // Closes after what is queued has been sent, with `code` and `reason` (at most 123 bytes; cut
  // if longer). The first call decides the code; later calls do nothing.
  void Close(uint16_t code, std::string_view reason);

  bool closed() const { return closed_.load(std::memory_order_acquire); }
  // True when the connection was dropped because the client could not keep up.
  bool overflowed() const { return overflowed_.load(std::memory_order_acquire); }
  uint16_t close_code();
  std::string close_reason();

  // Takes everything queued (for the writer), oldest first.
  std::deque<std::string> TakeQueued();

  // The handler's receivers, called on the server's thread: one text message (or a binary one,
  // `binary` true), and the client's departure. Set them before the handler returns.
  void SetOnMessage(std::function<void(std::string_view text, bool binary)> on_message);
  void SetOnClose(std::function<void()> on_close);

  // For the server: delivers a message, and reports that the client is gone (once; also marks the
  // connection closed so later sends fail).
  void Deliver(std::string_view text, bool binary);
  void NotifyClientGone();

 private:
  const size_t max_queued_bytes_;
  const std::string peer_;
  std::function<void()> wake_;
  std::mutex mutex_;
  std::deque<std::string> queued_;  // guarded by mutex_, as are the four below
  size_t queued_bytes_ = 0;
  uint16_t close_code_ = kWsCloseNormal;
  std::string close_reason_;
  std::function<void()> on_close_;
  std::function<void(std::string_view, bool)> on_message_;  // set before serving; server thread
  std::atomic<bool> closed_{false};
  std::atomic<bool> overflowed_{false};
  std::atomic<bool> gone_{false};
};

}  // namespace ibstream::http
