#include "formats/python_float.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "formats/test_ticks.h"

namespace ibstream::formats::python_float_test {
namespace {

struct ReprCase {
  double value;
  const char* python;  // repr(value) in CPython 3 (float_repr_style 'short')
};

// Expected strings follow from Python's documented repr: shortest round-trip digits; exponent
// form iff the decimal exponent is < -4 or >= 16; exponent signed, at least two digits; ".0" on
// whole values in positional form.
constexpr ReprCase kCases[] = {
    {0.0, "0.0"},
    {-0.0, "-0.0"},
    {1.0, "1.0"},
    {4.0, "4.0"},
    {2.0, "2.0"},
    {10.0, "10.0"},
    {100.0, "100.0"},
    {23260.0, "23260.0"},
    {23260.5, "23260.5"},
    {23261.25, "23261.25"},
    {-1.25, "-1.25"},
    {0.5, "0.5"},
    {0.1, "0.1"},
    {0.1 + 0.2, "0.30000000000000004"},
    {1.0 / 3.0, "0.3333333333333333"},
    {2.0 / 3.0, "0.6666666666666666"},
    {0.001, "0.001"},
    {0.0001, "0.0001"},  // exponent -4: still positional
    {0.00012, "0.00012"},
    {0.00009999, "9.999e-05"},
    {1e-05, "1e-05"},  // exponent -5: scientific
    {1.5e-05, "1.5e-05"},
    {-1e-05, "-1e-05"},
    {1e-07, "1e-07"},
    {1.2345e-10, "1.2345e-10"},
    {5e-324, "5e-324"},  // smallest subnormal
    {2.2250738585072014e-308, "2.2250738585072014e-308"},
    {12345678.9, "12345678.9"},
    {123456789012345.6, "123456789012345.6"},
    {1e15, "1000000000000000.0"},
    {9007199254740992.0, "9007199254740992.0"},  // 2^53
    {9999999999999998.0, "9999999999999998.0"},  // largest double below 1e16
    {1e16, "1e+16"},                             // exponent 16: scientific
    {-1e16, "-1e+16"},
    {1.5e16, "1.5e+16"},
    {12345678901234567890.0, "1.2345678901234567e+19"},
    {1e22, "1e+22"},
    {1e100, "1e+100"},
    {1.7976931348623157e308, "1.7976931348623157e+308"},
};

TEST(PythonFloatTest, MatchesPythonRepr) {
  for (const ReprCase& c : kCases) {
    EXPECT_EQ(PythonFloatRepr(c.value), c.python) << "value " << c.python;
  }
}

TEST(PythonFloatTest, NonFiniteAsRepr) {
  EXPECT_EQ(PythonFloatRepr(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(PythonFloatRepr(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(PythonFloatRepr(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(PythonFloatTest, AppendsWithoutTouchingExistingText) {
  std::string out = "x=";
  AppendPythonFloat(4.0, out);
  EXPECT_EQ(out, "x=4.0");
}

// Over random bit patterns: the text reads back exactly, uses the shortest digits (those of
// std::to_chars), and the notation follows the exponent rule.
TEST(PythonFloatTest, RandomValuesRoundTripWithShortestDigitsAndTheNotationRule) {
  const uint64_t seed = testing::TestSeed(20250804);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  for (int i = 0; i < 200000; ++i) {
    uint64_t bits = random();
    double value = 0;
    std::memcpy(&value, &bits, sizeof(value));
    if (!std::isfinite(value)) continue;
    if (i % 2 == 0) value = std::ldexp(std::fmod(value, 1.0), static_cast<int>(bits % 120) - 60);
    const std::string text = PythonFloatRepr(value);

    double back = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), back);
    ASSERT_EQ(ec, std::errc()) << text;
    ASSERT_EQ(end, text.data() + text.size()) << text;
    ASSERT_EQ(std::memcmp(&back, &value, sizeof(value)), 0) << text;

    char sci[40];
    char* const sci_end =
        std::to_chars(sci, sci + sizeof(sci) - 1, value, std::chars_format::scientific).ptr;
    *sci_end = '\0';
    std::string shortest_digits;
    for (const char* p = sci; p < sci_end && *p != 'e'; ++p) {
      if (*p >= '0' && *p <= '9') shortest_digits += *p;
    }
    const int exponent = std::atoi(std::strchr(sci, 'e') + 1);
    const bool scientific = text.find('e') != std::string::npos;
    ASSERT_EQ(scientific, exponent < -4 || exponent >= 16) << text;
    if (!scientific) {
      ASSERT_NE(text.find('.'), std::string::npos) << text;
    }
    std::string text_digits;
    for (char c : text.substr(0, text.find('e'))) {
      if (c >= '0' && c <= '9') text_digits += c;
    }
    // Positional form pads with zeros; strip them on both sides before comparing.
    const auto trim = [](std::string s) {
      s.erase(0, std::min(s.find_first_not_of('0'), s.size()));
      while (!s.empty() && s.back() == '0') s.pop_back();
      return s;
    };
    ASSERT_EQ(trim(text_digits), trim(shortest_digits)) << text;
  }
}

}  // namespace
}  // namespace ibstream::formats::python_float_test
