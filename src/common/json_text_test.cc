#include "common/json_text.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace ibstream::json_text_test {
namespace {

std::string Escaped(std::string_view text) {
  std::string out;
  AppendJsonString(text, out);
  return out;
}

TEST(JsonTextTest, EscapesByTable) {
  struct Case {
    std::string_view text;
    std::string_view json;
  };
  const Case cases[] = {
      {"", R"("")"},
      {"ISLAND", R"("ISLAND")"},
      {"say \"hi\"", R"("say \"hi\"")"},
      {"C:\\path", R"("C:\\path")"},
      {"a\nb\rc\td\be\ff", R"("a\nb\rc\td\be\ff")"},
      {std::string_view("\x00", 1), R"("\u0000")"},
      {"\x01\x1f", R"("\u0001\u001f")"},
      {"\x7f", R"("\u007f")"},
      {" ~/", R"(" ~/")"},
      // Valid UTF-8 of every length is copied as it is.
      {"\xc3\xa9", "\"\xc3\xa9\""},
      {"\xe2\x82\xac", "\"\xe2\x82\xac\""},
      {"\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""},
      {"\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""},  // U+10FFFF
      // Each byte that starts no valid sequence becomes U+FFFD.
      {"\xff", R"("\ufffd")"},
      {"\x80", R"("\ufffd")"},                                // stray continuation byte
      {"\xc3", R"("\ufffd")"},                                // truncated
      {"\xc0\xaf", R"("\ufffd\ufffd")"},                      // overlong 2-byte
      {"\xe0\x80\xaf", R"("\ufffd\ufffd\ufffd")"},            // overlong 3-byte
      {"\xed\xa0\x80", R"("\ufffd\ufffd\ufffd")"},            // surrogate
      {"\xf0\x80\x80\xaf", R"("\ufffd\ufffd\ufffd\ufffd")"},  // overlong 4-byte
      {"\xf4\x90\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},  // above U+10FFFF
      {"\xf5", R"("\ufffd")"},
      {"a\x01\x7f\tb\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\xff|\xc3|\xed\xa0\x80",
       "\"a\\u0001\\u007f\\tb\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\\ufffd|\\ufffd|"
       "\\ufffd\\ufffd\\ufffd\""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Escaped(c.text), c.json) << "input: " << testing::PrintToString(std::string(c.text));
  }
}

TEST(JsonTextTest, AppendsToWhatIsThere) {
  std::string out = "{\"k\":";
  AppendJsonString("v", out);
  AppendJsonString("w", out);
  EXPECT_EQ(out, R"({"k":"v""w")");
}

}  // namespace
}  // namespace ibstream::json_text_test
