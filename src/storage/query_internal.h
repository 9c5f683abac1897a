// The pieces of a range query (query.h) that the Tick reader (QueryTicks) and the column reader
// (column_query.h) share, so that both visit the same files in the same order, skip and report
// damage alike and keep the same ticks. Internal to storage.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "model/tick.h"
#include "storage/closed_file.h"
#include "storage/query.h"
#include "storage/tick_codec.h"

namespace ibstream::storage::query_internal {

// The start of the UTC hour holding `ns`, in Unix nanoseconds.
int64_t HourOfNanos(int64_t ns);

// Calls `on` for every checked record of a `wanted` stream with lo <= exchange time < hi in the
// store's journals (`bytes` is the record, valid during the call). Damaged journals and regions
// are listed in *stats; an error only when the journal directory cannot be listed.
Status ScanQueryJournals(
    fs::FileSystem* fs, const std::string& root, const std::set<StreamKey>& wanted, int64_t lo,
    int64_t hi, const std::function<void(const TickRecordView& record, std::string_view bytes)>& on,
    QueryStats* stats);

// Adds to *hours the closed hour directories (Unix nanoseconds) that may hold ticks of
// [from, to). A dated entry that cannot be listed is skipped and listed in *stats.
Status ListClosedHours(fs::FileSystem* fs, const std::string& root, TimePoint from, TimePoint to,
                       std::set<int64_t>* hours, QueryStats* stats);

// Opens each closed file of a `wanted` stream in the hour's directory, in name order, and calls
// `read` with it. A file that does not open or whose `read` fails is listed in *stats as skipped
// (with its size); the others count in stats->closed_files_read.
void ReadClosedFilesOfHour(fs::FileSystem* fs, const std::string& root, int64_t hour,
                           const std::set<StreamKey>& wanted,
                           const std::function<Status(const ClosedFileReader&)>& read,
                           QueryStats* stats);

// Orders (key, index) pairs made in the order the records were read: an hour is a few runs
// already in order (one per closed file, then the journal's), which are merged; many runs are
// sorted. Equal keys keep their index order. False when the pairs were in order already.
bool SortOrderKeys(std::vector<std::pair<TickOrderKey, size_t>>* keys);

// The deduplication rule of query.h on one exchange time's ticks v[i, j) (sorted by OrderKey):
// clears (*keep)[k] for each tick to drop and counts it in *stats.
void MarkDuplicatesInGroup(const std::vector<Tick>& v, size_t i, size_t j, std::vector<bool>* keep,
                           QueryStats* stats);

}  // namespace ibstream::storage::query_internal
