#include "merge/merge_decision.h"

#include <algorithm>

#include "common/time_units.h"

namespace ibstream::merge {

std::string_view CoverageName(Coverage coverage) {
  switch (coverage) {
    case Coverage::kLive:
      return "live";
    case Coverage::kBackfilled:
      return "backfilled";
    case Coverage::kDamaged:
      return "damaged";
    case Coverage::kLost:
      return "lost";
    case Coverage::kAbsent:
      return "absent";
  }
  return "unknown";
}

SecondChoice ChooseSource(std::span<const Coverage> coverage, std::optional<size_t> previous) {
  SecondChoice choice;
  Coverage best = Coverage::kLost;
  bool any_lost = false;
  for (size_t i = 0; i < coverage.size(); ++i) {
    const Coverage c = coverage[i];
    if (c == Coverage::kLost || c == Coverage::kDamaged) any_lost = true;
    if (c >= Coverage::kLost) continue;
    if (!choice.source || c < best) {
      best = c;
      choice.source = i;
    }
  }
  if (choice.source && previous && *previous < coverage.size() && coverage[*previous] == best) {
    choice.source = previous;
  }
  choice.gap = any_lost && (!choice.source || best == Coverage::kDamaged);
  return choice;
}

namespace {

// The second index of `t` relative to `from`, clamped to [0, seconds].
size_t SecondIndex(TimePoint t, TimePoint from, size_t seconds, bool round_up) {
  if (t <= from) return 0;
  const int64_t ns = (t - from).count();
  int64_t index = ns / kNanosPerSecond;
  if (round_up && ns % kNanosPerSecond != 0) ++index;
  return std::min(static_cast<size_t>(index), seconds);
}

}  // namespace

CoverageRun PaintCoverage(const std::optional<Extent>& extent,
                          std::span<const storage::GapRecord> gaps, const StreamKey& stream,
                          TimePoint from, size_t seconds) {
  CoverageRun run;
  run.coverage.assign(seconds, Coverage::kAbsent);
  run.gap.assign(seconds, nullptr);
  if (extent) {
    const size_t first = SecondIndex(extent->first, from, seconds, false);
    // The last tick's whole second is recorded: [first second, last second + 1).
    const size_t end = SecondIndex(extent->last + std::chrono::nanoseconds(1), from, seconds, true);
    for (size_t i = first; i < end; ++i) run.coverage[i] = Coverage::kLive;
  }
  // Filled gaps first, then the others, so that a lost second stays lost.
  for (const bool filled_pass : {true, false}) {
    for (const storage::GapRecord& gap : gaps) {
      if (gap.stream != stream || gap.end <= gap.start) continue;
      if ((gap.state == storage::BackfillState::kFilled) != filled_pass) continue;
      const size_t first = SecondIndex(gap.start, from, seconds, false);
      const size_t end = SecondIndex(gap.end, from, seconds, true);
      for (size_t i = first; i < end; ++i) {
        run.coverage[i] = filled_pass ? Coverage::kBackfilled : Coverage::kLost;
        run.gap[i] = &gap;
      }
    }
  }
  return run;
}

}  // namespace ibstream::merge
