// `ibstream verify`: integrity of every file of a store.
//
//   ibstream verify --data DIR [--json]
//
// Exit code 0 when every file is sound (warnings such as a torn journal tail, the normal result
// of a crash, do not fail), 1 when something is damaged, 2 on usage errors. Extra checks (the
// simulator's --truth comparison) are storage::VerifyCheck objects passed to VerifyStore.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "storage/file_system.h"
#include "storage/verify.h"

namespace ibstream::cli {
namespace {

struct VerifyOptions {
  std::string data;
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

int RunVerify(const VerifyOptions& o) {
  const bool show_progress = ::isatty(STDERR_FILENO) != 0;
  std::vector<storage::VerifyCheck*> checks;  // completeness checks plug in here
  auto report = storage::VerifyStore(
      storage::PosixFileSystem(), o.data, checks, [&](size_t done, size_t total) {
        if (show_progress && (done % 16 == 0 || done == total)) {
          std::fprintf(stderr, "\rverified %zu/%zu files", done, total);
          if (done == total) std::fprintf(stderr, "\n");
        }
      });
  if (!report.ok()) {
    std::cerr << "ibstream verify: " << report.status().ToString() << "\n";
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
    std::cout << report->files.size() << " files, " << report->ticks << " ticks, " << report->errors
              << " errors, " << report->warnings
              << " warnings: " << (report->ok() ? "OK" : "DAMAGED") << "\n";
  }
  return report->ok() ? 0 : 1;
}

}  // namespace

void AddVerifyCommand(CLI::App& app) {
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* command = app.add_subcommand("verify", "Check the integrity of every stored file");
  command->add_option("--data", options->data, "Storage directory")->required();
  command->add_flag("--json", options->json, "Print a JSON report");
  command->callback([options] { SetExitCode(RunVerify(*options)); });
}

}  // namespace ibstream::cli
