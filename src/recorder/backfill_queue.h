// Which queued backfill goes next: the first whose `not_before` has come. A job waiting out its
// backoff (or the pacer) does not hold up the gaps that are due; among the due ones queue order
// holds. Pure: works on any sequence of elements with a `not_before` TimePoint.
#pragma once

#include <algorithm>

#include "common/clock.h"

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

}  // namespace ibstream::recorder
