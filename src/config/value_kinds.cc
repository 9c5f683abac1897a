#include "config/value_kinds.h"

#include <limits>

namespace ibstream::config::internal {

using std::chrono::seconds;

Kind<bool> BoolKind() {
  return {"true or false (variables also take 1/0, yes/no, on/off)",
          [](const RawValue& raw) -> Result<bool> {
            if (raw.node == nullptr) return ParseBool(raw.text);
            if (const auto* b = raw.node->as_boolean()) return b->get();
            return WrongType(*raw.node);
          },
          [](const bool& value) { return std::string(value ? "true" : "false"); },
          {}};
}

// Integer seconds, or a string with units. `allow_zero` admits 0 below `lo`.
Kind<Duration> DurationKind(Duration lo, Duration hi, bool allow_zero) {
  std::string allowed = allow_zero ? "0 or a duration from " : "a duration from ";
  allowed += FormatDuration(lo) + " to " + FormatDuration(hi) +
             " (integer seconds, or a string such as \"90s\", \"5m\", \"2h\", \"1d\")";
  return {allowed,
          [lo, hi, allow_zero](const RawValue& raw) -> Result<Duration> {
            Result<Duration> value = Duration::zero();
            if (raw.node != nullptr && raw.node->is_integer()) {
              int64_t count = raw.node->as_integer()->get();
              if (count < 0 || count > std::numeric_limits<int64_t>::max() / 1'000'000'000) {
                return InvalidArgument("out of range");
              }
              value = Duration(seconds(count));
            } else {
              Result<std::string> text = AsString(raw);
              if (!text.ok()) return text.status();
              value = ParseDuration(*text);
              if (!value.ok()) return value.status();
            }
            if (*value == Duration::zero() && allow_zero) return value;
            if (*value < lo || *value > hi) return InvalidArgument("out of range");
            return value;
          },
          [](const Duration& value) { return FormatDuration(value); },
          {}};
}

Kind<uint64_t> ByteSizeKind() {
  return {"a size in bytes: an integer, or a string such as \"500MB\", \"5GiB\" (0 disables)",
          [](const RawValue& raw) -> Result<uint64_t> {
            if (raw.node != nullptr && raw.node->is_integer()) {
              int64_t count = raw.node->as_integer()->get();
              if (count < 0) return InvalidArgument("negative");
              return static_cast<uint64_t>(count);
            }
            Result<std::string> text = AsString(raw);
            if (!text.ok()) return text.status();
            return ParseByteSize(*text);
          },
          [](const uint64_t& value) { return FormatByteSize(value); },
          {}};
}

// A string checked by `validate` (which may be null: any string).
Kind<std::string> StringKind(std::string allowed,
                             std::function<Status(std::string_view)> validate) {
  return {std::move(allowed),
          [validate](const RawValue& raw) -> Result<std::string> {
            Result<std::string> text = AsString(raw);
            if (!text.ok()) return text.status();
            if (validate) IBSTREAM_RETURN_IF_ERROR(validate(*text));
            return text;
          },
          [](const std::string& value) { return Quote(value); },
          {}};
}

Status NotEmpty(std::string_view text) {
  return Trim(text).empty() ? InvalidArgument("empty") : Status::Ok();
}

Status Word(std::string_view text) {
  if (text.empty()) return InvalidArgument("empty");
  for (char c : text) {
    if (c == ' ' || c == '\t' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return InvalidArgument("contains a space or a control character");
    }
  }
  return Status::Ok();
}

Kind<std::string> UrlKind(std::initializer_list<std::string_view> schemes_list) {
  std::vector<std::string> schemes(schemes_list.begin(), schemes_list.end());
  std::string allowed = "empty (off) or a URL starting with ";
  for (size_t i = 0; i < schemes.size(); ++i) {
    allowed += (i == 0 ? "" : " or ") + schemes[i] + "://";
  }
  Kind<std::string> kind = StringKind(allowed, [schemes](std::string_view text) -> Status {
    return text.empty() ? Status::Ok() : ValidateUrl(text, schemes);
  });
  kind.format = [](const std::string& value) { return Quote(MaskUrlCredentials(value)); };
  kind.show = [](const RawValue& raw) {
    return raw.node == nullptr || raw.node->is_string()
               ? Quote(MaskUrlCredentials(raw.node ? raw.node->as_string()->get() : raw.text))
               : Render(*raw.node);
  };
  return kind;
}

Kind<std::string> EmailKind() {
  return StringKind("empty or an e-mail address", [](std::string_view text) {
    return text.empty() ? Status::Ok() : ValidateEmailAddress(text);
  });
}

Kind<RetryStrategySetting> RetryStrategyKind() {
  using reliability::RetryStrategy;
  return EnumKind<RetryStrategySetting>(
      {RetryStrategy::kImmediate, RetryStrategy::kStandard, RetryStrategy::kConservative,
       RetryStrategy::kMaintenance, std::nullopt},
      RetryStrategySettingName);
}

}  // namespace ibstream::config::internal
