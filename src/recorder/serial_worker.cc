#include "recorder/serial_worker.h"

#include <utility>

namespace ibstream::recorder {

SerialWorker::SerialWorker() {
  thread_ = std::thread([this] { Run(); });
}

SerialWorker::~SerialWorker() { Stop(); }

bool SerialWorker::Submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void SerialWorker::Run() {
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
      running_ = 1;
    }
    if (task) task();
    std::lock_guard lock(mu_);
    running_ = 0;
  }
}

void SerialWorker::Stop() {
  std::lock_guard stop_lock(stop_mu_);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

size_t SerialWorker::pending() const {
  std::lock_guard lock(mu_);
  return queue_.size() + running_;
}

}  // namespace ibstream::recorder
