// Provenance: where each effective value came from and what it replaced, and the effective-values
// listing `ibstream config check` prints.
#include "config/loader.h"
#include "config/loading.h"
#include "config/settings.h"

namespace ibstream::config::internal {

Source Loader::FileSource(const toml::node& node) const {
  return {Source::Kind::kFile, file_name_, static_cast<int>(node.source().begin.line), {}};
}

void Loader::SetSource(const std::string& key, Source source) {
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

Source Loader::SourceOf(const std::string& key) const {
  auto it = provenance_.find(key);
  return it == provenance_.end() ? Source{} : it->second.source;
}

bool Loader::IsSet(const std::string& key) const {
  Source::Kind kind = SourceOf(key).kind;
  return kind != Source::Kind::kDefault && kind != Source::Kind::kInherited;
}

void Loader::RenderValues() {
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

}  // namespace ibstream::config::internal

namespace ibstream::config {

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

const EffectiveValue* LoadResult::Find(std::string_view key) const {
  for (const EffectiveValue& value : values) {
    if (value.key == key) return &value;
  }
  return nullptr;
}

}  // namespace ibstream::config
