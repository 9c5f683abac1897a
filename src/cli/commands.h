// Each `ibstream` subcommand registers itself on the application here.
//
// A command file owns its options and its run function; main.cc only lists the commands. Run
// functions report errors by returning a non-zero exit code after printing one clear line on
// stderr.
#pragma once

namespace CLI {
class App;
}  // namespace CLI

namespace ibstream::cli {

// Every Add*Command stores its options in objects that live as long as `app`, and sets the
// subcommand's callback. The callback's exit code is read back through ExitCode().
void SetExitCode(int code);
int ExitCode();

// Commands are added as their parts land; see main.cc for the list.

// `ibstream hours` (hours_command.cc): market status, next open/close and schedule.
void AddHoursCommand(CLI::App& app);

// `ibstream query`, `ibstream verify`, `ibstream gaps` (query_command.cc, verify_command.cc,
// gaps_command.cc): read a store's ticks, check its files, list its gap ledger.
void AddQueryCommand(CLI::App& app);
void AddVerifyCommand(CLI::App& app);
void AddGapsCommand(CLI::App& app);

// `ibstream merge` (merge_command.cc): several recorders' stores into one.
void AddMergeCommand(CLI::App& app);

// `ibstream tail` (tail_command.cc): one contract's live ticks from NATS, each tick once.
void AddTailCommand(CLI::App& app);

// `ibstream backfill` (backfill_command.cc): fill gaps from IB's history, recorder stopped.
void AddBackfillCommand(CLI::App& app);

// `ibstream sim` (sim_command.cc): the TWS/Gateway simulator.
void AddSimCommand(CLI::App& app);

// `ibstream config check FILE` (config_command.cc): validate a configuration.
void AddConfigCommand(CLI::App& app);

// `ibstream record` (record_command.cc) and `ibstream demo` (demo_command.cc): the recorder
// daemon, on a real gateway or on the built-in simulator (daemon.h runs both).
void AddRecordCommand(CLI::App& app);
void AddDemoCommand(CLI::App& app);

// `ibstream contract` (contract_command.cc) and `ibstream stream` (stream_command.cc): contract
// lookup and live tick-by-tick printing through the gateway (client/).
void AddContractCommand(CLI::App& app);
void AddStreamCommand(CLI::App& app);

// `ibstream status` (status_command.cc): a running recorder's health as a table.
void AddStatusCommand(CLI::App& app);

}  // namespace ibstream::cli
