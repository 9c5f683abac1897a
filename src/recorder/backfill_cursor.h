// Where the backfill of a gap taken up again (resumed at start, retried by an operator, or by
// `ibstream backfill`) starts: after what is already stored, so that a partial gap's backfilled
// ticks are not fetched and stored twice.
//
// The cursor is the last second of the gap that already holds a backfilled tick of its stream, and
// the job starts there, that second included: a crash, or storage refusing a tick, may have cut a
// page inside that second, so it is fetched again whole; queries reconcile the repeat (a
// backfilled tick equal to one of an earlier backfill of the same second is returned once,
// storage/query.h). A gap with no backfilled tick starts at its start.
#pragma once

#include <cstdint>
#include <optional>

#include "common/status.h"
#include "storage/gap_ledger.h"
#include "storage/store.h"

namespace ibstream::recorder {

// The first second to fetch: max(first, last_backfilled) when a backfilled tick is known, else
// `first`; never after `last` (the gap's last second). Pure.
int64_t ResumeSecond(int64_t first, int64_t last, std::optional<int64_t> last_backfilled);

// The exchange second of the latest backfilled tick of `gap`'s stream within [start, end), read
// from `store` (empty: none). An error when the store cannot be read; damaged data skipped by the
// query is not an error (the cursor is then at most too early).
[[nodiscard]] Result<std::optional<int64_t>> LastBackfilledSecond(const storage::Store& store,
                                                                  const storage::GapRecord& gap);

// The gap's first second to fetch, from the store; the gap's start when the store cannot say.
int64_t BackfillCursor(const storage::Store& store, const storage::GapRecord& gap);

}  // namespace ibstream::recorder
