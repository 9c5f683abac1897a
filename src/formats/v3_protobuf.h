// The original's v3 protobuf record (docs/ORIGINAL.md §3.4), encoded by hand.
//
// Message `ib_stream.v3.TickMessage` (proto3):
//   int64 ts = 1; int64 st = 2; int32 cid = 3; string tt = 4; int32 rid = 5;
//   optional double p = 10, s = 11, bp = 12, bs = 13, ap = 14, as = 15, mp = 16;
//   optional bool bpl = 20, aph = 21, upt = 22;
// Fields are written in field-number order, as protobuf serializers do. The implicit-presence
// fields (1-5) are omitted when zero/empty; an explicit double is written whenever present (a NaN
// price or unset size is absent); a flag only when true. Doubles are fixed64 little-endian.
//
// File framing: every record is a 4-byte unsigned BIG-endian length, then that many message
// bytes; no header, no checksum. (The original's HTTP query reader unpacked the prefix as
// little-endian, which never matched its own writer; see README.md.)
//
// Sizes as we write them: a bid/ask tick with a 16-digit µs ts/st, a 9-digit conId and rid 0 is
// 69 + 4 = 73 bytes; a last tick 48 + 4 = 52 bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "formats/v3_record.h"
#include "model/tick.h"

namespace ibstream::formats {

inline constexpr size_t kV3LengthPrefixBytes = 4;

// Appends one framed record (big-endian length + message) for `tick` with rid 0.
// OutOfRange, with `out` unchanged, when the conId does not fit the field's int32.
[[nodiscard]] Status AppendV3Protobuf(const Tick& tick, std::string& out);
// Same with the record's rid (which must fit an int32 too).
[[nodiscard]] Status AppendV3Protobuf(const V3Record& record, std::string& out);

// Appends the message alone, without the length prefix.
[[nodiscard]] Status AppendV3ProtobufMessage(const V3Record& record, std::string& out);

// Parses one message (no prefix). Unknown fields of the four usual wire types are skipped; a
// known field with the wrong wire type, a truncated field, a group or an unknown or missing `tt`
// is a ParseError naming the byte offset. The tick's sequence is left 0.
Result<V3Record> ParseV3ProtobufMessage(std::string_view message);

}  // namespace ibstream::formats
