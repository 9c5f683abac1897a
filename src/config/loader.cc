#include "config/loader.h"

#include <toml++/toml.h>

#include <fstream>
#include <sstream>

#include "config/loading.h"
#include "config/settings.h"

namespace ibstream::config::internal {

void Loader::Run(const toml::table* table, const std::string& file_name) {
  file_name_ = file_name;
  LoadDotEnv("instance.env");
  ResolveProfile(table);
  LoadDotEnv(std::string(ProfileName(config().profile)) + ".env");
  ApplyProfileDefaults();
  if (table != nullptr) WalkTable(*table, "");
  ApplyEnvironment();
  LoadContracts(table);
  CheckVariables();
  CheckConsistency();
  if (result_.ok()) RenderValues();
}

void Loader::AddError(const Source& where, std::string key, std::string value, std::string problem,
                      std::string allowed) {
  result_.errors.push_back(
      {where.ToString(), std::move(key), std::move(value), std::move(problem), std::move(allowed)});
}

void Loader::ResolveProfile(const toml::table* table) {
  const Setting<Config>& setting = *FindSetting(ConfigSettings(), "profile");
  if (table != nullptr) {
    if (const toml::node* node = table->get("profile")) {
      Apply(setting, "profile", {node, {}}, FileSource(*node), config());
    }
  }
  if (std::optional<EnvValue> value = env_.Lookup(EnvNames(setting))) {
    Apply(setting, "profile", {nullptr, value->value}, value->source, config());
  }
}

void Loader::ApplyProfileDefaults() {
  Profile profile = config().profile;
  Source source{Source::Kind::kProfile, std::string(ProfileName(profile)), 0, {}};
  for (const ProfileValue& entry : kProfileValues) {
    const Setting<Config>& setting = *FindSetting(ConfigSettings(), entry.key);
    std::string_view text = profile == Profile::kProduction ? entry.production : entry.development;
    Apply(setting, setting.key, {nullptr, text}, source, config());
  }
}

}  // namespace ibstream::config::internal

namespace ibstream::config {
namespace {

LoadResult Load(const toml::table* table, const std::string& file_name, const Env& env,
                const LoadOptions& options) {
  LoadResult result;
  internal::Loader(env, options, result).Run(table, file_name);
  return result;
}

}  // namespace

std::string ConfigError::ToString() const {
  std::string out = where.empty() ? "" : where + ": ";
  if (key.empty()) return out + problem;
  out += key;
  if (!value.empty()) out += " = " + value;
  out += ": " + problem;
  if (!allowed.empty()) out += "; allowed: " + allowed;
  return out;
}

Status LoadResult::status() const {
  if (ok()) return Status::Ok();
  std::string message;
  for (const ConfigError& error : errors) {
    message += (message.empty() ? "" : "\n") + error.ToString();
  }
  return InvalidArgument(message);
}

LoadResult LoadConfigText(std::string_view toml_text, std::string_view source_name, const Env& env,
                          const LoadOptions& options) {
  toml::table table;
  try {
    table = toml::parse(toml_text, std::string(source_name));
  } catch (const toml::parse_error& error) {
    LoadResult result;
    const toml::source_position& begin = error.source().begin;
    result.errors.push_back({std::string(source_name) + ":" + std::to_string(begin.line) + ":" +
                                 std::to_string(begin.column),
                             "", "", std::string(error.description()), ""});
    return result;
  }
  return Load(&table, std::string(source_name), env, options);
}

LoadResult LoadConfigFile(const std::filesystem::path& path, const Env& env,
                          const LoadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult result;
    result.errors.push_back({path.string(), "", "", "cannot open the file", ""});
    return result;
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    LoadResult result;
    result.errors.push_back({path.string(), "", "", "cannot read the file", ""});
    return result;
  }
  return LoadConfigText(text.str(), path.string(), env, options);
}

LoadResult LoadConfigWithoutFile(const Env& env, const LoadOptions& options) {
  return Load(nullptr, "", env, options);
}

}  // namespace ibstream::config
