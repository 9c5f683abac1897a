#include "formats/v3_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "formats/test_ticks.h"

namespace ibstream::formats::v3_json_test {
namespace {

using testing::VerbatimBidAsk;
using testing::VerbatimLast;

// Verbatim from the original's repository (docs/ORIGINAL.md §3.3).
constexpr std::string_view kVerbatimBidAsk =
    R"({"ts":1754010291904089,"st":1754010291904096,"cid":711280073,"tt":"bid_ask",)"
    R"("rid":2038625861,"bp":23260.0,"bs":4.0,"ap":23260.5,"as":2.0})"
    "\n";
constexpr std::string_view kVerbatimLast =
    R"({"ts":1754010291911017,"st":1754010291911022,"cid":711280073,"tt":"last",)"
    R"("rid":1793293976,"p":23261.0,"s":10.0})"
    "\n";

std::string Render(const Tick& tick) {
  std::string out;
  AppendV3Json(tick, out);
  return out;
}

std::string Render(const V3Record& record) {
  std::string out;
  AppendV3Json(record, out);
  return out;
}

TEST(V3JsonTest, VerbatimRecordsParseAndReRenderByteIdentically) {
  for (std::string_view line : {kVerbatimBidAsk, kVerbatimLast}) {
    auto record = ParseV3JsonLine(line);
    ASSERT_TRUE(record.ok()) << record.status().ToString();
    EXPECT_EQ(Render(*record), line);
  }
}

TEST(V3JsonTest, VerbatimRecordsParseToTheExpectedTicks) {
  auto bid_ask = ParseV3JsonLine(kVerbatimBidAsk);
  ASSERT_TRUE(bid_ask.ok());
  EXPECT_EQ(bid_ask->tick, VerbatimBidAsk());
  EXPECT_EQ(bid_ask->request_id, 2038625861);
  EXPECT_EQ(bid_ask->tick.bid_size.ToString(), "4");  // 4.0 came from an exact decimal 4

  auto last = ParseV3JsonLine(kVerbatimLast);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->tick, VerbatimLast());
  EXPECT_EQ(last->request_id, 1793293976);
}

TEST(V3JsonTest, RendersTicksWithRidZeroInTheOriginalsKeyOrder) {
  EXPECT_EQ(Render(VerbatimBidAsk()),
            R"({"ts":1754010291904089,"st":1754010291904096,"cid":711280073,"tt":"bid_ask",)"
            R"("rid":0,"bp":23260.0,"bs":4.0,"ap":23260.5,"as":2.0})"
            "\n");
  EXPECT_EQ(Render(VerbatimLast()),
            R"({"ts":1754010291911017,"st":1754010291911022,"cid":711280073,"tt":"last",)"
            R"("rid":0,"p":23261.0,"s":10.0})"
            "\n");
}

// docs/ORIGINAL.md §3.4: "The same ticks are 129 and 102 bytes as JSON lines" (rid 0, newline
// included).
TEST(V3JsonTest, LineSizesOfTheDocumentedTicks) {
  EXPECT_EQ(Render(VerbatimBidAsk()).size(), 129u);
  Tick last = VerbatimLast();
  last.size = Decimal::FromInt(2);  // a one-digit size, as in the documented example
  EXPECT_EQ(Render(last).size(), 102u);
}

TEST(V3JsonTest, AllLastAndMidPointKeepTheirOwnNames) {
  Tick all_last = VerbatimLast();
  all_last.type = TickType::kAllLast;
  EXPECT_EQ(Render(all_last),
            R"({"ts":1754010291911017,"st":1754010291911022,"cid":711280073,"tt":"all_last",)"
            R"("rid":0,"p":23261.0,"s":10.0})"
            "\n");
  Tick mid;
  mid.contract_id = 265598;
  mid.type = TickType::kMidPoint;
  mid.exchange_time = FromUnixSeconds(1755784800);
  mid.receive_time = FromUnixMicros(1755784800123456);
  mid.price = 227.125;
  EXPECT_EQ(Render(mid),
            R"({"ts":1755784800000000,"st":1755784800123456,"cid":265598,"tt":"mid_point",)"
            R"("rid":0,"mp":227.125})"
            "\n");
}

TEST(V3JsonTest, FlagsOnlyWhenTrueInKeyOrder) {
  Tick tick = VerbatimBidAsk();
  tick.attributes = kAttrBidPastLow | kAttrAskPastHigh;
  EXPECT_EQ(Render(tick),
            R"({"ts":1754010291904089,"st":1754010291904096,"cid":711280073,"tt":"bid_ask",)"
            R"("rid":0,"bp":23260.0,"bs":4.0,"ap":23260.5,"as":2.0,"bpl":true,"aph":true})"
            "\n");
  tick.attributes = kAttrAskPastHigh;
  EXPECT_NE(Render(tick).find(R"("as":2.0,"aph":true})"), std::string::npos);

  Tick last = VerbatimLast();
  last.attributes = kAttrUnreported | kAttrPastLimit;  // past-limit has no v3 field
  EXPECT_NE(Render(last).find(R"("s":10.0,"upt":true})"), std::string::npos);
  last.attributes = kAttrPastLimit;
  EXPECT_EQ(Render(last), Render(VerbatimLast()));
}

TEST(V3JsonTest, NullsAreOmitted) {
  Tick tick = VerbatimBidAsk();
  tick.bid_size = Decimal::Unset();
  tick.ask_price = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(Render(tick),
            R"({"ts":1754010291904089,"st":1754010291904096,"cid":711280073,"tt":"bid_ask",)"
            R"("rid":0,"bp":23260.0,"as":2.0})"
            "\n");
}

TEST(V3JsonTest, FloatsFollowPythonRepr) {
  Tick tick = VerbatimLast();
  tick.price = 1e16;
  tick.size = Decimal::FromParts(1, 4);  // 0.0001
  EXPECT_NE(Render(tick).find(R"("p":1e+16,"s":0.0001})"), std::string::npos);
  tick.price = 0.00001;
  tick.size = Decimal::FromParts(1, 5);  // 0.00001
  EXPECT_NE(Render(tick).find(R"("p":1e-05,"s":1e-05})"), std::string::npos);
  tick.price = std::numeric_limits<double>::infinity();
  tick.size = Decimal::FromParts(123456789012345, 0);
  EXPECT_NE(Render(tick).find(R"("p":Infinity,"s":123456789012345.0})"), std::string::npos);
  tick.price = -std::numeric_limits<double>::infinity();
  EXPECT_NE(Render(tick).find(R"("p":-Infinity,)"), std::string::npos);
}

TEST(V3JsonTest, TimesAreFlooredMicroseconds) {
  Tick tick = VerbatimLast();
  tick.exchange_time = FromUnixNanos(1754010291000000999);
  tick.receive_time = FromUnixNanos(1754010291911022999);
  EXPECT_EQ(Render(tick).substr(0, 45), R"({"ts":1754010291000000,"st":1754010291911022,)");
}

TEST(V3JsonTest, ParsesLenientlyWhatPythonCouldHaveWritten) {
  // Other key order, spaces, unknown keys (nested too), nulls, NaN, integer floats, CRLF.
  auto record = ParseV3JsonLine(
      R"( { "tt" : "last", "cid": 7, "ts": 1000000, "extra": {"a": [1, 2.5, "x\"y", null]},)"
      R"( "p": 5, "s": NaN, "upt": true, "bpl": false, "mp": null } )"
      "\r\n");
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->tick.type, TickType::kLast);
  EXPECT_EQ(record->tick.contract_id, 7);
  EXPECT_EQ(record->tick.exchange_time, FromUnixSeconds(1));
  EXPECT_EQ(record->tick.receive_time, FromUnixSeconds(0));
  EXPECT_EQ(record->request_id, 0);
  EXPECT_EQ(record->tick.price, 5.0);
  EXPECT_FALSE(record->tick.size.is_set());
  EXPECT_EQ(record->tick.attributes, kAttrUnreported);
}

