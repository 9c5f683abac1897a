// Which stream kinds a recorder needed, and over which intervals, from its route log
// (storage/route_log.h).
//
// A configured stream (contract x tick-by-tick type) on route tick_by_tick needs its own kind; on
// route fallback it needs its contract's fallback kind (`quote` for bid_ask and mid_point,
// `trade` for last and all_last); unserved and removed streams need nothing. A fallback kind is
// needed while at least one configured stream of its contract needs it. The recorder's first
// record of a process (`session_start`) ends every route an earlier process left that it does
// not name.
//
// Pure: NeededSpans() reads no clock and no file; its answer depends only on the records (sorted
// by time, stable, before they are applied).
#pragma once

#include <map>
#include <vector>

#include "common/clock.h"
#include "model/tick.h"
#include "storage/route_log.h"

namespace ibstream::verify {

// [from, to); `to` is TimePoint::max() for a need still open at the last record.
struct NeedSpan {
  TimePoint from;
  TimePoint to;

  friend bool operator==(const NeedSpan&, const NeedSpan&) = default;
};

struct RouteNeeds {
  // Every kind the records ever named: the configured streams' tick-by-tick kinds, and the
  // fallback kinds of their contracts (those with no span were never needed).
  std::map<StreamKey, std::vector<NeedSpan>> spans;

  // Whether the records say anything about `key` (its spans, possibly none, are the truth).
  bool Knows(const StreamKey& key) const { return spans.contains(key); }
  // The spans of `key`; empty when it was never needed (or is not known).
  const std::vector<NeedSpan>& Of(const StreamKey& key) const;
};

RouteNeeds NeededSpans(std::vector<storage::RouteChange> changes);

// The whole seconds a need judges: from the first whole second after it began to the whole
// second it ended in (the partial seconds at either edge are left out, as for a stream's first ask
// and its cancel), so [12:00:04.3, 12:00:09.6) judges [12:00:05, 12:00:09). A span left empty is
// dropped; an open end stays open.
std::vector<NeedSpan> WholeSeconds(const std::vector<NeedSpan>& spans);

}  // namespace ibstream::verify
