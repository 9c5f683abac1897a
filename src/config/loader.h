// Loading a Config: layers, validation, provenance.
//
// Layers, lowest first; a higher layer overrides a lower one key by key:
//   1. built-in defaults (config.h)
//   2. the profile (production or development), chosen by IB_STREAM_ENV / IBSTREAM_PROFILE / the
//      file's top-level `profile` key
//   3. the TOML file
//   4. `.env` files (when LoadOptions::dotenv_dir is set): `instance.env`, then `<profile>.env`;
//      a variable already set by an earlier file or by the process environment is never replaced
//   5. the process environment (the Env passed in)
// Within one environment layer the systematic name (IBSTREAM_GATEWAY_HOST) wins over the
// original's name (IB_STREAM_HOST). IB_STREAM_TRACKED_CONTRACTS, when set, replaces the file's
// [[contracts]]. Per-contract reliability fields not set explicitly take the final value of the
// [reliability] key of the same name. The full key list is in src/config/README.md.
//
// A bad configuration is reported completely (every error, not just the first), each error naming
// where it came from, the key, the value and what is allowed. Unknown keys and unknown IBSTREAM_*
// variables of a known section are errors; set variables of the original that this program does
// not read are warnings.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "config/env.h"

namespace ibstream::config {

// Where an effective value came from.
struct Source {
  enum class Kind { kDefault, kProfile, kFile, kEnv, kDotEnv, kInherited };

  Kind kind = Kind::kDefault;
  // kProfile: the profile name; kFile, kDotEnv: the file; kEnv: the variable; kInherited: the key
  // the value was taken from ("reliability.data_staleness_threshold").
  std::string origin;
  // kFile, kDotEnv: 1-based line.
  int line = 0;
  // kDotEnv: the variable name; kInherited: where the parent's value came from.
  std::string detail;

  // "default", "profile development", "ibstream.toml:12", "env IB_STREAM_PORTS",
  // "config/instance.env:3 IB_STREAM_PORTS", "reliability.data_staleness_threshold (default)".
  std::string ToString() const;

  friend bool operator==(const Source&, const Source&) = default;
};

// One key's effective value, for `ibstream config check`.
struct EffectiveValue {
  std::string key;    // "gateway.ports", "contracts[0].tick_types"
  std::string value;  // rendered canonically; secrets are masked
  Source source;
  // The source this value replaced, if any (e.g. the file line an env var overrode).
  std::optional<Source> overridden;
};

struct ConfigError {
  std::string where;    // Source::ToString() of the offending input; empty when `problem` says it
  std::string key;      // empty for syntax errors of the file itself
  std::string value;    // as written (TOML literal, or the variable's text in quotes)
  std::string problem;  // "wrong type: a string", "0 is below 1"
  std::string allowed;  // "an integer from 1 to 65535"

  // "ibstream.toml:4: gateway.client_id = "x": wrong type: a string; allowed: an integer ...".
  std::string ToString() const;
};

struct LoadOptions {
  // Where to look for `instance.env` and `<profile>.env`; unset: no .env files are read.
  std::optional<std::filesystem::path> dotenv_dir;
};

struct [[nodiscard]] LoadResult {
  // The effective configuration; only meaningful when ok().
  Config config;
  // Every key, in documentation order.
  std::vector<EffectiveValue> values;
  std::vector<std::string> warnings;
  std::vector<ConfigError> errors;

  bool ok() const { return errors.empty(); }
  // OK, or InvalidArgument with one error per line.
  Status status() const;
  // The effective value of `key`, or null.
  const EffectiveValue* Find(std::string_view key) const;
};

// Loads `toml_text` (named `source_name` in messages) over the defaults, then the environment.
LoadResult LoadConfigText(std::string_view toml_text, std::string_view source_name, const Env& env,
                          const LoadOptions& options = {});

// Reads `path` and loads it. A file that cannot be read is an error naming the path.
LoadResult LoadConfigFile(const std::filesystem::path& path, const Env& env,
                          const LoadOptions& options = {});

// Defaults, profile and environment only (no file).
LoadResult LoadConfigWithoutFile(const Env& env, const LoadOptions& options = {});

// The documentation of one key, generated from the same tables the loader uses.
struct KeyInfo {
  std::string key;  // "gateway.ports"; contracts as "contracts[].tick_types"
  std::string env;  // "IBSTREAM_GATEWAY_PORTS"; contracts "IBSTREAM_CONTRACTS_<i>_..."
  std::vector<std::string> original;  // the original's variable names ("IB_STREAM_PORTS")
  std::string default_value;          // rendered, or "profile: production X, development Y"
  std::string allowed;
};
std::vector<KeyInfo> DescribeKeys();

// "IBSTREAM_" + the key upper-cased with '.', '[' and ']' as '_': IBSTREAM_CONTRACTS_0_PRIORITY.
std::string SystematicEnvName(std::string_view key);

}  // namespace ibstream::config
