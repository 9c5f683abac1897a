// Kinds: how one type of configuration value is parsed (from a TOML node or a variable's text),
// rendered canonically for `config check`, and described in errors and in src/config/README.md.
// The generic kinds live here; a kind only one section uses lives in that section's file.
// Internal to the config part.
#pragma once

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"
#include "config/raw_value.h"
#include "config/values.h"

namespace ibstream::config::internal {

template <typename T>
struct Kind {
  std::string allowed;
  std::function<Result<T>(const RawValue&)> parse;
  std::function<std::string(const T&)> format;
  // How an offending value is shown in an error; default Shown().
  std::function<std::string(const RawValue&)> show;
};

Kind<bool> BoolKind();

template <typename T>
Kind<T> IntKind(int64_t lo, int64_t hi) {
  return {"an integer from " + std::to_string(lo) + " to " + std::to_string(hi),
          [lo, hi](const RawValue& raw) -> Result<T> {
            Result<int64_t> value = AsInteger(raw);
            if (!value.ok()) return value.status();
            if (*value < lo || *value > hi) return InvalidArgument("out of range");
            return static_cast<T>(*value);
          },
          [](const T& value) { return std::to_string(value); },
          {}};
}

// Integer seconds, or a string with units. `allow_zero` admits 0 below `lo`.
Kind<Duration> DurationKind(Duration lo, Duration hi, bool allow_zero = false);

Kind<uint64_t> ByteSizeKind();

// A string checked by `validate` (which may be null: any string).
Kind<std::string> StringKind(std::string allowed, std::function<Status(std::string_view)> validate);

// Validators for StringKind: not blank; one word (no spaces or control characters).
Status NotEmpty(std::string_view text);
Status Word(std::string_view text);

// Empty, or a URL with one of `schemes`; credentials in it are masked when shown.
Kind<std::string> UrlKind(std::initializer_list<std::string_view> schemes_list);

// Parses enumerators by name, case-insensitively; `aliases` are accepted but never rendered.
template <typename E>
Kind<E> EnumKind(std::vector<E> values, std::string_view (*name)(E),
                 std::vector<std::pair<std::string_view, E>> aliases = {}) {
  std::string allowed = "one of ";
  for (size_t i = 0; i < values.size(); ++i) {
    allowed += (i == 0 ? "" : ", ") + std::string(name(values[i]));
  }
  for (E value : values) aliases.emplace_back(name(value), value);
  return {allowed,
          [aliases](const RawValue& raw) -> Result<E> {
            Result<std::string> text = AsString(raw);
            if (!text.ok()) return text.status();
            std::string_view trimmed = Trim(*text);
            for (const auto& [alias, value] : aliases) {
              if (EqualsIgnoreCase(trimmed, alias)) return value;
            }
            return InvalidArgument("unknown name");
          },
          [name](const E& value) { return Quote(name(value)); },
          {}};
}

// Empty, or one e-mail address.
Kind<std::string> EmailKind();

// One of the reliability plan's strategies, or "auto" (nullopt).
Kind<RetryStrategySetting> RetryStrategyKind();

}  // namespace ibstream::config::internal
