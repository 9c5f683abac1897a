#include "storage/tick_codec.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "storage/crc32c.h"

namespace ibstream::storage::tick_codec_test {
namespace {

std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

Tick TradeTick() {
  Tick t;
  t.contract_id = 711280073;
  t.type = TickType::kLast;
  t.source = TickSource::kBackfill;
  t.attributes = kAttrUnreported;
  t.exchange_time = FromUnixSeconds(1755784800);
  t.receive_time = FromUnixNanos(1755784800123456789);
  t.sequence = 42;
  t.price = 23261.25;
  t.size = Decimal::FromParts(35, 1);  // 3.5
  t.exchange = "CME";
  t.special_conditions = "T";
  return t;
}

TEST(TickCodecTest, GoldenBytesOfATrade) {
  std::string out;
  AppendTick(TradeTick(), &out);
  ASSERT_EQ(out.size(), kTickFixedSize + 4);
  EXPECT_EQ(Hex(out),
            // contract_id 711280073
            "c945652a00000000"
            // exchange_time_ns 1755784800e9
            "00c0071af9cc5d18"
            // receive_time_ns
            "158d6321f9cc5d18"
            // sequence 42
            "2a00000000000000"
            // price 23261.25
            "0000000050b7d640"
            // bid_price, ask_price 0.0
            "0000000000000000"
            "0000000000000000"
            // size mantissa 35, bid/ask mantissas 0
            "2300000000000000"
            "0000000000000000"
            "0000000000000000"
            // type 2, source 1, attributes 2, decimal_set 1, scales 1 0 0, reserved
            "0201020101000000"
            // exchange len 3, conditions len 1, "CME", "T"
            "03000100"
            "434d4554");
}

TEST(TickCodecTest, GoldenBytesOfAQuoteWithUnsetSize) {
  Tick t;
  t.contract_id = 1;
  t.type = TickType::kBidAsk;
  t.attributes = kAttrBidPastLow | kAttrAskPastHigh;
  t.exchange_time = FromUnixNanos(1);
  t.receive_time = FromUnixNanos(2);
  t.sequence = 3;
  t.bid_price = 1.5;
  t.ask_price = -0.0;
  t.bid_size = Decimal::FromInt(-7);
  // ask_size unset
  std::string out;
  AppendTick(t, &out);
  EXPECT_EQ(Hex(out),
            "0100000000000000"
            "0100000000000000"
            "0200000000000000"
            "0300000000000000"
            "0000000000000000"
            "000000000000f83f"
            "0000000000000080"
            "0000000000000000"
            "f9ffffffffffffff"
            "0000000000000000"
            "01000c0200000000"
            "00000000");
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

TEST(TickCodecTest, GoldenBytesOfAFallbackQuote) {
  Tick t;
  t.contract_id = 1;
  t.type = TickType::kQuote;
  t.exchange_time = FromUnixNanos(1);
  t.receive_time = FromUnixNanos(1);
  t.sequence = 2;
  t.bid_price = 1.5;
  t.ask_price = 2.0;
  t.bid_size = Decimal::FromInt(3);
  t.ask_size = Decimal::FromParts(45, 1);
  std::string out;
  AppendTick(t, &out);
  EXPECT_EQ(Hex(out),
            "0100000000000000"
            "0100000000000000"
            "0100000000000000"
            "0200000000000000"
            "0000000000000000"
            "000000000000f83f"
            "0000000000000040"
            "0000000000000000"
            "0300000000000000"
            "2d00000000000000"
            // type 5, source 0, attributes 0, decimal_set 6, scales 0 0 1, reserved
            "0500000600000100"
            "00000000");
  Tick back;
  ASSERT_TRUE(DecodeTick(out, &back).ok());
  EXPECT_TRUE(SameStoredTick(t, back));
  EXPECT_EQ(back, t);
}

// A fallback trade keeps its volume in the bid size slot (offset 64, set bit 1, scale at 85).
TEST(TickCodecTest, GoldenBytesOfAFallbackTradeWithVolume) {
  Tick t;
  t.contract_id = 1;
  t.type = TickType::kTrade;
  t.source = TickSource::kBackfill;
  t.exchange_time = FromUnixNanos(1);
  t.receive_time = FromUnixNanos(1);
  t.sequence = 2;
  t.price = 2.0;
  t.size = Decimal::FromInt(7);
  t.volume = Decimal::FromParts(123456, 2);  // 1234.56
  std::string out;
  AppendTick(t, &out);
  EXPECT_EQ(Hex(out),
            "0100000000000000"
            "0100000000000000"
            "0100000000000000"
            "0200000000000000"
            "0000000000000040"
            "0000000000000000"
            "0000000000000000"
            "0700000000000000"
            // volume mantissa 123456
            "40e2010000000000"
            "0000000000000000"
            // type 6, source 1, attributes 0, decimal_set 3, scales 0 2 0, reserved
            "0601000300020000"
            "00000000");
  Tick back;
  ASSERT_TRUE(DecodeTick(out, &back).ok());
  EXPECT_EQ(back, t);
  EXPECT_FALSE(back.bid_size.is_set());
  EXPECT_EQ(back.volume.scale(), 2);

  t.volume = Decimal::Unset();  // IB's day volume not known yet
  out.clear();
  AppendTick(t, &out);
  ASSERT_TRUE(DecodeTick(out, &back).ok());
  EXPECT_EQ(back, t);
  EXPECT_FALSE(back.volume.is_set());
}

TEST(TickCodecTest, RecordsWrittenBeforeTheFallbackKindsStillRead) {
  // The bytes of GoldenBytesOfATrade, as files written before quote and trade existed hold them.
  const std::string old = Unhex(
      "c945652a0000000000c0071af9cc5d18158d6321f9cc5d182a000000000000000000000050b7d640"
      "0000000000000000000000000000000023000000000000000000000000000000000000000000000002010201"
      "0100000003000100434d4554");
  Tick back;
  auto used = DecodeTick(old, &back);
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  EXPECT_EQ(*used, old.size());
  EXPECT_TRUE(SameStoredTick(back, TradeTick()));
  EXPECT_FALSE(back.volume.is_set());
}

TEST(TickCodecTest, UnknownKindsAreCorruption) {
  std::string out;
  AppendTick(TradeTick(), &out);
  Tick back;
  for (char type : {'\0', '\x08', '\xff'}) {
    out[80] = type;
    EXPECT_EQ(DecodeTick(out, &back).status().code(), StatusCode::kCorruption)
        << static_cast<int>(type);
  }
}

Tick DepthTick() {
  Tick t;
  t.contract_id = 1;
  t.type = TickType::kDepth;
  t.exchange_time = FromUnixNanos(1);
  t.receive_time = FromUnixNanos(1);
  t.sequence = 2;
  t.price = 2.0;
  t.size = Decimal::FromInt(7);
  t.book_operation = BookOperation::kUpdate;
  t.book_side = BookSide::kBid;
  t.book_position = 3;
  t.exchange = "NSDQ";
  return t;
}

TEST(TickCodecTest, GoldenBytesOfADepthUpdate) {
  std::string out;
  AppendTick(DepthTick(), &out);
  EXPECT_EQ(Hex(out),
            "0100000000000000"
            "0100000000000000"
            "0100000000000000"
            "0200000000000000"
            "0000000000000040"
            "0000000000000000"
            "0000000000000000"
            "0700000000000000"
            // position 3 in the bid size slot, nothing in the ask size slot
            "0300000000000000"
            "0000000000000000"
            // type 7, source 0, operation 1 | bid 4 = 5, decimal_set 1, scales 0, reserved
            "0700050100000000"
            // market maker length 4, conditions 0, "NSDQ"
            "04000000"
            "4e534451");
  Tick back;
  ASSERT_TRUE(DecodeTick(out, &back).ok());
  EXPECT_EQ(back, DepthTick());
  EXPECT_TRUE(SameStoredTick(back, DepthTick()));
  EXPECT_EQ(back.attributes, 0);
}

TEST(TickCodecTest, DepthRecordsRoundTripEveryOperationAndSide) {
  for (BookOperation operation : {BookOperation::kInsert, BookOperation::kUpdate,
                                  BookOperation::kDelete, BookOperation::kReset}) {
    for (BookSide side : {BookSide::kAsk, BookSide::kBid}) {
      Tick t = DepthTick();
      t.book_operation = operation;
      t.book_side = side;
      t.book_position = std::numeric_limits<int32_t>::max();
      if (operation == BookOperation::kReset) {
        t.size = Decimal::Unset();
        t.price = 0;
        t.exchange.clear();
      }
      std::string out;
      AppendTick(t, &out);
      Tick back = TradeTick();  // decoding replaces every field
      auto used = DecodeTick(out, &back);
      ASSERT_TRUE(used.ok()) << used.status().ToString();
      EXPECT_EQ(*used, out.size());
      EXPECT_TRUE(SameStoredTick(back, t)) << BookOperationName(operation);
      EXPECT_FALSE(back.bid_size.is_set());
      EXPECT_FALSE(back.volume.is_set());
      EXPECT_TRUE(back.special_conditions.empty());
    }
  }
}

TEST(TickCodecTest, DecodingAnotherKindClearsTheDepthFields) {
  std::string out;
  AppendTick(TradeTick(), &out);
  Tick back = DepthTick();
  ASSERT_TRUE(DecodeTick(out, &back).ok());
  EXPECT_EQ(back.book_position, 0);
  EXPECT_EQ(back.book_operation, BookOperation::kInsert);
  EXPECT_EQ(back.book_side, BookSide::kAsk);
}

TEST(TickCodecTest, RejectsDamagedDepthRecords) {
  std::string good;
  AppendTick(DepthTick(), &good);
  Tick out;
  ASSERT_TRUE(DecodeTick(good, &out).ok());
  struct Damage {
    size_t at;
    char value;
    const char* what;
  };
  const Damage cases[] = {
      {82, '\x08', "attribute bit 3 (not a depth bit)"},
      {83, '\x03', "bid size slot marked set"},
      {83, '\x05', "ask size slot marked set"},
      {85, '\x01', "bid size scale"},
      {86, '\x01', "ask size scale"},
      {72, '\x01', "ask size mantissa"},
      {68, '\x01', "position above 2^31-1 (high word)"},
      {67, '\x80', "position above 2^31-1"},
      {87, '\x01', "reserved byte"},
  };
  for (const Damage& d : cases) {
    std::string bad = good;
    bad[d.at] = d.value;
    EXPECT_EQ(DecodeTick(bad, &out).status().code(), StatusCode::kCorruption) << d.what;
  }
}

TEST(TickCodecTest, RoundTripIsBitExact) {
  Tick t = TradeTick();
  t.price = std::numeric_limits<double>::quiet_NaN();
  t.bid_price = std::nextafter(1.0, 2.0);
  t.ask_price = -std::numeric_limits<double>::infinity();
  t.bid_size = Decimal::FromParts(123456789012345678, 18);
  t.ask_size = Decimal::FromParts(300, 2);  // 3.00 keeps its scale
  std::string out;
  AppendTick(t, &out);
  out += "trailing";
  Tick back;
  auto used = DecodeTick(out, &back);
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  EXPECT_EQ(*used, out.size() - 8);
  EXPECT_TRUE(SameStoredTick(t, back));
  EXPECT_TRUE(std::isnan(back.price));
  EXPECT_EQ(back.ask_size.scale(), 2);
  EXPECT_FALSE(back.size.is_set() && !t.size.is_set());
}

TEST(TickCodecTest, RejectsDamagedRecords) {
  std::string good;
  AppendTick(TradeTick(), &good);
  Tick out;
  EXPECT_FALSE(DecodeTick(good.substr(0, 91), &out).ok());
  EXPECT_FALSE(DecodeTick(good.substr(0, good.size() - 1), &out).ok());
  for (size_t at : {80u, 81u, 82u, 83u, 84u, 87u}) {
    std::string bad = good;
    bad[at] = static_cast<char>(0x7f);
    EXPECT_EQ(DecodeTick(bad, &out).status().code(), StatusCode::kCorruption) << at;
  }
  std::string unset_with_value = good;
  unset_with_value[83] = 0;  // size marked unset but mantissa 35 stored
  EXPECT_EQ(DecodeTick(unset_with_value, &out).status().code(), StatusCode::kCorruption);
}

TEST(TickCodecTest, OrderKeyFromRecordMatchesTick) {
  std::string out;
  const Tick t = TradeTick();
  AppendTick(t, &out);
  EXPECT_EQ(OrderKeyOfRecord(out.data()), OrderKey(t));
}

TEST(TickCodecTest, OversizedStringsAreRejected) {
  Tick t = TradeTick();
  t.special_conditions.assign(70000, 'x');
  EXPECT_EQ(ValidateTickForStorage(t).code(), StatusCode::kInvalidArgument);
}

// A tick with every field drawn from `rng`: set and unset sizes, odd string lengths, any bits in
// the prices.
Tick RandomTick(std::mt19937_64& rng) {
  Tick t;
  t.contract_id = static_cast<int64_t>(rng());
  t.type = static_cast<TickType>(1 + rng() % 6);
  t.source = static_cast<TickSource>(rng() % 2);
  t.attributes = static_cast<uint8_t>(rng() % 16);
  t.exchange_time = FromUnixNanos(static_cast<int64_t>(rng() >> 1));
  t.receive_time = FromUnixNanos(static_cast<int64_t>(rng() >> 1));
  t.sequence = rng();
  t.price = std::bit_cast<double>(rng());
  t.bid_price = std::bit_cast<double>(rng());
  t.ask_price = std::bit_cast<double>(rng());
  auto decimal = [&] {
    return rng() % 3 == 0
               ? Decimal::Unset()
               : Decimal::FromParts(static_cast<int64_t>(rng() >> 8), static_cast<int>(rng() % 19));
  };
  t.size = decimal();
  t.bid_size = decimal();
  t.ask_size = decimal();
  t.volume = decimal();
  t.exchange.assign(rng() % 4 == 0 ? rng() % 40 : 0, static_cast<char>('A' + rng() % 26));
  t.special_conditions.assign(rng() % 4 == 0 ? rng() % 300 : 0, static_cast<char>(rng()));
  return t;
}

TEST(TickCodecTest, EncodeWithChecksumMatchesEncodeThenChecksum) {
  const uint64_t seed = 99;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 2000; ++i) {
    const Tick t = RandomTick(rng);
    const auto start = static_cast<uint32_t>(rng());
    std::string expected;
    AppendTick(t, &expected);
    const uint32_t expected_crc =
        crc32c::ExtendPortableForTest(start, expected.data(), expected.size());
    std::string fused(EncodedTickSize(t), '\0');
    EXPECT_EQ(EncodeTickExtendCrc(t, fused.data(), start), expected_crc) << i;
    EXPECT_EQ(fused, expected) << i;
    std::string portable(EncodedTickSize(t), '\0');
    EXPECT_EQ(EncodeTickExtendCrcPortableForTest(t, portable.data(), start), expected_crc) << i;
    EXPECT_EQ(portable, expected) << i;
  }
}

TEST(TickCodecTest, GoldenChecksumOfATrade) {
  // CRC32C of the 96 bytes of GoldenBytesOfATrade, computed once with an independent bitwise
  // implementation.
  std::string out(kTickFixedSize + 4, '\0');
  EXPECT_EQ(EncodeTickExtendCrc(TradeTick(), out.data(), 0), 0x213f7cefu);
}

}  // namespace
}  // namespace ibstream::storage::tick_codec_test
