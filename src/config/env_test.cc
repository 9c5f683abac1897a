#include "config/env.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace ibstream::config::env_test {
namespace {

std::optional<std::string> NoVariables(std::string_view) { return std::nullopt; }

TEST(MapEnvTest, GetsAndListsVariables) {
  MapEnv env({{"B", "2"}, {"A", ""}});
  EXPECT_EQ(env.Get("A"), "");
  EXPECT_EQ(env.Get("B"), "2");
  EXPECT_EQ(env.Get("C"), std::nullopt);
  EXPECT_EQ(env.Names(), (std::vector<std::string>{"A", "B"}));
  env.Set("C", "3");
  EXPECT_EQ(env.Get("C"), "3");
}

TEST(ProcessEnvTest, ReadsTheProcessEnvironment) {
  // PATH is set for every test process run by CTest; an unset name reads as nothing.
  ASSERT_NE(std::getenv("PATH"), nullptr);
  EXPECT_EQ(ProcessEnv::Instance().Get("PATH"), std::string(std::getenv("PATH")));
  EXPECT_EQ(ProcessEnv::Instance().Get("IBSTREAM_SURELY_NOT_SET_4711"), std::nullopt);
  std::vector<std::string> names = ProcessEnv::Instance().Names();
  EXPECT_NE(std::find(names.begin(), names.end(), "PATH"), names.end());
}

TEST(DotEnvTest, ParsesAssignmentsQuotesAndComments) {
  const char* text =
      "# a comment\n"
      "\n"
      "IB_STREAM_HOST=127.0.0.1\n"
      "export IB_STREAM_PORTS = 4002,4001   # trailing comment\n"
      "QUOTED=\"a # not a comment \\\"x\\\"\"\n"
      "SINGLE='${NOT_SUBSTITUTED}'\n"
      "EMPTY=\n"
      "URL=http://host/#fragment\n";
  Result<std::vector<DotEnvEntry>> entries = ParseDotEnv(text, "instance.env", NoVariables);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  EXPECT_EQ(*entries, (std::vector<DotEnvEntry>{
                          {"IB_STREAM_HOST", "127.0.0.1", 3},
                          {"IB_STREAM_PORTS", "4002,4001", 4},
                          {"QUOTED", "a # not a comment \"x\"", 5},
                          {"SINGLE", "${NOT_SUBSTITUTED}", 6},
                          {"EMPTY", "", 7},
                          {"URL", "http://host/#fragment", 8},
                      }));
}

TEST(DotEnvTest, SubstitutesFromTheEnvironmentAndEarlierLines) {
  auto lookup = [](std::string_view name) -> std::optional<std::string> {
    if (name == "HOME_DIR") return "/home/ib";
    if (name == "EMPTY_VAR") return "";
    return std::nullopt;
  };
  const char* text =
      "BASE=${HOME_DIR}/data\n"
      "STORAGE=${BASE}/v3\n"
      "FALLBACK=${UNSET_VAR:-storage}\n"
      "EMPTY_FALLBACK=${EMPTY_VAR:-x}\n"
      "NOTHING=${UNSET_VAR}\n"
      "QUOTED=\"${HOME_DIR} here\"\n";
  Result<std::vector<DotEnvEntry>> entries = ParseDotEnv(text, "production.env", lookup);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 6u);
  EXPECT_EQ((*entries)[0].value, "/home/ib/data");
  EXPECT_EQ((*entries)[1].value, "/home/ib/data/v3");
  EXPECT_EQ((*entries)[2].value, "storage");
  EXPECT_EQ((*entries)[3].value, "x");
  EXPECT_EQ((*entries)[4].value, "");
  EXPECT_EQ((*entries)[5].value, "/home/ib here");
}

TEST(DotEnvTest, ErrorsNameTheFileAndLine) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"A=1\nno equals sign\n", "x.env:2: expected NAME=value"},
      {"1A=1\n", "x.env:1: '1A' is not a variable name"},
      {"A=\"open\n", "x.env:1: unterminated double quote"},
      {"A='open\n", "x.env:1: unterminated single quote"},
      {"A=\"x\" y\n", "x.env:1: text after the closing quote"},
      {"\n\nA=${B\n", "x.env:3: unterminated '${'"},
      {"A=${B C}\n", "x.env:1: '${B C}' is not ${NAME} or ${NAME:-default}"},
  };
  for (const Case& c : cases) {
    Result<std::vector<DotEnvEntry>> entries = ParseDotEnv(c.text, "x.env", NoVariables);
    ASSERT_FALSE(entries.ok()) << c.text;
    EXPECT_EQ(entries.status().message(), c.message);
  }
}

}  // namespace
}  // namespace ibstream::config::env_test
