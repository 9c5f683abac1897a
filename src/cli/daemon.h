// Running the recorder as a daemon: logging, alert delivery, the recorder itself, the HTTP API,
// systemd notification and signals. Shared by `ibstream record` and `ibstream demo`.
#pragma once

#include <functional>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"

namespace ibstream::cli {

struct DaemonOptions {
  config::Config config;
  // The recorder's clock (SystemClock, or a ScaledClock for --start/--speed). Must outlive the run.
  const Clock* clock = &SystemClock::Instance();
  // Called once everything is up, with the HTTP base URL (e.g. to print where to look).
  std::function<void(const std::string& base_url)> on_ready;
  // Stop by itself after this much time on `clock` (zero: run until SIGTERM/SIGINT).
  Duration run_for{0};
  // Prefix of the one-line error messages ("ibstream record").
  std::string name = "ibstream record";
  // How the user moves the HTTP port, named when it is in use.
  std::string http_port_hint = "set http.listen in the configuration (or IBSTREAM_HTTP_LISTEN)";
  // Reads the configuration again (SIGHUP); empty: SIGHUP has nothing to reload.
  std::function<Result<config::Config>()> reload_config;
  // Called after each SIGHUP has been handled: whether the new contract list was applied.
  std::function<void(bool applied)> on_reloaded;
};

// Blocks until SIGTERM or SIGINT (or run_for), then flushes, seals and exits cleanly.
//
// SIGHUP reloads the contract list: the configuration is read again (reload_config) and its
// [[contracts]] applied in place (Recorder::ReloadContracts; run-time changes stay on top). A
// configuration that no longer checks, or lists no contract (as at start), is refused whole and
// recording goes on unchanged. Other
// sections are read at start only: a change to them is logged as needing a restart.
//
// Returns the process exit code: 0 after a clean stop, 1 when something could not start (one
// line on stderr says what).
int RunDaemon(const DaemonOptions& options);

// Sets spdlog's level and format for every registered logger. With logging.json each line is one
// valid JSON object {"time","level","msg"}, the message escaped (invalid UTF-8 replaced).
void ConfigureLogging(const config::LoggingConfig& logging);

}  // namespace ibstream::cli
