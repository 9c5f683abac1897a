#include "formats/v3_protobuf.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "formats/test_ticks.h"
#include "formats/v3_json.h"

namespace ibstream::formats::v3_protobuf_test {
namespace {

using testing::VerbatimBidAsk;
using testing::VerbatimLast;

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out += kDigits[static_cast<uint8_t>(c) >> 4];
    out += kDigits[static_cast<uint8_t>(c) & 0xF];
  }
  return out;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

std::string Encode(const V3Record& record) {
  std::string out;
  Status status = AppendV3Protobuf(record, out);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out;
}

std::string Encode(const Tick& tick) { return Encode(V3Record{tick, 0}); }

// Golden bytes, derived field by field from the protobuf wire format: tag = field << 3 | wire
// type; varints little-endian base 128; doubles as 8 little-endian bytes; the frame prefix is the
// message length as 4 big-endian bytes.
constexpr std::string_view kBidAskHex =
    "00000045"  // length 69, big-endian
    "08"
    "d9bc86c3b5e88e03"  // ts = 1754010291904089
    "10"
    "e0bc86c3b5e88e03"  // st = 1754010291904096
    "18"
    "c98b95d302"  // cid = 711280073
    "22"
    "07"
    "6269645f61736b"  // tt = "bid_ask"; rid = 0 absent
    "61"
    "0000000000b7d640"  // bp = 23260.0
    "69"
    "0000000000001040"  // bs = 4.0
    "71"
    "0000000020b7d640"  // ap = 23260.5
    "79"
    "0000000000000040";  // as = 2.0
constexpr std::string_view kLastHex =
    "00000030"  // length 48
    "08"
    "e9f286c3b5e88e03"  // ts = 1754010291911017
    "10"
    "eef286c3b5e88e03"  // st = 1754010291911022
    "18"
    "c98b95d302"  // cid
    "22"
    "04"
    "6c617374"  // tt = "last"
    "51"
    "0000000040b7d640"  // p = 23261.0
    "59"
    "0000000000002440";  // s = 10.0

TEST(V3ProtobufTest, GoldenBytesOfTheDocumentedTicks) {
  EXPECT_EQ(Hex(Encode(VerbatimBidAsk())), kBidAskHex);
  EXPECT_EQ(Hex(Encode(VerbatimLast())), kLastHex);
}

// docs/ORIGINAL.md §3.4: a bid/ask tick with rid 0 is 69 + 4 = 73 bytes; a last tick 48 + 4 = 52
// bytes.
TEST(V3ProtobufTest, RecordSizesOfTheDocumentedTicks) {
  EXPECT_EQ(Encode(VerbatimBidAsk()).size(), 73u);
  EXPECT_EQ(Encode(VerbatimLast()).size(), 52u);
  std::string message;
  ASSERT_TRUE(AppendV3ProtobufMessage(V3Record{VerbatimBidAsk(), 0}, message).ok());
  EXPECT_EQ(message.size(), 69u);
}

TEST(V3ProtobufTest, RidFlagsAndMidPointGoldenBytes) {
  Tick flagged = VerbatimBidAsk();
  flagged.attributes = kAttrBidPastLow | kAttrAskPastHigh;
  EXPECT_EQ(Hex(Encode(V3Record{flagged, 2038625861})),
            "00000051"
            "08d9bc86c3b5e88e03"
            "10e0bc86c3b5e88e03"
            "18c98b95d302"
            "22076269645f61736b"
            "28"
            "c5ec8bcc07"  // rid = 2038625861
            "610000000000b7d640"
            "690000000000001040"
            "710000000020b7d640"
            "790000000000000040"
            "a001"
            "01"  // bpl = true (field 20)
            "a801"
            "01");  // aph = true (field 21)

  Tick last = VerbatimLast();
  last.attributes = kAttrUnreported | kAttrPastLimit;  // past-limit has no v3 field
  EXPECT_EQ(Hex(Encode(last)), std::string(kLastHex).replace(6, 2, "33") + "b00101");

  Tick mid;
  mid.contract_id = 265598;
  mid.type = TickType::kMidPoint;
  mid.exchange_time = FromUnixSeconds(1755784800);
  mid.receive_time = FromUnixMicros(1755784800123456);
  mid.price = 227.125;
  EXPECT_EQ(Hex(Encode(mid)),
            "0000002b"
            "08"
            "80b0b98a889c8f03"
            "10"
            "c0f4c08a889c8f03"
            "18"
            "fe9a10"
            "22"
            "09"
            "6d69645f706f696e74"
            "8101"
            "0000000000646c40");  // mp (field 16: a two-byte tag) = 227.125
}

TEST(V3ProtobufTest, ImplicitZerosOmittedExplicitZerosKept) {
  Tick tick;
  tick.type = TickType::kLast;
  tick.price = 0.0;              // explicit presence: written
  tick.size = Decimal::Unset();  // absent
  EXPECT_EQ(Hex(Encode(tick)),
            "0000000f"
            "22046c617374"
            "510000000000000000");
  tick.price = std::numeric_limits<double>::quiet_NaN();  // absent
  EXPECT_EQ(Hex(Encode(tick)),
            "00000006"
            "22046c617374");
}

TEST(V3ProtobufTest, NegativeInt32IsATenByteVarint) {
  Tick tick = VerbatimLast();
  tick.contract_id = -1;
  const std::string bytes = Encode(tick);
  EXPECT_NE(Hex(bytes).find("18ffffffffffffffffff01"), std::string::npos);
  auto parsed = ParseV3ProtobufMessage(std::string_view(bytes).substr(4));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->tick.contract_id, -1);
}

