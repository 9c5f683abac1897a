#include "http/sse.h"

#include <utility>

namespace ibstream::http {

std::string FormatSseEvent(std::string_view event, std::string_view data, std::string_view id) {
  std::string out;
  out.reserve(event.size() + data.size() + 32);
  if (!id.empty()) {
    out += "id: ";
    out += id;
    out += '\n';
  }
  if (!event.empty()) {
    out += "event: ";
    out += event;
    out += '\n';
  }
  size_t start = 0;
  while (true) {
    size_t end = data.find('\n', start);
    std::string_view line =
        data.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out += "data: ";
    out += line;
    out += '\n';
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  out += '\n';
  return out;
}

std::string_view SseKeepalive() { return ": keepalive\n\n"; }

SseSink::SseSink(size_t max_queued_bytes, std::function<void()> wake)
    : max_queued_bytes_(max_queued_bytes), wake_(std::move(wake)) {}

bool SseSink::Push(std::string event_text) {
  if (closed()) return false;
  {
    std::lock_guard lock(mutex_);
    if (queued_.size() + event_text.size() > max_queued_bytes_) {
      overflowed_.store(true, std::memory_order_release);
      closed_.store(true, std::memory_order_release);
    } else {
      queued_ += event_text;
    }
  }
  if (wake_) wake_();
  return !closed();
}

void SseSink::Close() {
  closed_.store(true, std::memory_order_release);
  if (wake_) wake_();
}

size_t SseSink::queued_bytes() {
  std::lock_guard lock(mutex_);
  return queued_.size();
}

std::string SseSink::TakeQueued() {
  std::lock_guard lock(mutex_);
  std::string out;
  out.swap(queued_);
  return out;
}

void SseSink::SetOnClose(std::function<void()> on_close) {
  std::lock_guard lock(mutex_);
  on_close_ = std::move(on_close);
}

void SseSink::NotifyClientGone() {
  closed_.store(true, std::memory_order_release);
  std::function<void()> on_close;
  {
    std::lock_guard lock(mutex_);
    on_close.swap(on_close_);
  }
  if (on_close) on_close();
}

}  // namespace ibstream::http
