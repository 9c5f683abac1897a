// `ibstream backfill`: fills gaps from IB's history with the recorder stopped.
//
//   ibstream backfill --config FILE [--gap N | --contract ID --from T --to T [--type T]...]
//                     [--max-minutes N]
//
// Without --gap or a window: every open gap of the ledger (pending, partial, and failed ones whose
// cause was not permanent). Uses the configuration's gateway and store and the recorder's pacing
// state (recorder/offline_backfill.h). Exit 0 when every gap taken was filled, 1 when some were
// not (each line says why), 2 when nothing could run (bad options, a recorder holds the store, no
// gateway).
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "config/env.h"
#include "config/loader.h"
#include "recorder/offline_backfill.h"

namespace ibstream::cli {
namespace {

struct BackfillOptions {
  std::string config_path;
  uint64_t gap = 0;
  int64_t contract = 0;
  std::string from;
  std::string to;
  std::vector<std::string> types;
  double max_minutes = 60;
};

// The window options, checked together; empty when none was given.
Result<std::optional<recorder::OfflineBackfillWindow>> WindowFrom(const BackfillOptions& o) {
  const bool any = o.contract != 0 || !o.from.empty() || !o.to.empty() || !o.types.empty();
  if (!any) return std::optional<recorder::OfflineBackfillWindow>();
  if (o.contract == 0 || o.from.empty() || o.to.empty()) {
    return InvalidArgument("a window needs --contract, --from and --to");
  }
  recorder::OfflineBackfillWindow w;
  w.contract_id = o.contract;
  auto from = ParseIsoTime(o.from);
  if (!from.ok()) return from.status().WithContext("--from");
  auto to = ParseIsoTime(o.to);
  if (!to.ok()) return to.status().WithContext("--to");
  w.from = *from;
  w.to = *to;
  if (w.to <= w.from) return InvalidArgument("--to must be after --from");
  for (const std::string& name : o.types) {
    auto type = ParseTickType(name);
    if (!type.ok()) return type.status().WithContext("--type");
    w.types.push_back(*type);
  }
  return std::optional<recorder::OfflineBackfillWindow>(w);
}

int RunBackfill(const BackfillOptions& o) {
  config::LoadOptions load_options;
  load_options.dotenv_dir = std::filesystem::current_path();
  const config::LoadResult loaded =
      config::LoadConfigFile(o.config_path, config::ProcessEnv::Instance(), load_options);
  if (!loaded.ok()) {
    std::cerr << "ibstream backfill: invalid configuration:\n" << loaded.status().message() << "\n";
    return 2;
  }
  auto window = WindowFrom(o);
  if (!window.ok()) {
    std::cerr << "ibstream backfill: " << window.status().message() << "\n";
    return 2;
  }
  recorder::OfflineBackfillOptions options;
  options.config = loaded.config;
  if (o.gap != 0) options.gap_id = o.gap;
  options.window = *window;
  options.max_duration = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double, std::ratio<60>>(o.max_minutes));
  auto report = recorder::RunOfflineBackfill(
      options, SystemClock::Instance(), fs::PosixFileSystem(),
      [](const std::string& line) { std::cerr << "ibstream backfill: " << line << "\n"; });
  if (!report.ok()) {
    std::cerr << "ibstream backfill: " << report.status().message() << "\n";
    return 2;
  }
  if (report->gaps.empty()) {
    std::cerr << "ibstream backfill: no open gaps in " << options.config.storage.path << "\n";
  }
  for (const recorder::OfflineGapOutcome& g : report->gaps) {
    std::cout << g.gap_id << "  " << ToString(g.stream) << "  " << FormatIsoUtc(g.start) << " .. "
              << FormatIsoUtc(g.end) << "  backfill=" << storage::BackfillStateName(g.state)
              << "  ticks=" << g.ticks_stored << (g.reason.empty() ? "" : "  reason=" + g.reason)
              << "\n";
  }
  std::cout << "requests=" << report->requests << " retries=" << report->retries
            << " ticks=" << report->ticks_stored << "\n";
  if (!report->storage_error.empty()) {
    std::cerr << "ibstream backfill: storage refused ticks: " << report->storage_error << "\n";
  }
  return report->complete() ? 0 : 1;
}

}  // namespace

void AddBackfillCommand(CLI::App& app) {
  auto options = std::make_shared<BackfillOptions>();
  CLI::App* cmd = app.add_subcommand(
      "backfill", "Fill the ledger's gaps (or a window) from IB's history, recorder stopped");
  cmd->add_option("--config", options->config_path, "The recorder's TOML configuration file")
      ->required()
      ->check(CLI::ExistingFile);
  auto* gap = cmd->add_option("--gap", options->gap, "Only this ledger gap (any state but filled)");
  auto* contract =
      cmd->add_option("--contract", options->contract, "A window: this contract's conId");
  contract->excludes(gap);
  cmd->add_option("--from", options->from, "A window's start (ISO 8601)")
      ->check(IsoTime())
      ->excludes(gap);
  cmd->add_option("--to", options->to, "A window's end, exclusive (ISO 8601)")
      ->check(IsoTime())
      ->excludes(gap);
  cmd->add_option("--type", options->types,
                  "A window's tick types (default: the contract's configured ones)")
      ->excludes(gap);
  cmd->add_option("--max-minutes", options->max_minutes,
                  "Stop after this long; unfinished gaps stay pending")
      ->check(PositiveFinite(7 * 24 * 60));
  cmd->callback([options] { SetExitCode(RunBackfill(*options)); });
}

}  // namespace ibstream::cli
