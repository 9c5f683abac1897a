// Configuration values as read, before they are checked: a TOML node of the file or the text of
// an environment variable, with the helpers that read, render and order them for the loader's
// messages. Internal to the config part: loader.h is the contract.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace ibstream::config::internal {

// One value to parse: `node` when it comes from the file (not owned; the parsed table outlives
// the load), else `text`, the variable's value.
struct RawValue {
  const toml::node* node = nullptr;
  std::string_view text;
};

// `text` in double quotes, with quotes, backslashes and control characters escaped.
std::string Quote(std::string_view text);
// "a string", "an integer", ... for messages.
std::string TypeName(const toml::node& node);
// The node as it would be written in TOML (tables and dates abbreviated).
std::string Render(const toml::node& node);
// How a raw value is shown in an error: the TOML literal or the quoted variable text.
std::string Shown(const RawValue& raw);
// InvalidArgument "wrong type: <TypeName>".
Status WrongType(const toml::node& node);

// The value as a string (a variable's text is a string); other TOML types are WrongType.
Result<std::string> AsString(const RawValue& raw);
// An optionally '+'-signed decimal integer, trimmed; anything else is "not an integer".
Result<int64_t> ParseInteger(std::string_view text);
Result<int64_t> AsInteger(const RawValue& raw);
// The elements of a list: a TOML array, or a variable split on `separators`.
Result<std::vector<RawValue>> AsList(const RawValue& raw, std::string_view separators);

// How many edits a "did you mean" may assume: a typo changes a few characters of the last part of
// a key, so the limit follows that part's length.
size_t TypoLimit(std::string_view key);
// "a, b, c".
std::string JoinNames(const std::vector<std::string>& names);
// A table's entries in the order they appear in the file (toml++ iterates them sorted by key).
std::vector<std::pair<std::string, const toml::node*>> InFileOrder(const toml::table& table);

}  // namespace ibstream::config::internal
