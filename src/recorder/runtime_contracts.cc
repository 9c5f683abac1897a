#include "recorder/runtime_contracts.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "config/contract_table.h"
#include "recorder/contract_resolution.h"

namespace ibstream::recorder {

using Json = nlohmann::json;

bool RuntimeContracts::IsUntracked(const std::string& key) const {
  return std::any_of(untracked.begin(), untracked.end(),
                     [&key](const Untracked& u) { return u.key == key; });
}

const RuntimeContracts::Tracked* RuntimeContracts::FindTracked(const std::string& key) const {
  for (const Tracked& t : tracked) {
    if (t.key == key) return &t;
  }
  return nullptr;
}

void RuntimeContracts::Track(const std::string& key, std::string contract_toml, TimePoint at) {
  std::erase_if(untracked, [&key](const Untracked& u) { return u.key == key; });
  std::erase_if(tracked, [&key](const Tracked& t) { return t.key == key; });
  tracked.push_back(Tracked{key, std::move(contract_toml), at});
}

void RuntimeContracts::Untrack(const std::string& key, bool configured, TimePoint at) {
  std::erase_if(tracked, [&key](const Tracked& t) { return t.key == key; });
  if (configured && !IsUntracked(key)) untracked.push_back(Untracked{key, at});
}

std::vector<std::string> RuntimeContracts::ForgetUntracksNotIn(
    const std::vector<std::string>& configured_keys) {
  std::vector<std::string> forgotten;
  std::erase_if(untracked, [&](const Untracked& u) {
    const bool gone =
        std::find(configured_keys.begin(), configured_keys.end(), u.key) == configured_keys.end();
    if (gone) forgotten.push_back(u.key);
    return gone;
  });
  return forgotten;
}

namespace {

Result<TimePoint> TimeField(const Json& entry, const std::string& where) {
  auto it = entry.find("at");
  if (it == entry.end() || !it->is_string()) return ParseError(where + ": \"at\" must be a time");
  auto at = ParseIsoTime(it->get<std::string>());
  if (!at.ok()) return ParseError(where + ": \"at\": " + at.status().message());
  return *at;
}

Result<std::string> StringField(const Json& entry, const char* name, const std::string& where) {
  auto it = entry.find(name);
  if (it == entry.end() || !it->is_string() || it->get<std::string>().empty()) {
    return ParseError(where + ": \"" + name + "\" must be a non-empty string");
  }
  return it->get<std::string>();
}

Result<RuntimeContracts> Parse(const std::string& text, const std::string& path) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return ParseError(path + ": not a JSON object");
  }
  auto format = json.find("format");
  if (format == json.end() || !format->is_number_integer() || format->get<int64_t>() != 1) {
    return ParseError(path + ": unknown format (expected \"format\": 1)");
  }
  RuntimeContracts out;
  for (const char* list : {"tracked", "untracked"}) {
    auto it = json.find(list);
    if (it == json.end()) continue;
    if (!it->is_array()) return ParseError(path + ": \"" + list + "\" must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      const Json& entry = (*it)[i];
      const std::string where = path + ": " + list + "[" + std::to_string(i) + "]";
      if (!entry.is_object()) return ParseError(where + ": not an object");
      auto key = StringField(entry, "key", where);
      if (!key.ok()) return key.status();
      auto at = TimeField(entry, where);
      if (!at.ok()) return at.status();
      if (std::string(list) == "tracked") {
        auto contract = StringField(entry, "contract", where);
        if (!contract.ok()) return contract.status();
        out.tracked.push_back({*key, *contract, *at});
      } else {
        out.untracked.push_back({*key, *at});
      }
    }
  }
  return out;
}

}  // namespace

Result<RuntimeContracts> LoadRuntimeContracts(fs::FileSystem* fs, const std::string& dir) {
  const std::string path = fs::JoinPath(dir, kRuntimeContractsFile);
  auto text = fs::ReadFile(fs, path, kMaxRuntimeContractsFileBytes);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return RuntimeContracts{};
    return text.status().WithContext("cannot read " + path);
  }
  return Parse(*text, path);
}

Status SaveRuntimeContracts(fs::FileSystem* fs, const std::string& dir,
                            const RuntimeContracts& contracts) {
  Json json = {{"format", 1}, {"tracked", Json::array()}, {"untracked", Json::array()}};
  for (const auto& t : contracts.tracked) {
    json["tracked"].push_back(
        {{"key", t.key}, {"contract", t.contract_toml}, {"at", FormatIsoUtc(t.at)}});
  }
  for (const auto& u : contracts.untracked) {
    json["untracked"].push_back({{"key", u.key}, {"at", FormatIsoUtc(u.at)}});
  }
  return fs::WriteFileAtomically(fs, fs::JoinPath(dir, kRuntimeContractsFile), json.dump(2) + "\n");
}

EffectiveContracts MergeContracts(const std::vector<config::ContractConfig>& configured,
                                  const RuntimeContracts& runtime,
                                  const config::ReliabilityConfig& reliability) {
  EffectiveContracts out;
  for (const auto& c : configured) {
    if (!c.enabled) continue;
    const std::string key = CacheKey(c);
    if (runtime.IsUntracked(key) || runtime.FindTracked(key) != nullptr) continue;
    out.contracts.push_back({c, key, false});
  }
  for (const auto& t : runtime.tracked) {
    auto contract = config::ParseContractTable(t.contract_toml, reliability, "runtime " + t.key);
    if (!contract.ok()) {
      out.errors.push_back(contract.status().message());
      continue;
    }
    const std::string key = CacheKey(*contract);
    if (key != t.key) {
      out.errors.push_back("runtime " + t.key + ": its contract's key is " + key);
      continue;
    }
    if (!contract->enabled) continue;
    out.contracts.push_back({std::move(contract).value(), key, true});
  }
  return out;
}

}  // namespace ibstream::recorder
