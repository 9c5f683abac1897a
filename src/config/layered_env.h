// The environment as layers: the process environment above the `.env` files, each value with
// where it was set. Internal to the config part.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/env.h"
#include "config/loader.h"

namespace ibstream::config::internal {

// A variable's value and where it was set (kEnv or kDotEnv).
struct EnvValue {
  std::string value;
  Source source;
};

// Not thread-safe; `process` must outlive it.
class LayeredEnv {
 public:
  explicit LayeredEnv(const Env& process) : process_(process) {}

  // Adds a `.env` file's assignments below everything already known.
  void AddDotEnv(const std::string& file, const std::vector<DotEnvEntry>& entries) {
    for (const DotEnvEntry& entry : entries) {
      if (dotenv_.count(entry.name) > 0) continue;
      dotenv_[entry.name] = {entry.value, {Source::Kind::kDotEnv, file, entry.line, entry.name}};
    }
  }

  std::optional<std::string> GetValue(std::string_view name) const {
    std::optional<EnvValue> value = Get(name);
    if (!value) return std::nullopt;
    return value->value;
  }

  std::optional<EnvValue> Get(std::string_view name) const {
    if (std::optional<std::string> value = process_.Get(name)) {
      return EnvValue{*value, {Source::Kind::kEnv, std::string(name), 0, {}}};
    }
    auto it = dotenv_.find(name);
    if (it == dotenv_.end()) return std::nullopt;
    return it->second;
  }

  // The first set of `names` in the process environment, else in the .env files.
  std::optional<EnvValue> Lookup(const std::vector<std::string>& names) const {
    for (const std::string& name : names) {
      if (std::optional<std::string> value = process_.Get(name)) {
        return EnvValue{*value, {Source::Kind::kEnv, name, 0, {}}};
      }
    }
    for (const std::string& name : names) {
      auto it = dotenv_.find(name);
      if (it != dotenv_.end()) return it->second;
    }
    return std::nullopt;
  }

  // Every variable set in any layer, with where it is set (the process wins).
  std::vector<std::pair<std::string, Source>> All() const {
    std::map<std::string, Source> all;
    for (const auto& [name, value] : dotenv_) all[name] = value.source;
    for (const std::string& name : process_.Names()) {
      all[name] = {Source::Kind::kEnv, name, 0, {}};
    }
    return {all.begin(), all.end()};
  }

 private:
  const Env& process_;
  std::map<std::string, EnvValue, std::less<>> dotenv_;
};

}  // namespace ibstream::config::internal
