#include "storage/tick_codec.h"

#include <bit>
#include <limits>

#include "storage/coding.h"

namespace ibstream::storage {
namespace {

constexpr size_t kMaxString = std::numeric_limits<uint16_t>::max();

void PutDecimal(const Decimal& d, int bit, char* mantissa_at, char* scale_at, uint8_t* set_bits) {
  if (d.is_set()) {
    EncodeFixed64(mantissa_at, static_cast<uint64_t>(d.mantissa()));
    *scale_at = static_cast<char>(d.scale());
    *set_bits = static_cast<uint8_t>(*set_bits | (1u << bit));
  } else {
    EncodeFixed64(mantissa_at, 0);
    *scale_at = 0;
  }
}

Status GetDecimal(const char* p, int bit, uint8_t set_bits, Decimal* out) {
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

bool SameDecimal(const Decimal& a, const Decimal& b) {
  return a.is_set() == b.is_set() && a.mantissa() == b.mantissa() && a.scale() == b.scale();
}

}  // namespace

Status ValidateTickForStorage(const Tick& tick) {
  if (tick.exchange.size() > kMaxString || tick.special_conditions.size() > kMaxString) {
    return InvalidArgument("tick strings longer than 65535 bytes cannot be stored");
  }
  return Status::Ok();
}

size_t EncodedTickSize(const Tick& tick) {
  return kTickFixedSize + tick.exchange.size() + tick.special_conditions.size();
}

void AppendTick(const Tick& tick, std::string* out) {
  const size_t start = out->size();
  out->resize(start + EncodedTickSize(tick));
  char* p = out->data() + start;
  EncodeFixed64(p + 0, static_cast<uint64_t>(tick.contract_id));
  EncodeFixed64(p + 8, static_cast<uint64_t>(ToUnixNanos(tick.exchange_time)));
  EncodeFixed64(p + 16, static_cast<uint64_t>(ToUnixNanos(tick.receive_time)));
  EncodeFixed64(p + 24, tick.sequence);
  EncodeDouble(p + 32, tick.price);
  EncodeDouble(p + 40, tick.bid_price);
  EncodeDouble(p + 48, tick.ask_price);
  uint8_t set_bits = 0;
  PutDecimal(tick.size, 0, p + 56, p + 84, &set_bits);
  PutDecimal(tick.bid_size, 1, p + 64, p + 85, &set_bits);
  PutDecimal(tick.ask_size, 2, p + 72, p + 86, &set_bits);
  p[80] = static_cast<char>(tick.type);
  p[81] = static_cast<char>(tick.source);
  p[82] = static_cast<char>(tick.attributes);
  p[83] = static_cast<char>(set_bits);
  p[87] = 0;
  EncodeFixed16(p + 88, static_cast<uint16_t>(tick.exchange.size()));
  EncodeFixed16(p + 90, static_cast<uint16_t>(tick.special_conditions.size()));
  char* s = p + kTickFixedSize;
  if (!tick.exchange.empty()) std::memcpy(s, tick.exchange.data(), tick.exchange.size());
  s += tick.exchange.size();
  if (!tick.special_conditions.empty()) {
    std::memcpy(s, tick.special_conditions.data(), tick.special_conditions.size());
  }
}

Result<size_t> DecodeTick(std::string_view in, Tick* out) {
  if (in.size() < kTickFixedSize) return Corruption("tick record: shorter than 92 bytes");
  const char* p = in.data();
  const auto type = static_cast<uint8_t>(p[80]);
  const auto source = static_cast<uint8_t>(p[81]);
  const auto attributes = static_cast<uint8_t>(p[82]);
  const auto set_bits = static_cast<uint8_t>(p[83]);
  if (type < 1 || type > 4) return Corruption("tick record: unknown tick type");
  if (source > 1) return Corruption("tick record: unknown source");
  if ((attributes & ~0x0fu) != 0 || (set_bits & ~0x07u) != 0 || p[87] != 0) {
    return Corruption("tick record: reserved bits set");
  }
  const size_t exchange_len = DecodeFixed16(p + 88);
  const size_t conditions_len = DecodeFixed16(p + 90);
  const size_t total = kTickFixedSize + exchange_len + conditions_len;
  if (in.size() < total) return Corruption("tick record: strings run past the record");
  out->contract_id = static_cast<int64_t>(DecodeFixed64(p + 0));
  out->exchange_time = FromUnixNanos(static_cast<int64_t>(DecodeFixed64(p + 8)));
  out->receive_time = FromUnixNanos(static_cast<int64_t>(DecodeFixed64(p + 16)));
  out->sequence = DecodeFixed64(p + 24);
  out->price = DecodeDouble(p + 32);
  out->bid_price = DecodeDouble(p + 40);
  out->ask_price = DecodeDouble(p + 48);
  IBSTREAM_RETURN_IF_ERROR(GetDecimal(p, 0, set_bits, &out->size));
  IBSTREAM_RETURN_IF_ERROR(GetDecimal(p, 1, set_bits, &out->bid_size));
  IBSTREAM_RETURN_IF_ERROR(GetDecimal(p, 2, set_bits, &out->ask_size));
  out->type = static_cast<TickType>(type);
  out->source = static_cast<TickSource>(source);
  out->attributes = attributes;
  out->exchange.assign(p + kTickFixedSize, exchange_len);
  out->special_conditions.assign(p + kTickFixedSize + exchange_len, conditions_len);
  return total;
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
         SameDecimal(a.ask_size, b.ask_size) && a.exchange == b.exchange &&
         a.special_conditions == b.special_conditions;
}

}  // namespace ibstream::storage
