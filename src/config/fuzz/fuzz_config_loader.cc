// Fuzzes the configuration loader: arbitrary bytes as the text of a configuration file.
//
// Input: the file's text. Checked properties:
//  * LoadConfigText and ParseContractTable never crash, hang or reach an invariant, whatever the
//    size, depth or bytes of the text (the structural pre-check runs before the TOML parser);
//  * a refused text has at least one error, and every error says what is wrong;
//  * an accepted text has an effective value for every key.
// No environment variables and no .env files are read: the run is hermetic.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "config/contract_table.h"
#include "config/env.h"
#include "config/loader.h"

namespace ibstream::config {
namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_config_loader: property violated: %s\n", what);
  std::abort();
}

}  // namespace
}  // namespace ibstream::config

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace cfg = ibstream::config;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const cfg::MapEnv* const no_variables = new cfg::MapEnv();
  const cfg::LoadResult result = cfg::LoadConfigText(text, "fuzz.toml", *no_variables);
  if (result.ok()) {
    if (result.values.empty()) cfg::Fail("an accepted configuration has no effective values");
  } else {
    for (const cfg::ConfigError& error : result.errors) {
      if (error.problem.empty()) cfg::Fail("an error without a problem");
    }
  }
  const auto contract = cfg::ParseContractTable(text, {}, "fuzz");
  if (!contract.ok() && contract.status().message().empty()) {
    cfg::Fail("a refused contract without a message");
  }
  return 0;
}
