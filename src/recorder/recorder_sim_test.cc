// The recorder against the simulated gateway on an accelerated clock: whole situations from the
// reliability plan, checked against what the recorder stored, its gap ledger and its alerts.
#include <gtest/gtest.h>

#include <optional>

#include "common/sanitizers.h"
#include "recorder/recorder_sim_fixture.h"

namespace ibstream::recorder::recorder_sim_test {
namespace {

using namespace std::chrono_literals;
using testing::Describe;
using testing::RecorderSimTest;

constexpr double kSpeed = ReducedUnderSanitizers(600.0, 200.0);
// Up to the first stored ticks.
constexpr double kStartSpeed = 10;

// The original incident: MNQ through the CME 16:00-17:00 CT halt. No reconnect, no critical
// alert, recording resumes at the reopening, and the halt is not a gap.
//
// Slowly up to the halt, so that even a loaded machine records ticks before it (asserted: the
// test would pass vacuously otherwise), then at full speed.
TEST_F(RecorderSimTest, MnqDailyHaltNeedsNoReconnectAndResumesAtTheOpen) {
  StartAll("2025-08-11T15:59:00-05:00", kStartSpeed);
  WaitUntilRecording();
  ASSERT_LT(clock_->Now(), *ParseIsoTime("2025-08-11T16:00:00-05:00"))
      << "the recorder stored nothing before the halt";
  // The halt's hour, where the recorder only waits, three times faster (its probes' deadline
  // still hundreds of real milliseconds); the reopening at kSpeed.
  clock_->SetSpeed(kSpeed);
  RunUntil("2025-08-11T16:01:00-05:00");
  clock_->SetSpeed(3 * kSpeed);
  RunUntil("2025-08-11T16:58:00-05:00");
  clock_->SetSpeed(kSpeed);
  RunUntil("2025-08-11T17:03:00-05:00");
  auto view = recorder_->View();
  ASSERT_EQ(view->contracts.size(), 1u);
  const int64_t id = MnqId();
  ASSERT_NE(id, 0) << view->contracts[0].resolve_error;
  EXPECT_EQ(view->gateway.connections, 1u);
  EXPECT_EQ(view->counters.reconnects, 0u);
  EXPECT_TRUE(sink_.Firing(AlertSeverity::kCritical).empty())
      << Describe(sink_.Firing(AlertSeverity::kCritical));
  EXPECT_TRUE(view->gaps.empty()) << view->gaps.size() << " gaps, first cause "
                                  << view->gaps.front().cause;

  const TimePoint halt = *ParseIsoTime("2025-08-11T16:00:00-05:00");
  const TimePoint open = *ParseIsoTime("2025-08-11T17:00:00-05:00");
  for (TickType type : {TickType::kBidAsk, TickType::kLast}) {
    const auto ticks = Stored({id, type});
    ASSERT_FALSE(ticks.empty()) << TickTypeName(type);
    size_t before = 0, during = 0;
    std::optional<TimePoint> first_after;
    for (const Tick& t : ticks) {
      if (t.exchange_time < halt) ++before;
      if (t.exchange_time >= halt && t.exchange_time < open) ++during;
      if (t.exchange_time >= open && !first_after) first_after = t.exchange_time;
    }
    EXPECT_GT(before, 0u) << TickTypeName(type);
    EXPECT_EQ(during, 0u) << TickTypeName(type) << ": ticks inside the halt";
    ASSERT_TRUE(first_after.has_value()) << TickTypeName(type) << ": nothing after the reopen";
    // Exchange time, stamped by the simulator when it generated the tick: the recorder stored the
    // market's first seconds after the reopening (a lost subscription would show a later start).
    EXPECT_LE(*first_after - open, 2s) << TickTypeName(type) << ": resumed late";
  }
}

// The front month rolls 8 days before the September contract's last trade day (2025-09-19): the
// December contract is subscribed first, the September one dropped once December ticks are stored,
// and nothing is lost in between.
TEST_F(RecorderSimTest, FuturesRollSubscribesTheNewMonthBeforeDroppingTheOld) {
  configure_recorder_ = [](RecorderOptions& o) { o.details_refresh = std::chrono::minutes(1); };
  StartAll("2025-09-10T23:57:00Z", kSpeed / 2);
  RunUntil("2025-09-11T00:04:00Z");
  auto view = recorder_->View();
  ASSERT_EQ(view->contracts.size(), 1u);
  const ContractView& mnq = view->contracts[0];
  EXPECT_EQ(mnq.local_symbol, "MNQZ5");
  ASSERT_NE(mnq.rolled_from, 0);
  EXPECT_NE(mnq.rolled_from, mnq.contract_id);
  ASSERT_TRUE(mnq.rolled_at.has_value());
  const auto old_ticks = Stored({mnq.rolled_from, TickType::kBidAsk});
  const auto new_ticks = Stored({mnq.contract_id, TickType::kBidAsk});
  ASSERT_FALSE(old_ticks.empty());
  ASSERT_FALSE(new_ticks.empty());
  // The old month was still recorded when the new one's first tick arrived.
  EXPECT_GE(old_ticks.back().receive_time,
            new_ticks.front().receive_time - std::chrono::seconds(1));
  EXPECT_GE(new_ticks.front().receive_time, *mnq.rolled_at);
  EXPECT_TRUE(view->gaps.empty());
}

}  // namespace
}  // namespace ibstream::recorder::recorder_sim_test
