// Each gap the recorder fills says how long filling it took against the least time IB's pacing
// allows for the requests it needed (reliability/fill_time.h): a gateway reset leaves gaps, and
// every filled one has its timing (with a ratio, however few its pages) in the view, in the
// time-to-fill histograms and in the gap ledger.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/sanitizers.h"
#include "recorder/gap_fill.h"
#include "recorder/recorder_sim_fixture.h"
#include "reliability/fill_time.h"

namespace ibstream::recorder::recorder_fill_time_test {
namespace {

using namespace std::chrono_literals;

constexpr double kFillTimeSpeed = ReducedUnderSanitizers(300.0, 60.0);

class RecorderFillTimeTest : public testing::RecorderSimTest {};

TEST_F(RecorderFillTimeTest, EveryFilledGapHasItsTimeToFillAgainstThePacingMinimum) {
  sim::FaultSpec reset;
  reset.kind = sim::FaultKind::kClose;
  reset.mode = "rst";
  reset.at.offset = 60s;
  StartAll("2025-08-12T10:00:00-05:00", kFillTimeSpeed, {reset});

  // Settled: the reset left a gap in both of MNQ's streams, none is pending any more, and at
  // least one was filled.
  std::shared_ptr<const RecorderView> view;
  size_t filled = 0;
  const auto settled = [&] {
    view = recorder_->View();
    filled = 0;
    std::set<StreamKey> interrupted;
    for (const storage::GapRecord& g : view->gaps) {
      if (g.state == storage::BackfillState::kPending) return false;
      if (g.state == storage::BackfillState::kFilled) ++filled;
      interrupted.insert(g.stream);
    }
    return interrupted.size() == 2 && filled >= 1;
  };
  ASSERT_TRUE(WaitFor(settled, 90s)) << filled << " gaps filled";

  EXPECT_EQ(view->gap_fills.size(), filled) << "a filled gap without its timing";
  for (const storage::GapRecord& g : view->gaps) {
    const auto it = view->gap_fills.find(g.id);
    if (g.state != storage::BackfillState::kFilled) {
      EXPECT_EQ(it, view->gap_fills.end()) << "only filled gaps have a fill timing";
      continue;
    }
    ASSERT_NE(it, view->gap_fills.end()) << g.id;
    const reliability::GapFillTiming& fill = it->second;
    EXPECT_GE(fill.requests_needed, 1) << g.id;
    EXPECT_GE(fill.requests, fill.requests_needed) << g.id;
    EXPECT_LE(fill.queued_at, fill.filled_at) << g.id;
    EXPECT_EQ(fill.pacing_minimum,
              reliability::MinimumPacedDuration(
                  {}, fill.requests_needed,
                  g.stream.type == TickType::kBidAsk || g.stream.type == TickType::kQuote))
        << g.id;
    // Filling cannot beat what pacing allows, nor one round trip per page.
    EXPECT_GE(fill.time_to_fill(), fill.pacing_minimum) << g.id;
    EXPECT_GT(fill.round_trip, Duration{0}) << g.id;
    ASSERT_TRUE(fill.ratio_to_minimum().has_value()) << "every filled gap has a ratio: " << g.id;
    EXPECT_GE(*fill.ratio_to_minimum(), 1.0) << g.id;
    // The ledger keeps it with the gap's filled state.
    ASSERT_TRUE(g.fill.has_value()) << g.id;
    EXPECT_EQ(FillTiming(*g.fill), fill) << g.id;
  }
  EXPECT_EQ(view->counters.fill_time.seconds.count, filled);
  EXPECT_EQ(view->counters.fill_time.ratio.count, filled);
  EXPECT_GE(view->counters.backfill_requests, filled);
}

}  // namespace
}  // namespace ibstream::recorder::recorder_fill_time_test
