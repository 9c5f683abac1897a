// `ibstream demo [--data DIR] [--speed N] [--start TIME] [--port N] [--duration S]`: the
// simulated gateway and the recorder in one process, on a sample configuration (MNQ, ES, AAPL,
// EUR.USD), no IB account needed. By default the clock starts two minutes before the CME daily
// halt and runs 60 times faster, so the halt and the reopening pass within the first minute.
//
// The terminal shows one line per event (demo_narrator.h) and a summary at the end; the detailed
// log goes to DIR/demo.log (--verbose: everything on stderr instead). Unless --fault-after 0, the
// simulated gateway restarts for three minutes 72 virtual minutes in (at 17:10 CT, ten minutes
// after the reopening): the gap, its backfill and the gateway_down alert firing and resolving
// show what the recorder is for.
//
// A directory that holds a previous run is refused (the same virtual times again would meet the
// old ticks and overwrite the old truth); --fresh deletes it first, when it holds nothing but a
// demo's store/ and truth.jsonl.
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/daemon.h"
#include "cli/demo_narrator.h"
#include "cli/option_checks.h"
#include "fs/file_system.h"
#include "sim/fault.h"
#include "sim/simulator.h"
#include "storage/gap_ledger.h"
#include "storage/inventory.h"
#include "storage/query.h"

namespace ibstream::cli {
namespace {

struct DemoOptions {
  std::string data = "demo-data";
  double speed = 60;
  std::string start = "2025-08-11T15:58:00-05:00";
  int port = 8851;
  double duration_seconds = 0;
  bool fresh = false;
  double fault_after_minutes = 72;
  bool verbose = false;
};

// Every log line goes through here: the narrator's lines to stdout, on the demo's clock.
class NarratorSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit NarratorSink(const Clock& clock) : clock_(clock) {}

  // conId -> symbol, as seen in the log (read after the run).
  std::string Name(int64_t con_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    return narrator_.Name(std::to_string(con_id));
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::optional<std::string> line =
        narrator_.Narrate(std::string_view(msg.payload.data(), msg.payload.size()), clock_.Now());
    if (line) std::cout << *line << std::endl;
  }
  void flush_() override { std::cout.flush(); }

