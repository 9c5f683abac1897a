#include "common/serial_worker.h"

#include <exception>
#include <utility>

namespace ibstream {

SerialWorker::SerialWorker(std::string name, size_t capacity)
    : name_(std::move(name)), capacity_(capacity == 0 ? 1 : capacity) {
  thread_ = std::thread([this] { Run(); });
}

SerialWorker::~SerialWorker() { Stop(); }

Status SerialWorker::Post(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      ++counters_.refused_stopped;
      return FailedPrecondition(name_ + " worker stopped");
    }
    if (queue_.size() >= capacity_) {
      ++counters_.refused_full;
      return ResourceExhausted(name_ + " queue full (" + std::to_string(capacity_) + " waiting)");
    }
    queue_.push_back(std::move(job));
    ++counters_.accepted;
  }
  wake_.notify_one();
  return Status::Ok();
}

void SerialWorker::Run() {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      job = std::move(queue_.front());
      queue_.pop_front();
      running_ = 1;
    }
    RunJob(job);
  }
}

void SerialWorker::RunJob(std::function<void()>& job) {
  bool threw = false;
  try {
    if (job) job();
  } catch (...) {
    // Exceptions do not cross this boundary: the job failed, the worker goes on.
    threw = true;
  }
  job = nullptr;  // whatever the job captured is released before it counts as finished
  std::lock_guard lock(mu_);
  running_ = 0;
  ++counters_.completed;
  if (threw) ++counters_.failed;
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

SerialWorkerCounters SerialWorker::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

}  // namespace ibstream
