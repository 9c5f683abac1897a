// What `ibstream merge` keeps in the merged store between runs, so that a later run appends
// without rewriting or duplicating: per stream, the exchange time up to which every second has
// been decided, the source taken for the last second, and the merged gap still open at that time
// (a later run that finds the same loss continuing extends that record instead of adding one).
//
// File: <merged store>/merge/state.json, written by the rename protocol after the ticks and gap
// records it accounts for are durable. Storage readers ignore the merge/ directory.
//
//   {"version":1,"streams":[{"contract_id":711,"type":"bid_ask","merged_to_ns":...,
//     "source":"a","open_gap_id":3,"open_gap_start_ns":...,"open_gap_cause":"...",
//     "open_gap_reason":"..."}]}
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "model/tick.h"

namespace ibstream::merge {

struct StreamMergeState {
  TimePoint merged_to;  // every second before it is decided (exclusive)
  std::string source;   // the source taken for the last decided second ("" when none yet)
  // The merged gap ending at merged_to, if any (id 0: none).
  uint64_t open_gap_id = 0;
  std::string open_gap_cause;
  std::string open_gap_reason;
  TimePoint open_gap_start;

  friend bool operator==(const StreamMergeState&, const StreamMergeState&) = default;
};

struct MergeState {
  std::map<StreamKey, StreamMergeState> streams;
  friend bool operator==(const MergeState&, const MergeState&) = default;
};

std::string MergeStatePath(const std::string& root);  // <root>/merge/state.json

// The JSON document above, and back. Parsing is strict: ParseError naming what is wrong.
std::string EncodeMergeState(const MergeState& state);
Result<MergeState> DecodeMergeState(std::string_view text);

// An empty state when the file does not exist; errors: unreadable or malformed (a state that
// cannot be read is never guessed at: merging again could duplicate ticks).
Result<MergeState> ReadMergeState(fs::FileSystem* fs, const std::string& root);
Status WriteMergeState(fs::FileSystem* fs, const std::string& root, const MergeState& state);

}  // namespace ibstream::merge
