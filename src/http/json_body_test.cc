#include "http/json_body.h"

#include <gtest/gtest.h>

#include <string>

namespace ibstream::http::json_body_test {
namespace {

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonBodyTest, ParsesWithinTheDepthLimit) {
  auto j = ParseJsonBody(R"({"a": [1, {"b": "c"}], "d": null})");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)["a"][1]["b"], "c");
  EXPECT_TRUE(ParseJsonBody(Nested(kMaxJsonBodyDepth)).ok());
}

TEST(JsonBodyTest, RefusesNestingBeyondTheLimitBeforeParsing) {
  auto j = ParseJsonBody(Nested(kMaxJsonBodyDepth + 1));
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(j.status().message().find("limit of 64"), std::string::npos) << j.status().message();
  // Deep enough to overflow a recursive descent; refused in one pass.
  EXPECT_FALSE(ParseJsonBody(Nested(20'000)).ok());
  EXPECT_FALSE(ParseJsonBody(std::string(1'000'000, '{')).ok());
  // Objects count as well as arrays; a small max_depth applies.
  EXPECT_FALSE(ParseJsonBody(R"({"a": {"b": [1]}})", 2).ok());
  EXPECT_TRUE(ParseJsonBody(R"({"a": {"b": 1}})", 2).ok());
}

TEST(JsonBodyTest, BracketsInsideStringsDoNotCount) {
  const std::string text = R"({"s": ")" + std::string(100, '[') + R"(\"[[[", "t": "\\"})";
  auto j = ParseJsonBody(text, 2);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)["t"], "\\");
}

TEST(JsonBodyTest, NotJsonIsANamedErrorNeverAnException) {
  for (const std::string text : {"", "not json", "[1,", "{\"a\": \"\xFF\"}", "[1]]", "\"\\u"}) {
    auto j = ParseJsonBody(text);
    ASSERT_FALSE(j.ok()) << text;
    EXPECT_NE(j.status().message().find("not JSON"), std::string::npos) << j.status().message();
  }
}

}  // namespace
}  // namespace ibstream::http::json_body_test
