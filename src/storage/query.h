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
//      A trade's day volume is content only when both ticks have one: IB's tick history has
//      none, so a backfilled trade matches the live trade of the same second, price and size.
//      (A live quote carries its receive time, so it rarely shares an exchange time with a
//      backfilled one; both are kept.)
//   3. before rule 2, backfilled ticks of two backfills of the same second (told apart by their
//      receive time: one page is received at one instant) are reconciled: of ticks with equal
//      content, as many are returned as the backfill with the most of them holds (the earliest
//      backfill's ticks first), so a second fetched again when a partial gap is resumed is
//      returned once.
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

// Data a query could not read: one damaged file, damaged region of a journal, or directory.
struct SkippedData {
  std::string path;
  uint64_t bytes = 0;  // bytes left unread (the whole file for a file skipped entirely)
  std::string reason;  // what is wrong, e.g. "journal header: bad magic"
};

struct QueryStats {
  uint64_t closed_files_read = 0;
  uint64_t journals_read = 0;
  uint64_t ticks_returned = 0;
  uint64_t duplicates_dropped = 0;
  uint64_t backfill_overlaps_dropped = 0;
  uint64_t backfill_repeats_dropped = 0;  // rule 3
  uint64_t corrupt_files = 0;  // files or directories (partly) skipped as damaged (also logged)
  uint64_t skipped_bytes = 0;  // sum of skipped[].bytes
  std::vector<SkippedData> skipped;  // every skipped piece, in the order found

  // True when nothing was skipped: the answer holds every stored tick of the request.
  bool complete() const { return skipped.empty(); }
};

// Streams the matching ticks to `sink` in order. A sink error stops the query and is returned.
// Damage never fails the query and is never skipped silently: a closed file that fails its checks,
// a journal with a damaged header or damaged records, and an entry that should be a directory but
// cannot be listed (e.g. a file where an hour's directory should be) are each skipped, logged and
// listed in stats->skipped with their path and size (`verify` reports them in detail); the rest
// is returned. `stats` may be null.
Status QueryTicks(fs::FileSystem* fs, const std::string& root, const QueryRequest& request,
                  const std::function<Status(const Tick&)>& sink, QueryStats* stats);

// The deduplication rule above, applied to ticks already sorted by OrderKey (`stats` may be null).
// Exposed for tests.
void DeduplicateSorted(std::vector<Tick>* ticks, QueryStats* stats);

}  // namespace ibstream::storage
