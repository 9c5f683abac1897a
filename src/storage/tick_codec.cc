#include "storage/tick_codec.h"

#include <bit>
#include <cstring>
#include <limits>

#include "storage/coding.h"
#include "storage/crc32c.h"

namespace ibstream::storage {
namespace {

// The fixed 92 bytes of a record as the eleven little-endian u64 words and the u32 they are made
// of (offsets 0..87 and 88..91 of the layout in tick_codec.h).
constexpr size_t kFixedWords = 11;
struct FixedPart {
  uint64_t words[kFixedWords];
  uint32_t lengths;
};

// Mantissa and scale of a Decimal as stored: 0 and 0 when it is unset.
[[gnu::always_inline]] inline uint64_t StoredMantissa(const Decimal& d) {
  return d.is_set() ? static_cast<uint64_t>(d.mantissa()) : 0;
}
[[gnu::always_inline]] inline uint64_t StoredScale(const Decimal& d) {
  return d.is_set() ? static_cast<uint64_t>(static_cast<uint8_t>(d.scale())) : 0;
}

// A depth record's byte 82: bits 0-1 the operation, bit 2 the side (1 bid).
[[gnu::always_inline]] inline uint64_t DepthBits(const Tick& tick) {
  return static_cast<uint64_t>(static_cast<uint8_t>(tick.book_operation)) |
         static_cast<uint64_t>(static_cast<uint8_t>(tick.book_side)) << 2;
}

// Inlined into the SSE4.2 encoder as well (a call would return the words through memory).
// A trade record keeps its volume in the bid size slot (a trade has no bid); a depth record keeps
// its row position there (as a plain integer, the slot's set bit clear) and its operation and
// side in the attributes byte.
[[gnu::always_inline]] inline FixedPart FixedPartOf(const Tick& tick) {
  const bool depth = tick.type == TickType::kDepth;
  const Decimal& second = tick.type == TickType::kTrade ? tick.volume : tick.bid_size;
  const uint64_t set_bits = (tick.size.is_set() ? 1u : 0u) | (!depth && second.is_set() ? 2u : 0u) |
                            (!depth && tick.ask_size.is_set() ? 4u : 0u);
  const uint64_t attributes = depth ? DepthBits(tick) : tick.attributes;
  FixedPart f;
  f.words[0] = static_cast<uint64_t>(tick.contract_id);
  f.words[1] = static_cast<uint64_t>(ToUnixNanos(tick.exchange_time));
  f.words[2] = static_cast<uint64_t>(ToUnixNanos(tick.receive_time));
  f.words[3] = tick.sequence;
  f.words[4] = std::bit_cast<uint64_t>(tick.price);
  f.words[5] = std::bit_cast<uint64_t>(tick.bid_price);
  f.words[6] = std::bit_cast<uint64_t>(tick.ask_price);
  f.words[7] = StoredMantissa(tick.size);
  f.words[8] = depth ? static_cast<uint64_t>(static_cast<uint32_t>(tick.book_position))
                     : StoredMantissa(second);
  f.words[9] = depth ? 0 : StoredMantissa(tick.ask_size);
  // Bytes 80..87: type, source, attributes, set bits, the three scales, reserved 0.
  f.words[10] = static_cast<uint64_t>(static_cast<uint8_t>(tick.type)) |
                static_cast<uint64_t>(static_cast<uint8_t>(tick.source)) << 8 | attributes << 16 |
                set_bits << 24 | StoredScale(tick.size) << 32 |
                (depth ? 0 : StoredScale(second) << 40 | StoredScale(tick.ask_size) << 48);
  f.lengths = static_cast<uint32_t>(tick.exchange.size()) |
              static_cast<uint32_t>(tick.special_conditions.size()) << 16;
  return f;
}

void StoreStrings(const Tick& tick, char* s) {
  if (!tick.exchange.empty()) std::memcpy(s, tick.exchange.data(), tick.exchange.size());
  s += tick.exchange.size();
  if (!tick.special_conditions.empty()) {
    std::memcpy(s, tick.special_conditions.data(), tick.special_conditions.size());
  }
}

#if defined(__x86_64__)
// Stores the record and extends the CRC32C over it from the values in registers: no load of the
// bytes just stored (which would wait for them to reach the cache).
__attribute__((target("sse4.2"))) uint32_t EncodeTickExtendCrcSse42(const Tick& tick, char* p,
                                                                    uint32_t crc) {
  const FixedPart fixed = FixedPartOf(tick);
  uint64_t c = static_cast<uint32_t>(~crc);
  for (size_t i = 0; i < kFixedWords; ++i) {
    EncodeFixed64(p + 8 * i, fixed.words[i]);
    c = __builtin_ia32_crc32di(c, fixed.words[i]);
  }
  EncodeFixed32(p + 8 * kFixedWords, fixed.lengths);
  auto c32 = ~__builtin_ia32_crc32si(static_cast<uint32_t>(c), fixed.lengths);
  StoreStrings(tick, p + kTickFixedSize);
  if (!tick.exchange.empty()) c32 = crc32c::Extend(c32, tick.exchange.data(), tick.exchange.size());
  if (!tick.special_conditions.empty()) {
    c32 = crc32c::Extend(c32, tick.special_conditions.data(), tick.special_conditions.size());
  }
  return c32;
}
#endif

[[gnu::always_inline]] inline Status GetDecimal(const char* p, int bit, uint8_t set_bits,
                                                Decimal* out) {
  const auto mantissa = static_cast<int64_t>(DecodeFixed64(p + 56 + 8 * bit));
  const auto scale = static_cast<uint8_t>(p[84 + bit]);
  if ((set_bits & (1u << bit)) == 0) {
    if (mantissa != 0 || scale != 0) return Corruption("tick record: unset decimal with a value");
    *out = Decimal::Unset();
    return Status::Ok();
  }
  if (scale > Decimal::kMaxScale) return Corruption("tick record: decimal scale out of range");
  *out = Decimal::FromParts(mantissa, scale);
  return Status::Ok();
}

// The depth-only fields of a depth record (type 7) at `p`: the position in the bid size slot
// (0..2^31-1), nothing in the ask size slot, operation and side from byte 82.
Status DecodeDepthFields(const char* p, TickRecordView* out) {
  const uint64_t position = DecodeFixed64(p + 64);
  if (position > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    return Corruption("tick record: depth position out of range");
  }
  if (DecodeFixed64(p + 72) != 0 || p[85] != 0 || p[86] != 0) {
    return Corruption("tick record: depth record with a bid or ask size");
  }
  const auto bits = static_cast<uint8_t>(p[82]);
  out->book_operation = static_cast<BookOperation>(bits & 0x03u);
  out->book_side = (bits & 0x04u) != 0 ? BookSide::kBid : BookSide::kAsk;
  out->book_position = static_cast<int32_t>(position);
  out->bid_size = Decimal::Unset();
  out->ask_size = Decimal::Unset();
  out->volume = Decimal::Unset();
  return Status::Ok();
}

bool SameDecimal(const Decimal& a, const Decimal& b) {
  return a.is_set() == b.is_set() && a.mantissa() == b.mantissa() && a.scale() == b.scale();
}

}  // namespace

void AppendTick(const Tick& tick, std::string* out) {
  const size_t start = out->size();
  out->resize(start + EncodedTickSize(tick));
  EncodeTick(tick, out->data() + start);
}

void EncodeTick(const Tick& tick, char* p) {
  const FixedPart fixed = FixedPartOf(tick);
  for (size_t i = 0; i < kFixedWords; ++i) EncodeFixed64(p + 8 * i, fixed.words[i]);
  EncodeFixed32(p + 8 * kFixedWords, fixed.lengths);
  StoreStrings(tick, p + kTickFixedSize);
}

uint32_t EncodeTickExtendCrc(const Tick& tick, char* dst, uint32_t crc) {
#if defined(__x86_64__)
  static const bool hardware = crc32c::HardwareAccelerated();
  if (hardware) return EncodeTickExtendCrcSse42(tick, dst, crc);
#endif
  return EncodeTickExtendCrcPortableForTest(tick, dst, crc);
}

uint32_t EncodeTickExtendCrcPortableForTest(const Tick& tick, char* dst, uint32_t crc) {
  EncodeTick(tick, dst);
  return crc32c::Extend(crc, dst, EncodedTickSize(tick));
}

Result<size_t> DecodeTickRecord(std::string_view in, TickRecordView* out) {
  if (in.size() < kTickFixedSize) return Corruption("tick record: shorter than 92 bytes");
  const char* p = in.data();
  const auto type = static_cast<uint8_t>(p[80]);
  const auto source = static_cast<uint8_t>(p[81]);
  const auto attributes = static_cast<uint8_t>(p[82]);
  const auto set_bits = static_cast<uint8_t>(p[83]);
  if (!IsStoredTickType(type)) return Corruption("tick record: unknown tick type");
  if (source > 1) return Corruption("tick record: unknown source");
  const bool depth = type == static_cast<uint8_t>(TickType::kDepth);
  // Depth: operation and side in bits 0-2 of byte 82, only the size may be set.
  const unsigned attribute_mask = depth ? 0x07u : 0x0fu;
  const unsigned set_mask = depth ? 0x01u : 0x07u;
  if ((attributes & ~attribute_mask) != 0 || (set_bits & ~set_mask) != 0 || p[87] != 0) {
    return Corruption("tick record: reserved bits set");
  }
  const size_t exchange_len = DecodeFixed16(p + 88);
  const size_t conditions_len = DecodeFixed16(p + 90);
  const size_t total = kTickFixedSize + exchange_len + conditions_len;
  if (in.size() < total) return Corruption("tick record: strings run past the record");
  out->contract_id = static_cast<int64_t>(DecodeFixed64(p + 0));
  out->exchange_ns = static_cast<int64_t>(DecodeFixed64(p + 8));
  out->receive_ns = static_cast<int64_t>(DecodeFixed64(p + 16));
  out->sequence = DecodeFixed64(p + 24);
  out->price = DecodeDouble(p + 32);
  out->bid_price = DecodeDouble(p + 40);
  out->ask_price = DecodeDouble(p + 48);
  IBSTREAM_RETURN_IF_ERROR(GetDecimal(p, 0, set_bits, &out->size));
  if (depth) {
    IBSTREAM_RETURN_IF_ERROR(DecodeDepthFields(p, out));
  } else {
    const bool trade = type == static_cast<uint8_t>(TickType::kTrade);
    IBSTREAM_RETURN_IF_ERROR(GetDecimal(p, 1, set_bits, trade ? &out->volume : &out->bid_size));
    (trade ? out->bid_size : out->volume) = Decimal::Unset();
    IBSTREAM_RETURN_IF_ERROR(GetDecimal(p, 2, set_bits, &out->ask_size));
    out->book_operation = BookOperation::kInsert;
    out->book_side = BookSide::kAsk;
    out->book_position = 0;
  }
  out->type = static_cast<TickType>(type);
  out->source = static_cast<TickSource>(source);
  out->attributes = depth ? 0 : attributes;
  out->exchange = std::string_view(p + kTickFixedSize, exchange_len);
  out->special_conditions = std::string_view(p + kTickFixedSize + exchange_len, conditions_len);
  return total;
}

void TickFromRecord(const TickRecordView& v, Tick* out) {
  out->contract_id = v.contract_id;
  out->exchange_time = FromUnixNanos(v.exchange_ns);
  out->receive_time = FromUnixNanos(v.receive_ns);
  out->sequence = v.sequence;
  out->price = v.price;
  out->bid_price = v.bid_price;
  out->ask_price = v.ask_price;
  out->size = v.size;
  out->bid_size = v.bid_size;
  out->ask_size = v.ask_size;
  out->volume = v.volume;
  out->book_operation = v.book_operation;
  out->book_side = v.book_side;
  out->book_position = v.book_position;
  out->type = v.type;
  out->source = v.source;
  out->attributes = v.attributes;
  out->exchange.assign(v.exchange);
  out->special_conditions.assign(v.special_conditions);
}

Result<size_t> DecodeTick(std::string_view in, Tick* out) {
  TickRecordView v;
  auto used = DecodeTickRecord(in, &v);
  if (used.ok()) TickFromRecord(v, out);
  return used;
}

TickOrderKey OrderKey(const Tick& tick) {
  return TickOrderKey{ToUnixNanos(tick.exchange_time),
                      ToUnixNanos(tick.receive_time),
                      tick.sequence,
                      tick.contract_id,
                      static_cast<uint8_t>(tick.type),
                      static_cast<uint8_t>(tick.source)};
}

TickOrderKey OrderKeyOfRecord(const char* p) {
  return TickOrderKey{static_cast<int64_t>(DecodeFixed64(p + 8)),
                      static_cast<int64_t>(DecodeFixed64(p + 16)),
                      DecodeFixed64(p + 24),
                      static_cast<int64_t>(DecodeFixed64(p + 0)),
                      static_cast<uint8_t>(p[80]),
                      static_cast<uint8_t>(p[81])};
}

bool SameStoredTick(const Tick& a, const Tick& b) {
  return a.contract_id == b.contract_id && a.type == b.type && a.source == b.source &&
         a.attributes == b.attributes && a.exchange_time == b.exchange_time &&
         a.receive_time == b.receive_time && a.sequence == b.sequence &&
         std::bit_cast<uint64_t>(a.price) == std::bit_cast<uint64_t>(b.price) &&
         std::bit_cast<uint64_t>(a.bid_price) == std::bit_cast<uint64_t>(b.bid_price) &&
         std::bit_cast<uint64_t>(a.ask_price) == std::bit_cast<uint64_t>(b.ask_price) &&
         SameDecimal(a.size, b.size) && SameDecimal(a.bid_size, b.bid_size) &&
         SameDecimal(a.ask_size, b.ask_size) && SameDecimal(a.volume, b.volume) &&
         a.book_operation == b.book_operation && a.book_side == b.book_side &&
         a.book_position == b.book_position && a.exchange == b.exchange &&
         a.special_conditions == b.special_conditions;
}

}  // namespace ibstream::storage
