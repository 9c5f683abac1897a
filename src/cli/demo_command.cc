// `ibstream demo [--data DIR] [--speed N] [--start TIME] [--port N] [--duration S]`: the
// simulated gateway and the recorder in one process, on a sample configuration (MNQ, ES, AAPL,
// EUR.USD), no IB account needed. By default the clock starts two minutes before the CME daily
// halt and runs 60 times faster, so the halt and the reopening pass within the first minute.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/daemon.h"
#include "cli/option_checks.h"
#include "sim/simulator.h"

namespace ibstream::cli {
namespace {

struct DemoOptions {
  std::string data = "demo-data";
  double speed = 60;
  std::string start = "2025-08-11T15:58:00-05:00";
  int port = 8851;
  double duration_seconds = 0;
};

config::ContractConfig Future(const std::string& symbol) {
  config::ContractConfig c;
  c.symbol = symbol;
  c.sec_type = "FUT";
  c.exchange = "CME";
  c.currency = "USD";
  c.tick_types = {TickType::kBidAsk, TickType::kLast};
  return c;
}

config::ContractConfig ById(int64_t con_id, const std::string& symbol, const std::string& sec_type,
                            const std::string& exchange, std::vector<TickType> types) {
  config::ContractConfig c;
  c.con_id = con_id;
  c.symbol = symbol;
  c.sec_type = sec_type;
  c.exchange = exchange;
  c.currency = "USD";
  c.tick_types = std::move(types);
  return c;
}

int RunDemo(const DemoOptions& o) {
  auto start = ParseIsoTime(o.start);
  if (!start.ok()) {
    std::cerr << "ibstream demo: --start: " << start.status().message() << "\n";
    return 1;
  }
  ScaledClock clock(*start, o.speed);

  std::error_code ec;
  std::filesystem::create_directories(o.data, ec);
  if (ec) {
    std::cerr << "ibstream demo: cannot create " << o.data << ": " << ec.message() << "\n";
    return 1;
  }
  sim::SimulatorOptions sim_options;
  sim_options.listen_port = 0;
  sim_options.speed = o.speed;
  sim_options.quiet = true;
  sim_options.truth_path = (std::filesystem::path(o.data) / "truth.jsonl").string();
  // IB's default limits (3 tick-by-tick streams, 100 lines): the demo asks for 9 tick-by-tick
  // streams, so its status shows the ones the recorder records through the reqMktData fallback.
  sim::Simulator simulator(clock, sim_options);
  if (Status st = simulator.Start(); !st.ok()) {
    std::cerr << "ibstream demo: simulator: " << st.ToString() << "\n";
    return 1;
  }

  DaemonOptions daemon;
  daemon.name = "ibstream demo";
  daemon.http_port_hint = "pick another HTTP port with --port";
  daemon.clock = &clock;
  daemon.config.gateway.ports = {simulator.port()};
  // Timeouts are on the accelerated clock: keep them generous in real time.
  daemon.config.gateway.connect_timeout =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(5.0 * o.speed));
  daemon.config.storage.path = (std::filesystem::path(o.data) / "store").string();
  daemon.config.http.listen.port = static_cast<uint16_t>(o.port);
  daemon.config.contracts = {
      Future("MNQ"), Future("ES"),
      ById(265598, "AAPL", "STK", "SMART",
           {TickType::kBidAsk, TickType::kLast, TickType::kMidPoint}),
      ById(12087792, "EUR", "CASH", "IDEALPRO", {TickType::kBidAsk, TickType::kMidPoint})};
  if (o.duration_seconds > 0) {
    daemon.run_for = std::chrono::duration_cast<Duration>(
        std::chrono::duration<double>(o.duration_seconds * o.speed));
  }
  daemon.on_ready = [&](const std::string& url) {
    std::cout << "ibstream demo: simulated gateway on 127.0.0.1:" << simulator.port()
              << ", clock from " << o.start << " at " << o.speed << "x\n"
              << "  dashboard: " << url << "\n"
              << "  health:   " << url << "background/health\n"
              << "  status:   build/ibstream status --url " << url << "\n"
              << "  metrics:  " << url << "metrics\n"
              << "  live SSE: " << url << "v2/stream/265598/live/bid_ask\n"
              << "  data:     " << daemon.config.storage.path << " (ibstream query/verify/gaps)\n"
              << "Ctrl-C stops it." << std::endl;
  };
  const int code = RunDaemon(daemon);
  simulator.Stop();
  return code;
}

}  // namespace

void AddDemoCommand(CLI::App& app) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "Run the recorder against the built-in simulated gateway (no IB account needed)");
  cmd->add_option("--data", options->data, "Directory for the demo's data")->capture_default_str();
  cmd->add_option("--speed", options->speed, "Clock speed (times real time)")
      ->check(PositiveFinite(kMaxClockSpeed))
      ->capture_default_str();
  cmd->add_option("--start", options->start, "Virtual start time (ISO 8601)")
      ->check(IsoTime())
      ->capture_default_str();
  cmd->add_option("--port", options->port, "HTTP port on 127.0.0.1")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--duration", options->duration_seconds,
                  "Stop after this many real seconds (default: until Ctrl-C)")
      ->check(FiniteRange(0, 365 * 86400));
  cmd->callback([options] { SetExitCode(RunDemo(*options)); });
}

}  // namespace ibstream::cli
