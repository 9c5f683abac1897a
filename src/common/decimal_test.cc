#include "common/decimal.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ibstream::decimal_test {
namespace {

TEST(DecimalTest, ParsesAndFormatsExactly) {
  for (const char* text :
       {"3", "12345", "0.0001", "3.50", "-2.5", "0", "0.0", "100", "1.00000000000000001"}) {
    auto d = Decimal::Parse(text);
    ASSERT_TRUE(d.ok()) << text << ": " << d.status().ToString();
    EXPECT_EQ(d->ToString(), text);
  }
}

TEST(DecimalTest, UnsetSentinels) {
  for (const char* text : {"", "2147483647", "9223372036854775807", "1.7976931348623157E308"}) {
    auto d = Decimal::Parse(text);
    ASSERT_TRUE(d.ok()) << text;
    EXPECT_FALSE(d->is_set()) << text;
    EXPECT_EQ(d->ToString(), "");
    EXPECT_TRUE(std::isnan(d->ToDouble()));
  }
}

TEST(DecimalTest, ExponentForms) {
  EXPECT_EQ(Decimal::Parse("1.5E2")->ToString(), "150");
  EXPECT_EQ(Decimal::Parse("1e-05")->ToString(), "0.00001");
  EXPECT_EQ(Decimal::Parse("25E-1")->ToString(), "2.5");
}

TEST(DecimalTest, ValueEquality) {
  EXPECT_EQ(*Decimal::Parse("3"), *Decimal::Parse("3.00"));
  EXPECT_EQ(*Decimal::Parse("3"), Decimal::FromInt(3));
  EXPECT_NE(*Decimal::Parse("3"), *Decimal::Parse("3.01"));
  EXPECT_NE(Decimal::Unset(), Decimal::FromInt(0));
  EXPECT_EQ(Decimal::Unset(), Decimal::Unset());
}

TEST(DecimalTest, ToDoubleIsCorrectlyRounded) {
  EXPECT_EQ(Decimal::Parse("0.1")->ToDouble(), 0.1);
  EXPECT_EQ(Decimal::Parse("12345")->ToDouble(), 12345.0);
  EXPECT_EQ(Decimal::FromParts(-25, 1).ToDouble(), -2.5);
}

TEST(DecimalTest, RejectsGarbageWithClearError) {
  for (const char* text : {"abc", "1.2.3", "-", ".", "1e", "1x", "12345678901234567890", "1e400",
                           "0.0000000000000000001"}) {
    auto d = Decimal::Parse(text);
    EXPECT_FALSE(d.ok()) << text;
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), StatusCode::kParseError);
      EXPECT_NE(d.status().message().find(text), std::string::npos);
    }
  }
}

TEST(DecimalTest, HugeExponentsAreBoundedNotSlowOrUndefined) {
  // Untrusted text: these overflowed `scale - exponent` or looped for seconds.
  for (const char* text :
       {"0e-2147483648", "0.0e-2147483648", "1e-2147483648", "1e999999999", "5e37", "5e-37"}) {
    auto d = Decimal::Parse(text);
    EXPECT_FALSE(d.ok()) << text;
  }
  EXPECT_EQ(Decimal::Parse("0e999999999")->ToString(), "0");
  EXPECT_EQ(Decimal::Parse("0e2147483647")->ToString(), "0");
  EXPECT_EQ(Decimal::Parse("1e17")->ToString(), "100000000000000000");
  EXPECT_EQ(Decimal::Parse("1e-18")->ToString(), "0.000000000000000001");
}

}  // namespace
}  // namespace ibstream::decimal_test
