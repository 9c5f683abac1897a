#include "config/loader.h"

#include <toml++/toml.h>

#include "config/loading.h"
#include "config/settings.h"
#include "config/toml_shape.h"
#include "fs/file_system.h"

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

// "configuration file larger than 1048576 bytes (1 MiB)", with the size when known.
std::string TooLarge(std::optional<size_t> size) {
  std::string problem = "configuration file larger than " +
                        std::to_string(internal::kMaxConfigFileBytes) + " bytes (1 MiB)";
  if (size) problem += ": " + std::to_string(*size) + " bytes";
  return problem + "; not reading it";
}

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
  // Bounded before toml++ sees it: the parser recurses per dotted part and per nesting level.
  if (toml_text.size() > internal::kMaxConfigFileBytes) {
    LoadResult result;
    result.errors.push_back({std::string(source_name), "", "", TooLarge(toml_text.size()), ""});
    return result;
  }
  if (std::optional<internal::TomlShapeError> shape = internal::CheckTomlShape(toml_text)) {
    LoadResult result;
    result.errors.push_back(
        {std::string(source_name) + ":" + std::to_string(shape->line), "", "", shape->problem, ""});
    return result;
  }
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
  // Read through the bounded reader: a huge file, or a device such as /dev/zero, is refused
  // after at most kMaxConfigFileBytes + 1 bytes.
  Result<std::string> text =
      fs::ReadFile(fs::PosixFileSystem(), path.string(), internal::kMaxConfigFileBytes);
  if (!text.ok()) {
    LoadResult result;
    std::string problem;
    switch (text.status().code()) {
      case StatusCode::kNotFound:
        problem = "cannot open the file";
        break;
      case StatusCode::kResourceExhausted:
        problem = TooLarge(std::nullopt);
        break;
      default:
        problem = "cannot read the file (" + text.status().message() + ")";
    }
    result.errors.push_back({path.string(), "", "", std::move(problem), ""});
    return result;
  }
  return LoadConfigText(*text, path.string(), env, options);
}

LoadResult LoadConfigWithoutFile(const Env& env, const LoadOptions& options) {
  return Load(nullptr, "", env, options);
}

}  // namespace ibstream::config
