#include "http/deadline_timer.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace ibstream::http {
namespace {

constexpr std::chrono::milliseconds kDeadlineClockRecheck{100};

}  // namespace

void DeadlineTimer::At(SteadyTimePoint at, std::function<void()> fire) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    pending_.emplace(at, std::move(fire));
    if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  }
  cv_.notify_all();
}

void DeadlineTimer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    pending_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DeadlineTimer::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (pending_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const SteadyTimePoint next = pending_.begin()->first;
    const SteadyTimePoint now = clock_.Now();
    if (now < next) {
      // A relative wait, cut short to look at the clock again.
      cv_.wait_for(lock, std::min<SteadyTimePoint::duration>(next - now, kDeadlineClockRecheck));
      continue;
    }
    std::function<void()> fire = std::move(pending_.begin()->second);
    pending_.erase(pending_.begin());
    lock.unlock();
    fire();
    lock.lock();
  }
}

}  // namespace ibstream::http
