// The TOML file: every key of every table applied in file order, unknown keys reported with a
// suggestion.
#include <algorithm>

#include "config/loading.h"
#include "config/settings.h"
#include "config/values.h"

namespace ibstream::config::internal {

namespace {

// The distinct next parts of the keys under `prefix` ("gateway." -> "host", "ports", ...).
std::vector<std::string> ChildNames(const std::vector<Setting<Config>>& settings,
                                    const std::string& prefix) {
  std::vector<std::string> names;
  for (const Setting<Config>& setting : settings) {
    if (setting.key.compare(0, prefix.size(), prefix) != 0) continue;
    std::string rest = setting.key.substr(prefix.size());
    std::string child = rest.substr(0, rest.find('.'));
    if (std::find(names.begin(), names.end(), child) == names.end()) names.push_back(child);
  }
  return names;
}

}  // namespace

void Loader::UnknownKey(const std::string& key, const toml::node& node, const std::string& prefix,
                        const std::vector<std::string>& candidates,
                        const std::vector<std::string>& siblings) {
  std::string problem = "unknown key";
  std::string guess = ClosestMatch(key, candidates, TypoLimit(key));
  if (!guess.empty()) problem += " (did you mean " + guess + "?)";
  std::string scope = prefix.empty() ? "top-level keys" : "keys of [" + prefix + "]";
  AddError(FileSource(node), key, Render(node), problem, scope + ": " + JoinNames(siblings));
}

void Loader::WalkTable(const toml::table& table, const std::string& prefix) {
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

}  // namespace ibstream::config::internal
