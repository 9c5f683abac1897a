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

// The speed between the resets. A gap of a flapping stream waits the recorder's 30 s (virtual)
// coalescing hold before its first page, and the resets come 20 s apart: the next reset's gap must
// be recorded within 10 virtual seconds of it to join, 167 ms of real time at this speed, which a
// loaded machine running the sanitized tests missed (no gap coalesced). Each reset therefore runs
// at kResetSpeed until both streams' gaps of it are recorded (milliseconds of real time, a
// fraction of a virtual second).
constexpr double kCoalesceSpeed = 60;
constexpr double kResetSpeed = 5;

class RecorderCoalesceTest : public testing::RecorderSimTest {};

TEST_F(RecorderCoalesceTest, AFlappingLinkNeedsFewerRequestsThanGapsAndEveryGapIsFilled) {
  StartAll("2025-08-12T10:00:00-05:00", kCoalesceSpeed);
  WaitUntilRecording();
  for (int i = 0; i < 5; ++i) {
    RunUntil(start_ + 60s + i * 20s);
    clock_->SetSpeed(kResetSpeed);
    const size_t gaps_before = recorder_->View()->gaps.size();
    simulator_->InjectFault(*sim::ParseFaultLine("close mode=rst"));
    ASSERT_TRUE(WaitFor([&] { return recorder_->View()->gaps.size() >= gaps_before + 2; }))
        << "reset " << i << " left no gap of each stream";
    clock_->SetSpeed(kCoalesceSpeed);
  }
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
