// `ibstream verify`: integrity of every file of a store and, with a simulator truth file, the
// completeness of every recorded stream (verify/completeness.h).
//
//   ibstream verify --data DIR [--truth FILE [--min-completeness PCT] [--from T] [--to T]]
//                   [--json]
//
// Exit code 0 when every file is sound (warnings such as a torn journal tail, the normal result
// of a crash, do not fail) and every stream reaches the completeness threshold (100% by default)
// with no extra ticks, 1 otherwise, 2 on usage errors or when the truth cannot be read.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "cli/user_hints.h"
#include "common/clock.h"
#include "fs/file_system.h"
#include "storage/verify.h"
#include "verify/completeness.h"

namespace ibstream::cli {
namespace {

struct VerifyOptions {
  std::string data;
  std::string config;
  std::string truth;
  double min_completeness = 100;
  std::string from;
  std::string to;
  bool json = false;
};

const char* SeverityName(storage::VerifiedFile::Severity s) {
  switch (s) {
    case storage::VerifiedFile::Severity::kOk:
      return "ok";
    case storage::VerifiedFile::Severity::kWarning:
      return "warning";
    case storage::VerifiedFile::Severity::kError:
      return "error";
  }
  return "unknown";
}

int RunVerify(VerifyOptions o) {
  // Standard output carries the report: log lines (damaged data skipped) go to standard error.
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "verify", std::make_shared<spdlog::sinks::stderr_sink_mt>()));
  if (!o.config.empty()) {
    Result<std::string> path = StorePathFromConfig(o.config);
    if (!path.ok()) {
      std::cerr << "ibstream verify: " << path.status().message() << "\n";
      return 2;
    }
    o.data = *path;
  }
  if (o.data.empty()) {
    std::cerr << "ibstream verify: give --data DIR or --config FILE\n";
    return 2;
  }
  const bool show_progress = ::isatty(STDERR_FILENO) != 0;
  std::vector<storage::VerifyCheck*> checks;
  std::unique_ptr<verify::CompletenessCheck> completeness;
  if (!o.truth.empty()) {
    verify::CompletenessOptions options;
    options.truth_path = o.truth;
    options.min_completeness = o.min_completeness;
    for (auto [text, target] : {std::pair{&o.from, &options.from}, std::pair{&o.to, &options.to}}) {
      if (text->empty()) continue;
      auto t = ParseIsoTime(*text);
      if (!t.ok()) {
        std::cerr << "ibstream verify: " << t.status().ToString() << "\n";
        return 2;
      }
      *target = *t;
    }
    completeness = std::make_unique<verify::CompletenessCheck>(options);
    checks.push_back(completeness.get());
  }
  auto report =
      storage::VerifyStore(fs::PosixFileSystem(), o.data, checks, [&](size_t done, size_t total) {
        if (show_progress && (done % 16 == 0 || done == total)) {
          std::fprintf(stderr, "\rverified %zu/%zu files", done, total);
          if (done == total) std::fprintf(stderr, "\n");
        }
      });
  if (!report.ok()) {
    std::cerr << "ibstream verify: " << report.status().ToString() << "\n";
    return 2;
  }
  if (completeness && !completeness->report()) {
    std::cerr << "ibstream verify: completeness: " << report->checks.back().status.ToString()
              << "\n";
    return 2;
  }
  if (o.json) {
    nlohmann::json j;
    j["ok"] = report->ok();
    j["ticks"] = report->ticks;
    j["errors"] = report->errors;
    j["warnings"] = report->warnings;
    j["files"] = nlohmann::json::array();
    for (const auto& f : report->files) {
      j["files"].push_back({{"path", f.path},
                            {"kind", f.kind},
                            {"status", SeverityName(f.severity)},
                            {"ticks", f.ticks},
                            {"detail", f.detail}});
    }
    j["checks"] = nlohmann::json::array();
    for (const auto& c : report->checks) {
      j["checks"].push_back({{"name", c.name},
                             {"status", c.status.ok() ? "ran" : c.status.ToString()},
                             {"problems", c.problems}});
    }
    if (completeness) {
      j["completeness"] =
          nlohmann::json::parse(verify::CompletenessJson(*completeness->report(), -1));
    }
    std::cout << j.dump(2) << "\n";
  } else {
    for (const auto& f : report->files) {
      if (f.severity == storage::VerifiedFile::Severity::kOk) continue;
      std::cout << SeverityName(f.severity) << ": " << f.path << ": " << f.detail << "\n";
    }
    for (const auto& c : report->checks) {
      if (!c.status.ok())
        std::cout << "check " << c.name << " failed to run: " << c.status.ToString() << "\n";
      for (const auto& p : c.problems) std::cout << "check " << c.name << ": " << p << "\n";
    }
    if (completeness) {
      for (const std::string& line : verify::DescribeCompleteness(*completeness->report()))
        std::cout << "completeness: " << line << "\n";
    }
    std::cout << report->files.size() << " files, " << report->ticks << " ticks, " << report->errors
              << " errors, " << report->warnings
              << " warnings: " << (report->ok() ? "OK" : "DAMAGED") << "\n";
  }
  return report->ok() ? 0 : 1;
}

}  // namespace

void AddVerifyCommand(CLI::App& app) {
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* command = app.add_subcommand(
      "verify",
      "Check the integrity of every stored file (and completeness against a simulator truth)");
  auto* data = command->add_option("--data", options->data, "Storage directory");
  command
      ->add_option("--config", options->config,
                   "Instead of --data: the recorder's configuration file (its storage.path)")
      ->excludes(data);
  command->add_option("--truth", options->truth,
                      "Simulator ground-truth file: also report completeness per stream");
  command
      ->add_option("--min-completeness", options->min_completeness,
                   "Percent of the truth's ticks each stream must hold (with --truth)")
      ->check(FiniteRange(0, 100));
  command
      ->add_option("--from", options->from,
                   "With --truth: compare from this exchange time (default: each stream's "
                   "first full second after it was first asked for)")
      ->check(IsoTime());
  command
      ->add_option("--to", options->to,
                   "With --truth: compare up to this exchange time, exclusive (default: the "
                   "simulator's stop, or the stream's cancel)")
      ->check(IsoTime());
  command->add_flag("--json", options->json, "Print a JSON report");
  command->callback([options] { SetExitCode(RunVerify(*options)); });
}

}  // namespace ibstream::cli
