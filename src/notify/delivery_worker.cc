#include "notify/delivery_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ibstream::notify {

DeliveryWorker::DeliveryWorker(std::string name, DeliveryOptions options, const Clock& clock,
                               Deliver deliver)
    : name_(std::move(name)),
      options_(options),
      clock_(clock),
      deliver_(std::move(deliver)),
      thread_([this] { Run(); }) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

bool DeliveryWorker::Enqueue(AlertGroup group) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_ || queue_.size() >= options_.queue_capacity) {
    ++counters_.dropped;
    return false;
  }
  queue_.push_back(std::move(group));
  wake_.notify_one();
  return true;
}

SinkCounters DeliveryWorker::counters() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return counters_;
}

bool DeliveryWorker::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return idle_.wait_for(lock, timeout, [this] { return queue_.empty() && !busy_; });
}

void DeliveryWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void DeliveryWorker::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    AlertGroup group = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    DeliverWithRetries(group, lock);
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
  counters_.dropped += queue_.size();
  queue_.clear();
  idle_.notify_all();
}

void DeliveryWorker::DeliverWithRetries(const AlertGroup& group,
                                        std::unique_lock<std::mutex>& lock) {
  Duration backoff = options_.initial_backoff;
  for (int attempt = 0;; ++attempt) {
    lock.unlock();
    DeliveryOutcome outcome = deliver_(group);
    lock.lock();
    if (outcome.status.ok()) {
      ++counters_.delivered;
      return;
    }
    bool last = !outcome.retryable || attempt >= options_.retries;
    spdlog::warn("event=alert_delivery_failed sink={} attempt={} of={} error=\"{}{}\"", name_,
                 attempt + 1, options_.retries + 1, outcome.status.ToString(),
                 last ? " (giving up)" : "");
    if (last) {
      ++counters_.failed;
      return;
    }
    auto real_wait =
        std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.ToRealDuration(backoff));
    if (wake_.wait_for(lock, real_wait, [this] { return stopping_; })) {
      ++counters_.failed;
      return;
    }
    ++counters_.retries;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace ibstream::notify
