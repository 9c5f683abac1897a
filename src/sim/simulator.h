// The TWS / IB Gateway simulator: serves the TWS socket protocol to any number of clients,
// generates its markets on a virtual clock, injects scripted or live faults, and writes the
// ground truth.
//
// Threading: Start() spawns one thread that owns everything (sockets, markets, faults, truth).
// The public methods are thread-safe; they post to that thread. The clock must outlive the
// simulator; with a ManualClock the simulator notices time moving at its next poll
// (`poll_interval`, real time).
//
// Delivery: each second's events are released when the virtual clock passes their offset inside
// the second; all output produced by one poll is written with one write per client. One poll
// generates at most `poll_work_budget` (real time) of markets: a simulator slower than its clock
// (a fast virtual clock, many markets, a sanitized build) falls behind, delivers late and counts
// it (`polls_behind`, `lag_seconds`), but keeps answering connections and requests.
//
// Faults: scripted starts and the ends of windows take effect at their own virtual instants, not
// at the poll that reaches them: a poll releases the events before each transition, applies it,
// then goes on, and leaves a transition its budget does not reach to a later poll (README, "Fault
// timing").
//
// Backpressure policy: each client has a bounded send buffer (`send_buffer_bytes`, bytes queued
// but not yet accepted by the kernel). A client that lets it overflow is disconnected with RST,
// logged, counted (`slow_consumer_disconnects`) and recorded as a `slow_consumer` fault in the
// truth file: like a real gateway, the simulator does not slow its markets down for one reader.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "sim/catalog.h"
#include "sim/fault.h"
#include "sim/market_source.h"

namespace ibstream::sim {

// IB's allowances on an ordinary account (no quote boosters): tick-by-tick subscriptions at a
// time, and market-data lines (every reqMktData and tick-by-tick subscription holds one).
inline constexpr int32_t kIbTickByTickLimit = 3;
inline constexpr int32_t kIbMarketDataLines = 100;
inline constexpr int32_t kIbMarketDepthLimit = 3;

struct SimulatorOptions {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 4002;  // 0: any free port (see Simulator::port())
  // The control interface (line protocol, see README.md); disabled when empty.
  std::string control_host;
  uint16_t control_port = 0;
  uint64_t seed = 1;
  // Ground-truth file (truth_writer.h); none when empty.
  std::string truth_path;
  // Written to the truth header (informational).
  double speed = 1;
  // Added to the built-in catalog.
  std::vector<SimContract> extra_contracts;
  // Only the built-in contracts of these symbols (exact, e.g. "MNQ"; empty: all of them) are
  // served and generated: a test that watches one market need not pay for the others.
  std::vector<std::string> builtin_symbols;
  // Replay (`ibstream sim --replay`): the markets' events come from this source instead of being
  // generated (market_source.h), and the catalog is `extra_contracts` alone, without the built-in
  // contracts. Null: generated markets.
  std::shared_ptr<const MarketSource> market_source;
  // Scripted faults; relative times are from the clock's time at Start().
  std::vector<FaultSpec> faults;
  // The simulated account's allowances, shared by all its client sessions (>= 0; a large number
  // for a generous account). A tick-by-tick request over `max_tick_by_tick` active subscriptions
  // gets 10190; a reqMktData or tick-by-tick request when `market_data_lines` are held gets 101.
  // Cancels and closed sessions free them. The `tick_by_tick_limit` fault changes the first.
  int32_t max_tick_by_tick = kIbTickByTickLimit;
  int32_t market_data_lines = kIbMarketDataLines;
  // Market depth requests at a time, account-wide; one more gets 309.
  int32_t market_depth_limit = kIbMarketDepthLimit;
  size_t send_buffer_bytes = 16u << 20;
  Duration poll_interval = std::chrono::milliseconds(1);
  // Real time one poll may spend generating markets before it serves the sockets again (at least
  // one second of one market is generated per poll).
  Duration poll_work_budget = std::chrono::milliseconds(20);
  // Measures the work budget (not owned; must outlive the simulator).
  const SteadyClock* steady_clock = &SteadyClock::Real();
  // How far back the markets' history (and the calendar) reaches.
  int history_days = 30;
  std::string accounts = "DU1234567";
  // Tests: log nothing (faults are still recorded in the truth file).
  bool quiet = false;
};

struct SimulatorStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_closed = 0;
  uint64_t requests = 0;
  uint64_t malformed_requests = 0;
  uint64_t unsupported_requests = 0;
  uint64_t events_generated = 0;
  uint64_t ticks_generated = 0;  // tick-by-tick ticks (all four types)
  uint64_t ticks_delivered = 0;  // tick-by-tick messages sent
  uint64_t bytes_sent = 0;
  uint64_t faults_started = 0;
  uint64_t slow_consumer_disconnects = 0;
  uint64_t pacing_violations = 0;
  // reqHistoricalData / reqRealTimeBars refused for their parameters (321, 162 step size).
  uint64_t bar_request_errors = 0;
  // Requests refused for the account's allowances: 10190 (tick-by-tick), 101 (lines) and 309
  // (market depth).
  uint64_t tick_by_tick_refusals = 0;
  uint64_t market_data_line_refusals = 0;
  uint64_t market_depth_refusals = 0;
  // Polls that spent their work budget before the markets reached the clock.
  uint64_t polls_behind = 0;
  // How many seconds the slowest market trailed the clock after the last poll (0: caught up).
  int64_t lag_seconds = 0;
  int active_clients = 0;
};

class Simulator {
 public:
  Simulator(const Clock& clock, SimulatorOptions options);
  ~Simulator();  // Stop()s

  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Builds the catalog and markets, binds the listener (and control port), opens the truth file
  // and starts the loop thread. Errors: bad contracts, bind failures, truth file not writable.
  [[nodiscard]] Status Start();
  // Closes everything, finishes the truth file. Idempotent.
  void Stop();

  // The bound ports (after Start()).
  uint16_t port() const;
  uint16_t control_port() const;

  // Starts `fault` now (its `at` is ignored). Thread-safe.
  void InjectFault(const FaultSpec& fault);
  // A snapshot of the counters. Thread-safe.
  SimulatorStats stats() const;
  // Runs `fn` on the loop thread and waits for it (tests). Must not be called from the loop.
  void RunOnLoop(const std::function<void()>& fn);
  // Runs one poll now (faults due, market events due at the clock's time, writes started) and
  // waits for it. With a ManualClock: advance the clock, Sync(), then everything due has been
  // queued to the clients ahead of any later reply.
  void Sync();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ibstream::sim