TEST(V3JsonTest, EscapedTickTypeIsDecoded) {
  auto record = ParseV3JsonLine(R"({"ts":1,"cid":1,"tt":"mid\u005fpoint","mp":1.5})");
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->tick.type, TickType::kMidPoint);
  EXPECT_EQ(record->tick.price, 1.5);
}

TEST(V3JsonTest, ValuesOfOtherTickTypesAreIgnored) {
  auto record = ParseV3JsonLine(R"({"ts":1,"cid":1,"tt":"last","p":2.0,"bp":3.0,"mp":4.0})");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->tick.price, 2.0);
  EXPECT_EQ(record->tick.bid_price, 0.0);
}

TEST(V3JsonTest, MalformedLinesAreErrorsNamingTheProblem) {
  const struct {
    std::string_view line;
    std::string_view message_part;
  } cases[] = {
      {"", "expected '{'"},
      {"{", "expected a string"},
      {R"({"ts":1,"cid":1})", "missing \"tt\""},
      {R"({"cid":1,"tt":"last"})", "missing \"ts\""},
      {R"({"ts":1,"tt":"last"})", "missing \"cid\""},
      {R"({"ts":1,"cid":1,"tt":"trades"})", "unknown v3 tick type 'trades'"},
      {R"({"ts":1,"cid":1,"tt":"BidAsk"})", "unknown v3 tick type"},
      {R"({"ts":1.5,"cid":1,"tt":"last"})", "expected an integer"},
      {R"({"ts":99999999999999999999,"cid":1,"tt":"last"})", "expected an integer"},
      {R"({"ts":1,"cid":1,"tt":"last"} x)", "unexpected text after the object"},
      {R"({"ts":1,"cid":1,"tt":"last",})", "expected a string"},
      {R"({"ts":1,"cid":1,"tt":"last","p":01})", "expected '}'"},
      {R"({"ts":1,"cid":1,"tt":"last","p":1e999})", "out of range"},
      {R"({"ts":1,"cid":1,"tt":"last","s":1e+300})", "does not fit a decimal"},
      {R"({"ts":1,"cid":1,"tt":"last","s":Infinity})", "infinite"},
      {R"({"ts":1,"cid":1,"tt":"last","upt":1})", "expected true or false"},
      {R"({"ts":1,"cid":1,"tt":"la)", "unterminated string"},
      {R"({"ts":1,"cid":1,"tt":"last","x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]})",
       "nesting too deep"},
      {R"({"ts":9200000000000000000,"cid":1,"tt":"last"})", "timestamp out of range"},
      {R"({"ts":1,"cid":1,"tt":"\ud800"})", "unpaired surrogate"},
  };
  for (const auto& c : cases) {
    auto record = ParseV3JsonLine(c.line);
    ASSERT_FALSE(record.ok()) << c.line;
    EXPECT_EQ(record.status().code(), StatusCode::kParseError) << c.line;
    EXPECT_NE(record.status().message().find(c.message_part), std::string::npos)
        << c.line << " -> " << record.status().message();
  }
}

TEST(V3JsonTest, ErrorsNameTheColumn) {
  auto record = ParseV3JsonLine(R"({"ts":1,"cid":x})");
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.status().message(), "column 15: expected a number");
}

// JSON -> Tick -> JSON is byte-identical, and Tick -> JSON -> Tick keeps every field v3 holds.
TEST(V3JsonTest, RandomTicksRoundTrip) {
  const uint64_t seed = testing::TestSeed(20250803);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  for (int i = 0; i < 20000; ++i) {
    const V3Record original{testing::RandomV3Tick(random),
                            static_cast<int64_t>(random() % 3'000'000'000)};
    const std::string line = Render(original);
    auto parsed = ParseV3JsonLine(line);
    ASSERT_TRUE(parsed.ok()) << line << parsed.status().ToString();
    ASSERT_EQ(*parsed, original) << line;
    ASSERT_EQ(Render(*parsed), line);
  }
}

}  // namespace
}  // namespace ibstream::formats::v3_json_test
