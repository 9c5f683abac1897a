// Reading an archive of the original's v3 files (v3_layout.h) back as ticks: what a user migrating
// from the Python ib-stream needs to read their old data (`ibstream query --v3 DIR`).
//
//   <dir>/v3/json/YYYY/MM/DD/HH/<cid>_<tt>_<epoch>.jsonl
//   <dir>/v3/protobuf/YYYY/MM/DD/HH/<cid>_<tt>_<epoch>.pb
//
// Selection:
//  * Files are chosen by their hour directory and name (conId, tick type); the name's epoch is
//    ignored (files before 2025-08-01 carry one second each) and every record is filtered on its
//    own `ts`: from <= ts < to.
//  * The hours read run from the hour containing `from` (which the original's range query
//    skipped) through the hour containing the last instant before `to`, plus one hour on each
//    side: a record filed one hour off its `ts` is still found, and still returned in order.
//  * The original wrote every tick in both formats. For each hour and tick type, the files of one
//    format are read: `prefer` (JSON by default) when that hour has any for the type, else the
//    other. The other format's files of that hour are counted, not read, so nothing is returned
//    twice. JSON is preferred because a damaged JSON file loses only its bad lines, while a
//    protobuf file loses everything after a broken length prefix, and JSON holds conIds that do
//    not fit protobuf's int32.
//
// Order: by (ts, st, tick type, file, position in file), hour by hour; memory holds about two
// hours of the selected streams.
//
// Damage never stops the read and never crashes it: malformed lines and records, torn protobuf
// tails, records whose conId or tick type differ from their file's name, and files or directories
// that cannot be read are counted and described in V3ArchiveStats, and the read goes on.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "formats/v3_layout.h"
#include "model/tick.h"

namespace ibstream::formats {

struct V3ArchiveRequest {
  // The original's storage directory (its IB_STREAM_STORAGE_PATH), holding v3/; the v3 directory
  // itself is accepted too.
  std::string dir;
  int64_t contract_id = 0;
  std::vector<TickType> types;  // empty: all four
  TimePoint from;               // inclusive
  TimePoint to;                 // exclusive
  V3Format prefer = V3Format::kJson;
};

struct V3ArchiveStats {
  static constexpr size_t kMaxProblems = 16;

  uint64_t hours_read = 0;          // hour directories with at least one selected file
  uint64_t files_read = 0;          // v3 files decoded
  uint64_t files_other_format = 0;  // copies in the other format, not read (see above)
  uint64_t unrecognized_files = 0;  // names in the tree that are not v3 files or dates (ignored)
  uint64_t records_read = 0;        // good records decoded, in range or not
  uint64_t ticks_returned = 0;      // handed to the sink
  uint64_t bad_records = 0;         // malformed, torn, or not of their file's contract/type
  uint64_t unreadable = 0;          // files or directories that could not be read
  // The first kMaxProblems problems, each naming its file: "<path>: line 3: expected ':'".
  std::vector<std::string> problems;

  // No bad record and nothing unreadable.
  bool clean() const { return bad_records == 0 && unreadable == 0; }
  void AddProblem(std::string problem);
};

// Streams the selected ticks to `sink` in order. A sink error stops the read and is returned.
// NotFound when `dir` holds neither v3/json nor v3/protobuf. An empty range returns nothing.
// Returned ticks are as ReadV3File gives them (v3_record.h: source live, sequence = position in
// the file). `stats` may be null.
[[nodiscard]] Status ReadV3Archive(const V3ArchiveRequest& request,
                                   const std::function<Status(const Tick&)>& sink,
                                   V3ArchiveStats* stats);

}  // namespace ibstream::formats
