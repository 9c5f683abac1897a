#include "notify/notifier.h"

namespace ibstream::notify {

Notifier::Notifier(NotifierOptions options, std::vector<std::unique_ptr<AlertSink>> sinks)
    : options_(options), sinks_(std::move(sinks)), thread_([this] { Run(); }) {}

Notifier::~Notifier() { Stop(); }

bool Notifier::Notify(std::span<const Alert> group) {
  if (group.empty()) return true;
  AlertGroup copy(group.begin(), group.end());
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_ || queue_.size() >= options_.queue_capacity) {
    ++dropped_;
    return false;
  }
  queue_.push_back(std::move(copy));
  ++accepted_;
  wake_.notify_one();
  return true;
}

NotifierCounters Notifier::counters() const {
  NotifierCounters counters;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    counters.accepted = accepted_;
    counters.dropped = dropped_;
  }
  for (const auto& sink : sinks_) counters.sinks += sink->counters();
  return counters;
}

std::vector<std::pair<std::string, SinkCounters>> Notifier::SinkCountersByName() const {
  std::vector<std::pair<std::string, SinkCounters>> out;
  for (const auto& sink : sinks_) out.emplace_back(std::string(sink->name()), sink->counters());
  return out;
}

bool Notifier::WaitIdle(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!drained_.wait_until(lock, deadline,
                             [this] { return (queue_.empty() || stopping_) && !dispatching_; })) {
      return false;
    }
  }
  for (const auto& sink : sinks_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!sink->WaitIdle(std::max(left, std::chrono::milliseconds(0)))) return false;
  }
  return true;
}

void Notifier::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void Notifier::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    AlertGroup group = std::move(queue_.front());
    queue_.pop_front();
    dispatching_ = true;
    lock.unlock();
    for (const auto& sink : sinks_) sink->Submit(group);
    lock.lock();
    dispatching_ = false;
    if (queue_.empty()) drained_.notify_all();
  }
  dropped_ += queue_.size();
  queue_.clear();
  drained_.notify_all();
}

}  // namespace ibstream::notify
