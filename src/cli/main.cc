// ibstream: the one executable. Subcommands live in their own files (see commands.h).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"

namespace ibstream::cli {
namespace {
int exit_code = 0;
}  // namespace

void SetExitCode(int code) { exit_code = code; }
int ExitCode() { return exit_code; }

}  // namespace ibstream::cli

int main(int argc, char** argv) {
  CLI::App app{"ibstream: a market-data recorder for Interactive Brokers"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ibstream 0.1.0");
  // In the order a user meets them (`--help` lists them so): try it, run it, watch it, read the
  // data, then the gateway tools, the calendar, the simulator and the configuration check.
  ibstream::cli::AddDemoCommand(app);
  ibstream::cli::AddRecordCommand(app);
  ibstream::cli::AddStatusCommand(app);
  ibstream::cli::AddQueryCommand(app);
  ibstream::cli::AddGapsCommand(app);
  ibstream::cli::AddBackfillCommand(app);
  ibstream::cli::AddVerifyCommand(app);
  ibstream::cli::AddMergeCommand(app);
  ibstream::cli::AddTailCommand(app);
  ibstream::cli::AddStreamCommand(app);
  ibstream::cli::AddContractCommand(app);
  ibstream::cli::AddHoursCommand(app);
  ibstream::cli::AddSimCommand(app);
  ibstream::cli::AddConfigCommand(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // app.exit prints the help, the version or the error. Every refused command line (an
    // unknown option, a value a check refused) is a usage error: exit code 2.
    return app.exit(e) == 0 ? 0 : 2;
  }
  return ibstream::cli::ExitCode();
}
