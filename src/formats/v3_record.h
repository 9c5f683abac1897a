// The record of the original's v3 storage format (docs/ORIGINAL.md §3), shared by the JSON
// and protobuf codecs, and the mapping between it and our Tick.
//
// Mapping decisions (README.md has the full table):
//  * `tt` is the tick type's own storage name: bid_ask, last, all_last, mid_point. The original
//    wrote AllLast as `last` and dropped mid-point ticks; we keep both as themselves, so nothing is
//    lost and the original's reader still finds them by name. Reading `last` gives kLast (in the
//    original's data it may have been AllLast; the file cannot tell).
//  * `ts` = exchange time, `st` = receive time, both in whole microseconds (floored).
//  * `rid` = 0 on everything we write (as the original's live writer did); older files carry
//    other meanings, kept in V3Record::request_id only so that they re-render byte-identically.
//  * bid_ask -> bp, bs, ap, as; last and all_last -> p, s; mid_point -> mp. A NaN price and an
//    unset size are "null" and omitted. Exchange, special conditions, past-limit, source and
//    sequence have no v3 field and are dropped.
//  * Flags: bpl = kAttrBidPastLow, aph = kAttrAskPastHigh, upt = kAttrUnreported, written only
//    when set.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/clock.h"
#include "common/decimal.h"
#include "common/status.h"
#include "model/tick.h"

namespace ibstream::formats {

// One v3 record: a Tick plus the `rid` a Tick has no place for.
//
// Ticks read from v3 files have source kLive, empty exchange and special conditions, and as
// sequence the 1-based position of the record in its file (line number for JSON).
struct V3Record {
  Tick tick;
  // The original's `rid`. JSON allows any int64; protobuf stores an int32.
  int64_t request_id = 0;

  friend bool operator==(const V3Record&, const V3Record&) = default;
};

// `tt` of a tick type: "bid_ask", "last", "all_last", "mid_point".
std::string_view V3TickTypeName(TickType type);
// Exactly one of the four names above (the IB spellings are not v3 names); else ParseError.
Result<TickType> ParseV3TickType(std::string_view name);

// Microseconds since the epoch, floored (the unit of `ts` and `st`).
int64_t ToUnixMicros(TimePoint t);
TimePoint FromUnixMicros(int64_t micros);

// The nearest double to a decimal, without allocating; NaN when unset. (The original converted
// IB's Decimal sizes with float(), which also rounds to nearest.)
double DecimalToNearestDouble(const Decimal& value);

// The decimal a v3 size came from: the shortest digits that read back as `value`, with trailing
// fractional zeros dropped (4.0 -> 4, 0.5 -> 0.5). NaN gives Unset(). Infinity and values
// outside Decimal's range (more than 18 digits after the point, or above int64) are OutOfRange.
Result<Decimal> DecimalFromDouble(double value);

namespace internal {

// The value keys of a v3 record as read; a NaN price or an unset size is absent.
struct V3Values {
  double p;
  Decimal s;
  double bp;
  Decimal bs;
  double ap;
  Decimal as;
  double mp;
  Decimal v;  // trade: cumulative day volume (our extension, not in the original's format)
};

// Moves the values that belong to `tick.type` into `tick` (bid_ask and quote: bp, bs, ap, as;
// last and all_last: p, s; trade: p, s, v; mid_point: mp); the others have no place in that
// tick type and are ignored.
void SetV3Values(Tick& tick, const V3Values& values);

}  // namespace internal
}  // namespace ibstream::formats
