// `ibstream status [--url URL | --config FILE] [--json]`: a running recorder's health, read from
// its /v1/status.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/http_get.h"
#include "cli/status_table.h"
#include "cli/user_hints.h"

namespace ibstream::cli {
namespace {

struct StatusOptions {
  std::string url = "http://127.0.0.1:8851";
  std::string config;
  bool json = false;
};

int RunStatus(const StatusOptions& options) {
  std::string url = options.url;
  if (!options.config.empty()) {
    Result<std::string> from_config = RecorderUrlFromConfig(options.config);
    if (!from_config.ok()) {
      std::cerr << "ibstream status: " << from_config.status().message() << "\n";
      return 1;
    }
    url = *from_config;
  }
  const HttpAnswer answer = HttpGet(url, "/v1/status");
  if (!answer.answered) {
    std::cerr << "ibstream status: " << answer.error << "\n";
    if (answer.connection_refused) {
      std::cerr << "ibstream status: is the recorder running, and is this its http.listen "
                   "address? (--url URL, or --config FILE to read it from the configuration)\n";
    }
    return 1;
  }
  if (answer.status != 200) {
    std::cerr << "ibstream status: " << answer.url << " answered HTTP " << answer.status << "\n";
    return 1;
  }
  auto document = nlohmann::json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) {
    std::cerr << "ibstream status: " << answer.url << " did not answer a JSON object\n";
    return 1;
  }
  if (options.json) {
    std::cout << document.dump(2) << "\n";
  } else {
    std::cout << RenderStatusTable(document);
  }
  return 0;
}

}  // namespace

void AddStatusCommand(CLI::App& app) {
  auto options = std::make_shared<StatusOptions>();
  CLI::App* cmd = app.add_subcommand("status", "A running recorder's health as a table");
  auto* url =
      cmd->add_option("--url", options->url, "The recorder's HTTP base URL")->capture_default_str();
  cmd->add_option("--config", options->config,
                  "Instead of --url: the recorder's configuration file (its http.listen)")
      ->excludes(url);
  cmd->add_flag("--json", options->json, "Print the recorder's /v1/status document");
  cmd->callback([options] { SetExitCode(RunStatus(*options)); });
}

}  // namespace ibstream::cli
