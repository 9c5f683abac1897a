// The tick record: how one Tick is laid out in bytes, identically in journals and closed files.
//
// Layout version 1, little-endian, 92 fixed bytes followed by two strings (FORMAT.md §2):
//
//   off size field
//    0   8   i64 contract_id
//    8   8   i64 exchange_time_ns     (IB time, ns since the Unix epoch)
//   16   8   i64 receive_time_ns      (local receive time, ns since the Unix epoch)
//   24   8   u64 sequence             (arrival order within the stream)
//   32   8   f64 price                (IEEE-754 bits, exact)
//   40   8   f64 bid_price
//   48   8   f64 ask_price
//   56   8   i64 size mantissa        (value = mantissa * 10^-scale)
//   64   8   i64 bid_size mantissa    (trade: the volume's)
//   72   8   i64 ask_size mantissa
//   80   1   u8  tick_type            (1 bid_ask, 2 last, 3 all_last, 4 mid_point, 5 quote,
//                                         6 trade, 7 depth)
//   81   1   u8  source               (0 live, 1 backfill)
//   82   1   u8  attributes           (TickAttribute bits)
//   83   1   u8  decimal_set          (bit0 size, bit1 bid_size, bit2 ask_size are set)
//   84   1   u8  size scale
//   85   1   u8  bid_size scale
//   86   1   u8  ask_size scale
//   87   1   u8  reserved, 0
//   88   2   u16 exchange length E
//   90   2   u16 special_conditions length C
//   92   E   exchange bytes, then C special_conditions bytes
//
// An unset Decimal is stored with its bit clear, mantissa 0 and scale 0. A trade (the reqMktData
// fallback kind) has no bid: its `volume` is stored in the bid size slot (mantissa, set bit1,
// scale at 85) and decodes back into `volume`; no other kind stores `volume`. A depth record
// (type 7) stores the row's price and size in `price` and `size`, its position as a plain u64 in
// the bid size slot (bit1 clear, scale 0), nothing in the ask size slot, its operation (bits 0-1:
// 0 insert, 1 update, 2 delete, 3 reset) and side (bit 2: 1 bid) in the attributes byte, and its
// market maker in the exchange string (FORMAT.md §2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "common/status.h"
#include "model/tick.h"

namespace ibstream::storage {

inline constexpr uint16_t kTickLayoutVersion = 1;
inline constexpr size_t kTickFixedSize = 92;

// Whether `value` is a stored tick type byte (1..7: the four tick-by-tick kinds, quote, trade,
// depth), in tick records, closed-file headers and gap records alike.
inline bool IsStoredTickType(uint8_t value) {
  return value >= static_cast<uint8_t>(TickType::kBidAsk) &&
         value <= static_cast<uint8_t>(TickType::kDepth);
}

// Whether the tick can be stored (its strings fit the u16 length fields). Inline: it runs on
// every Append.
inline Status ValidateTickForStorage(const Tick& tick) {
  constexpr size_t kMaxString = std::numeric_limits<uint16_t>::max();
  if (tick.exchange.size() > kMaxString || tick.special_conditions.size() > kMaxString)
      [[unlikely]] {
    return InvalidArgument("tick strings longer than 65535 bytes cannot be stored");
  }
  return Status::Ok();
}

inline size_t EncodedTickSize(const Tick& tick) {
  return kTickFixedSize + tick.exchange.size() + tick.special_conditions.size();
}

// Appends the record of a valid tick (see ValidateTickForStorage) to `out`.
void AppendTick(const Tick& tick, std::string* out);
// Writes the record of a valid tick to `dst`, which has room for EncodedTickSize(tick) bytes
// (for encoding in place, e.g. into a reserved log record).
void EncodeTick(const Tick& tick, char* dst);
// EncodeTick, returning crc32c::Extend(crc, dst, EncodedTickSize(tick)). With the SSE4.2 crc32
// instruction the checksum is computed from the values as they are stored, without reading the
// bytes back; otherwise EncodeTick then crc32c::Extend (the portable path, exposed for tests).
uint32_t EncodeTickExtendCrc(const Tick& tick, char* dst, uint32_t crc);
uint32_t EncodeTickExtendCrcPortableForTest(const Tick& tick, char* dst, uint32_t crc);

// The fields of one checked record, decoded without copying its strings: `exchange` and
// `special_conditions` point into the record's bytes and live as long as they do. The Tick
// fields of the same names mean the same; times are Unix nanoseconds.
struct TickRecordView {
  int64_t contract_id = 0;
  int64_t exchange_ns = 0;
  int64_t receive_ns = 0;
  uint64_t sequence = 0;
  double price = 0;
  double bid_price = 0;
  double ask_price = 0;
  Decimal size, bid_size, ask_size, volume;
  TickType type = TickType::kBidAsk;
  TickSource source = TickSource::kLive;
  uint8_t attributes = 0;
  BookOperation book_operation = BookOperation::kInsert;
  BookSide book_side = BookSide::kAsk;
  int32_t book_position = 0;
  std::string_view exchange;
  std::string_view special_conditions;
};

// Checks and decodes one record from the front of `in` into `out`; returns the bytes consumed.
// Bytes that do not form a valid record (short, unknown type, bad scale, non-zero reserved bits)
// give Corruption. The one decoder of the record: DecodeTick and the column reader
// (column_query.h) both use it.
Result<size_t> DecodeTickRecord(std::string_view in, TickRecordView* out);

// The Tick a decoded record holds (its strings copied).
void TickFromRecord(const TickRecordView& record, Tick* out);

// DecodeTickRecord into a Tick (its strings copied).
Result<size_t> DecodeTick(std::string_view in, Tick* out);

// The key that orders ticks in files and query results: exchange time, then arrival.
struct TickOrderKey {
  int64_t exchange_ns;
  int64_t receive_ns;
  uint64_t sequence;
  int64_t contract_id;
  uint8_t type;
  uint8_t source;
  friend auto operator<=>(const TickOrderKey&, const TickOrderKey&) = default;
};
TickOrderKey OrderKey(const Tick& tick);

// Reads the order key straight from an encoded record (no string decoding); `record` must be at
// least kTickFixedSize bytes.
TickOrderKey OrderKeyOfRecord(const char* record);

// Bit-exact equality of everything stored (Tick's operator== compares decimals by value).
bool SameStoredTick(const Tick& a, const Tick& b);

}  // namespace ibstream::storage