TEST(V3ProtobufTest, ConIdBeyondInt32IsOutOfRangeAndLeavesOutputUnchanged) {
  Tick tick = VerbatimLast();
  tick.contract_id = int64_t{2147483647} + 1;
  std::string out = "keep";
  Status status = AppendV3Protobuf(tick, out);
  EXPECT_EQ(status.code(), StatusCode::kOutOfRange);
  EXPECT_NE(status.message().find("2147483648"), std::string::npos);
  EXPECT_EQ(out, "keep");
  tick.contract_id = 2147483647;
  EXPECT_TRUE(AppendV3Protobuf(tick, out).ok());

  EXPECT_EQ(AppendV3Protobuf(V3Record{VerbatimLast(), int64_t{1} << 31}, out).code(),
            StatusCode::kOutOfRange);
}

TEST(V3ProtobufTest, ParsesTheGoldenRecords) {
  auto bid_ask = ParseV3ProtobufMessage(Unhex(kBidAskHex).substr(4));
  ASSERT_TRUE(bid_ask.ok()) << bid_ask.status().ToString();
  EXPECT_EQ(bid_ask->tick, VerbatimBidAsk());
  EXPECT_EQ(bid_ask->request_id, 0);
  auto last = ParseV3ProtobufMessage(Unhex(kLastHex).substr(4));
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->tick, VerbatimLast());
}

TEST(V3ProtobufTest, SkipsUnknownFieldsOfEveryWireType) {
  const std::string message = Unhex(
      "3807"                  // field 7, varint
      "22046c617374"          // tt = "last"
      "4a03616263"            // field 9, length-delimited "abc"
      "510000000040b7d640"    // p = 23261.0
      "9d0101020304"          // field 19, fixed32
      "c1020102030405060708"  // field 40, fixed64
      "f8ffffff0f01");        // field 536870911 (largest), varint
  auto parsed = ParseV3ProtobufMessage(message);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->tick.type, TickType::kLast);
  EXPECT_EQ(parsed->tick.price, 23261.0);
}

TEST(V3ProtobufTest, MalformedMessagesAreErrors) {
  const struct {
    std::string_view hex;
    std::string_view message_part;
  } cases[] = {
      {"", "missing tt"},
      {"0801", "missing tt"},
      {"2206747261646573", "unknown v3 tick type 'trades'"},
      {"0a0101", "field 1 has wire type 2, expected 0"},
      {"22046c61737451000000", "truncated fixed64"},
      {"22106c617374", "truncated length-delimited"},
      {"08ffffffffffffffffffff01", "longer than 10 bytes"},
      {"0880", "truncated varint"},
      {"22046c6173743b", "unsupported wire type 3"},
      {"22046c6173743e", "unsupported wire type 6"},
      {"0022046c617374", "bad field number"},
      {"0880808080808080808001"
       "22046c617374",
       "timestamp out of range"},
      {"22046c617374"
       "59000000000000f07f",
       "infinite"},  // s = +inf
  };
  for (const auto& c : cases) {
    auto parsed = ParseV3ProtobufMessage(Unhex(c.hex));
    ASSERT_FALSE(parsed.ok()) << c.hex;
    EXPECT_EQ(parsed.status().code(), StatusCode::kParseError) << c.hex;
    EXPECT_NE(parsed.status().message().find(c.message_part), std::string::npos)
        << c.hex << " -> " << parsed.status().message();
  }
}

// pb -> Tick -> pb is byte-identical, and Tick -> pb -> Tick keeps every field v3 holds.
TEST(V3ProtobufTest, RandomTicksRoundTrip) {
  const uint64_t seed = testing::TestSeed(20250807);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  for (int i = 0; i < 20000; ++i) {
    const V3Record original{testing::RandomV3Tick(random),
                            static_cast<int64_t>(random() % 2'000'000'000)};
    const std::string framed = Encode(original);
    auto parsed = ParseV3ProtobufMessage(std::string_view(framed).substr(4));
    ASSERT_TRUE(parsed.ok()) << Hex(framed) << parsed.status().ToString();
    ASSERT_EQ(*parsed, original) << Hex(framed);
    ASSERT_EQ(Encode(*parsed), framed);
  }
}

// The verbatim JSON records survive JSON -> Tick -> protobuf -> Tick -> JSON byte-identically.
TEST(V3ProtobufTest, VerbatimJsonRecordsCrossFormats) {
  for (
      std::string_view line :
      {R"({"ts":1754010291904089,"st":1754010291904096,"cid":711280073,"tt":"bid_ask","rid":2038625861,"bp":23260.0,"bs":4.0,"ap":23260.5,"as":2.0})"
       "\n",
       R"({"ts":1754010291911017,"st":1754010291911022,"cid":711280073,"tt":"last","rid":1793293976,"p":23261.0,"s":10.0})"
       "\n"}) {
    auto from_json = ParseV3JsonLine(line);
    ASSERT_TRUE(from_json.ok());
    const std::string framed = Encode(*from_json);
    auto from_pb = ParseV3ProtobufMessage(std::string_view(framed).substr(4));
    ASSERT_TRUE(from_pb.ok());
    std::string again;
    AppendV3Json(*from_pb, again);
    EXPECT_EQ(again, line);
  }
}

}  // namespace
}  // namespace ibstream::formats::v3_protobuf_test
