#include "config/loader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <type_traits>
#include <utility>

#include "config/tracked_contracts.h"
#include "config/values.h"

namespace ibstream::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::string_view kTrackedContractsVar = "IB_STREAM_TRACKED_CONTRACTS";

// ---------------------------------------------------------------------------------------------
// Raw values: a TOML node from the file, or the text of an environment variable.

struct RawValue {
  const toml::node* node = nullptr;
  std::string_view text;
};

std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\x";
          out += "0123456789abcdef"[(c >> 4) & 0xf];
          out += "0123456789abcdef"[c & 0xf];
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// The node as it would be written in TOML (tables and dates abbreviated).
std::string Render(const toml::node& node) {
  if (const auto* s = node.as_string()) return Quote(s->get());
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* f = node.as_floating_point()) {
    std::ostringstream out;
    out << f->get();
    return out.str();
  }
  if (const auto* array = node.as_array()) {
    std::string out = "[";
    for (size_t i = 0; i < array->size(); ++i) {
      if (i > 0) out += ", ";
      out += Render(*array->get(i));
    }
    return out + "]";
  }
  if (node.is_table()) return "{...}";
  return "(" + TypeName(node) + ")";
}

std::string Shown(const RawValue& raw) { return raw.node ? Render(*raw.node) : Quote(raw.text); }

Status WrongType(const toml::node& node) {
  return InvalidArgument("wrong type: " + TypeName(node));
}

Result<std::string> AsString(const RawValue& raw) {
  if (raw.node == nullptr) return std::string(raw.text);
  if (const auto* s = raw.node->as_string()) return s->get();
  return WrongType(*raw.node);
}

Result<int64_t> ParseInteger(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return InvalidArgument("not an integer");
  }
  return value;
}

Result<int64_t> AsInteger(const RawValue& raw) {
  if (raw.node == nullptr) return ParseInteger(raw.text);
  if (const auto* i = raw.node->as_integer()) return i->get();
  return WrongType(*raw.node);
}

// The elements of a list: a TOML array, or a comma-separated variable.
Result<std::vector<RawValue>> AsList(const RawValue& raw, std::string_view separators) {
  std::vector<RawValue> items;
  if (raw.node == nullptr) {
    for (std::string_view item : SplitList(raw.text, separators)) items.push_back({nullptr, item});
    return items;
  }
  const auto* array = raw.node->as_array();
  if (array == nullptr) return WrongType(*raw.node);
  for (const toml::node& element : *array) items.push_back({&element, {}});
  return items;
}

// How many edits a "did you mean" may assume: a typo changes a few characters of the last part of
// a key, so the limit follows that part's length.
size_t TypoLimit(std::string_view key) {
  size_t start = key.find_last_of("._");
  size_t length = start == std::string_view::npos ? key.size() : key.size() - start - 1;
  return std::max<size_t>(2, length / 4);
}

// A table's entries in the order they appear in the file (toml++ iterates them sorted by key).
std::vector<std::pair<std::string, const toml::node*>> InFileOrder(const toml::table& table) {
  std::vector<std::pair<std::string, const toml::node*>> entries;
  for (auto&& [name, node] : table) entries.emplace_back(std::string(name.str()), &node);
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const toml::source_position& pa = a.second->source().begin;
    const toml::source_position& pb = b.second->source().begin;
    return std::pair(pa.line, pa.column) < std::pair(pb.line, pb.column);
  });
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Kinds: how one type of value is parsed, rendered and described.

