// `ibstream gaps`: the gap ledger of a store.
//
//   ibstream gaps --data DIR [--contract ID] [--json]
//
// Reads without writing (safe on a store the recorder is using).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "fs/file_system.h"
#include "storage/gap_ledger.h"

namespace ibstream::cli {
namespace {

struct GapsOptions {
  std::string data;
  int64_t contract = 0;
  bool json = false;
};

int RunGaps(const GapsOptions& o) {
  uint64_t corrupt = 0;
  auto gaps = storage::GapLedger::ReadAll(fs::PosixFileSystem(), o.data, &corrupt);
  if (!gaps.ok()) {
    std::cerr << "ibstream gaps: " << gaps.status().ToString() << "\n";
    return 2;
  }
  nlohmann::json list = nlohmann::json::array();
  for (const auto& g : *gaps) {
    if (o.contract != 0 && g.stream.contract_id != o.contract) continue;
    if (o.json) {
      list.push_back({{"id", g.id},
                      {"contract_id", g.stream.contract_id},
                      {"tick_type", TickTypeName(g.stream.type)},
                      {"start", FormatIsoUtc(g.start)},
                      {"end", FormatIsoUtc(g.end)},
                      {"cause", g.cause},
                      {"backfill", storage::BackfillStateName(g.state)},
                      {"reason", g.reason},
                      {"updated_at", FormatIsoUtc(g.updated_at)}});
    } else {
      std::cout << g.id << "  " << ToString(g.stream) << "  " << FormatIsoUtc(g.start) << " .. "
                << FormatIsoUtc(g.end) << "  cause=" << g.cause
                << "  backfill=" << storage::BackfillStateName(g.state)
                << (g.reason.empty() ? "" : "  reason=" + g.reason) << "\n";
    }
  }
  if (o.json) std::cout << list.dump(2) << "\n";
  if (corrupt > 0) {
    std::cerr << "ibstream gaps: " << corrupt << " damaged ledger bytes were skipped\n";
    return 1;
  }
  return 0;
}

}  // namespace

void AddGapsCommand(CLI::App& app) {
  auto options = std::make_shared<GapsOptions>();
  CLI::App* command = app.add_subcommand("gaps", "List recorded gaps and their backfill state");
  command->add_option("--data", options->data, "Storage directory")->required();
  command->add_option("--contract", options->contract, "Only this contract id");
  command->add_flag("--json", options->json, "Print JSON");
  command->callback([options] { SetExitCode(RunGaps(*options)); });
}

}  // namespace ibstream::cli
