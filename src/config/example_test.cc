// The shipped example configuration and the key reference stay true to the loader.
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "config/loader.h"

namespace ibstream::config::example_test {
namespace {

const std::filesystem::path kConfigDir = IBSTREAM_CONFIG_DIR;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ExampleConfigTest, Validates) {
  MapEnv env;
  LoadResult result = LoadConfigFile(kConfigDir / "ibstream.example.toml", env);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result.warnings.empty());
  ASSERT_EQ(result.config.contracts.size(), 2u);
  EXPECT_EQ(result.config.contracts[0].con_id, 711280073);
  EXPECT_TRUE(result.config.contracts[1].IsFutureBySymbol());
}

TEST(ExampleConfigTest, SetsEveryKeyToItsDefault) {
  MapEnv env;
  LoadResult example = LoadConfigFile(kConfigDir / "ibstream.example.toml", env);
  LoadResult defaults = LoadConfigWithoutFile(env);
  ASSERT_TRUE(example.ok() && defaults.ok());
  std::set<std::string> contract_fields_in_file;
  for (const EffectiveValue& value : example.values) {
    if (value.key.rfind("contracts[", 0) == 0) {
      if (value.source.kind == Source::Kind::kFile) {
        contract_fields_in_file.insert(value.key.substr(value.key.find('.') + 1));
      }
      continue;
    }
    EXPECT_EQ(value.source.kind, Source::Kind::kFile) << value.key << " is not in the example";
    const EffectiveValue* default_value = defaults.Find(value.key);
    ASSERT_NE(default_value, nullptr) << value.key;
    EXPECT_EQ(value.value, default_value->value) << value.key;
  }
  for (const KeyInfo& info : DescribeKeys()) {
    if (info.key.rfind("contracts[].", 0) != 0) continue;
    EXPECT_EQ(contract_fields_in_file.count(info.key.substr(12)), 1u)
        << info.key << " is in no example contract";
  }
}

TEST(ReadmeTest, DocumentsEveryKeyAndVariable) {
  std::string readme = ReadFile(kConfigDir / "README.md");
  ASSERT_FALSE(readme.empty());
  const std::string rules_prefix = "alerts.rules.";
  for (const KeyInfo& info : DescribeKeys()) {
    if (info.key.rfind(rules_prefix, 0) == 0) {
      // Rule keys are documented once as `alerts.rules.<rule>.<field>` plus a table of rules.
      std::string rest = info.key.substr(rules_prefix.size());
      std::string rule = rest.substr(0, rest.find('.'));
      std::string field = rest.substr(rest.find('.') + 1);
      EXPECT_NE(readme.find("| `" + rule + "` |"), std::string::npos) << rule;
      EXPECT_NE(readme.find("`alerts.rules.<rule>." + field + "`"), std::string::npos) << field;
      std::string env_field = field;
      for (char& ch : env_field)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      EXPECT_TRUE(info.env.ends_with("_" + env_field)) << info.env;
      EXPECT_NE(readme.find("`IBSTREAM_ALERTS_RULES_<RULE>_" + env_field + "`"), std::string::npos)
          << info.env;
      continue;
    }
    EXPECT_NE(readme.find("`" + info.key + "`"), std::string::npos) << info.key;
    EXPECT_NE(readme.find(info.env), std::string::npos) << info.env;
    for (const std::string& original : info.original) {
      EXPECT_NE(readme.find(original), std::string::npos) << original;
    }
  }
}

}  // namespace
}  // namespace ibstream::config::example_test
