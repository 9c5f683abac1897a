// A flapping link leaves many small gaps of each stream: adjacent ones are fetched together
// (reliability/backfill_schedule.h CoalesceGaps), so the recorder sends fewer historical
// requests than there are gaps, and every gap still ends filled.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "recorder/recorder_sim_fixture.h"

namespace ibstream::recorder::recorder_coalesce_test {
namespace {

using namespace std::chrono_literals;

// Slow enough that each reset's reconnection and gap record fall well inside the recorder's
// 30 s (virtual) coalescing hold on a loaded machine or under the sanitizers: at 600x the hold is
// 50 ms of real time, and on a loaded machine every gap was once fetched alone.
constexpr double kCoalesceSpeed = 60;

class RecorderCoalesceTest : public testing::RecorderSimTest {};

TEST_F(RecorderCoalesceTest, AFlappingLinkNeedsFewerRequestsThanGapsAndEveryGapIsFilled) {
  std::vector<sim::FaultSpec> resets;
  for (int i = 0; i < 5; ++i) {
    sim::FaultSpec reset;
    reset.kind = sim::FaultKind::kClose;
    reset.mode = "rst";
    reset.at.offset = 60s + i * 20s;
    resets.push_back(reset);
  }
  StartAll("2025-08-12T10:00:00-05:00", kCoalesceSpeed, resets);
  RunUntil("2025-08-12T10:03:30-05:00");

  std::shared_ptr<const RecorderView> view;
  size_t gaps = 0;
  const auto settled = [&] {
    view = recorder_->View();
    gaps = 0;
    for (const storage::GapRecord& g : view->gaps) {
      if (g.state == storage::BackfillState::kPending) return false;
      ++gaps;
    }
    return gaps >= 8;
  };
  ASSERT_TRUE(WaitFor(settled, 90s)) << gaps << " gaps closed";
  for (const storage::GapRecord& g : view->gaps) {
    EXPECT_EQ(g.state, storage::BackfillState::kFilled)
        << ToString(g.stream) << " " << FormatIsoUtc(g.start) << " " << g.reason;
  }
  EXPECT_LT(view->counters.backfill_requests, gaps)
      << "each gap fetched on its own: adjacent gaps of a stream were not coalesced";
}

}  // namespace
}  // namespace ibstream::recorder::recorder_coalesce_test
