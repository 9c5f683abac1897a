#include "config/contract_table.h"

#include <toml++/toml.h>

#include <sstream>

#include "config/env.h"
#include "config/loader.h"
#include "config/toml_shape.h"

namespace ibstream::config {

Result<ContractConfig> ParseContractTable(std::string_view toml_text,
                                          const ReliabilityConfig& inherited,
                                          std::string_view source_name) {
  if (toml_text.size() > internal::kMaxConfigFileBytes) {
    return InvalidArgument(std::string(source_name) + ": larger than " +
                           std::to_string(internal::kMaxConfigFileBytes) + " bytes");
  }
  if (auto shape = internal::CheckTomlShape(toml_text)) {
    return InvalidArgument(std::string(source_name) + ":" + std::to_string(shape->line) + ": " +
                           shape->problem);
  }
  toml::table table;
  try {
    table = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream message;
    message << source_name << ":" << e.source().begin.line << ": " << e.description();
    return InvalidArgument(message.str());
  }
  // The table becomes the only element of `contracts` of an otherwise empty document, so that
  // no key of it can reach another section, and the loader checks it as any file's contract.
  toml::array contracts;
  contracts.push_back(std::move(table));
  toml::table document;
  document.insert("contracts", std::move(contracts));
  std::ostringstream text;
  text << document;

  const LoadResult loaded = LoadConfigText(text.str(), source_name, MapEnv());
  if (!loaded.ok()) {
    std::string message;
    for (const ConfigError& error : loaded.errors) {
      if (!message.empty()) message += "\n";
      // Line numbers would point into the rebuilt document: name the key, value and rule only.
      ConfigError shown = error;
      shown.where = std::string(source_name);
      message += shown.ToString();
    }
    return InvalidArgument(message);
  }
  if (loaded.config.contracts.size() != 1) {
    return InvalidArgument(std::string(source_name) + ": expected the keys of one contract");
  }
  ContractConfig contract = loaded.config.contracts.front();
  // Fields the text did not set follow the running [reliability] section, as a file's would.
  auto inherits = [&loaded](std::string_view field) {
    const EffectiveValue* value = loaded.Find("contracts[0]." + std::string(field));
    return value != nullptr && value->source.kind == Source::Kind::kInherited;
  };
  if (inherits("retry_strategy")) contract.retry_strategy = inherited.retry_strategy;
  if (inherits("data_staleness_threshold")) {
    contract.data_staleness_threshold = inherited.data_staleness_threshold;
  }
  if (inherits("extended_staleness_threshold")) {
    contract.extended_staleness_threshold = inherited.extended_staleness_threshold;
  }
  if (inherits("market_break_tolerance")) {
    contract.market_break_tolerance = inherited.market_break_tolerance;
  }
  if (inherits("first_data_timeout")) contract.first_data_timeout = inherited.first_data_timeout;
  if (inherits("circuit_breaker_threshold")) {
    contract.circuit_breaker_threshold = inherited.circuit_breaker_threshold;
  }
  return contract;
}

}  // namespace ibstream::config