template <typename T>
struct Kind {
  std::string allowed;
  std::function<Result<T>(const RawValue&)> parse;
  std::function<std::string(const T&)> format;
  // How an offending value is shown in an error; default Shown().
  std::function<std::string(const RawValue&)> show;
};

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
Kind<Duration> DurationKind(Duration lo, Duration hi, bool allow_zero = false) {
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

Kind<std::vector<uint16_t>> PortListKind() {
  return {"a list of 1 to 16 distinct ports, each from 1 to 65535 (a variable: \"7497,4002\")",
          [](const RawValue& raw) -> Result<std::vector<uint16_t>> {
            Result<std::vector<RawValue>> items = AsList(raw, ",");
            if (!items.ok()) return items.status();
            if (items->empty() || items->size() > 16) {
              return InvalidArgument(std::to_string(items->size()) + " ports");
            }
            std::vector<uint16_t> ports;
            for (const RawValue& item : *items) {
              Result<int64_t> port = AsInteger(item);
              if (!port.ok()) return InvalidArgument(Shown(item) + ": " + port.status().message());
              if (*port < 1 || *port > 65535) {
                return InvalidArgument(std::to_string(*port) + " is not a port");
              }
              if (std::find(ports.begin(), ports.end(), *port) != ports.end()) {
                return InvalidArgument("port " + std::to_string(*port) + " appears twice");
              }
              ports.push_back(static_cast<uint16_t>(*port));
            }
            return ports;
          },
          [](const std::vector<uint16_t>& ports) {
            std::string out = "[";
            for (size_t i = 0; i < ports.size(); ++i) {
              out += (i == 0 ? "" : ", ") + std::to_string(ports[i]);
            }
            return out + "]";
          },
          {}};
}

Kind<std::vector<std::string>> EmailListKind() {
  return {"a list of e-mail addresses (a variable: \"a@example.com,b@example.com\")",
          [](const RawValue& raw) -> Result<std::vector<std::string>> {
            Result<std::vector<RawValue>> items = AsList(raw, ",");
            if (!items.ok()) return items.status();
            std::vector<std::string> out;
            for (const RawValue& item : *items) {
              Result<std::string> text = AsString(item);
              if (!text.ok()) return InvalidArgument(Shown(item) + ": " + text.status().message());
              Status valid = ValidateEmailAddress(*text);
              if (!valid.ok()) return InvalidArgument(Quote(*text) + ": " + valid.message());
              out.push_back(*std::move(text));
            }
            return out;
          },
          [](const std::vector<std::string>& list) {
            std::string out = "[";
            for (size_t i = 0; i < list.size(); ++i) out += (i == 0 ? "" : ", ") + Quote(list[i]);
            return out + "]";
          },
          {}};
}

Kind<V3OutputFormats> V3OutputKind() {
  return {
      "a list of distinct formats, \"json\" and/or \"protobuf\" (empty: no v3 output; a "
      "variable: \"json,protobuf\")",
      [](const RawValue& raw) -> Result<V3OutputFormats> {
        Result<std::vector<RawValue>> items = AsList(raw, ",");
        if (!items.ok()) return items.status();
        V3OutputFormats formats;
        for (const RawValue& item : *items) {
          Result<std::string> text = AsString(item);
          if (!text.ok()) return InvalidArgument(Shown(item) + ": " + text.status().message());
          const std::string_view name = Trim(*text);
          bool* flag = EqualsIgnoreCase(name, "json")       ? &formats.json
                       : EqualsIgnoreCase(name, "protobuf") ? &formats.protobuf
                                                            : nullptr;
          if (flag == nullptr) return InvalidArgument(Quote(*text) + ": unknown format");
          if (*flag) return InvalidArgument(Quote(*text) + " appears twice");
          *flag = true;
        }
        return formats;
      },
      [](const V3OutputFormats& formats) {
        std::string out = "[";
        if (formats.json) out += "\"json\"";
        if (formats.protobuf) out += formats.json ? ", \"protobuf\"" : "\"protobuf\"";
        return out + "]";
      },
      {}};
}

Kind<std::string> EmailKind() {
  return StringKind("empty or an e-mail address", [](std::string_view text) {
    return text.empty() ? Status::Ok() : ValidateEmailAddress(text);
  });
}

Kind<HostPort> HostPortKind() {
  return {"\"host:port\" or \"[ipv6]:port\" with a port from 0 to 65535",
          [](const RawValue& raw) -> Result<HostPort> {
            Result<std::string> text = AsString(raw);
            if (!text.ok()) return text.status();
            return ParseHostPort(*text);
          },
          [](const HostPort& value) { return Quote(ToString(value)); },
          {}};
}

Kind<std::vector<TickType>> TickTypesKind() {
  return {
      "a non-empty list of distinct tick types: bid_ask, last, all_last, mid_point (a "
      "variable: \"bid_ask,last\")",
      [](const RawValue& raw) -> Result<std::vector<TickType>> {
        if (raw.node == nullptr) return ParseTickTypeList(raw.text);
        Result<std::vector<RawValue>> items = AsList(raw, ",");
        if (!items.ok()) return items.status();
        std::string joined;
        for (const RawValue& item : *items) {
          Result<std::string> text = AsString(item);
          if (!text.ok()) return InvalidArgument(Shown(item) + ": " + text.status().message());
          if (text->find_first_of(",;") != std::string::npos) {
            return InvalidArgument("one tick type per string");
          }
          joined += (joined.empty() ? "" : ",") + *text;
        }
        if (items->empty()) return InvalidArgument("no tick types");
        return ParseTickTypeList(joined);
      },
      [](const std::vector<TickType>& types) {
        std::string out = "[";
        for (size_t i = 0; i < types.size(); ++i) {
          out += (i == 0 ? "" : ", ") + Quote(TickTypeName(types[i]));
        }
        return out + "]";
      },
      {}};
}

Kind<std::vector<WeeklySession>> WeeklyHoursKind() {
  return {
      "empty (IB's hours) or weekly sessions such as \"Sun-Thu 17:00-16:00\" or "
      "\"Mon-Fri 09:30-16:00; Sat 10:00-12:00\"",
      [](const RawValue& raw) -> Result<std::vector<WeeklySession>> {
        Result<std::string> text = AsString(raw);
        if (!text.ok()) return text.status();
        if (Trim(*text).empty()) return std::vector<WeeklySession>{};
        return ParseWeeklyHours(*text);
      },
      [](const std::vector<WeeklySession>& sessions) { return Quote(FormatWeeklyHours(sessions)); },
      {}};
}

Kind<std::string> TimeZoneKind() {
  return StringKind(
      "empty (IB's timeZoneId) or a tz database zone such as \"America/Chicago\"",
      [](std::string_view text) { return text.empty() ? Status::Ok() : ValidateTimeZone(text); });
}

Kind<AlertSeverity> SeverityKind() {
  return EnumKind<AlertSeverity>(
      {AlertSeverity::kInfo, AlertSeverity::kWarning, AlertSeverity::kCritical}, AlertSeverityName);
}

Kind<RetryStrategySetting> RetryStrategyKind() {
  using reliability::RetryStrategy;
  return EnumKind<RetryStrategySetting>(
      {RetryStrategy::kImmediate, RetryStrategy::kStandard, RetryStrategy::kConservative,
       RetryStrategy::kMaintenance, std::nullopt},
      RetryStrategySettingName);
}

// ---------------------------------------------------------------------------------------------
// Settings: a key bound to a field of Config (or of ContractConfig).

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

template <typename Obj>
struct Setting {
  // A variable of the original that switches one part of this key on or off (a boolean).
  struct FlagVariable {
    std::string name;
    std::string part;  // what it switches, for messages: "json"
    std::function<void(Obj&, bool)> set;
  };

  std::string key;
  std::vector<std::string> original_env;
  // Read only when no variable of original_env or the systematic name is set.
  std::vector<FlagVariable> flag_env;
  std::string allowed;
  bool secret = false;
  std::function<Status(const RawValue&, Obj&)> apply;
  std::function<std::string(const Obj&)> render;
  std::function<std::string(const RawValue&)> show;

  Setting&& Original(std::initializer_list<std::string> names) && {
    original_env = names;
    return std::move(*this);
  }
  Setting&& Flag(std::string name, std::string part, std::function<void(Obj&, bool)> set) && {
    flag_env.push_back({std::move(name), std::move(part), std::move(set)});
    return std::move(*this);
  }
  Setting&& Secret() && {
    secret = true;
    return std::move(*this);
  }
  std::string RenderValue(const Obj& obj) const {
    if (!secret) return render(obj);
    return render(obj) == "\"\"" ? "(empty)" : "(set)";
  }
  std::string ShowRaw(const RawValue& raw) const { return secret ? "(hidden)" : show(raw); }
};

// `access` is a generic lambda returning a reference to the field for a const or non-const Obj.
template <typename Obj, typename T, typename Access>
Setting<Obj> Bind(std::string key, Access access, Kind<T> kind) {
  Setting<Obj> setting;
  setting.key = std::move(key);
  setting.allowed = kind.allowed;
  setting.apply = [access, parse = kind.parse](const RawValue& raw, Obj& obj) -> Status {
    Result<T> value = parse(raw);
    if (!value.ok()) return value.status();
    access(obj) = *std::move(value);
    return Status::Ok();
  };
  setting.render = [access, format = kind.format](const Obj& obj) -> std::string {
    const auto& value = access(obj);
    // An optional field is "(unset)" when empty, unless its kind renders the empty value itself
    // (a retry strategy's "auto").
    if constexpr (IsOptional<std::decay_t<decltype(value)>>::value && !IsOptional<T>::value) {
      return value ? format(*value) : std::string("(unset)");
    } else {
      return format(value);
    }
  };
  setting.show = kind.show ? kind.show : Shown;
  return setting;
}

#define IBSTREAM_FIELD(path) \
  [](auto& c) -> auto& { return c.path; }

std::vector<Setting<Config>> BuildConfigSettings() {
  using C = Config;
  std::vector<Setting<C>> s;
  s.push_back(
      Bind<C>("profile", IBSTREAM_FIELD(profile),
              EnumKind<Profile>({Profile::kProduction, Profile::kDevelopment}, ProfileName,
                                {{"prod", Profile::kProduction}, {"dev", Profile::kDevelopment}}))
          .Original({"IB_STREAM_ENV"}));

  s.push_back(Bind<C>("gateway.host", IBSTREAM_FIELD(gateway.host),
                      StringKind("a host name or IP address without spaces", Word))
                  .Original({"IB_STREAM_HOST"}));
  s.push_back(Bind<C>("gateway.ports", IBSTREAM_FIELD(gateway.ports), PortListKind())
                  .Original({"IB_STREAM_PORTS"}));
  s.push_back(Bind<C>("gateway.client_id", IBSTREAM_FIELD(gateway.client_id),
                      IntKind<int32_t>(0, std::numeric_limits<int32_t>::max() - 1000))
                  .Original({"IB_STREAM_CLIENT_ID"}));
  s.push_back(Bind<C>("gateway.connect_timeout", IBSTREAM_FIELD(gateway.connect_timeout),
                      DurationKind(milliseconds(100), minutes(10)))
                  .Original({"IB_STREAM_CONNECTION_TIMEOUT"}));
  s.push_back(Bind<C>("gateway.probe_interval", IBSTREAM_FIELD(gateway.probe_interval),
                      DurationKind(seconds(1), hours(1))));
  s.push_back(Bind<C>("gateway.probe_deadline", IBSTREAM_FIELD(gateway.probe_deadline),
                      DurationKind(milliseconds(100), minutes(10))));

  s.push_back(Bind<C>("storage.path", IBSTREAM_FIELD(storage.path),
                      StringKind("a non-empty directory path", NotEmpty))
                  .Original({"IB_STREAM_STORAGE_PATH"}));
  s.push_back(Bind<C>(
      "storage.fsync", IBSTREAM_FIELD(storage.fsync),
      EnumKind<storage::FsyncPolicy>(
          {storage::FsyncPolicy::kAlways, storage::FsyncPolicy::kBatch, storage::FsyncPolicy::kOff},
          storage::FsyncPolicyName)));
  s.push_back(Bind<C>("storage.batch_interval", IBSTREAM_FIELD(storage.batch_interval),
                      DurationKind(milliseconds(1), minutes(1))));
  s.push_back(Bind<C>("storage.retention", IBSTREAM_FIELD(storage.retention),
                      DurationKind(hours(1), hours(24 * 36600), /*allow_zero=*/true)));
  s.push_back(Bind<C>("storage.free_space_warning",
                      IBSTREAM_FIELD(storage.free_space_warning_bytes), ByteSizeKind()));
  s.push_back(Bind<C>("storage.free_space_warning_percent",
                      IBSTREAM_FIELD(storage.free_space_warning_percent),
                      IntKind<int32_t>(0, 100)));
  s.push_back(Bind<C>("storage.v3_output", IBSTREAM_FIELD(storage.v3_output), V3OutputKind())
                  .Flag("IB_STREAM_ENABLE_V3_JSON", "json",
                        [](C& c, bool on) { c.storage.v3_output.json = on; })
                  .Flag("IB_STREAM_ENABLE_V3_PROTOBUF", "protobuf",
                        [](C& c, bool on) { c.storage.v3_output.protobuf = on; }));
  s.push_back(Bind<C>(
      "storage.v3_path", IBSTREAM_FIELD(storage.v3_path),
      StringKind("empty (storage.path) or a directory path", [](std::string_view text) -> Status {
        return !text.empty() && Trim(text).empty() ? InvalidArgument("only spaces") : Status::Ok();
      })));

  s.push_back(Bind<C>("http.listen", IBSTREAM_FIELD(http.listen), HostPortKind()));
  s.push_back(Bind<C>("http.bearer_token", IBSTREAM_FIELD(http.bearer_token),
                      StringKind("empty (state-changing endpoints refused) or at least 16 "
                                 "characters without spaces",
                                 [](std::string_view text) -> Status {
                                   if (text.empty()) return Status::Ok();
                                   IBSTREAM_RETURN_IF_ERROR(Word(text));
                                   return text.size() < 16 ? InvalidArgument("too short")
                                                           : Status::Ok();
                                 }))
                  .Secret());

  s.push_back(Bind<C>("reliability.data_staleness_threshold",
                      IBSTREAM_FIELD(reliability.data_staleness_threshold),
                      DurationKind(seconds(1), hours(24)))
                  .Original({"IB_STREAM_DATA_STALENESS_THRESHOLD"}));
  s.push_back(Bind<C>("reliability.extended_staleness_threshold",
                      IBSTREAM_FIELD(reliability.extended_staleness_threshold),
                      DurationKind(seconds(1), hours(24))));
  s.push_back(Bind<C>("reliability.market_break_tolerance",
                      IBSTREAM_FIELD(reliability.market_break_tolerance),
                      DurationKind(Duration::zero(), hours(24 * 7))));
  s.push_back(Bind<C>("reliability.first_data_timeout",
                      IBSTREAM_FIELD(reliability.first_data_timeout),
                      DurationKind(seconds(1), hours(1))));
  s.push_back(Bind<C>("reliability.circuit_breaker_threshold",
                      IBSTREAM_FIELD(reliability.circuit_breaker_threshold),
                      IntKind<int32_t>(1, 1000)));
  s.push_back(Bind<C>("reliability.gateway_breaker_threshold",
                      IBSTREAM_FIELD(reliability.gateway_breaker_threshold),
                      IntKind<int32_t>(1, 1000)));
  s.push_back(Bind<C>("reliability.recovery_timeout", IBSTREAM_FIELD(reliability.recovery_timeout),
                      DurationKind(seconds(1), hours(24))));
  s.push_back(Bind<C>("reliability.lost_ib_reconnect_after",
                      IBSTREAM_FIELD(reliability.lost_ib_reconnect_after),
                      DurationKind(seconds(1), hours(24))));
  s.push_back(Bind<C>("reliability.pre_open_lead", IBSTREAM_FIELD(reliability.pre_open_lead),
                      DurationKind(Duration::zero(), hours(1))));
  s.push_back(Bind<C>("reliability.attempt_timeout", IBSTREAM_FIELD(reliability.attempt_timeout),
                      DurationKind(seconds(1), minutes(10))));
  s.push_back(Bind<C>("reliability.aggressive_retry_during_trading",
                      IBSTREAM_FIELD(reliability.aggressive_retry_during_trading), BoolKind())
                  .Original({"IB_STREAM_AGGRESSIVE_RETRY_DURING_TRADING"}));
  s.push_back(Bind<C>("reliability.market_aware_retry",
                      IBSTREAM_FIELD(reliability.market_aware_retry), BoolKind())
                  .Original({"IB_STREAM_MARKET_AWARE_RETRY"}));
  s.push_back(Bind<C>("reliability.retry_strategy", IBSTREAM_FIELD(reliability.retry_strategy),
                      RetryStrategyKind()));

  s.push_back(Bind<C>("alerts.enabled", IBSTREAM_FIELD(alerts.enabled), BoolKind())
                  .Original({"IB_STREAM_ENABLE_STREAM_ALERTS"}));
  s.push_back(
      Bind<C>("alerts.webhook_url", IBSTREAM_FIELD(alerts.webhook_url), UrlKind({"http", "https"}))
          .Original({"IB_STREAM_ALERT_WEBHOOK_URL"}));
  s.push_back(Bind<C>("alerts.timeout", IBSTREAM_FIELD(alerts.timeout),
                      DurationKind(seconds(1), minutes(5))));
  s.push_back(Bind<C>("alerts.retries", IBSTREAM_FIELD(alerts.retries), IntKind<int32_t>(0, 20)));
  s.push_back(Bind<C>("alerts.send_resolved", IBSTREAM_FIELD(alerts.send_resolved), BoolKind()));
  s.push_back(Bind<C>("alerts.event_hold", IBSTREAM_FIELD(alerts.event_hold),
                      DurationKind(seconds(1), hours(24))));
  s.push_back(
      Bind<C>("alerts.smtp_url", IBSTREAM_FIELD(alerts.smtp_url), UrlKind({"smtp", "smtps"})));
  s.push_back(Bind<C>("alerts.smtp_from", IBSTREAM_FIELD(alerts.smtp_from), EmailKind()));
  s.push_back(Bind<C>("alerts.smtp_to", IBSTREAM_FIELD(alerts.smtp_to), EmailListKind()));
  s.push_back(Bind<C>("alerts.smtp_username", IBSTREAM_FIELD(alerts.smtp_username),
                      StringKind("any string (empty: no login)", nullptr)));
  s.push_back(Bind<C>("alerts.smtp_password", IBSTREAM_FIELD(alerts.smtp_password),
                      StringKind("any string", nullptr))
                  .Secret());
  const AlertRules default_rules = DefaultAlertRules();
  for (std::string_view rule_name : kAlertRuleNames) {
    std::string rule(rule_name);
    std::string prefix = "alerts.rules." + rule + ".";
    auto field = [rule](auto member) {
      return [ rule, member ](auto& c) -> auto& {
        return c.alerts.rules.find(rule)->second.*member;
      };
    };
    s.push_back(Bind<C>(prefix + "enabled", field(&AlertRuleConfig::enabled), BoolKind()));
    s.push_back(Bind<C>(prefix + "severity", field(&AlertRuleConfig::severity), SeverityKind()));
    s.push_back(Bind<C>(prefix + "cooldown", field(&AlertRuleConfig::cooldown),
                        DurationKind(Duration::zero(), hours(24 * 7))));
    s.push_back(Bind<C>(prefix + "for", field(&AlertRuleConfig::for_duration),
                        DurationKind(Duration::zero(), hours(24))));
    const AlertRuleConfig& defaults = default_rules.find(rule)->second;
    if (defaults.count_threshold) {
      s.push_back(Bind<C>(prefix + "threshold", field(&AlertRuleConfig::count_threshold),
                          IntKind<int64_t>(1, 100000)));
    }
    if (defaults.duration_threshold) {
      s.push_back(Bind<C>(prefix + "threshold", field(&AlertRuleConfig::duration_threshold),
                          DurationKind(milliseconds(1), hours(24))));
    }
  }

  s.push_back(Bind<C>("backfill.enabled", IBSTREAM_FIELD(backfill.enabled), BoolKind()));
  s.push_back(Bind<C>("backfill.lookback", IBSTREAM_FIELD(backfill.lookback),
                      DurationKind(minutes(1), hours(24 * 30), /*allow_zero=*/true)));

  s.push_back(Bind<C>("logging.level", IBSTREAM_FIELD(logging.level),
                      EnumKind<LogLevel>(
                          {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn,
                           LogLevel::kError, LogLevel::kCritical, LogLevel::kOff},
                          LogLevelName, {{"warning", LogLevel::kWarn}}))
                  .Original({"IB_STREAM_LOG_LEVEL"}));
  s.push_back(Bind<C>("logging.json", IBSTREAM_FIELD(logging.json), BoolKind()));
  return s;
}

// The security types a contract may be resolved by symbol with.
constexpr std::string_view kSecTypes[] = {"STK", "FUT", "IND", "CASH", "CFD", "CMDTY", "CRYPTO"};

std::vector<Setting<ContractConfig>> BuildContractSettings() {
  using K = ContractConfig;
  std::vector<Setting<K>> s;
  s.push_back(Bind<K>("con_id", IBSTREAM_FIELD(con_id),
                      IntKind<int64_t>(1, std::numeric_limits<int64_t>::max())));
  s.push_back(
      Bind<K>("symbol", IBSTREAM_FIELD(symbol), StringKind("an IB symbol without spaces", Word)));
  std::string sec_types;
  for (std::string_view type : kSecTypes)
    sec_types += (sec_types.empty() ? "" : ", ") + std::string(type);
  s.push_back(Bind<K>("sec_type", IBSTREAM_FIELD(sec_type),
                      StringKind("one of " + sec_types, [](std::string_view text) -> Status {
                        for (std::string_view type : kSecTypes) {
                          if (text == type) return Status::Ok();
                        }
                        return InvalidArgument("unknown security type");
                      })));
  s.push_back(Bind<K>("exchange", IBSTREAM_FIELD(exchange),
                      StringKind("an IB exchange such as CME or SMART", Word)));
  s.push_back(Bind<K>(
      "currency", IBSTREAM_FIELD(currency),
      StringKind("a three-letter currency code such as USD", [](std::string_view text) -> Status {
        bool ok = text.size() == 3 && std::all_of(text.begin(), text.end(),
                                                  [](char c) { return c >= 'A' && c <= 'Z'; });
        return ok ? Status::Ok() : InvalidArgument("not a code");
      })));
  s.push_back(Bind<K>("roll_days_before_expiry", IBSTREAM_FIELD(roll_days_before_expiry),
                      IntKind<int32_t>(0, 60)));
  s.push_back(Bind<K>("enabled", IBSTREAM_FIELD(enabled), BoolKind()));
  s.push_back(Bind<K>("tick_types", IBSTREAM_FIELD(tick_types), TickTypesKind()));
  s.push_back(Bind<K>("retry_strategy", IBSTREAM_FIELD(retry_strategy), RetryStrategyKind()));
  s.push_back(Bind<K>("data_staleness_threshold", IBSTREAM_FIELD(data_staleness_threshold),
                      DurationKind(seconds(1), hours(24))));
  s.push_back(Bind<K>("extended_staleness_threshold", IBSTREAM_FIELD(extended_staleness_threshold),
                      DurationKind(seconds(1), hours(24))));
  s.push_back(Bind<K>("market_break_tolerance", IBSTREAM_FIELD(market_break_tolerance),
                      DurationKind(Duration::zero(), hours(24 * 7))));
  s.push_back(Bind<K>("first_data_timeout", IBSTREAM_FIELD(first_data_timeout),
                      DurationKind(seconds(1), hours(1))));
  s.push_back(Bind<K>("circuit_breaker_threshold", IBSTREAM_FIELD(circuit_breaker_threshold),
                      IntKind<int32_t>(1, 1000)));
  s.push_back(Bind<K>("priority", IBSTREAM_FIELD(priority), IntKind<int32_t>(1, 3)));
  s.push_back(
      Bind<K>("custom_trading_hours", IBSTREAM_FIELD(custom_trading_hours), WeeklyHoursKind()));
  s.push_back(Bind<K>("timezone_override", IBSTREAM_FIELD(timezone_override), TimeZoneKind()));
  s.push_back(
      Bind<K>("buffer_hours", IBSTREAM_FIELD(buffer_hours), IntKind<int32_t>(1, kMaxBufferHours)));
  return s;
}

#undef IBSTREAM_FIELD

const std::vector<Setting<Config>>& ConfigSettings() {
  static const std::vector<Setting<Config>> settings = BuildConfigSettings();
  return settings;
}

const std::vector<Setting<ContractConfig>>& ContractSettings() {
  static const std::vector<Setting<ContractConfig>> settings = BuildContractSettings();
  return settings;
}

template <typename Obj>
const Setting<Obj>* FindSetting(const std::vector<Setting<Obj>>& settings, std::string_view key) {
  for (const Setting<Obj>& setting : settings) {
    if (setting.key == key) return &setting;
  }
  return nullptr;
}

// Per-contract keys whose default is the [reliability] key of the same name.
constexpr std::string_view kInheritedContractKeys[] = {
    "retry_strategy",         "data_staleness_threshold", "extended_staleness_threshold",
    "market_break_tolerance", "first_data_timeout",       "circuit_breaker_threshold"};

bool IsInherited(std::string_view contract_key) {
  return std::find(std::begin(kInheritedContractKeys), std::end(kInheritedContractKeys),
                   contract_key) != std::end(kInheritedContractKeys);
}

void InheritReliability(const ReliabilityConfig& r, ContractConfig& contract) {
  contract.retry_strategy = r.retry_strategy;
  contract.data_staleness_threshold = r.data_staleness_threshold;
  contract.extended_staleness_threshold = r.extended_staleness_threshold;
  contract.market_break_tolerance = r.market_break_tolerance;
  contract.first_data_timeout = r.first_data_timeout;
  contract.circuit_breaker_threshold = r.circuit_breaker_threshold;
}

// Keys whose default depends on the profile: {key, production, development}.
struct ProfileValue {
  std::string_view key;
  std::string_view production;
  std::string_view development;
};
constexpr ProfileValue kProfileValues[] = {
    {"reliability.data_staleness_threshold", "300", "600"},
    {"reliability.aggressive_retry_during_trading", "true", "false"},
    {"logging.level", "info", "debug"},
};

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

// ---------------------------------------------------------------------------------------------
// The environment as layers: the process environment above `.env` files.

struct EnvValue {
  std::string value;
  Source source;
};

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

// ---------------------------------------------------------------------------------------------
// The load itself.

struct Provenance {
  Source source;
  std::optional<Source> overridden;
};

class Loader {
 public:
  Loader(const Env& env, const LoadOptions& options, LoadResult& result)
      : env_(env), options_(options), result_(result) {}

  void Run(const toml::table* table, const std::string& file_name) {
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

 private:
  Config& config() { return result_.config; }

  Source FileSource(const toml::node& node) const {
    return {Source::Kind::kFile, file_name_, static_cast<int>(node.source().begin.line), {}};
  }

  void SetSource(const std::string& key, Source source) {
    auto it = provenance_.find(key);
    if (it == provenance_.end()) {
      provenance_[key] = {std::move(source), std::nullopt};
      return;
    }
    // A built-in default is not worth mentioning as overridden; everything else is.
    if (it->second.source.kind != Source::Kind::kDefault) {
      it->second.overridden = std::move(it->second.source);
    }
    it->second.source = std::move(source);
  }

  Source SourceOf(const std::string& key) const {
    auto it = provenance_.find(key);
    return it == provenance_.end() ? Source{} : it->second.source;
  }

  bool IsSet(const std::string& key) const {
    Source::Kind kind = SourceOf(key).kind;
    return kind != Source::Kind::kDefault && kind != Source::Kind::kInherited;
  }

  void AddError(const Source& where, std::string key, std::string value, std::string problem,
                std::string allowed) {
    result_.errors.push_back({where.ToString(), std::move(key), std::move(value),
                              std::move(problem), std::move(allowed)});
  }

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

  void LoadDotEnv(const std::string& name) {
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
    Result<std::vector<DotEnvEntry>> entries =
        ParseDotEnv(text.str(), path.string(),
                    [&layers](std::string_view var) { return layers.GetValue(var); });
    if (!entries.ok()) {
      // The parser's message already starts with "file:line:".
      result_.errors.push_back({"", "", "", entries.status().message(), ""});
      return;
    }
    env_.AddDotEnv(path.string(), *entries);
  }

  void ResolveProfile(const toml::table* table) {
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

  void ApplyProfileDefaults() {
    Profile profile = config().profile;
    Source source{Source::Kind::kProfile, std::string(ProfileName(profile)), 0, {}};
    for (const ProfileValue& entry : kProfileValues) {
      const Setting<Config>& setting = *FindSetting(ConfigSettings(), entry.key);
      std::string_view text =
          profile == Profile::kProduction ? entry.production : entry.development;
      Apply(setting, setting.key, {nullptr, text}, source, config());
    }
  }

  template <typename Obj>
  static std::vector<std::string> ChildNames(const std::vector<Setting<Obj>>& settings,
                                             const std::string& prefix) {
    std::vector<std::string> names;
    for (const Setting<Obj>& setting : settings) {
      if (setting.key.compare(0, prefix.size(), prefix) != 0) continue;
      std::string rest = setting.key.substr(prefix.size());
      std::string child = rest.substr(0, rest.find('.'));
      if (std::find(names.begin(), names.end(), child) == names.end()) names.push_back(child);
    }
    return names;
  }

  static std::string JoinNames(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
    return out;
  }

  void UnknownKey(const std::string& key, const toml::node& node, const std::string& prefix,
                  const std::vector<std::string>& candidates,
                  const std::vector<std::string>& siblings) {
    std::string problem = "unknown key";
    std::string guess = ClosestMatch(key, candidates, TypoLimit(key));
    if (!guess.empty()) problem += " (did you mean " + guess + "?)";
    std::string scope = prefix.empty() ? "top-level keys" : "keys of [" + prefix + "]";
    AddError(FileSource(node), key, Render(node), problem, scope + ": " + JoinNames(siblings));
  }

  void WalkTable(const toml::table& table, const std::string& prefix) {
    const auto& settings = ConfigSettings();
    std::vector<std::string> candidates = {"contracts"};
    for (const Setting<Config>& setting : settings) {
      for (size_t dot = setting.key.find('.'); dot != std::string::npos;
           dot = setting.key.find('.', dot + 1)) {
        candidates.push_back(setting.key.substr(0, dot));
      }
      candidates.push_back(setting.key);
    }
    std::string child_prefix = prefix.empty() ? "" : prefix + ".";
    for (const auto& [name, node_pointer] : InFileOrder(table)) {
      const toml::node& node = *node_pointer;
      std::string key = child_prefix + name;
      if (key == "profile" || key == "contracts") continue;  // handled on their own
      if (const Setting<Config>* setting = FindSetting(settings, key)) {
        Apply(*setting, key, {&node, {}}, FileSource(node), config());
        continue;
      }
      if (!ChildNames(settings, key + ".").empty()) {
        if (const toml::table* sub = node.as_table()) {
          WalkTable(*sub, key);
        } else {
          AddError(FileSource(node), key, Render(node), "wrong type: " + TypeName(node),
                   "a table [" + key + "]");
        }
        continue;
      }
      std::vector<std::string> siblings = ChildNames(settings, child_prefix);
      if (prefix.empty()) siblings.push_back("contracts");
      UnknownKey(key, node, prefix, candidates, siblings);
    }
  }

  template <typename Obj>
  static std::vector<std::string> EnvNames(const Setting<Obj>& setting) {
    std::vector<std::string> names = {SystematicEnvName(setting.key)};
    names.insert(names.end(), setting.original_env.begin(), setting.original_env.end());
    return names;
  }

  void ApplyEnvironment() {
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

  // A contract with every field at its default, reliability fields inherited.
  ContractConfig NewContract(size_t index) {
    ContractConfig contract;
    InheritReliability(config().reliability, contract);
    std::string prefix = ContractPrefix(index);
    for (const Setting<ContractConfig>& setting : ContractSettings()) {
      Source source;
      if (IsInherited(setting.key)) {
        std::string parent = "reliability." + setting.key;
        source = {Source::Kind::kInherited, parent, 0, SourceOf(parent).ToString()};
      }
      provenance_[prefix + setting.key] = {source, std::nullopt};
    }
    return contract;
  }

  static std::string ContractPrefix(size_t index) {
    return "contracts[" + std::to_string(index) + "].";
  }

  void LoadContracts(const toml::table* table) {
    const toml::node* file_contracts = table != nullptr ? table->get("contracts") : nullptr;
    std::optional<EnvValue> tracked =
        env_.Lookup({SystematicEnvName("contracts"), std::string(kTrackedContractsVar)});
    if (tracked) {
      LoadTrackedContracts(*tracked);
      if (file_contracts != nullptr) {
        result_.warnings.push_back(tracked->source.ToString() + " replaces the [[contracts]] of " +
                                   file_name_);
      }
    } else if (file_contracts != nullptr) {
      LoadFileContracts(*file_contracts);
    }
    // IBSTREAM_CONTRACTS_<i>_<KEY> adjusts contract i of whichever list is in effect.
    for (size_t i = 0; i < config().contracts.size(); ++i) {
      for (const Setting<ContractConfig>& setting : ContractSettings()) {
        std::string key = ContractPrefix(i) + setting.key;
        if (std::optional<EnvValue> value = env_.Lookup({SystematicEnvName(key)})) {
          Apply(setting, key, {nullptr, value->value}, value->source, config().contracts[i]);
        }
      }
    }
  }

  void LoadTrackedContracts(const EnvValue& tracked) {
    Result<std::vector<TrackedContractEntry>> entries = ParseTrackedContracts(tracked.value);
    if (!entries.ok()) {
      AddError(tracked.source, "contracts", Quote(tracked.value), entries.status().message(),
               "conId:symbol[:tickType;tickType...[:bufferHours]] entries separated by ','");
      return;
    }
    for (const TrackedContractEntry& entry : *entries) {
      size_t index = config().contracts.size();
      ContractConfig contract = NewContract(index);
      contract_sources_.push_back(tracked.source);
      std::string prefix = ContractPrefix(index);
      contract.con_id = entry.con_id;
      contract.symbol = entry.symbol;
      SetSource(prefix + "con_id", tracked.source);
      SetSource(prefix + "symbol", tracked.source);
      if (entry.has_tick_types) {
        contract.tick_types = entry.tick_types;
        SetSource(prefix + "tick_types", tracked.source);
      }
      if (entry.has_buffer_hours) {
        contract.buffer_hours = entry.buffer_hours;
        SetSource(prefix + "buffer_hours", tracked.source);
      }
      config().contracts.push_back(std::move(contract));
    }
  }

  void LoadFileContracts(const toml::node& node) {
    const toml::array* array = node.as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      AddError(FileSource(node), "contracts", Render(node), "wrong type: " + TypeName(node),
               "an array of tables, written [[contracts]]");
      return;
    }
    const auto& settings = ContractSettings();
    std::vector<std::string> names;
    for (const Setting<ContractConfig>& setting : settings) names.push_back(setting.key);
    for (const toml::node& element : *array) {
      size_t index = config().contracts.size();
      ContractConfig contract = NewContract(index);
      contract_sources_.push_back(FileSource(element));
      std::string prefix = ContractPrefix(index);
      for (const auto& [field, value_pointer] : InFileOrder(*element.as_table())) {
        const toml::node& value = *value_pointer;
        if (const Setting<ContractConfig>* setting = FindSetting(settings, field)) {
          Apply(*setting, prefix + field, {&value, {}}, FileSource(value), contract);
          continue;
        }
        std::string problem = "unknown key";
        std::string guess = ClosestMatch(field, names, TypoLimit(field));
        if (!guess.empty()) problem += " (did you mean " + guess + "?)";
        AddError(FileSource(value), prefix + field, Render(value), problem,
                 "keys of [[contracts]]: " + JoinNames(names));
      }
      config().contracts.push_back(std::move(contract));
    }
  }

  // Unknown IBSTREAM_<SECTION>_* variables are errors; unread variables of the original, warnings.
  void CheckVariables() {
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

  static bool IsSystematicName(std::string_view name) {
    if (name == "IBSTREAM_PROFILE") return true;
    for (std::string_view section : kSections) {
      std::string prefix = "IBSTREAM_" + std::string(section) + "_";
      if (name.substr(0, prefix.size()) == prefix) return true;
    }
    return false;
  }

  void CheckConsistency() {
    const Config& c = config();
    if (c.gateway.probe_deadline > c.gateway.probe_interval) {
      AddError(
          SourceOf("gateway.probe_deadline"), "gateway.probe_deadline",
          FormatDuration(c.gateway.probe_deadline),
          "longer than gateway.probe_interval (" + FormatDuration(c.gateway.probe_interval) + ")",
          "at most gateway.probe_interval");
    }
    const AlertsConfig& a = c.alerts;
    if (!a.smtp_url.empty()) {
      if (a.smtp_from.empty()) {
        AddError(SourceOf("alerts.smtp_url"), "alerts.smtp_from", "\"\"",
                 "required when alerts.smtp_url is set", "an e-mail address");
      }
      if (a.smtp_to.empty()) {
        AddError(SourceOf("alerts.smtp_url"), "alerts.smtp_to", "[]",
                 "required when alerts.smtp_url is set", "a non-empty list of e-mail addresses");
      }
    } else {
      const std::pair<const char*, bool> smtp_keys[] = {
          {"alerts.smtp_from", !a.smtp_from.empty()},
          {"alerts.smtp_to", !a.smtp_to.empty()},
          {"alerts.smtp_username", !a.smtp_username.empty()},
          {"alerts.smtp_password", !a.smtp_password.empty()}};
      for (const auto& [key, set] : smtp_keys) {
        if (set) {
          AddError(SourceOf(key), key, FindSetting(ConfigSettings(), key)->RenderValue(c),
                   "set, but alerts.smtp_url is empty so it would be ignored",
                   "set alerts.smtp_url too, or remove it");
        }
      }
    }
    CheckContracts();
  }

  void CheckContracts() {
    const auto& settings = ContractSettings();
    auto error = [&](size_t index, const std::string& field, std::string problem,
                     std::string allowed) {
      const ContractConfig& contract = config().contracts[index];
      std::string key = ContractPrefix(index) + field;
      Source where = IsSet(key) ? SourceOf(key) : contract_sources_[index];
      AddError(where, key, FindSetting(settings, field)->RenderValue(contract), std::move(problem),
               std::move(allowed));
    };
    std::map<std::string, size_t> seen;
    for (size_t i = 0; i < config().contracts.size(); ++i) {
      const ContractConfig& contract = config().contracts[i];
      std::string prefix = ContractPrefix(i);
      std::string identity;
      if (contract.con_id) {
        identity = "con_id " + std::to_string(*contract.con_id);
        if (IsSet(prefix + "roll_days_before_expiry")) {
          error(i, "roll_days_before_expiry", "a con_id pins one expiry, so it never rolls",
                "only for futures given by symbol (sec_type = \"FUT\", no con_id)");
        }
      } else {
        for (const char* field : {"symbol", "sec_type", "exchange"}) {
          if (IsSet(prefix + field)) continue;
          error(i, field, "missing: a contract without con_id is resolved by symbol",
                "set con_id, or symbol, sec_type and exchange");
        }
        if (!contract.IsFutureBySymbol() && IsSet(prefix + "roll_days_before_expiry")) {
          error(i, "roll_days_before_expiry", "only futures roll",
                "only for futures given by symbol (sec_type = \"FUT\", no con_id)");
        }
        identity = contract.symbol + "/" + contract.sec_type + "/" + contract.exchange + "/" +
                   contract.currency;
      }
      auto [it, inserted] = seen.emplace(identity, i);
      if (!inserted) {
        error(i, contract.con_id ? "con_id" : "symbol",
              "the same contract as contracts[" + std::to_string(it->second) + "]",
              "each contract once");
      }
    }
  }

  void RenderValues() {
    const Config& c = config();
    auto add = [&](const std::string& key, std::string value) {
      auto it = provenance_.find(key);
      Provenance provenance = it == provenance_.end() ? Provenance{} : it->second;
      result_.values.push_back({key, std::move(value), provenance.source, provenance.overridden});
    };
    for (const Setting<Config>& setting : ConfigSettings()) {
      add(setting.key, setting.RenderValue(c));
    }
    for (size_t i = 0; i < c.contracts.size(); ++i) {
      for (const Setting<ContractConfig>& setting : ContractSettings()) {
        add(ContractPrefix(i) + setting.key, setting.RenderValue(c.contracts[i]));
      }
    }
  }

  LayeredEnv env_;
  const LoadOptions& options_;
  LoadResult& result_;
  std::string file_name_;
  std::map<std::string, Provenance> provenance_;
  // Where each contract was declared (its [[contracts]] table or the tracked-contracts variable).
  std::vector<Source> contract_sources_;
};

LoadResult Load(const toml::table* table, const std::string& file_name, const Env& env,
                const LoadOptions& options) {
  LoadResult result;
  Loader(env, options, result).Run(table, file_name);
  return result;
}

}  // namespace

std::string Source::ToString() const {
  switch (kind) {
    case Kind::kDefault:
      return "default";
    case Kind::kProfile:
      return "profile " + origin;
    case Kind::kFile:
      return line > 0 ? origin + ":" + std::to_string(line) : origin;
    case Kind::kEnv:
      return "env " + origin;
    case Kind::kDotEnv:
      return origin + ":" + std::to_string(line) + (detail.empty() ? "" : " " + detail);
    case Kind::kInherited:
      return origin + " (" + detail + ")";
  }
  return "unknown";
}

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

const EffectiveValue* LoadResult::Find(std::string_view key) const {
  for (const EffectiveValue& value : values) {
    if (value.key == key) return &value;
  }
  return nullptr;
}

LoadResult LoadConfigText(std::string_view toml_text, std::string_view source_name, const Env& env,
                          const LoadOptions& options) {
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
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult result;
    result.errors.push_back({path.string(), "", "", "cannot open the file", ""});
    return result;
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    LoadResult result;
    result.errors.push_back({path.string(), "", "", "cannot read the file", ""});
    return result;
  }
  return LoadConfigText(text.str(), path.string(), env, options);
}

LoadResult LoadConfigWithoutFile(const Env& env, const LoadOptions& options) {
  return Load(nullptr, "", env, options);
}

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

std::vector<KeyInfo> DescribeKeys() {
  Config defaults;
  std::vector<KeyInfo> keys;
  for (const Setting<Config>& setting : ConfigSettings()) {
    KeyInfo info{setting.key, SystematicEnvName(setting.key), setting.original_env,
                 setting.RenderValue(defaults), setting.allowed};
    for (const auto& flag : setting.flag_env) info.original.push_back(flag.name);
    for (const ProfileValue& entry : kProfileValues) {
      if (entry.key != setting.key) continue;
      Config production;
      Config development;
      (void)setting.apply({nullptr, entry.production}, production);
      (void)setting.apply({nullptr, entry.development}, development);
      info.default_value = "production " + setting.RenderValue(production) + ", development " +
                           setting.RenderValue(development);
    }
    keys.push_back(std::move(info));
  }
  keys.push_back({"contracts",
                  SystematicEnvName("contracts"),
                  {std::string(kTrackedContractsVar)},
                  "[]",
                  "[[contracts]] tables; a variable: conId:symbol[:tickTypes[:bufferHours]],..."});
  ContractConfig contract_defaults;
  for (const Setting<ContractConfig>& setting : ContractSettings()) {
    KeyInfo info{"contracts[]." + setting.key,
                 "IBSTREAM_CONTRACTS_<i>_" +
                     SystematicEnvName(setting.key).substr(std::string_view("IBSTREAM_").size()),
                 {},
                 setting.RenderValue(contract_defaults),
                 setting.allowed};
    if (IsInherited(setting.key)) info.default_value = "reliability." + setting.key;
    keys.push_back(std::move(info));
  }
  return keys;
}

}  // namespace ibstream::config
