#include "http/ws.h"

#include <utility>

namespace ibstream::http {

WsConnection::WsConnection(size_t max_queued_bytes, std::string peer, std::function<void()> wake)
    : max_queued_bytes_(max_queued_bytes), peer_(std::move(peer)), wake_(std::move(wake)) {}

bool WsConnection::Send(std::string text) {
  if (closed()) return false;
  {
    std::lock_guard lock(mutex_);
    if (closed()) return false;
    if (queued_bytes_ + text.size() > max_queued_bytes_) {
      overflowed_.store(true, std::memory_order_release);
      close_code_ = kWsCloseTooSlow;
      close_reason_ = "send queue full: the client does not keep up";
      closed_.store(true, std::memory_order_release);
    } else {
      queued_bytes_ += text.size();
      queued_.push_back(std::move(text));
    }
  }
  if (wake_) wake_();
  return !closed();
}

void WsConnection::Close(uint16_t code, std::string_view reason) {
  {
    std::lock_guard lock(mutex_);
    if (closed()) return;
    close_code_ = code;
    // A close frame's payload is at most 125 bytes: the code and the reason.
    close_reason_ = std::string(reason.substr(0, 123));
    closed_.store(true, std::memory_order_release);
  }
  if (wake_) wake_();
}

uint16_t WsConnection::close_code() {
  std::lock_guard lock(mutex_);
  return close_code_;
}

std::string WsConnection::close_reason() {
  std::lock_guard lock(mutex_);
  return close_reason_;
}

std::deque<std::string> WsConnection::TakeQueued() {
  std::lock_guard lock(mutex_);
  std::deque<std::string> out;
  out.swap(queued_);
  queued_bytes_ = 0;
  return out;
}

void WsConnection::SetOnMessage(std::function<void(std::string_view, bool)> on_message) {
  on_message_ = std::move(on_message);
}

void WsConnection::SetOnClose(std::function<void()> on_close) {
  std::lock_guard lock(mutex_);
  on_close_ = std::move(on_close);
}

void WsConnection::Deliver(std::string_view text, bool binary) {
  if (on_message_) on_message_(text, binary);
}

void WsConnection::NotifyClientGone() {
  if (gone_.exchange(true)) return;
  std::function<void()> on_close;
  {
    std::lock_guard lock(mutex_);
    closed_.store(true, std::memory_order_release);
    on_close = std::move(on_close_);
    on_close_ = nullptr;
  }
  on_message_ = nullptr;  // it may hold what holds this connection
  if (on_close) on_close();
}

}  // namespace ibstream::http
