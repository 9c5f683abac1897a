// Callbacks at deadlines of a steady clock, run on one thread started with the first deadline:
// the `timeout` of the live streams (SSE sessions, WebSocket subscriptions). An injected clock may
// move without waking the thread, so it looks at the clock at least every 100 ms. Thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "common/clock.h"

namespace ibstream::http {

class DeadlineTimer {
 public:
  explicit DeadlineTimer(const SteadyClock& clock) : clock_(clock) {}
  ~DeadlineTimer() { Stop(); }

  DeadlineTimer(const DeadlineTimer&) = delete;
  DeadlineTimer& operator=(const DeadlineTimer&) = delete;

  // Runs `fire` once the clock reaches `at`, without the timer's lock held; nothing after Stop().
  void At(SteadyTimePoint at, std::function<void()> fire);
  // Drops the deadlines not reached and waits for a callback that is running to return.
  void Stop();

 private:
  void Loop();

  const SteadyClock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                                          // guarded by mu_
  std::multimap<SteadyTimePoint, std::function<void()>> pending_;  // guarded by mu_
  std::thread thread_;  // started with the first deadline
};

}  // namespace ibstream::http
