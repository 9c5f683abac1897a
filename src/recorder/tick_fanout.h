// Hands every recorded tick to the consumers that asked for it: SSE clients now, and later the
// WebSocket API and a NATS publisher. The recorder publishes on its own thread; consumers
// subscribe and unsubscribe from any thread.
//
// Publishing takes no lock: the subscriber list is an immutable snapshot swapped on change.
// Consumers must not block (an SSE consumer formats and queues into its bounded sink).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "model/tick.h"

namespace ibstream::recorder {

class TickFanout {
 public:
  // Returns false to be unsubscribed (e.g. its client went away).
  using Consumer = std::function<bool(const Tick&)>;

  struct Filter {
    std::optional<int64_t> contract_id;  // empty: every contract
    std::vector<TickType> types;         // empty: every type
    bool Matches(const Tick& tick) const;
  };

  // Thread-safe. Returns an id for Unsubscribe.
  uint64_t Subscribe(Filter filter, Consumer consumer);
  // Thread-safe; unknown ids are ignored.
  void Unsubscribe(uint64_t id);

  // Recorder thread only.
  void Publish(const Tick& tick);

  size_t subscriber_count() const;

 private:
  struct Subscriber {
    uint64_t id;
    Filter filter;
    Consumer consumer;
  };
  using List = std::vector<std::shared_ptr<const Subscriber>>;

  mutable std::mutex write_mutex_;  // serialises changes to the list
  std::atomic<std::shared_ptr<const List>> list_{std::make_shared<const List>()};
  uint64_t next_id_ = 1;  // guarded by write_mutex_
};

}  // namespace ibstream::recorder
