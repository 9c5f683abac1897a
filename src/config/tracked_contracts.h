// The original's IB_STREAM_TRACKED_CONTRACTS string.
//
// Grammar (docs/ORIGINAL.md §7): `entry[,entry...]`, entry =
// `conId:symbol[:tickTypes[:bufferHours]]`, tickTypes = `type[;type...]` with types bid_ask, last,
// all_last, mid_point (IB's spellings BidAsk, Last, AllLast, MidPoint are accepted too). Example:
// `711280073:MNQ:bid_ask;last:24`.
//
// The original had two parsers: the server's silently skipped entries with fewer than four parts,
// the legacy one accepted two to four and validated. This one follows the legacy parser (missing
// tick types default to bid_ask;last, missing buffer hours to 1) and never skips: any malformed
// entry is an error naming the entry. Spaces around parts are ignored. An empty string means no
// contracts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/tick.h"

namespace ibstream::config {

struct TrackedContractEntry {
  int64_t con_id = 0;
  std::string symbol;
  std::vector<TickType> tick_types;
  int32_t buffer_hours = 1;
  // Whether the entry spelled out tick types / buffer hours (false: defaults were used).
  bool has_tick_types = false;
  bool has_buffer_hours = false;

  friend bool operator==(const TrackedContractEntry&, const TrackedContractEntry&) = default;
};

inline constexpr int32_t kMaxBufferHours = 24 * 366;
// The most market-depth rows per side a contract may ask for (contracts[].depth_rows).
inline constexpr int32_t kMaxDepthRows = 50;

// Errors are InvalidArgument: "entry 2 'x:MNQ': contract id 'x' is not a positive integer".
// Checks: contract id a positive integer, symbol not empty, known tick types without repeats,
// buffer hours 1..kMaxBufferHours, no contract id twice.
Result<std::vector<TrackedContractEntry>> ParseTrackedContracts(std::string_view text);

// The inverse, in the canonical form `711280073:MNQ:bid_ask;last:24`.
std::string FormatTrackedContracts(const std::vector<TrackedContractEntry>& entries);

// "bid_ask;last" from the tick types (the original's names).
std::string FormatTickTypes(const std::vector<TickType>& types, std::string_view separator);

// Parses "bid_ask;last" or "bid_ask,last" (either separator, either spelling), rejecting empty
// lists, empty items and repeats. Only the four tick-by-tick kinds are accepted: `quote` and
// `trade` are an error saying they are recorded automatically when no tick-by-tick slot is free.
Result<std::vector<TickType>> ParseTickTypeList(std::string_view text);

}  // namespace ibstream::config
