// Where the original's v3 files live (docs/ORIGINAL.md §3.1, §3.2).
//
//   <base>/v3/json/YYYY/MM/DD/HH/<cid>_<tt>_<hourEpoch>.jsonl
//   <base>/v3/protobuf/YYYY/MM/DD/HH/<cid>_<tt>_<hourEpoch>.pb
//
// The partition is the UTC hour of the tick's exchange time (`ts`), never its receive time;
// <hourEpoch> is the Unix second at which that hour starts. <tt> is V3TickTypeName.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "model/tick.h"

namespace ibstream::formats {

enum class V3Format : uint8_t {
  kJson = 0,
  kProtobuf = 1,
};

// "json" / "protobuf": the directory under v3/.
std::string_view V3FormatDirectory(V3Format format);
// "jsonl" / "pb": the file extension, without the dot.
std::string_view V3FormatExtension(V3Format format);

// The Unix second that starts the UTC hour containing `ts` (floored, also before 1970).
int64_t V3HourEpoch(TimePoint ts);

// "v3/json/2025/08/21/14/711280073_bid_ask_1755784800.jsonl" for a tick at 2025-08-21 14:xx UTC:
// relative to the storage base directory, '/'-separated.
std::string V3RelativePath(V3Format format, StreamKey stream, TimePoint ts);

// What a v3 file name says.
struct V3FileName {
  int64_t contract_id = 0;
  TickType type = TickType::kBidAsk;
  // The name's epoch: the hour start for current files, the tick's own second for files written
  // before 2025-08-01 (one file per second). Readers must filter on `ts`, not on this.
  int64_t epoch = 0;
  V3Format format = V3Format::kJson;

  friend bool operator==(const V3FileName&, const V3FileName&) = default;
};

// Parses "<cid>_<tt>_<epoch>.jsonl" or ".pb"; a leading directory is ignored. Split on '_': the
// first part is the conId, the last the epoch (any value), the parts between re-joined with '_'
// the tick type ("all_last"). ParseError for anything else.
Result<V3FileName> ParseV3FileName(std::string_view name);

}  // namespace ibstream::formats
