// A filled gap's timing as the backfill runner measures it (reliability::GapFillTiming) and as
// the gap ledger keeps it (storage::GapFill): the same figures, converted both ways, so a
// reader of the ledger (`ibstream gaps --data`, GET /v1/gaps after a restart) reports what the
// recorder measured.
#pragma once

#include <algorithm>
#include <cstdint>

#include "reliability/fill_time.h"
#include "storage/gap_ledger.h"

namespace ibstream::recorder {

inline storage::GapFill LedgerFill(const reliability::GapFillTiming& timing) {
  storage::GapFill fill;
  fill.queued_at = timing.queued_at;
  fill.filled_at = timing.filled_at;
  fill.requests = static_cast<uint32_t>(std::max(timing.requests, 0));
  fill.requests_needed = static_cast<uint32_t>(std::max(timing.requests_needed, 0));
  fill.pacing_minimum = timing.pacing_minimum;
  fill.round_trip = timing.round_trip;
  return fill;
}

// Counts beyond an int (only in a damaged or hostile ledger) are clamped.
inline reliability::GapFillTiming FillTiming(const storage::GapFill& fill) {
  constexpr uint32_t kMaxCount = 0x7fffffff;
  reliability::GapFillTiming timing;
  timing.queued_at = fill.queued_at;
  timing.filled_at = fill.filled_at;
  timing.requests = static_cast<int>(std::min(fill.requests, kMaxCount));
  timing.requests_needed = static_cast<int>(std::min(fill.requests_needed, kMaxCount));
  timing.pacing_minimum = fill.pacing_minimum;
  timing.round_trip = fill.round_trip;
  return timing;
}

}  // namespace ibstream::recorder
