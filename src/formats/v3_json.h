// The original's v3 JSON-lines record (docs/ORIGINAL.md §3.3), byte-compatible.
//
// One compact object per line, keys in the order ts, st, cid, tt, rid, p, s, bp, bs, ap, as, mp,
// bpl, aph, upt; absent values omitted; flags only when true; floats as Python's repr
// (python_float.h); ints as plain decimal. Example (rid 0):
//   {"ts":1754010291000000,"st":1754010291904096,"cid":711280073,"tt":"bid_ask","rid":0,
//    "bp":23260.0,"bs":4.0,"ap":23260.5,"as":2.0}
// (one line, followed by '\n'). v3_record.h documents how Tick fields map to keys.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "formats/v3_record.h"
#include "model/tick.h"

namespace ibstream::formats {

// Appends the v3 JSON line of `tick`, '\n' included, with rid 0.
void AppendV3Json(const Tick& tick, std::string& out);
// Same, with the record's own rid.
void AppendV3Json(const V3Record& record, std::string& out);

// Parses one v3 JSON line (a trailing "\n" or "\r\n" is allowed). Accepts keys in any order,
// ignores unknown keys, treats null as absent, accepts Python's NaN/Infinity tokens (a NaN price
// or size is absent) and integer literals for floats. `ts`, `cid` and `tt` are required; `st`
// and `rid` default to 0. Anything else that is not valid is a ParseError naming the column.
// The tick's sequence is left 0 (the file readers set it).
Result<V3Record> ParseV3JsonLine(std::string_view line);

}  // namespace ibstream::formats
