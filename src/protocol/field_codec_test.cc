#include "protocol/field_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "protocol/constants.h"

namespace ibstream::protocol::field_codec_test {
namespace {

using namespace std::string_literals;

TEST(ParseIntTest, AcceptsDecimalIntegers) {
  EXPECT_EQ(*ParseInt32("0"), 0);
  EXPECT_EQ(*ParseInt32("-1"), -1);
  EXPECT_EQ(*ParseInt32("+7"), 7);
  EXPECT_EQ(*ParseInt32(" 42 "), 42);
  EXPECT_EQ(*ParseInt32("2147483647"), 2147483647);
  EXPECT_EQ(*ParseInt64("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(*ParseInt64("-1754925330"), -1754925330);
}

TEST(ParseIntTest, RejectsTextAndOverflow) {
  for (const char* bad :
       {"", " ", "abc", "1.5", "0.0", "1e3", "12x", "+-1", "--1", "0x10", "1_0"}) {
    EXPECT_FALSE(ParseInt32(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseInt32("2147483648").ok());
  EXPECT_FALSE(ParseInt64("9223372036854775808").ok());
  EXPECT_EQ(ParseInt32("abc").status().code(), StatusCode::kParseError);
}

TEST(ParseDoubleTest, AcceptsStrtodForms) {
  EXPECT_EQ(*ParseDouble("0"), 0.0);
  EXPECT_EQ(*ParseDouble("0.0"), 0.0);
  EXPECT_EQ(*ParseDouble("21500.25"), 21500.25);
  EXPECT_EQ(*ParseDouble("-0.25"), -0.25);
  EXPECT_EQ(*ParseDouble("+1.5"), 1.5);
  EXPECT_EQ(*ParseDouble(".5"), 0.5);
  EXPECT_EQ(*ParseDouble("5."), 5.0);
  EXPECT_EQ(*ParseDouble("1e-05"), 1e-05);
  EXPECT_EQ(*ParseDouble("1E+16"), 1e16);
  EXPECT_EQ(*ParseDouble(" 2.5\t"), 2.5);
  EXPECT_EQ(*ParseDouble("0x1p3"), 8.0);
  EXPECT_EQ(*ParseDouble("-0X1.8p1"), -3.0);
  EXPECT_EQ(*ParseDouble("Infinity"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(*ParseDouble("-Infinity"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(*ParseDouble("inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(*ParseDouble("INF"), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(*ParseDouble("nan")));
  EXPECT_TRUE(std::isnan(*ParseDouble("NaN")));
  EXPECT_EQ(*ParseDouble("1.7976931348623157E308"), std::numeric_limits<double>::max());
}

TEST(ParseDoubleTest, OutOfRangeBehavesLikeStrtod) {
  for (const char* text : {"1e400", "-1e400", "1e-400", "0.000001e-320", "123456e400", "0x1p2000",
                           "0x1p-2000", "1e999999999999"}) {
    const double want = std::strtod(text, nullptr);
    Result<double> got = ParseDouble(text);
    ASSERT_TRUE(got.ok()) << text;
    EXPECT_EQ(*got, want) << text;
    EXPECT_EQ(std::signbit(*got), std::signbit(want)) << text;
  }
  // A long digit string that overflows without an exponent.
  const std::string huge = "1" + std::string(400, '0');
  EXPECT_EQ(*ParseDouble(huge), std::numeric_limits<double>::infinity());
  const std::string tiny = "0." + std::string(400, '0') + "1";
  EXPECT_EQ(*ParseDouble(tiny), 0.0);
}

TEST(ParseDoubleTest, RejectsGarbage) {
  for (const char* bad : {"", " ", "abc", "1.2.3", "1e", "--1", "+-1", "0x", "0x-1", "1,5", "12a",
                          "Infinityx", "-", "."}) {
    EXPECT_FALSE(ParseDouble(bad).ok()) << bad;
  }
}

TEST(FormatDoubleTest, SpellsLikePythonRepr) {
  EXPECT_EQ(FormatDouble(0.0), "0.0");
  EXPECT_EQ(FormatDouble(-0.0), "-0.0");
  EXPECT_EQ(FormatDouble(200.0), "200.0");
  EXPECT_EQ(FormatDouble(21500.25), "21500.25");
  EXPECT_EQ(FormatDouble(-0.25), "-0.25");
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(0.0001), "0.0001");
  EXPECT_EQ(FormatDouble(0.00005), "5e-05");
  EXPECT_EQ(FormatDouble(1.5e-05), "1.5e-05");
  EXPECT_EQ(FormatDouble(1e15), "1000000000000000.0");
  EXPECT_EQ(FormatDouble(1e16), "1e+16");
  EXPECT_EQ(FormatDouble(1.2345e100), "1.2345e+100");
  EXPECT_EQ(FormatDouble(5e-324), "5e-324");
  EXPECT_EQ(FormatDouble(123456789.0), "123456789.0");
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::infinity()), "-Infinity");
  EXPECT_EQ(FormatDouble(std::nan("")), "NaN");
}

TEST(FormatDoubleTest, RoundTripsRandomDoubles) {
  const uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 100000; ++i) {
    uint64_t bits = rng();
    double value;
    std::memcpy(&value, &bits, sizeof(value));
    const std::string text = FormatDouble(value);
    Result<double> back = ParseDouble(text);
    ASSERT_TRUE(back.ok()) << text;
    if (std::isnan(value)) {
      EXPECT_TRUE(std::isnan(*back));
    } else {
      ASSERT_EQ(std::memcmp(&value, &*back, sizeof(value)), 0) << text;
    }
  }
}

TEST(UnicodeEscapeTest, DecodesEscapes) {
  EXPECT_EQ(UnescapeUnicode("euf\\u00fcrm"), "euf\xc3\xbcrm");
  EXPECT_EQ(UnescapeUnicode("\\u20AC"), "\xe2\x82\xac");
  EXPECT_EQ(UnescapeUnicode("\\ud83d\\ude00"), "\xf0\x9f\x98\x80");  // surrogate pair
  EXPECT_EQ(UnescapeUnicode("\\ud83d"), "\xef\xbf\xbd");             // lone high surrogate
  EXPECT_EQ(UnescapeUnicode("\\ude00x"), "\xef\xbf\xbdx");           // lone low surrogate
  EXPECT_EQ(UnescapeUnicode("no escapes"), "no escapes");
  EXPECT_EQ(UnescapeUnicode("a\\b\\u12"), "a\\b\\u12");  // malformed: kept
  EXPECT_EQ(UnescapeUnicode("\\u005c"), "\\");
  EXPECT_EQ(UnescapeUnicode("\\u0000"), "\0"s);
}

TEST(UnicodeEscapeTest, EncodesNonAsciiAndBackslash) {
  EXPECT_EQ(EscapeUnicode("euf\xc3\xbcrm"), "euf\\u00fcrm");
  EXPECT_EQ(EscapeUnicode("a\\b"), "a\\u005cb");
  EXPECT_EQ(EscapeUnicode("\xf0\x9f\x98\x80"), "\\ud83d\\ude00");
  EXPECT_EQ(EscapeUnicode("tab\there"), "tab\\u0009here");
  EXPECT_EQ(EscapeUnicode("\xff"), "\\ufffd");                        // invalid UTF-8 byte
  EXPECT_EQ(EscapeUnicode("\xc3"), "\\ufffd");                        // truncated sequence
  EXPECT_EQ(EscapeUnicode("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd");  // encoded surrogate
  EXPECT_EQ(EscapeUnicode("\xc0\xaf"), "\\ufffd\\ufffd");             // overlong
}

TEST(UnicodeEscapeTest, RoundTripsValidUtf8) {
  const std::string text = "Micro E-Mini \xe2\x82\xac \xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80 \\ done";
  const std::string escaped = EscapeUnicode(text);
  for (const char c : escaped) {
    EXPECT_TRUE(c >= 32 && c <= 126) << static_cast<int>(c);
  }
  EXPECT_EQ(UnescapeUnicode(escaped), text);
}

TEST(FieldReaderTest, ReadsTypedFields) {
  const std::string payload = "99\0-5\0\0 3.5\0abc\0002.50\0\0001\0"s;
  FieldReader r(payload, "TEST (1)");
  EXPECT_EQ(r.Int("a"), 99);
  EXPECT_EQ(r.Long("b"), -5);
  EXPECT_EQ(r.Int("empty int"), 0);
  EXPECT_EQ(r.Double("c"), 3.5);
  EXPECT_EQ(r.String("d"), "abc");
  EXPECT_EQ(r.Dec("e"), Decimal::FromParts(250, 2));
  EXPECT_FALSE(r.Dec("unset").is_set());
  EXPECT_TRUE(r.Bool("f"));
  EXPECT_TRUE(r.AtEnd());
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.fields_read(), 8);
}

TEST(FieldReaderTest, MissingFieldNamesMessageAndField) {
  const std::string payload = "99\0"s;
  ProtocolCounters counters;
  FieldReader r(payload, "TICK_BY_TICK (99)", &counters);
  r.Int("msgId");
  r.Int("reqId");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error_kind(), DecodeErrorKind::kMissingField);
  EXPECT_EQ(r.status().code(), StatusCode::kParseError);
  EXPECT_EQ(r.status().message(), "TICK_BY_TICK (99) field 2 'reqId': missing");
  EXPECT_EQ(counters.error(DecodeErrorKind::kMissingField), 1u);
  // Sticky: later reads return zero values and do not count again.
  EXPECT_EQ(r.Int("next"), 0);
  EXPECT_EQ(r.String("text"), "");
  EXPECT_EQ(counters.total_errors(), 1u);
}

TEST(FieldReaderTest, TextInNumericFieldsIsAnErrorByKind) {
  ProtocolCounters counters;
  const std::string bad_int = "abc\0"s;
  FieldReader i(bad_int, "M", &counters);
  i.Int("reqId");
  EXPECT_EQ(i.error_kind(), DecodeErrorKind::kBadInteger);
  EXPECT_EQ(i.status().message(), "M field 1 'reqId': expected an integer, got 'abc'");

  const std::string double_in_int = "0.0\0"s;
  FieldReader l(double_in_int, "M", &counters);
  l.Long("time");
  EXPECT_EQ(l.error_kind(), DecodeErrorKind::kBadInteger);

  const std::string bad_double = "1.5x\0"s;
  FieldReader d(bad_double, "M", &counters);
  d.Double("price");
  EXPECT_EQ(d.error_kind(), DecodeErrorKind::kBadDouble);
  EXPECT_EQ(d.status().message(), "M field 1 'price': expected a number, got '1.5x'");

  const std::string bad_decimal = "x1\0"s;
  FieldReader z(bad_decimal, "M", &counters);
  z.Dec("size");
  EXPECT_EQ(z.error_kind(), DecodeErrorKind::kBadDecimal);
  EXPECT_NE(z.status().message().find("M field 1 'size': "), std::string::npos);

  EXPECT_EQ(counters.error(DecodeErrorKind::kBadInteger), 2u);
  EXPECT_EQ(counters.error(DecodeErrorKind::kBadDouble), 1u);
  EXPECT_EQ(counters.error(DecodeErrorKind::kBadDecimal), 1u);
}

TEST(FieldReaderTest, HostileDecimalExponentsAreErrorsNotStalls) {
  const std::string payload =
      "0e-2147483648\0"
      "1e999999999\0"s;
  FieldReader r(payload, "M");
  r.Dec("size");
  EXPECT_EQ(r.error_kind(), DecodeErrorKind::kBadDecimal);
}

TEST(FieldReaderTest, UnterminatedTailIsNotAField) {
  const std::string payload = "1\0tail"s;
  FieldReader r(payload, "M");
  EXPECT_EQ(r.Int("a"), 1);
  EXPECT_EQ(r.CountRemaining(), 0);
  r.String("b");
  EXPECT_EQ(r.error_kind(), DecodeErrorKind::kMissingField);
}

TEST(FieldReaderTest, CountIsBoundedByTheFieldsLeft) {
  const std::string payload = "2\0a\0b\0c\0d\0"s;
  FieldReader ok_reader(payload, "M");
  EXPECT_EQ(ok_reader.Count("n", 2), 2);
  EXPECT_TRUE(ok_reader.ok());

  FieldReader too_many(payload, "M");
  EXPECT_EQ(too_many.Count("n", 3), 0);
  EXPECT_EQ(too_many.error_kind(), DecodeErrorKind::kBadCount);

  const std::string negative = "-1\0"s;
  FieldReader neg(negative, "M");
  neg.Count("n", 1);
  EXPECT_EQ(neg.error_kind(), DecodeErrorKind::kBadCount);

  const std::string huge = "2000000000\0"s;
  FieldReader big(huge, "M");
  big.Count("n", 4);
  EXPECT_EQ(big.error_kind(), DecodeErrorKind::kBadCount);
}

TEST(MessageWriterTest, WritesLengthPrefixedFields) {
  std::string out = "prefix";
  MessageWriter w(out, TextPolicy::kPrintableAscii, "M");
  w.Int(97)
      .Int(-1)
      .Double(0.0)
      .Bool(true)
      .String("MNQ")
      .Dec(Decimal::FromParts(5, 1))
      .Dec(Decimal::Unset());
  ASSERT_TRUE(w.Finish().ok());
  EXPECT_EQ(out,
            "prefix\0\0\0\x15"s
            "97\0-1\0"
            "0.0\0"
            "1\0MNQ\0"
            "0.5\0\0"s);
}

TEST(MessageWriterTest, SetDecimalsThatLookLikeSentinelsStaySet) {
  // "02147483647" is a set value for both official decoders (they compare the text), but its
  // canonical text "2147483647" is the unset sentinel: the writer adds ".0".
  Result<Decimal> odd = Decimal::Parse("02147483647");
  ASSERT_TRUE(odd.ok());
  ASSERT_TRUE(odd->is_set());
  std::string out;
  MessageWriter w(out, TextPolicy::kNoNul, "M");
  w.Dec(*odd).Dec(Decimal::FromInt(2147483646)).Dec(Decimal::FromParts(-2147483647, 0));
  ASSERT_TRUE(w.Finish().ok());
  EXPECT_EQ(out.substr(4),
            "2147483647.0\0"
            "2147483646\0"
            "-2147483647\0"s);
  FieldReader r(std::string_view(out).substr(4), "M");
  EXPECT_EQ(r.Dec("a"), *odd);
  EXPECT_EQ(r.Dec("b"), Decimal::FromInt(2147483646));
  EXPECT_EQ(r.Dec("c"), Decimal::FromParts(-2147483647, 0));
  EXPECT_TRUE(r.ok());
}

TEST(MessageWriterTest, RefusedTextRemovesThePartialMessage) {
  std::string out = "keep";
  MessageWriter w(out, TextPolicy::kPrintableAscii, "REQ (1)");
  w.Int(1).String("caf\xc3\xa9", "symbol");
  Status s = w.Finish();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "REQ (1) field 2 'symbol': not printable ASCII: 'caf\\xc3\\xa9'");
  EXPECT_EQ(out, "keep");

  MessageWriter nul(out, TextPolicy::kNoNul, "MSG");
  nul.String("a\0b"s, "text");
  EXPECT_FALSE(nul.Finish().ok());
  EXPECT_EQ(out, "keep");

  MessageWriter strict(out, TextPolicy::kNoNul, "MSG");
  strict.StrictText("a\\b", "value");
  EXPECT_FALSE(strict.Finish().ok());
  EXPECT_EQ(out, "keep");
}

TEST(MessageWriterTest, AllowsTabLfCrInRequestsAndAnyByteButNulInServerText) {
  std::string out;
  MessageWriter w(out, TextPolicy::kPrintableAscii, "M");
  w.String("a\tb\nc\r");
  EXPECT_TRUE(w.Finish().ok());
  MessageWriter s(out, TextPolicy::kNoNul, "M");
  s.String("\x01\xff");
  EXPECT_TRUE(s.Finish().ok());
}

TEST(MessageWriterTest, RefusesPayloadsAboveTheProtocolLimit) {
  std::string out;
  MessageWriter w(out, TextPolicy::kNoNul, "BIG");
  w.String(std::string(kMaxMessageLength, 'x'));
  Status s = w.Finish();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace ibstream::protocol::field_codec_test
