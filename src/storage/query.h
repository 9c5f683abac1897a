// Range queries by IB (exchange) time over closed files and journals (FORMAT.md §7).
//
// Results come in order of (exchange time, receive time, sequence, contract, type), hour by
// hour, so memory holds at most one hour of the selected streams plus the matching journal
// ticks. Deduplication rule, applied within each (stream, exchange time):
//   1. a record stored twice (bit-identical, e.g. in a journal and in the closed file made
//      from it while a conversion raced the query) is returned once;
//   2. a backfilled tick whose content (prices, sizes, attributes, exchange, conditions)
//      equals that of a live tick is dropped, matching one-to-one: live wins, and backfilled
//      ticks beyond the live count are kept (identical ticks in one second are legitimate).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "model/tick.h"

namespace ibstream::storage {

struct QueryRequest {
  std::vector<StreamKey> streams;  // empty: nothing is returned
  TimePoint from;                  // inclusive
  TimePoint to;                    // exclusive
};

struct QueryStats {
  uint64_t closed_files_read = 0;
  uint64_t journals_read = 0;
  uint64_t ticks_returned = 0;
  uint64_t duplicates_dropped = 0;
  uint64_t backfill_overlaps_dropped = 0;
  uint64_t corrupt_files = 0;  // files skipped because they failed checks (also logged)
};

// Streams the matching ticks to `sink` in order. A sink error stops the query and is returned.
// Damaged files are skipped, counted and logged (`verify` reports them in detail). `stats` may be
// null.
Status QueryTicks(fs::FileSystem* fs, const std::string& root, const QueryRequest& request,
                  const std::function<Status(const Tick&)>& sink, QueryStats* stats);

// The deduplication rule above, applied to ticks already sorted by OrderKey (`stats` may be null).
// Exposed for tests.
void DeduplicateSorted(std::vector<Tick>* ticks, QueryStats* stats);

}  // namespace ibstream::storage
