// `ibstream status [--url URL | --config FILE] [--json]`: a running recorder's health, read from
// its /v1/status.
#include <curl/curl.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/status_table.h"
#include "cli/user_hints.h"

namespace ibstream::cli {
namespace {

struct StatusOptions {
  std::string url = "http://127.0.0.1:8851";
  std::string config;
  bool json = false;
};

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

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
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/v1/status";
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    std::cerr << "ibstream status: cannot initialise libcurl\n";
    return 1;
  }
  std::string body;
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) {
    std::cerr << "ibstream status: " << url << ": "
              << (error[0] != '\0' ? error : curl_easy_strerror(rc)) << "\n";
    if (rc == CURLE_COULDNT_CONNECT) {
      std::cerr << "ibstream status: is the recorder running, and is this its http.listen "
                   "address? (--url URL, or --config FILE to read it from the configuration)\n";
    }
    return 1;
  }
  long code = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &code);
  if (code != 200) {
    std::cerr << "ibstream status: " << url << " answered HTTP " << code << "\n";
    return 1;
  }
  auto document = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) {
    std::cerr << "ibstream status: " << url << " did not answer a JSON object\n";
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
