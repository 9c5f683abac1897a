// The fan-out: takes alerts from any thread and hands each notification to every sink.
//
// Notify() copies the alerts into a bounded queue and returns at once; one dispatcher thread
// passes each notification to every sink's Submit() (which itself never blocks on I/O), so a slow
// webhook never delays the recorder nor the other sinks. A full queue drops the notification and
// counts it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "model/alert.h"
#include "notify/delivery_worker.h"
#include "notify/sink.h"

namespace ibstream::notify {

struct NotifierOptions {
  size_t queue_capacity = 1024;
  // Real time for WaitIdle's deadline; must outlive the notifier.
  const SteadyClock* steady_clock = &SteadyClock::Real();
};

struct NotifierCounters {
  uint64_t accepted = 0;  // notifications queued by Notify()
  uint64_t dropped = 0;   // notifications refused by Notify(): queue full or stopped
  SinkCounters sinks;     // the sum over every sink

  friend bool operator==(const NotifierCounters&, const NotifierCounters&) = default;
};

class Notifier {
 public:
  // Starts the dispatcher. The notifier owns the sinks.
  Notifier(NotifierOptions options, std::vector<std::unique_ptr<AlertSink>> sinks);
  // Stop(), then the sinks are destroyed (each finishing its attempt in flight).
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // One notification of the alerts decided together (e.g. one reliability evaluation for one
  // contract). Thread-safe; never blocks on I/O. Returns false when it was dropped. An empty group
  // is ignored (true).
  bool Notify(std::span<const Alert> group);
  bool Notify(const Alert& alert) { return Notify(std::span<const Alert>(&alert, 1)); }

  NotifierCounters counters() const;
  // Each sink's name and counters, in the order the sinks were given.
  std::vector<std::pair<std::string, SinkCounters>> SinkCountersByName() const;

  // Waits until every notification accepted before the call has reached every sink and every
  // sink is idle, for at most `timeout` of real time. Returns whether it got there.
  bool WaitIdle(std::chrono::milliseconds timeout);

  // Stops dispatching: queued notifications not yet dispatched are dropped (counted). Idempotent.
  void Stop();

 private:
  const SteadyClock& steady_clock_;
  const std::vector<std::unique_ptr<AlertSink>> sinks_;
  std::atomic<uint64_t> accepted_{0};
  // The queue and the dispatcher thread: "delivering" a notification hands it to every sink
  // (never fails, never retried). Last, so its thread stops before the sinks are destroyed.
  DeliveryWorker dispatcher_;
};

}  // namespace ibstream::notify
