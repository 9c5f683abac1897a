// Which backfill goes next, and which gaps share one request: pure decisions the backfill runner
// (recorder/backfill_runner.h) carries out.
//
// The historical-request budget is shared by priority: among the queued backfills that are due
// (their backoff and the pacer's wait over), the one of the contract with the best priority (1
// first, the configured `priority`) goes next; ties keep queue order (the gap recorded first). A
// backfill waiting out its backoff never holds up a due one of lower priority.
//
// Adjacent small gaps of one stream (a flapping link leaves many) are coalesced: gaps, in order,
// are merged while the union from the first one's start to the last one's end is expected to fit
// one request (IB answers at most `ticks_per_request` ticks; the expectation is the union's length
// times the stream's recent tick rate, with a margin). The merged request keeps only the ticks of
// its gaps (the stretches between them were recorded live). Without a known rate nothing is
// merged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/clock.h"

namespace ibstream::reliability {

struct BackfillCandidate {
  TimePoint not_before;  // due from then on
  int priority = 100;    // the contract's: 1 first
};

// The index of the backfill to send next at `now`, or empty when none is due.
std::optional<size_t> PickNextBackfill(const std::vector<BackfillCandidate>& queue, TimePoint now);

struct GapSpan {
  uint64_t id = 0;
  int64_t first_second = 0;  // inclusive
  int64_t last_second = 0;   // inclusive

  friend bool operator==(const GapSpan&, const GapSpan&) = default;
};

struct CoalescingOptions {
  int ticks_per_request = 1000;  // IB's page size for reqHistoricalTicks
  // The part of a request a union may be expected to fill (the rate is only an estimate).
  double fill_margin = 0.5;
};

// One request covering several gaps of one stream: [first_second, last_second] and the gaps'
// own spans (ordered), whose ticks alone are kept.
struct CoalescedRequest {
  int64_t first_second = 0;
  int64_t last_second = 0;
  std::vector<GapSpan> gaps;

  friend bool operator==(const CoalescedRequest&, const CoalescedRequest&) = default;
};

// Whether [first_second, last_second] is expected to fit one request at `ticks_per_second` (the
// stream's recent rate; zero or negative: unknown, false).
bool FitsOneRequest(int64_t first_second, int64_t last_second, double ticks_per_second,
                    const CoalescingOptions& options = {});

// The gaps of one stream grouped into requests: sorted by start, each merged into the request
// before it while the union fits one request; a gap too large alone is a request of its own.
std::vector<CoalescedRequest> CoalesceGaps(std::vector<GapSpan> gaps, double ticks_per_second,
                                           const CoalescingOptions& options = {});

}  // namespace ibstream::reliability
