// One load of a Config: the loader's state and its steps, in the order Run() takes them. The
// steps are defined by job: loader.cc (the layers in order, the profile), load_file.cc (the TOML
// file), load_environment.cc (`.env` files and variables), load_contracts.cc (the contract list),
// cross_key_checks.cc (rules between keys), provenance.cc (where each value came from, the
// effective-values listing). Internal to the config part.
#pragma once

#include <toml++/toml.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/layered_env.h"
#include "config/loader.h"
#include "config/raw_value.h"
#include "config/setting.h"

namespace ibstream::config::internal {

// Where a key's value came from, and what it replaced.
struct Provenance {
  Source source;
  std::optional<Source> overridden;
};

// Fills one LoadResult. Used once, by one thread; `env`, `options` and `result` must outlive it.
class Loader {
 public:
  Loader(const Env& env, const LoadOptions& options, LoadResult& result)
      : env_(env), options_(options), result_(result) {}

  // Loads `table` (null: no file), named `file_name` in messages, over the defaults and under the
  // environment, into the result.
  void Run(const toml::table* table, const std::string& file_name);

 private:
  // "contracts[3]." (load_contracts.cc)
  static std::string ContractPrefix(size_t index);

  Config& config() { return result_.config; }

  // provenance.cc
  Source FileSource(const toml::node& node) const;
  // Records `source` as where `key`'s value comes from, and what it replaced.
  void SetSource(const std::string& key, Source source);
  Source SourceOf(const std::string& key) const;
  // Set by the profile, the file or the environment (not a default, not inherited).
  bool IsSet(const std::string& key) const;
  // Fills the result's effective values, in documentation order.
  void RenderValues();

  // loader.cc
  void AddError(const Source& where, std::string key, std::string value, std::string problem,
                std::string allowed);
  // Parses `raw` into `target` and records `source` for `key`; a bad value is an error (naming
  // `source`, `key`, the value and what is allowed) and leaves `target` as it was.
  template <typename Obj>
  bool Apply(const Setting<Obj>& setting, const std::string& key, const RawValue& raw,
             const Source& source, Obj& target) {
    Status status = setting.apply(raw, target);
    if (!status.ok()) {
      AddError(source, key, setting.ShowRaw(raw), status.message(), setting.allowed);
      return false;
    }
    SetSource(key, source);
    return true;
  }
  // The profile from the file's `profile` key, then the environment; then its defaults.
  void ResolveProfile(const toml::table* table);
  void ApplyProfileDefaults();

  // load_file.cc
  void WalkTable(const toml::table& table, const std::string& prefix);
  void UnknownKey(const std::string& key, const toml::node& node, const std::string& prefix,
                  const std::vector<std::string>& candidates,
                  const std::vector<std::string>& siblings);

  // load_environment.cc
  template <typename Obj>
  static std::vector<std::string> EnvNames(const Setting<Obj>& setting) {
    std::vector<std::string> names = {SystematicEnvName(setting.key)};
    names.insert(names.end(), setting.original_env.begin(), setting.original_env.end());
    return names;
  }
  void LoadDotEnv(const std::string& name);
  void ApplyEnvironment();
  // Unknown IBSTREAM_<SECTION>_* variables are errors; unread variables of the original, warnings.
  void CheckVariables();

  // load_contracts.cc
  // A contract with every field at its default, reliability fields inherited.
  ContractConfig NewContract(size_t index);
  void LoadContracts(const toml::table* table);
  void LoadTrackedContracts(const EnvValue& tracked);
  void LoadFileContracts(const toml::node& node);

  // cross_key_checks.cc
  void CheckConsistency();
  void CheckContracts();
  // nats_settings.cc
  void CheckNats();

  LayeredEnv env_;
  const LoadOptions& options_;
  LoadResult& result_;
  std::string file_name_;
  std::map<std::string, Provenance> provenance_;
  // Where each contract was declared (its [[contracts]] table or the tracked-contracts variable).
  std::vector<Source> contract_sources_;
};

}  // namespace ibstream::config::internal
