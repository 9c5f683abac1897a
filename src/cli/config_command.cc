// `ibstream config check FILE`: validate a configuration and print every effective value with
// where it came from.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "config/loader.h"

namespace ibstream::cli {
namespace {

struct ConfigCheckOptions {
  std::string file;
  bool no_env = false;
};

std::string SourceText(const config::EffectiveValue& value) {
  std::string text = value.source.ToString();
  if (value.overridden) text += " (over " + value.overridden->ToString() + ")";
  return text;
}

int RunConfigCheck(const ConfigCheckOptions& options) {
  config::MapEnv no_variables;
  const config::Env& env = options.no_env ? static_cast<const config::Env&>(no_variables)
                                          : config::ProcessEnv::Instance();
  config::LoadOptions load;
  if (!options.no_env) {
    std::filesystem::path dir = std::filesystem::path(options.file).parent_path();
    load.dotenv_dir = dir.empty() ? std::filesystem::path(".") : dir;
  }
  config::LoadResult result = config::LoadConfigFile(options.file, env, load);
  for (const std::string& warning : result.warnings) {
    std::fprintf(stderr, "warning: %s\n", warning.c_str());
  }
  if (!result.ok()) {
    for (const config::ConfigError& error : result.errors) {
      std::fprintf(stderr, "%s\n", error.ToString().c_str());
    }
    return 1;
  }
  size_t key_width = 3;
  size_t value_width = 5;
  for (const config::EffectiveValue& value : result.values) {
    key_width = std::max(key_width, value.key.size());
    value_width = std::max(value_width, value.value.size());
  }
  std::printf("%-*s  %-*s  %s\n", static_cast<int>(key_width), "key", static_cast<int>(value_width),
              "value", "source");
  for (const config::EffectiveValue& value : result.values) {
    std::printf("%-*s  %-*s  %s\n", static_cast<int>(key_width), value.key.c_str(),
                static_cast<int>(value_width), value.value.c_str(), SourceText(value).c_str());
  }
  std::printf("%s: OK, profile %s, %zu contract(s)\n", options.file.c_str(),
              std::string(config::ProfileName(result.config.profile)).c_str(),
              result.config.contracts.size());
  return 0;
}

}  // namespace

void AddConfigCommand(CLI::App& app) {
  CLI::App* config = app.add_subcommand("config", "Configuration tools");
  config->require_subcommand(1);
  CLI::App* check = config->add_subcommand(
      "check", "Validate a configuration and print the effective values and where each came from");
  auto options = std::make_shared<ConfigCheckOptions>();
  check->add_option("FILE", options->file, "The ibstream.toml to check")->required();
  check->add_flag("--no-env", options->no_env,
                  "Ignore the environment and .env files: check the file alone");
  check->callback([options] { SetExitCode(RunConfigCheck(*options)); });
}

}  // namespace ibstream::cli
