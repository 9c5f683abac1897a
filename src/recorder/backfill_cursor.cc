#include "recorder/backfill_cursor.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ibstream::recorder {

int64_t ResumeSecond(int64_t first, int64_t last, std::optional<int64_t> last_backfilled) {
  if (!last_backfilled) return first;
  return std::clamp(*last_backfilled, first, std::max(first, last));
}

Result<std::optional<int64_t>> LastBackfilledSecond(const storage::Store& store,
                                                    const storage::GapRecord& gap) {
  std::optional<int64_t> last;
  const Status read = store.Query(
      storage::QueryRequest{{gap.stream}, gap.start, gap.end},
      [&last](const Tick& t) {
        if (t.source == TickSource::kBackfill) {
          last = ToUnixSeconds(t.exchange_time);
        }
        return Status::Ok();
      },
      nullptr);
  if (!read.ok()) return read;
  return last;
}

int64_t BackfillCursor(const storage::Store& store, const storage::GapRecord& gap) {
  const int64_t first = ToUnixSeconds(gap.start);
  const int64_t last = ToUnixSeconds(gap.end) - 1;
  auto stored = LastBackfilledSecond(store, gap);
  if (!stored.ok()) {
    spdlog::warn("event=backfill_cursor_unknown gap={} error=\"{}\"", gap.id,
                 stored.status().ToString());
    return first;
  }
  const int64_t cursor = ResumeSecond(first, last, *stored);
  if (cursor != first) {
    spdlog::info("event=backfill_cursor gap={} stream={} from={}", gap.id, ToString(gap.stream),
                 FormatIsoUtc(FromUnixSeconds(cursor)));
  }
  return cursor;
}

}  // namespace ibstream::recorder
