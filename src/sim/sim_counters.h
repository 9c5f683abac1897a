// The simulator's counters behind SimulatorStats.
//
// Threading: the hot counters (per tick, per write) are relaxed atomics; the cold ones are a
// SimulatorStats guarded by a mutex. Every method is thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "sim/simulator.h"

namespace ibstream::sim {

class SimCounters {
 public:
  // Runs `update` on the cold counters under the lock.
  template <typename Fn>
  void Update(Fn&& update) {
    std::lock_guard<std::mutex> lock(mutex_);
    update(cold_);
  }
  // Adds `delta` to one cold counter, e.g. Add(&SimulatorStats::requests).
  void Add(uint64_t SimulatorStats::*field, uint64_t delta = 1) {
    Update([&](SimulatorStats& s) { s.*field += delta; });
  }

  // A consistent copy of the cold counters with the hot ones read at the same moment.
  SimulatorStats Snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    SimulatorStats s = cold_;
    s.ticks_generated = ticks_generated.load(std::memory_order_relaxed);
    s.ticks_delivered = ticks_delivered.load(std::memory_order_relaxed);
    s.events_generated = events_generated.load(std::memory_order_relaxed);
    s.bytes_sent = bytes_sent.load(std::memory_order_relaxed);
    return s;
  }

  std::atomic<uint64_t> ticks_generated{0};
  std::atomic<uint64_t> ticks_delivered{0};
  std::atomic<uint64_t> events_generated{0};
  std::atomic<uint64_t> bytes_sent{0};

 private:
  mutable std::mutex mutex_;
  SimulatorStats cold_;  // guarded by mutex_
};

}  // namespace ibstream::sim
