#include "common/status.h"

#include <gtest/gtest.h>

namespace ibstream::status_test {
namespace {

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = ParseError("field 3: expected an integer");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kParseError);
  EXPECT_EQ(s.ToString(), "ParseError: field 3: expected an integer");
  EXPECT_EQ(s.WithContext("tickByTick").message(), "tickByTick: field 3: expected an integer");
}

TEST(StatusTest, DetailCodeIsTypedAndKeptByContext) {
  const Status plain = Unavailable("IB error 162 (request 3): looks like a code");
  EXPECT_EQ(plain.detail_code(), std::nullopt);
  const Status coded = plain.WithDetailCode(162);
  EXPECT_EQ(coded.detail_code(), 162);
  EXPECT_EQ(coded.message(), plain.message());
  EXPECT_EQ(coded.ToString(), plain.ToString());
  EXPECT_EQ(coded.WithContext("backfill").detail_code(), 162);
  EXPECT_EQ(plain.WithContext("backfill").detail_code(), std::nullopt);
  EXPECT_FALSE(coded == plain);
}

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd");
  return x / 2;
}

Status UseHalf(int x, int* out) {
  auto r = Half(x);
  IBSTREAM_RETURN_IF_ERROR(r.status());
  *out = *r;
  return Status::Ok();
}

TEST(ResultTest, ValueOrError) {
  EXPECT_EQ(*Half(8), 4);
  EXPECT_FALSE(Half(3).ok());
  EXPECT_EQ(Half(3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Half(3).value_or(-1), -1);
  int out = 0;
  EXPECT_TRUE(UseHalf(10, &out).ok());
  EXPECT_EQ(out, 5);
  EXPECT_EQ(UseHalf(7, &out).message(), "odd");
}

TEST(ResultDeathTest, ValueOfErrorAborts) {
  Result<int> r = Internal("boom");
  EXPECT_DEATH((void)r.value(), "value\\(\\) of an error Result");
}

}  // namespace
}  // namespace ibstream::status_test
