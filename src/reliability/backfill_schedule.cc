#include "reliability/backfill_schedule.h"

#include <algorithm>

namespace ibstream::reliability {

std::optional<size_t> PickNextBackfill(const std::vector<BackfillCandidate>& queue, TimePoint now) {
  std::optional<size_t> best;
  for (size_t i = 0; i < queue.size(); ++i) {
    if (queue[i].not_before > now) continue;
    if (!best || queue[i].priority < queue[*best].priority) best = i;
  }
  return best;
}

bool FitsOneRequest(int64_t first_second, int64_t last_second, double ticks_per_second,
                    const CoalescingOptions& options) {
  if (ticks_per_second <= 0 || last_second < first_second) return false;
  const double seconds = static_cast<double>(last_second - first_second + 1);
  return seconds * ticks_per_second <= options.fill_margin * options.ticks_per_request;
}

std::vector<CoalescedRequest> CoalesceGaps(std::vector<GapSpan> gaps, double ticks_per_second,
                                           const CoalescingOptions& options) {
  std::sort(gaps.begin(), gaps.end(), [](const GapSpan& a, const GapSpan& b) {
    return a.first_second != b.first_second ? a.first_second < b.first_second : a.id < b.id;
  });
  std::vector<CoalescedRequest> out;
  for (const GapSpan& gap : gaps) {
    if (!out.empty()) {
      CoalescedRequest& last = out.back();
      const int64_t end = std::max(last.last_second, gap.last_second);
      if (FitsOneRequest(last.first_second, end, ticks_per_second, options)) {
        last.last_second = end;
        last.gaps.push_back(gap);
        continue;
      }
    }
    out.push_back(CoalescedRequest{gap.first_second, gap.last_second, {gap}});
  }
  return out;
}

}  // namespace ibstream::reliability
