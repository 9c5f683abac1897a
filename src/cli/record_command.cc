// `ibstream record [--config FILE] [--start TIME --speed N]`: the recorder daemon.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/daemon.h"
#include "cli/option_checks.h"
#include "config/env.h"
#include "config/loader.h"

namespace ibstream::cli {
namespace {

struct RecordOptions {
  std::string config_path;
  std::string start;
  double speed = 1;
};

config::LoadResult Load(const std::string& config_path, const std::filesystem::path& dotenv_dir) {
  config::LoadOptions load_options;
  load_options.dotenv_dir = dotenv_dir;
  return config_path.empty()
             ? config::LoadConfigWithoutFile(config::ProcessEnv::Instance(), load_options)
             : config::LoadConfigFile(config_path, config::ProcessEnv::Instance(), load_options);
}

int RunRecord(const RecordOptions& o) {
  // The same sources again on SIGHUP (the directory of .env files as at start).
  const std::filesystem::path dotenv_dir = std::filesystem::current_path();
  const config::LoadResult loaded = Load(o.config_path, dotenv_dir);
  if (!loaded.ok()) {
    std::cerr << "ibstream record: invalid configuration:\n" << loaded.status().message() << "\n";
    return 1;
  }
  // Without configured contracts the recorder is useful only if contracts can be added at run
  // time (POST /v1/contracts needs the bearer token; earlier additions are in runtime.json).
  if (loaded.config.contracts.empty() && loaded.config.http.bearer_token.empty()) {
    std::cerr << "ibstream record: no contracts to record (set [[contracts]] in the configuration "
                 "or IB_STREAM_TRACKED_CONTRACTS, or http.bearer_token to add them through the "
                 "API)\n";
    return 1;
  }
  std::unique_ptr<ScaledClock> scaled;
  DaemonOptions daemon;
  daemon.config = loaded.config;
  daemon.reload_config = [path = o.config_path, dotenv_dir]() -> Result<config::Config> {
    config::LoadResult again = Load(path, dotenv_dir);
    if (!again.ok()) return again.status();
    return again.config;
  };
  if (!o.start.empty() || o.speed != 1) {
    auto start =
        o.start.empty() ? Result<TimePoint>(SystemClock::Instance().Now()) : ParseIsoTime(o.start);
    if (!start.ok()) {
      std::cerr << "ibstream record: --start: " << start.status().message() << "\n";
      return 1;
    }
    scaled = std::make_unique<ScaledClock>(*start, o.speed);
    daemon.clock = scaled.get();
  }
  return RunDaemon(daemon);
}

}  // namespace

void AddRecordCommand(CLI::App& app) {
  auto options = std::make_shared<RecordOptions>();
  CLI::App* cmd = app.add_subcommand("record", "Record the tracked contracts (the daemon)");
  cmd->add_option("--config", options->config_path, "TOML configuration file")
      ->check(CLI::ExistingFile);
  cmd->add_option("--start", options->start,
                  "Start the recorder's clock at this time (ISO 8601; tests and replays)")
      ->check(IsoTime());
  cmd->add_option("--speed", options->speed, "Run the clock this many times faster than real time")
      ->check(PositiveFinite(kMaxClockSpeed));
  cmd->callback([options] { SetExitCode(RunRecord(*options)); });
}

}  // namespace ibstream::cli
