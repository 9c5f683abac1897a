// A bounded queue of notifications and the one thread that delivers them, with retries.
//
// Network sinks own a DeliveryWorker and give it their delivery function; the Notifier uses one,
// without retries, as its dispatcher. Enqueue never blocks;
// a full queue drops the notification and counts it. A failed attempt that may succeed later is
// retried after a backoff of initial_backoff * 2^n, capped at max_backoff, up to `retries` times.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "notify/sink.h"

namespace ibstream::notify {

// What one delivery attempt achieved.
struct DeliveryOutcome {
  Status status;  // OK: delivered
  // For a failure: whether another attempt may succeed (timeouts, 5xx) or not (4xx, 5yz SMTP).
  bool retryable = false;

  static DeliveryOutcome Delivered() { return {}; }
  static DeliveryOutcome Retry(Status status) { return {std::move(status), true}; }
  static DeliveryOutcome GiveUp(Status status) { return {std::move(status), false}; }
};

struct DeliveryOptions {
  size_t queue_capacity = 256;
  // Attempts after the first failed one.
  int retries = 3;
  Duration initial_backoff = std::chrono::seconds(1);
  Duration max_backoff = std::chrono::seconds(60);
};

class DeliveryWorker {
 public:
  using Deliver = std::function<DeliveryOutcome(const AlertGroup&)>;

  // Starts the worker thread. `deliver` runs on that thread only. `clock` converts backoff
  // delays to real waiting time (ScaledClock) and must outlive the worker; `name` prefixes log
  // lines.
  DeliveryWorker(std::string name, DeliveryOptions options, const Clock& clock, Deliver deliver);
  // Stop().
  ~DeliveryWorker();
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  // Thread-safe, never blocks. False (and `dropped` counted) when the queue is full or the worker
  // has stopped.
  bool Enqueue(AlertGroup group);

  SinkCounters counters() const;

  // See AlertSink::WaitIdle.
  bool WaitIdle(std::chrono::milliseconds timeout);

  // The attempt in flight finishes; a backoff wait ends at once (that notification counts as
  // failed); queued notifications are dropped. Idempotent; joins the thread.
  void Stop();

 private:
  void Run();
  // Delivers one notification, retrying as the options allow, and counts the result.
  void DeliverWithRetries(const AlertGroup& group, std::unique_lock<std::mutex>& lock);

  const std::string name_;
  const DeliveryOptions options_;
  const Clock& clock_;
  const Deliver deliver_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;  // work arrived or stop requested
  std::condition_variable idle_;  // the queue drained and nothing is in flight
  std::deque<AlertGroup> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  SinkCounters counters_;
  // Last: starts after every member above is ready.
  std::thread thread_;
};

}  // namespace ibstream::notify