 private:
  const Clock& clock_;
  DemoNarrator narrator_;
};

// What a demo writes into its directory; nothing else is deleted by --fresh.
constexpr const char* kDemoEntries[] = {"store", "truth.jsonl", "demo.log"};

// Refuses (a line on stderr, false) a directory holding a previous run unless --fresh, and then
// only one that holds nothing but a demo's entries.
bool PrepareDataDir(const DemoOptions& o) {
  namespace stdfs = std::filesystem;
  std::error_code ec;
  if (!stdfs::exists(o.data, ec)) return true;
  bool previous_run = false;
  std::vector<std::string> other;
  for (const auto& entry : stdfs::directory_iterator(o.data, ec)) {
    const std::string name = entry.path().filename().string();
    bool ours = false;
    for (const char* demo_entry : kDemoEntries) ours = ours || name == demo_entry;
    previous_run = previous_run || ours;
    if (!ours) other.push_back(name);
  }
  if (ec) {
    std::cerr << "ibstream demo: cannot read " << o.data << ": " << ec.message() << "\n";
    return false;
  }
  if (!previous_run) return true;
  if (!o.fresh) {
    std::cerr << "ibstream demo: " << o.data
              << " holds a previous demo run (its store and truth would meet this run's ticks); "
                 "rerun with --fresh to delete it first, or give another --data DIR\n";
    return false;
  }
  if (!other.empty()) {
    std::cerr << "ibstream demo: --fresh: " << o.data << " also holds '" << other.front()
              << "', which a demo does not write: not deleting it; give another --data DIR\n";
    return false;
  }
  for (const char* demo_entry : kDemoEntries) {
    stdfs::remove_all(stdfs::path(o.data) / demo_entry, ec);
    if (ec) {
      std::cerr << "ibstream demo: --fresh: cannot delete " << o.data << "/" << demo_entry << ": "
                << ec.message() << "\n";
      return false;
    }
  }
  return true;
}

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

// What the run left: ticks per stream, gaps and their backfill, where the data and the log are.
void PrintSummary(const std::string& store, const std::string& log_file, NarratorSink* names) {
  auto inventory = storage::ReadInventory(fs::PosixFileSystem(), store);
  std::cout << "\nibstream demo: stopped. Recorded in " << store << ":\n";
  if (!inventory.ok() || inventory->streams.empty()) std::cout << "  no ticks\n";
  int64_t example = 0;
  if (inventory.ok()) {
    for (const auto& [stream, extent] : inventory->streams) {
      uint64_t ticks = 0;
      storage::QueryRequest request{
          {stream}, FromUnixSeconds(0), extent.last + std::chrono::hours(1)};
      (void)storage::QueryTicks(
          fs::PosixFileSystem(), store, request,
          [&](const Tick&) {
            ++ticks;
            return Status::Ok();
          },
          nullptr);
      const std::string name =
          names != nullptr ? names->Name(stream.contract_id) : std::to_string(stream.contract_id);
      std::cout << "  " << name << " (" << stream.contract_id << ") " << TickTypeName(stream.type)
                << ": " << ticks << " ticks\n";
      if (example == 0) example = stream.contract_id;
    }
  }
  uint64_t corrupt = 0;
  auto gaps = storage::GapLedger::ReadAll(fs::PosixFileSystem(), store, &corrupt);
  if (gaps.ok()) {
    size_t filled = 0;
    double seconds = 0;
    for (const storage::GapRecord& g : *gaps) {
      if (g.state == storage::BackfillState::kFilled) ++filled;
      seconds += std::chrono::duration<double>(g.end - g.start).count();
    }
    std::cout << "  gaps: " << gaps->size() << " (" << static_cast<int64_t>(seconds)
              << " s in all), " << filled << " filled from IB's history\n";
  }
  std::cout << "  read it: build/ibstream query --data " << store
            << (example != 0 ? " --contract " + std::to_string(example) : std::string())
            << " | head; build/ibstream gaps --data " << store << "\n";
  if (!log_file.empty()) std::cout << "  log: " << log_file << "\n";
}

int RunDemo(const DemoOptions& o) {
  auto start = ParseIsoTime(o.start);
  if (!start.ok()) {
    std::cerr << "ibstream demo: --start: " << start.status().message() << "\n";
    return 1;
  }
  ScaledClock clock(*start, o.speed);
  if (!PrepareDataDir(o)) return 1;

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
  if (o.fault_after_minutes > 0) {
    const int64_t after_seconds = static_cast<int64_t>(o.fault_after_minutes * 60);
    auto restart = sim::ParseFault({{"kind", "gateway_restart"},
                                    {"at", "+" + std::to_string(after_seconds) + "s"},
                                    {"duration", "3m"}});
    if (!restart.ok()) {
      std::cerr << "ibstream demo: --fault-after: " << restart.status().message() << "\n";
      return 1;
    }
    sim_options.faults.push_back(*restart);
  }
  // The terminal gets the narration; the log file everything (unless --verbose).
  const std::string log_file =
      o.verbose ? std::string() : (std::filesystem::path(o.data) / "demo.log").string();
  std::shared_ptr<NarratorSink> narrator;
  if (!o.verbose) {
    try {
      auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_file, true);
      narrator = std::make_shared<NarratorSink>(clock);
      spdlog::set_default_logger(
          std::make_shared<spdlog::logger>("ibstream", spdlog::sinks_init_list{file, narrator}));
    } catch (const spdlog::spdlog_ex& e) {
      std::cerr << "ibstream demo: cannot open the log " << log_file << ": " << e.what() << "\n";
      return 1;
    }
  }
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
  const auto real_seconds = [&](double seconds) {
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds * o.speed));
  };
  daemon.config.gateway.connect_timeout = real_seconds(5.0);
  // A probe answered within 5 real seconds is alive, however loaded the machine: at 300x the
  // default 5 virtual seconds are 17 ms, and the session would be dropped for nothing.
  // The deadline may not exceed the interval (config/cross_key_checks.cc).
  daemon.config.gateway.probe_deadline =
      std::max(daemon.config.gateway.probe_deadline, real_seconds(5.0));
  daemon.config.gateway.probe_interval =
      std::max(daemon.config.gateway.probe_interval, real_seconds(10.0));
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
              << "  data:     " << daemon.config.storage.path << " (ibstream query/verify/gaps)\n";
    if (!log_file.empty()) std::cout << "  log:      " << log_file << "\n";
    if (o.fault_after_minutes > 0) {
      const TimePoint fault_at =
          *start + std::chrono::duration_cast<Duration>(
                       std::chrono::duration<double>(o.fault_after_minutes * 60));
      std::cout << "  fault:    the gateway restarts at " << FormatIsoUtc(fault_at)
                << " (virtual) for 3 minutes\n";
    }
    std::cout << "Ctrl-C stops it. Events:" << std::endl;
  };
  const int code = RunDaemon(daemon);
  simulator.Stop();
  spdlog::default_logger()->flush();
  if (code == 0) PrintSummary(daemon.config.storage.path, log_file, narrator.get());
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
  cmd->add_option("--fault-after", options->fault_after_minutes,
                  "Restart the simulated gateway for 3 minutes this many virtual minutes in (0: "
                  "no fault)")
      ->check(FiniteRange(0, 365 * 24 * 60))
      ->capture_default_str();
  cmd->add_flag("--verbose", options->verbose,
                "Every log line on stderr instead of the event lines and DIR/demo.log");
  cmd->add_flag("--fresh", options->fresh,
                "Delete a previous demo run in --data first (by default it is refused)");
  cmd->callback([options] { SetExitCode(RunDemo(*options)); });
}

}  // namespace ibstream::cli
