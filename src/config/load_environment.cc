// The environment-variable mapping: `.env` files, the systematic IBSTREAM_* names and the
// original's variables applied over the file, and the check of variables that set nothing.
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "config/loader.h"
#include "config/loading.h"
#include "config/settings.h"
#include "config/values.h"

namespace ibstream::config::internal {

namespace {

// Hints for variables of the original that are not read.
struct IgnoredHint {
  std::string_view name;
  std::string_view hint;
};
constexpr IgnoredHint kIgnoredHints[] = {
    {"IB_STREAM_PORT", "the HTTP port: set http.listen (IBSTREAM_HTTP_LISTEN)"},
    {"IB_HOST", "set gateway.host (IB_STREAM_HOST)"},
    {"IB_PORTS", "set gateway.ports (IB_STREAM_PORTS)"},
    {"IB_CLIENT_ID", "set gateway.client_id (IB_STREAM_CLIENT_ID)"},
    {"IB_CONNECTION_TIMEOUT", "set gateway.connect_timeout (IB_STREAM_CONNECTION_TIMEOUT)"},
    {"IB_RECONNECT_ATTEMPTS", "reconnects never stop; see [reliability]"},
    {"IB_ENVIRONMENT", "set the profile with IB_STREAM_ENV"},
};

constexpr std::string_view kSections[] = {"GATEWAY", "STORAGE",  "HTTP",    "RELIABILITY",
                                          "ALERTS",  "BACKFILL", "LOGGING", "CONTRACTS"};

bool IsSystematicName(std::string_view name) {
  if (name == "IBSTREAM_PROFILE") return true;
  for (std::string_view section : kSections) {
    std::string prefix = "IBSTREAM_" + std::string(section) + "_";
    if (name.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

}  // namespace

void Loader::LoadDotEnv(const std::string& name) {
  if (!options_.dotenv_dir) return;
  std::filesystem::path path = *options_.dotenv_dir / name;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return;
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) {
    result_.errors.push_back({path.string(), "", "", "cannot be read", ""});
    return;
  }
  LayeredEnv& layers = env_;
  Result<std::vector<DotEnvEntry>> entries = ParseDotEnv(
      text.str(), path.string(), [&layers](std::string_view var) { return layers.GetValue(var); });
  if (!entries.ok()) {
    // The parser's message already starts with "file:line:".
    result_.errors.push_back({"", "", "", entries.status().message(), ""});
    return;
  }
  env_.AddDotEnv(path.string(), *entries);
}

void Loader::ApplyEnvironment() {
  for (const Setting<Config>& setting : ConfigSettings()) {
    if (setting.key == "profile") continue;
    std::optional<EnvValue> value = env_.Lookup(EnvNames(setting));
    if (value) Apply(setting, setting.key, {nullptr, value->value}, value->source, config());
    for (const auto& flag : setting.flag_env) {
      std::optional<EnvValue> flag_value = env_.Lookup({flag.name});
      if (!flag_value) continue;
      if (value) {
        result_.warnings.push_back(flag_value->source.ToString() + " is not read: " +
                                   value->source.ToString() + " sets " + setting.key);
        continue;
      }
      Result<bool> on = ParseBool(flag_value->value);
      if (!on.ok()) {
        AddError(flag_value->source, setting.key, Quote(flag_value->value), on.status().message(),
                 "true or false (1/0, yes/no, on/off): whether " + setting.key + " includes " +
                     Quote(flag.part));
        continue;
      }
      flag.set(config(), *on);
      SetSource(setting.key, flag_value->source);
    }
  }
}

void Loader::CheckVariables() {
  std::vector<std::string> known;
  std::set<std::string> original_read = {std::string(kTrackedContractsVar)};
  for (const Setting<Config>& setting : ConfigSettings()) {
    known.push_back(SystematicEnvName(setting.key));
    original_read.insert(setting.original_env.begin(), setting.original_env.end());
    for (const auto& flag : setting.flag_env) original_read.insert(flag.name);
  }
  known.push_back(SystematicEnvName("contracts"));
  for (size_t i = 0; i < config().contracts.size(); ++i) {
    for (const Setting<ContractConfig>& setting : ContractSettings()) {
      known.push_back(SystematicEnvName(ContractPrefix(i) + setting.key));
    }
  }
  for (const auto& [name, source] : env_.All()) {
    if (IsSystematicName(name)) {
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      std::string problem = "unknown variable";
      std::string guess = ClosestMatch(name, known, TypoLimit(name));
      if (!guess.empty()) problem += " (did you mean " + guess + "?)";
      if (name.rfind("IBSTREAM_CONTRACTS_", 0) == 0) {
        problem += "; " + std::to_string(config().contracts.size()) + " contract(s) configured";
      }
      AddError(source, name, Quote(env_.Get(name)->value), problem,
               "IBSTREAM_<SECTION>_<KEY> for a key listed in src/config/README.md");
      continue;
    }
    if (original_read.count(name) > 0) continue;
    for (const IgnoredHint& hint : kIgnoredHints) {
      if (name == hint.name) {
        result_.warnings.push_back(source.ToString() +
                                   " is not read by ibstream: " + std::string(hint.hint));
      }
    }
    if (name.rfind("IB_STREAM_", 0) == 0 && name != "IB_STREAM_PORT") {
      result_.warnings.push_back(source.ToString() +
                                 " is a variable of the original that ibstream does not read "
                                 "(see src/config/README.md)");
    }
  }
}

}  // namespace ibstream::config::internal

namespace ibstream::config {

std::string SystematicEnvName(std::string_view key) {
  std::string out = "IBSTREAM_";
  for (char c : key) {
    if (c == '.' || c == '[') {
      if (out.back() != '_') out += '_';
    } else if (c == ']') {
      continue;
    } else {
      out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    }
  }
  return out;
}

}  // namespace ibstream::config
