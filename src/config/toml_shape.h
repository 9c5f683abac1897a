// The bounds a TOML text must keep before toml++ parses it.
//
// toml++ recurses once per dotted part of a key or table header and once per nested array or
// inline table, so a hostile file (a header of 50,000 dotted parts) overflows the stack inside
// the parser. CheckTomlShape is a linear, non-recursive scan that refuses text beyond these
// bounds with a named error and leaves every other judgement (syntax included) to the parser.
// Internal to the config part: LoadConfigText and ParseContractTable run it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ibstream::config::internal {

// Configuration text larger than this is refused unread ("configuration file larger than ...").
inline constexpr size_t kMaxConfigFileBytes = size_t{1} << 20;  // 1 MiB
// Parts of one key or table header: `a.b.c = 1` and `[a.b.c]` have three.
inline constexpr int kMaxTomlKeyParts = 32;
// Arrays and inline tables open at once: `x = [[{a = 1}]]` has three.
inline constexpr int kMaxTomlNesting = 32;

struct TomlShapeError {
  int line = 0;         // 1-based
  std::string problem;  // "table header with more than 32 dotted parts"
};

// The first place `text` exceeds a bound, or nothing. Strings and comments are skipped as TOML
// defines them, so dots and brackets inside them do not count. Pure; thread-safe.
std::optional<TomlShapeError> CheckTomlShape(std::string_view text);

}  // namespace ibstream::config::internal
