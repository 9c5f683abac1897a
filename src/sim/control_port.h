// The control interface (`--control HOST:PORT`): a line protocol on loopback, one reply line per
// command, "ok ..." or "error ..." (README.md, "Control interface"):
//
//   fault KIND [key=value ...]   start a fault now
//   time                         the virtual time
//   stats                        the counters as one JSON object
//   help | quit
//
// Threading: every method runs on the loop thread that runs `io`, except port() (any thread).
#pragma once

// Asio needs <utility> first under GCC 12 (docs/TOOLCHAIN.md §3.1).
// clang-format off
#include <utility>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/streambuf.hpp>
// clang-format on

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "sim/fault.h"
#include "sim/simulator.h"

namespace ibstream::sim {

// The `stats` reply's JSON object: {"clients":…,"accepted":…,"ticks_generated":…,
// "ticks_delivered":…,"faults":…,"slow_consumer_disconnects":…,"pacing_violations":…,
// "tick_by_tick_refusals":…,"market_data_line_refusals":…,"polls_behind":…,"lag_seconds":…}.
std::string StatsJson(const SimulatorStats& stats);

class ControlPort {
 public:
  struct Callbacks {
    // Starts `fault` at `now`.
    std::function<void(const FaultSpec& fault, TimePoint now)> start_fault;
    std::function<SimulatorStats()> stats;
    // Writes what the last command queued to the API clients.
    std::function<void()> flush_clients;
  };

  // `io` and `clock` must outlive this.
  ControlPort(boost::asio::io_context& io, const Clock& clock, Callbacks callbacks);

  ControlPort(const ControlPort&) = delete;
  ControlPort& operator=(const ControlPort&) = delete;

  // Binds `host`:`port` (0: any free port) and starts accepting. Errors: a bad address, the bind
  // or listen failure.
  [[nodiscard]] Status Listen(const std::string& host, uint16_t port);
  void Close();
  uint16_t port() const { return port_.load(); }

  // One command line (without its newline) → its reply line (without newline).
  std::string Command(std::string_view line);

 private:
  void Accept();
  void Serve(std::shared_ptr<boost::asio::ip::tcp::socket> socket,
             std::shared_ptr<boost::asio::streambuf> buf);

  const Clock& clock_;
  Callbacks callbacks_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<uint16_t> port_{0};
};

}  // namespace ibstream::sim
