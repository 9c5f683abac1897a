// Environment variables as an injected dependency, and `.env` files.
//
// The loader never calls getenv: it reads an Env. The daemon passes ProcessEnv; tests pass a MapEnv
// so they are hermetic.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ibstream::config {

class Env {
 public:
  virtual ~Env() = default;

  // The value of `name`, or nothing when it is not set. A variable set to "" is set.
  virtual std::optional<std::string> Get(std::string_view name) const = 0;
  // Every variable name that is set, sorted.
  virtual std::vector<std::string> Names() const = 0;
};

// A fixed set of variables. Thread-safe for concurrent reads.
class MapEnv final : public Env {
 public:
  MapEnv() = default;
  explicit MapEnv(std::map<std::string, std::string, std::less<>> vars) : vars_(std::move(vars)) {}

  std::optional<std::string> Get(std::string_view name) const override;
  std::vector<std::string> Names() const override;

  void Set(std::string name, std::string value) { vars_[std::move(name)] = std::move(value); }

 private:
  std::map<std::string, std::string, std::less<>> vars_;
};

// The process environment. Reads are safe as long as nothing calls setenv/putenv concurrently.
class ProcessEnv final : public Env {
 public:
  std::optional<std::string> Get(std::string_view name) const override;
  std::vector<std::string> Names() const override;

  static const ProcessEnv& Instance();
};

// One assignment read from a `.env` file.
struct DotEnvEntry {
  std::string name;
  std::string value;
  int line = 0;

  friend bool operator==(const DotEnvEntry&, const DotEnvEntry&) = default;
};

// Parses a `.env` file's text. Lines: `NAME=value`, optionally prefixed by `export `; blank lines
// and lines starting with '#' are skipped. A value may be wrapped in double quotes (with \" \\ \n
// escapes) or single quotes (taken literally); an unquoted value ends at ` #` (a comment) and is
// trimmed. In unquoted and double-quoted values `${VAR}` and `${VAR:-default}` are replaced by
// `lookup(VAR)` (the default when VAR is unset or empty); `lookup` sees the process environment and
// the assignments already read. Errors name `source_name:line`.
Result<std::vector<DotEnvEntry>> ParseDotEnv(
    std::string_view text, std::string_view source_name,
    const std::function<std::optional<std::string>(std::string_view)>& lookup);

}  // namespace ibstream::config
