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

// What storage did with a published tick. Live ticks are published as IB delivers them,
// backfilled ticks (Tick::source kBackfill, older than the live ones) as each history page is
// stored; a tick storage did not take (its append failed) is published once as refused.
enum class TickOrigin { kLive, kBackfilled, kRefused };

const char* TickOriginName(TickOrigin origin);

class TickFanout {
 public:
  // Returns false to be unsubscribed (e.g. its client went away).
  using Consumer = std::function<bool(const Tick&, TickOrigin)>;

  struct Filter {
    std::optional<int64_t> contract_id;  // empty: every contract
    std::vector<TickType> types;         // empty: every type
    std::optional<TickSource> source;    // empty: live and backfilled ticks
    std::vector<TickOrigin> origins;     // empty: every origin, refused ones included
    bool Matches(const Tick& tick, TickOrigin origin) const;
  };

  // Thread-safe. Returns an id for Unsubscribe.
  uint64_t Subscribe(Filter filter, Consumer consumer);
  // Thread-safe; unknown ids are ignored.
  void Unsubscribe(uint64_t id);

  // Recorder thread only, after storage's append of `tick` returned.
  void Publish(const Tick& tick, TickOrigin origin = TickOrigin::kLive);

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
