// Alert sinks: where decided alerts are delivered (a log, a webhook, e-mail).
//
// A sink never blocks its caller on I/O: network sinks queue the notification and deliver it on
// their own thread. The Notifier (notifier.h) fans one stream of alerts out to several sinks.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "model/alert.h"

namespace ibstream::notify {

// One notification: alerts decided together (the reliability core delivers one group per
// contract and evaluation). Never empty when handed to a sink.
using AlertGroup = std::vector<Alert>;

// Per-sink counts of notifications (groups, not single alerts).
struct SinkCounters {
  uint64_t delivered = 0;  // accepted by the receiver
  uint64_t failed = 0;     // given up on: a permanent error, every attempt failed, or shutdown
                           // during a backoff wait
  uint64_t dropped = 0;    // never attempted: the queue was full or the sink was stopped
  uint64_t retries = 0;    // attempts after the first

  SinkCounters& operator+=(const SinkCounters& other) {
    delivered += other.delivered;
    failed += other.failed;
    dropped += other.dropped;
    retries += other.retries;
    return *this;
  }
  friend bool operator==(const SinkCounters&, const SinkCounters&) = default;
};

// The group without its resolved alerts when `send_resolved` is false (Alertmanager's
// send_resolved); may be empty.
AlertGroup FilterResolved(const AlertGroup& group, bool send_resolved);

class AlertSink {
 public:
  virtual ~AlertSink() = default;

  // "log", "webhook", "email".
  virtual std::string_view name() const = 0;

  // Hands over one non-empty notification. Thread-safe; never blocks on I/O (a full queue drops
  // the notification and counts it).
  virtual void Submit(const AlertGroup& group) = 0;

  // Thread-safe snapshot.
  virtual SinkCounters counters() const = 0;

  // Waits until everything submitted before the call has been delivered, failed or dropped, for
  // at most `timeout` of real time. Returns whether it got there.
  virtual bool WaitIdle(std::chrono::milliseconds timeout) = 0;
};

}  // namespace ibstream::notify
