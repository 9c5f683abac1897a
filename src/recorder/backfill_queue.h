// Which queued backfill goes next: the first whose `not_before` has come (BringFirstDueToFront),
// or among those the one of the best priority (BringNextToFront, what the runners use). A job
// waiting out its backoff (or the pacer) does not hold up the gaps that are due; among the due ones
// queue order holds. Pure: works on any sequence of elements with a `not_before` TimePoint.
#pragma once

#include <algorithm>
#include <vector>

#include "common/clock.h"
#include "reliability/backfill_schedule.h"

namespace ibstream::recorder {

// Moves the first element due at `now` to the front, the elements before it keeping their order
// behind it. False (nothing moved) when none is due.
template <typename Queue>
bool BringFirstDueToFront(Queue& queue, TimePoint now) {
  auto due = std::find_if(queue.begin(), queue.end(),
                          [now](const auto& item) { return item.not_before <= now; });
  if (due == queue.end()) return false;
  std::rotate(queue.begin(), due, std::next(due));
  return true;
}

// The historical budget shared by priority (reliability/backfill_schedule.h): moves the due
// element of the best `priority` (1 first; ties: the earliest in the queue) to the front, the
// elements before it keeping their order behind it. False (nothing moved) when none is due.
template <typename Queue>
bool BringNextToFront(Queue& queue, TimePoint now) {
  std::vector<reliability::BackfillCandidate> candidates;
  candidates.reserve(queue.size());
  for (const auto& item : queue) candidates.push_back({item.not_before, item.priority});
  const std::optional<size_t> next = reliability::PickNextBackfill(candidates, now);
  if (!next) return false;
  auto it = std::next(queue.begin(), static_cast<std::ptrdiff_t>(*next));
  std::rotate(queue.begin(), it, std::next(it));
  return true;
}

}  // namespace ibstream::recorder
