// Helpers shared by the loader's tests (loader_*_test.cc).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "config/loader.h"

namespace ibstream::config {

using Vars = std::map<std::string, std::string, std::less<>>;

// Loads `toml` as the file "ibstream.toml" with exactly the variables `vars`.
inline LoadResult LoadText(std::string_view toml, Vars vars = {}, LoadOptions options = {}) {
  MapEnv env(std::move(vars));
  return LoadConfigText(toml, "ibstream.toml", env, options);
}

inline std::string Errors(const LoadResult& result) { return result.status().ToString(); }

inline const ConfigError* FindError(const LoadResult& result, std::string_view key) {
  for (const ConfigError& error : result.errors) {
    if (error.key == key) return &error;
  }
  return nullptr;
}

inline std::map<std::string, KeyInfo> KeysByName() {
  std::map<std::string, KeyInfo> keys;
  for (KeyInfo& info : DescribeKeys()) keys[info.key] = info;
  return keys;
}

// The documentation key of a loaded key: "contracts[0].priority" -> "contracts[].priority".
inline std::string DocKey(const std::string& key) {
  if (key.rfind("contracts[", 0) != 0) return key;
  return "contracts[]" + key.substr(key.find(']') + 1);
}

// A [[contracts]] table with `field` = `value` and, unless the field is con_id, the other fields
// a contract given by symbol needs.
inline std::string ContractToml(const std::string& field, const std::string& value) {
  std::string text = "[[contracts]]\n" + field + " = " + value + "\n";
  for (auto [name, literal] : {std::pair<std::string, std::string>{"symbol", "\"MNQ\""},
                               {"sec_type", "\"FUT\""},
                               {"exchange", "\"CME\""}}) {
    if (name != field && field != "con_id") text += name + " = " + literal + "\n";
  }
  return text;
}

// A temporary directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("ibstream_config_" + std::string(test->name()) + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path Write(const std::string& name, const std::string& text) const {
    std::filesystem::path file = path_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace ibstream::config
