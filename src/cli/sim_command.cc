// `ibstream sim`: the TWS/IB Gateway simulator (src/sim/README.md).
//
//   ibstream sim [--listen HOST:PORT] [--scenario FILE] [--start TIME] [--speed N] [--seed N]
//                [--truth FILE] [--control HOST:PORT] [--tick-by-tick-limit N]
//                [--market-data-lines N] [--market-depth-limit N] [--account ID]
//                [--replay STORE [--end TIME] [--contract CONID]...]
//
// With --replay the markets are the ticks recorded in STORE (src/replay): --start/--from and
// --end/--to bound the replayed window of exchange time (default: all of it), the virtual clock
// starts at the window's start (or --start), and --contract selects conIds.
//
// Prints the bound API port on the first line of stdout (useful with port 0) and, with
// --control, "control <port>" on the second; logs go to stderr. Runs until SIGINT or SIGTERM.
#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "cli/user_hints.h"
#include "common/clock.h"
#include "fs/file_system.h"
#include "replay/recorded_contracts.h"
#include "replay/store_market_source.h"
#include "sim/scenario.h"
#include "sim/simulator.h"

namespace ibstream::cli {
namespace {

struct SimOptions {
  std::string listen = "127.0.0.1:4002";
  std::string scenario;
  std::string start;
  std::optional<double> speed;
  std::optional<uint64_t> seed;
  std::string truth;
  std::string control;
  std::optional<int32_t> max_tick_by_tick;
  std::optional<int32_t> market_data_lines;
  std::optional<int32_t> market_depth_limit;
  std::string account = "DU1234567";
  std::string replay;
  std::string end;
  std::vector<int64_t> contracts;
};

int FailSim(const std::string& message) {
  std::cerr << "ibstream sim: " << message << "\n";
  if (std::string hint = PortInUseHint(message, "pick another with --listen HOST:PORT");
      !hint.empty()) {
    std::cerr << "ibstream sim: " << hint << "\n";
  }
  return 1;
}

// "HOST:PORT" -> (host, port).
bool SplitHostPort(const std::string& text, std::string& host, uint16_t& port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = text.substr(0, colon);
  try {
    const int p = std::stoi(text.substr(colon + 1));
    if (p < 0 || p > 65535) return false;
    port = static_cast<uint16_t>(p);
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

int RunSim(const SimOptions& o) {
  // Standard output carries the bound ports alone (scripts read its first lines and may never
  // drain it): every log line (faults, replay damage) goes to standard error.
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("sim", std::make_shared<spdlog::sinks::stderr_sink_mt>()));
  sim::SimulatorOptions options;
  if (!SplitHostPort(o.listen, options.listen_host, options.listen_port)) {
    return FailSim("--listen: expected HOST:PORT, got '" + o.listen + "'");
  }
  if (!o.control.empty() && !SplitHostPort(o.control, options.control_host, options.control_port)) {
    return FailSim("--control: expected HOST:PORT, got '" + o.control + "'");
  }
  sim::Scenario scenario;
  if (!o.scenario.empty()) {
    Result<sim::Scenario> loaded = sim::LoadScenario(o.scenario);
    if (!loaded.ok()) return FailSim(loaded.status().message());
    scenario = std::move(loaded).value();
  }
  std::optional<TimePoint> start = scenario.start;
  if (!o.start.empty()) {
    Result<TimePoint> parsed = ParseIsoTime(o.start);
    if (!parsed.ok()) return FailSim("--start: " + parsed.status().message());
    start = *parsed;
  }
  const std::optional<double> speed = o.speed ? o.speed : scenario.speed;
  if (speed && !(*speed > 0)) return FailSim("--speed must be positive");
  options.seed = o.seed.value_or(scenario.seed.value_or(1));
  options.speed = speed.value_or(1);
  options.truth_path = o.truth;
  options.extra_contracts = scenario.contracts;
  options.faults = scenario.faults;
  if (auto max = o.max_tick_by_tick ? o.max_tick_by_tick : scenario.max_tick_by_tick) {
    options.max_tick_by_tick = *max;
  }
  if (auto lines = o.market_data_lines ? o.market_data_lines : scenario.market_data_lines) {
    options.market_data_lines = *lines;
  }
  if (auto depth = o.market_depth_limit ? o.market_depth_limit : scenario.market_depth_limit) {
    options.market_depth_limit = *depth;
  }
  if (scenario.send_buffer_bytes) options.send_buffer_bytes = *scenario.send_buffer_bytes;
  options.accounts = o.account;

  std::shared_ptr<const replay::StoreMarketSource> replayed;
  if (!o.replay.empty()) {
    if (!scenario.contracts.empty()) {
      return FailSim(
          "--replay serves the store's contracts; the scenario's [[contracts]] cannot be "
          "replayed");
    }
    replay::ReplayOptions replay;
    replay.store = o.replay;
    replay.contracts = o.contracts;
    if (start) replay.start = *start;
    if (!o.end.empty()) {
      Result<TimePoint> end = ParseIsoTime(o.end);
      if (!end.ok()) return FailSim("--end: " + end.status().message());
      replay.end = *end;
    }
    auto source = replay::StoreMarketSource::Open(fs::PosixFileSystem(), replay);
    if (!source.ok()) return FailSim("--replay: " + source.status().message());
    auto contracts =
        replay::LoadRecordedContracts(fs::PosixFileSystem(), o.replay, (*source)->contracts());
    if (!contracts.ok()) return FailSim("--replay: " + contracts.status().ToString());
    for (const std::string& warning : contracts->warnings) {
      std::cerr << "ibstream sim: --replay: " << warning << "\n";
    }
    std::cerr << "ibstream sim: replaying " << o.replay << ": " << contracts->contracts.size()
              << " contract(s), recorded data from " << FormatIsoUtc((*source)->first()) << " to "
              << FormatIsoUtc((*source)->last()) << "\n";
    if (!start) start = std::chrono::floor<std::chrono::seconds>((*source)->first());
    replayed = *source;
    options.market_source = *source;
    options.extra_contracts = std::move(contracts->contracts);
  } else if (!o.end.empty() || !o.contracts.empty()) {
    return FailSim("--end and --contract select what --replay serves; give --replay STORE");
  }

  // Virtual time when a start or a speed is given; the system clock otherwise.
  std::unique_ptr<Clock> scaled;
  const Clock* clock = &SystemClock::Instance();
  if (start || speed) {
    scaled = std::make_unique<ScaledClock>(start.value_or(SystemClock::Instance().Now()),
                                           speed.value_or(1.0));
    clock = scaled.get();
  }

  // Block the stop signals before the loop thread starts so that only sigwait() sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  sim::Simulator simulator(*clock, options);
  if (Status st = simulator.Start(); !st.ok()) return FailSim(st.ToString());
  std::cout << simulator.port() << std::endl;
  if (!options.control_host.empty())
    std::cout << "control " << simulator.control_port() << std::endl;
  std::cerr << "ibstream sim: listening on " << options.listen_host << ":" << simulator.port()
            << ", virtual time " << FormatIsoUtc(clock->Now()) << " at " << options.speed
            << "x, seed " << options.seed
            << (scenario.name.empty() ? "" : ", scenario " + scenario.name) << "\n";
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  simulator.Stop();
  const sim::SimulatorStats stats = simulator.stats();
  std::cerr << "ibstream sim: stopped; " << stats.ticks_generated << " ticks generated, "
            << stats.ticks_delivered << " delivered, " << stats.connections_accepted
            << " connections, " << stats.faults_started << " faults\n";
  if (replayed) {
    const replay::ReplayStats r = replayed->stats();
    std::cerr << "ibstream sim: replayed " << r.ticks_loaded << " stored ticks from "
              << r.hours_loaded << " contract-hours; " << r.damaged_pieces
              << " damaged pieces skipped (" << r.skipped_bytes << " bytes), " << r.query_errors
              << " failed queries\n";
  }
  return 0;
}

}  // namespace

void AddSimCommand(CLI::App& app) {
  auto options = std::make_shared<SimOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sim", "The TWS/Gateway simulator: real protocol, generated markets, scripted faults, truth");
  cmd->add_option("--listen", options->listen, "API listen address HOST:PORT (port 0: any)")
      ->capture_default_str();
  cmd->add_option("--scenario", options->scenario, "scenario file (TOML, src/sim/SCENARIOS.md)");
  cmd->add_option("--start,--from", options->start,
                  "virtual start time, ISO 8601 with offset (with --replay: the window's start)")
      ->check(IsoTime());
  cmd->add_option("--replay", options->replay,
                  "serve the ticks recorded in STORE (the recorder's storage.path) as the market")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--end,--to", options->end,
                  "with --replay: the replayed window's end (exclusive), ISO 8601 with offset")
      ->check(IsoTime());
  cmd->add_option("--contract", options->contracts,
                  "with --replay: replay only this conId (repeatable; default every contract)");
  cmd->add_option("--speed", options->speed, "virtual time runs N times real time")
      ->check(PositiveFinite(kMaxClockSpeed));
  cmd->add_option("--seed", options->seed, "seed of the generated markets (default 1)");
  cmd->add_option("--truth", options->truth, "write the ground truth (JSON lines) to FILE");
  cmd->add_option("--control", options->control, "control interface HOST:PORT (loopback)");
  // IB's allowances on an ordinary account unless told otherwise; a generous account is a large
  // number, never 0 (0 allows none).
  const CLI::Validator allowance = FiniteRange(0, std::numeric_limits<int32_t>::max());
  cmd->add_option("--tick-by-tick-limit,--max-tick-by-tick", options->max_tick_by_tick,
                  "tick-by-tick subscriptions at a time, account-wide, before 10190 (default " +
                      std::to_string(sim::kIbTickByTickLimit) + ")")
      ->check(allowance);
  cmd->add_option("--market-data-lines", options->market_data_lines,
                  "market-data lines (reqMktData + tick-by-tick subscriptions), account-wide, "
                  "before 101 (default " +
                      std::to_string(sim::kIbMarketDataLines) + ")")
      ->check(allowance);
  cmd->add_option("--market-depth-limit", options->market_depth_limit,
                  "market depth requests at a time, account-wide, before 309 (default " +
                      std::to_string(sim::kIbMarketDepthLimit) + ")")
      ->check(allowance);
  cmd->add_option("--account", options->account,
                  "the paper account served (MANAGED_ACCTS, account values, summary)")
      ->capture_default_str()
      ->check(
          [](const std::string& text) -> std::string {
            if (text.empty() || text.size() > 32) return "an account id of 1 to 32 characters";
            for (const char c : text) {
              if (!std::isalnum(static_cast<unsigned char>(c))) {
                return "an account id is letters and digits, e.g. DU1234567";
              }
            }
            return "";
          },
          "ACCOUNT");
  cmd->callback([options] { SetExitCode(RunSim(*options)); });
}

}  // namespace ibstream::cli
