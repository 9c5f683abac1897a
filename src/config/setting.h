// Settings: a configuration key bound to a field of Config (or of ContractConfig) through a kind,
// with the variables of the original that also set it. The loader, the effective-values listing
// and DescribeKeys() all work from these tables. Internal to the config part.
#pragma once

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/status.h"
#include "config/raw_value.h"
#include "config/value_kinds.h"

namespace ibstream::config::internal {

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

// The setting of `key`, or null.
template <typename Obj>
const Setting<Obj>* FindSetting(const std::vector<Setting<Obj>>& settings, std::string_view key) {
  for (const Setting<Obj>& setting : settings) {
    if (setting.key == key) return &setting;
  }
  return nullptr;
}

// The field `path` of a Config or ContractConfig, for Bind: a generic lambda returning a reference
// for a const or non-const object.
#define IBSTREAM_FIELD(path) \
  [](auto& c) -> auto& { return c.path; }

}  // namespace ibstream::config::internal
