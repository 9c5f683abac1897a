// Bounds on configuration text before it reaches the TOML parser: the structural pre-check
// (CheckTomlShape) as a table, and the loader's size limit and bounded file read.
#include "config/toml_shape.h"

#include <gtest/gtest.h>

#include <string>

#include "config/contract_table.h"
#include "config/loader.h"
#include "config/loader_testing.h"

namespace ibstream::config::toml_shape_test {
namespace {

using internal::CheckTomlShape;
using internal::kMaxConfigFileBytes;
using internal::kMaxTomlKeyParts;
using internal::kMaxTomlNesting;

// `n` parts: "a.a.a".
std::string DottedKey(int n) {
  std::string key = "a";
  for (int i = 1; i < n; ++i) key += ".a";
  return key;
}

std::string Nested(int depth, char open, char close) {
  return std::string(static_cast<size_t>(depth), open) +
         std::string(static_cast<size_t>(depth), close);
}

// `depth` inline tables, one inside the other: "{a = {a = 1}}".
std::string NestedTables(int depth) {
  std::string text;
  for (int i = 0; i < depth; ++i) text += "{a = ";
  return text + "1" + std::string(static_cast<size_t>(depth), '}');
}

TEST(TomlShapeTest, Table) {
  struct Case {
    std::string text;
    int line;             // 0: accepted
    std::string problem;  // a part of the problem
  };
  const std::string parts = std::to_string(kMaxTomlKeyParts) + " dotted parts";
  const std::string deep = "nested more than " + std::to_string(kMaxTomlNesting) + " deep";
  const Case cases[] = {
      {"", 0, ""},
      {"[gateway]\nhost = \"127.0.0.1\"\nports = [4002, 4001]\n", 0, ""},
      {"[" + DottedKey(kMaxTomlKeyParts) + "]\n", 0, ""},
      {"[" + DottedKey(kMaxTomlKeyParts + 1) + "]\n", 1, "table header with more than " + parts},
      {"[[" + DottedKey(kMaxTomlKeyParts + 1) + "]]\n", 1, "table header with more than " + parts},
      {"# x\n\n[" + DottedKey(50'000) + "]\n", 3, "table header"},
      {DottedKey(kMaxTomlKeyParts) + " = 1\n", 0, ""},
      {"x = 1\n" + DottedKey(kMaxTomlKeyParts + 1) + " = 1\n", 2, "key with more than " + parts},
      {"x = {" + DottedKey(kMaxTomlKeyParts + 1) + " = 1}\n", 1, "key with more than " + parts},
      {"x = {y = 1, " + DottedKey(kMaxTomlKeyParts + 1) + " = 1}\n", 1, "key with more than"},
      // Dots in values, strings and comments are not key parts.
      {"x = 1.5\ny = 1979-05-27T07:32:00.999Z\n", 0, ""},
      {"x = \"" + DottedKey(100) + "\"\n", 0, ""},
      {"x = '" + DottedKey(100) + "'\n", 0, ""},
      {"x = \"\"\"\n" + DottedKey(100) + "\n\"\"\"\n", 0, ""},
      {"x = 1 # " + DottedKey(100) + "\n", 0, ""},
      {"\"" + DottedKey(100) + "\" = 1\n", 0, ""},
      {"x = [\"" + DottedKey(100) + "\", 1.5]\n", 0, ""},
      // Brackets in strings do not nest; escaped quotes do not end a string.
      {"x = \"" + std::string(100, '[') + "\\\"\"\n", 0, ""},
      {"x = '''" + std::string(100, '{') + "'''\n", 0, ""},
      // Nesting, arrays and inline tables alike.
      {"x = " + Nested(kMaxTomlNesting, '[', ']') + "\n", 0, ""},
      {"x = " + Nested(kMaxTomlNesting + 1, '[', ']') + "\n", 1,
       "arrays and inline tables " + deep},
      {"x = [\n1,\n" + Nested(20'000, '[', ']') + "]\n", 3, deep},
      {"x = " + NestedTables(kMaxTomlNesting) + "\n", 0, ""},
      {"x = " + NestedTables(kMaxTomlNesting + 1) + "\n", 1, deep},
      {"x = [" + NestedTables(kMaxTomlNesting) + "]\n", 1, deep},
      {"x = [{a = [{b = 1}]}, {}, []]\n", 0, ""},
      // Line numbers count multi-line strings.
      {"x = \"\"\"\na\nb\n\"\"\"\n" + DottedKey(kMaxTomlKeyParts + 1) + " = 1\n", 5, "key"},
      // Malformed text is left to the parser, never looped on.
      {"x = \"unterminated\n[" + DottedKey(kMaxTomlKeyParts + 1) + "]\n", 2, "table header"},
      {"]]]]}}}}\n[[[[", 0, ""},
      {"x = \"\"\"never closed", 0, ""},
      {"x = \"ends in a backslash\\", 0, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text.substr(0, 80));
    auto error = CheckTomlShape(c.text);
    if (c.line == 0) {
      EXPECT_FALSE(error) << error->line << ": " << error->problem;
      continue;
    }
    ASSERT_TRUE(error);
    EXPECT_EQ(error->line, c.line);
    EXPECT_NE(error->problem.find(c.problem), std::string::npos) << error->problem;
  }
}

TEST(TomlShapeTest, TheLoaderRefusesDeepTextBeforeParsing) {
  // 50,000 parts: the TOML parser alone overflows its stack on this.
  LoadResult result = LoadText("[gateway]\nhost = \"h\"\n[" + DottedKey(50'000) + "]\n");
  ASSERT_EQ(result.errors.size(), 1u) << Errors(result);
  EXPECT_EQ(result.errors[0].ToString(),
            "ibstream.toml:3: table header with more than 32 dotted parts");
  result = LoadText("x = " + Nested(20'000, '[', ']') + "\n");
  ASSERT_EQ(result.errors.size(), 1u) << Errors(result);
  EXPECT_EQ(result.errors[0].ToString(),
            "ibstream.toml:1: arrays and inline tables nested more than 32 deep");
}

TEST(TomlShapeTest, TheLoaderRefusesTextOverTheSizeLimit) {
  std::string text = "# padding\n";
  text += std::string(kMaxConfigFileBytes - text.size(), '#');
  EXPECT_TRUE(LoadText(text).ok()) << Errors(LoadText(text));
  text += "\n";
  LoadResult result = LoadText(text);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].ToString(),
            "ibstream.toml: configuration file larger than 1048576 bytes (1 MiB): 1048577 bytes; "
            "not reading it");
}

TEST(TomlShapeTest, TheFileIsReadWithABound) {
  MapEnv env;
  TempDir dir;
  std::string big(kMaxConfigFileBytes + 1, '#');
  LoadResult result = LoadConfigFile(dir.Write("big.toml", big), env);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_NE(result.errors[0].problem.find("configuration file larger than 1048576 bytes"),
            std::string::npos)
      << Errors(result);
  // A device that never ends: refused after the limit, not read until memory runs out.
  result = LoadConfigFile("/dev/zero", env);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].ToString(),
            "/dev/zero: configuration file larger than 1048576 bytes (1 MiB); not reading it");
  // Deep text in a file gets the same pre-check.
  result = LoadConfigFile(dir.Write("deep.toml", "[" + DottedKey(50'000) + "]\n"), env);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].problem, "table header with more than 32 dotted parts");
}

TEST(TomlShapeTest, OneContractsTableGetsTheSamePreCheck) {
  auto contract = ParseContractTable(DottedKey(50'000) + " = 1\n", {}, "request");
  ASSERT_FALSE(contract.ok());
  EXPECT_EQ(contract.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(contract.status().message(), "request:1: key with more than 32 dotted parts");
}

}  // namespace
}  // namespace ibstream::config::toml_shape_test
