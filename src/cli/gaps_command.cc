// `ibstream gaps`: the gap ledger of a store.
//
//   ibstream gaps (--data DIR | --config FILE) [--contract ID] [--json]
//   ibstream gaps --url URL [--contract ID] [--json]
//
// Reads without writing (safe on a store the recorder is using). No such store: exit 2. No gap:
// an empty list (or `[]`) and a line on stderr saying so. A filled gap shows how it was filled
// (time to fill against the least time IB's pacing allows) when the ledger kept it. With --url,
// a running recorder's GET /v1/gaps instead (its 500 most recent entries), the same with what
// that recorder measured; unreachable or a bad answer: exit 2.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "cli/gap_lines.h"
#include "cli/http_get.h"
#include "cli/user_hints.h"
#include "fs/file_system.h"
#include "http/gap_fill_json.h"
#include "recorder/gap_fill.h"
#include "storage/gap_ledger.h"
#include "storage/inventory.h"

namespace ibstream::cli {
namespace {

struct GapsOptions {
  std::string data;
  std::string config;
  std::string url;
  int64_t contract = 0;
  bool json = false;
};

// `--url`: the running recorder's /v1/gaps.
int RunGapsFromRecorder(const GapsOptions& o) {
  std::string path = "/v1/gaps";
  if (o.contract != 0) path += "?contract_id=" + std::to_string(o.contract);
  const HttpAnswer answer = HttpGet(o.url, path);
  if (!answer.answered) {
    std::cerr << "ibstream gaps: " << answer.error << "\n";
    return 2;
  }
  const auto document = nlohmann::json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  if (answer.status != 200 || !document.is_object() || !document.contains("gaps") ||
      !document["gaps"].is_array()) {
    std::cerr << "ibstream gaps: " << answer.url << " answered HTTP " << answer.status
              << (answer.status == 200 ? " without a gap list" : "") << "\n";
    return 2;
  }
  const nlohmann::json& gaps = document["gaps"];
  if (o.json) {
    std::cout << gaps.dump(2) << "\n";
  } else {
    for (const nlohmann::json& gap : gaps) std::cout << GapLine(gap) << "\n";
  }
  if (gaps.empty()) std::cerr << "ibstream gaps: no gaps in " << answer.url << "\n";
  return 0;
}

int RunGaps(GapsOptions o) {
  // Standard output carries the list: log lines (damaged ledger records) go to standard error.
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("gaps", std::make_shared<spdlog::sinks::stderr_sink_mt>()));
  if (!o.url.empty()) return RunGapsFromRecorder(o);
  if (!o.config.empty()) {
    Result<std::string> path = StorePathFromConfig(o.config);
    if (!path.ok()) {
      std::cerr << "ibstream gaps: " << path.status().message() << "\n";
      return 2;
    }
    o.data = *path;
  }
  if (o.data.empty()) {
    std::cerr << "ibstream gaps: give --data DIR or --config FILE\n";
    return 2;
  }
  const Status is_store = storage::CheckIsStore(fs::PosixFileSystem(), o.data);
  if (!is_store.ok()) {
    std::cerr << "ibstream gaps: " << is_store.message() << "\n";
    return 2;
  }
  uint64_t corrupt = 0;
  size_t listed = 0;
  auto gaps = storage::GapLedger::ReadAll(fs::PosixFileSystem(), o.data, &corrupt);
  if (!gaps.ok()) {
    std::cerr << "ibstream gaps: " << gaps.status().ToString() << "\n";
    return 2;
  }
  nlohmann::json list = nlohmann::json::array();
  for (const auto& g : *gaps) {
    if (o.contract != 0 && g.stream.contract_id != o.contract) continue;
    ++listed;
    // How a filled gap was filled, as the recorder kept it in the ledger (none for gaps filled
    // by a version that did not keep it, or by `ibstream backfill`).
    const nlohmann::json fill =
        g.fill && g.state == storage::BackfillState::kFilled
            ? nlohmann::json(http::GapFillJson(recorder::FillTiming(*g.fill)))
            : nlohmann::json(nullptr);
    if (o.json) {
      list.push_back({{"id", g.id},
                      {"contract_id", g.stream.contract_id},
                      {"tick_type", TickTypeName(g.stream.type)},
                      {"start", FormatIsoUtc(g.start)},
                      {"end", FormatIsoUtc(g.end)},
                      {"cause", g.cause},
                      {"backfill", storage::BackfillStateName(g.state)},
                      {"reason", g.reason},
                      {"updated_at", FormatIsoUtc(g.updated_at)},
                      {"fill", fill}});
    } else {
      std::cout << g.id << "  " << ToString(g.stream) << "  " << FormatIsoUtc(g.start) << " .. "
                << FormatIsoUtc(g.end) << "  cause=" << g.cause
                << "  backfill=" << storage::BackfillStateName(g.state)
                << (g.reason.empty() ? "" : "  reason=" + g.reason)
                << (fill.is_object() ? "  " + GapFillText(fill) : std::string()) << "\n";
    }
  }
  if (o.json) std::cout << list.dump(2) << "\n";
  if (listed == 0) {
    std::cerr << "ibstream gaps: no gaps recorded"
              << (o.contract != 0 ? " for contract " + std::to_string(o.contract) : std::string())
              << " in " << o.data << "\n";
  }
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
  auto* data = command->add_option("--data", options->data, "Storage directory");
  auto* config =
      command
          ->add_option("--config", options->config,
                       "Instead of --data: the recorder's configuration file (its storage.path)")
          ->excludes(data);
  command
      ->add_option("--url", options->url,
                   "Instead of --data: a running recorder's HTTP base URL (its /v1/gaps, with "
                   "each filled gap's time to fill against IB's pacing minimum)")
      ->excludes(data)
      ->excludes(config);
  command->add_option("--contract", options->contract, "Only this contract id");
  command->add_flag("--json", options->json, "Print JSON");
  command->callback([options] { SetExitCode(RunGaps(*options)); });
}

}  // namespace ibstream::cli
