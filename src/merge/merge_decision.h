// The decisions of `ibstream merge`, pure and table-tested: what one source holds of one stream in
// one exchange second (its coverage), and which source's ticks the merged store takes for it.
//
// The rule, per stream (contract and kind) and exchange second: take ONE source that covered the
// second, all of its ticks of that second, in order; never mix two sources within a second (so no
// tick is stored twice). Live coverage is preferred to a completed backfill, and among equals the
// source used for the previous second, so the choice does not flap between sources that both
// cover. The merged store has a gap only where no source covered the second.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "storage/gap_ledger.h"

namespace ibstream::merge {

// What one source holds of one stream in one exchange second, best first.
enum class Coverage : uint8_t {
  kLive,        // recording and no gap over the second: its ticks there are all there were
  kBackfilled,  // inside a gap its backfill filled completely: IB's history of the second
  kDamaged,     // would be covered, but some of the source's data there could not be read
  kLost,        // inside a gap not filled (pending, partial, failed): the ticks are missing
  kAbsent,      // outside what it recorded (before its first, after its last tick), no gap
};
std::string_view CoverageName(Coverage coverage);  // "live", "backfilled", ...

struct SecondChoice {
  // Whose ticks of the second the merged store takes (an index into the coverage span); none:
  // no source has anything to give (every one lost it or was not recording).
  std::optional<size_t> source;
  // The merged store lost (part of) the second: no source covered it (live or backfilled) and at
  // least one lost it or holds only damaged data there. Set together with `source` when the best
  // there is is a damaged source's readable ticks.
  bool gap = false;

  friend bool operator==(const SecondChoice&, const SecondChoice&) = default;
};

// The choice for one second. `coverage[i]` is source i's coverage; `previous` the source taken
// for the stream's previous decided second (none at the start). The best coverage wins (live,
// then backfilled, then damaged); among sources of the best coverage, `previous` when it is one
// of them, else the lowest index.
SecondChoice ChooseSource(std::span<const Coverage> coverage, std::optional<size_t> previous);

// One source's coverage of a stream second by second, and the gap record behind each kLost or
// kBackfilled second (null otherwise). Indexes are seconds from `from`.
struct CoverageRun {
  std::vector<Coverage> coverage;
  std::vector<const storage::GapRecord*> gap;
};

// What a source recorded of one stream: [first, last] exchange time, from its ticks, widened to
// whole hours at an end whose hour holds damaged data (where the recording began or ended cannot
// be read there). The readable ticks' own bounds are kept besides (none when none is readable):
// they, not the widened bounds, say how far a merge without --end goes.
struct Extent {
  TimePoint first;
  TimePoint last;
  std::optional<TimePoint> first_tick;
  std::optional<TimePoint> last_tick;
};

// The coverage of the `seconds` exchange seconds from `from` (a whole second) of one stream in
// one source, from what it recorded (`extent`, none when it holds no tick of the stream) and its
// gap ledger's records of the stream (`gaps`, which must outlive the result). A second is
// recorded when it lies within the extent's seconds; a gap record covers every second its
// [start, end) touches. A filled gap makes a second kBackfilled; any other gap state kLost, which
// wins over a filled gap of the same second. Gaps of other streams are ignored.
CoverageRun PaintCoverage(const std::optional<Extent>& extent,
                          std::span<const storage::GapRecord> gaps, const StreamKey& stream,
                          TimePoint from, size_t seconds);

}  // namespace ibstream::merge
