#include "merge/merge_decision.h"

#include <gtest/gtest.h>

#include <vector>

namespace ibstream::merge::merge_decision_test {
namespace {

using C = Coverage;
constexpr std::optional<size_t> kNone = std::nullopt;

struct ChoiceCase {
  const char* name;
  std::vector<Coverage> coverage;
  std::optional<size_t> previous;
  std::optional<size_t> source;
  bool gap;
};

TEST(ChooseSourceTest, Table) {
  const ChoiceCase cases[] = {
      {"no sources", {}, kNone, kNone, false},
      {"one live", {C::kLive}, kNone, 0, false},
      {"both live, no previous: the first", {C::kLive, C::kLive}, kNone, 0, false},
      {"both live: stays with the previous", {C::kLive, C::kLive}, 1, 1, false},
      {"previous lost: the other", {C::kLive, C::kLost}, 1, 0, false},
      {"previous absent: the other", {C::kAbsent, C::kLive}, 0, 1, false},
      {"live beats backfilled", {C::kBackfilled, C::kLive}, 0, 1, false},
      {"backfilled when nothing live", {C::kBackfilled, C::kLost}, kNone, 0, false},
      {"backfilled beats damaged", {C::kDamaged, C::kBackfilled}, 0, 1, false},
      {"live beats damaged", {C::kDamaged, C::kLive}, 0, 1, false},
      {"only damaged: taken, and a gap", {C::kDamaged, C::kLost}, kNone, 0, true},
      {"two damaged: previous kept, a gap", {C::kDamaged, C::kDamaged}, 1, 1, true},
      {"every source lost it: a gap", {C::kLost, C::kLost}, 0, kNone, true},
      {"lost and not recording: a gap", {C::kAbsent, C::kLost}, kNone, kNone, true},
      {"nobody recording: nothing, no gap", {C::kAbsent, C::kAbsent}, 1, kNone, false},
      {"previous out of range ignored", {C::kLive, C::kLive}, 7, 0, false},
      {"three sources: the second live one", {C::kLost, C::kAbsent, C::kLive}, 0, 2, false},
      {"three sources: previous live kept", {C::kLive, C::kLive, C::kLive}, 2, 2, false},
  };
  for (const ChoiceCase& c : cases) {
    SCOPED_TRACE(c.name);
    const SecondChoice choice = ChooseSource(c.coverage, c.previous);
    EXPECT_EQ(choice.source, c.source);
    EXPECT_EQ(choice.gap, c.gap);
  }
}

TEST(ChooseSourceTest, NamesEveryCoverage) {
  EXPECT_EQ(CoverageName(C::kLive), "live");
  EXPECT_EQ(CoverageName(C::kBackfilled), "backfilled");
  EXPECT_EQ(CoverageName(C::kDamaged), "damaged");
  EXPECT_EQ(CoverageName(C::kLost), "lost");
  EXPECT_EQ(CoverageName(C::kAbsent), "absent");
}

constexpr int64_t kT0 = 1755770400;  // 2025-08-21T10:00:00Z
const StreamKey kStream{711, TickType::kBidAsk};

TimePoint At(int64_t seconds, int64_t millis = 0) {
  return FromUnixSeconds(kT0 + seconds) + std::chrono::milliseconds(millis);
}

storage::GapRecord Gap(TimePoint start, TimePoint end, storage::BackfillState state,
                       StreamKey stream = kStream) {
  storage::GapRecord gap;
  gap.stream = stream;
  gap.start = start;
  gap.end = end;
  gap.cause = "disconnect";
  gap.state = state;
  return gap;
}

// "L" live, "B" backfilled, "X" lost, "." absent: one letter per second.
std::string Letters(const CoverageRun& run) {
  std::string out;
  for (Coverage c : run.coverage) {
    out += c == C::kLive ? 'L' : c == C::kBackfilled ? 'B' : c == C::kLost ? 'X' : '.';
  }
  return out;
}

Extent Span(TimePoint first, TimePoint last) { return Extent{first, last, first, last}; }

struct PaintCase {
  const char* name;
  std::optional<Extent> extent;
  std::vector<storage::GapRecord> gaps;
  std::string expected;  // seconds 0..9 from At(0)
};

TEST(PaintCoverageTest, Table) {
  using S = storage::BackfillState;
  const PaintCase cases[] = {
      {"nothing recorded", std::nullopt, {}, ".........."},
      {"extent covers its whole seconds", Span(At(2, 300), At(5, 700)), {}, "..LLLL...."},
      {"extent on whole seconds", Span(At(2), At(5)), {}, "..LLLL...."},
      {"extent beyond the range", Span(At(-50), At(50)), {}, "LLLLLLLLLL"},
      {"extent before the range", Span(At(-50), At(-1)), {}, ".........."},
      {"a pending gap", Span(At(0), At(9)), {Gap(At(3), At(5), S::kPending)}, "LLLXXLLLLL"},
      {"a gap touching part of a second loses it",
       Span(At(0), At(9)),
       {Gap(At(3, 500), At(5, 1), S::kFailed)},
       "LLLXXXLLLL"},
      {"a gap outside the extent is still lost",
       Span(At(0), At(3)),
       {Gap(At(4), At(7), S::kPartial)},
       "LLLLXXX..."},
      {"a filled gap is backfilled",
       Span(At(0), At(9)),
       {Gap(At(1), At(3), S::kFilled)},
       "LBBLLLLLLL"},
      {"lost wins over filled",
       Span(At(0), At(9)),
       {Gap(At(4), At(6), S::kPending), Gap(At(1), At(8), S::kFilled)},
       "LBBBXXBBLL"},
      {"another stream's gap is ignored",
       Span(At(0), At(9)),
       {Gap(At(1), At(3), S::kPending, StreamKey{711, TickType::kLast})},
       "LLLLLLLLLL"},
      {"an empty gap is ignored",
       Span(At(0), At(9)),
       {Gap(At(3), At(3), S::kPending)},
       "LLLLLLLLLL"},
  };
  for (const PaintCase& c : cases) {
    SCOPED_TRACE(c.name);
    const CoverageRun run = PaintCoverage(c.extent, c.gaps, kStream, At(0), 10);
    EXPECT_EQ(Letters(run), c.expected);
    for (size_t i = 0; i < run.coverage.size(); ++i) {
      const bool in_gap = run.coverage[i] == C::kLost || run.coverage[i] == C::kBackfilled;
      EXPECT_EQ(run.gap[i] != nullptr, in_gap) << "second " << i;
    }
  }
}

}  // namespace
}  // namespace ibstream::merge::merge_decision_test
