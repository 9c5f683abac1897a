// `ibstream tail --nats URL --contract ID`: the live stream of one contract as the recorders
// publish it, each tick once (tail_dedup.h) however many recorders publish it.
//
// An ephemeral consumer of `<prefix>.*.<conId>.*` starting at new messages (nothing is
// acknowledged; the server removes the consumer when the tail goes away). Messages that do not
// decode are counted and skipped. NATS being down is not an error: the tail waits for it.
//
// Threads: runs on the caller's thread until `stop` is set or `on_tick` returns false.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "model/tick.h"

namespace ibstream::cluster {

struct NatsTailOptions {
  std::string url;
  std::string credentials_file;
  std::string stream = "IBSTREAM";
  std::string subject_prefix = "ibstream";
  int64_t contract_id = 0;
  std::vector<TickType> types;  // empty: every kind
  // How far (exchange time) the newest tick may be ahead of a second the followed recorder has
  // not delivered before another recorder's ticks of it are printed.
  Duration switch_after = std::chrono::seconds(3);
  std::chrono::milliseconds fetch_wait{500};
  std::chrono::milliseconds retry_interval{1000};
  // Called once the consumer exists (messages published from then on are seen).
  std::function<void()> on_ready;
  // Each tick to print, in order; false stops the tail.
  std::function<bool(const std::string& recorder, const Tick& tick)> on_tick;
};

struct NatsTailStats {
  uint64_t messages = 0;
  uint64_t printed = 0;
  uint64_t copies = 0;  // ticks dropped as another recorder's copy (or a second printed already)
  uint64_t bad_messages = 0;
  uint64_t fetch_errors = 0;
};

// Errors: bad options.
Result<NatsTailStats> RunNatsTail(const NatsTailOptions& options, const std::atomic<bool>& stop);

}  // namespace ibstream::cluster
