// Backfill never gives up while IB may still serve the data: a gap whose pages meet IB's 162
// pacing answers for minutes is asked again with a growing backoff and filled once the pacing
// clears, with no failure counted. Each backfilled tick reaches the tick fan-out, marked
// backfilled.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/sanitizers.h"
#include "recorder/recorder_sim_fixture.h"

namespace ibstream::recorder::recorder_backfill_retry_test {
namespace {

using namespace std::chrono_literals;

constexpr double kSpeed = ReducedUnderSanitizers(600.0, 200.0);

TimePoint At(const std::string& local) { return *ParseIsoTime("2025-08-12T" + local + "-05:00"); }

class RecorderBackfillRetryTest : public testing::RecorderSimTest {};

TEST_F(RecorderBackfillRetryTest, PacingViolationsForMinutesEndInAFilledGap) {
  sim::FaultSpec pacing;
  pacing.kind = sim::FaultKind::kPacing;
  pacing.at.offset = 1min;
  pacing.duration = 6min;  // 10:01 to 10:07: every historical request gets 162
  StartAll("2025-08-12T10:00:00-05:00", kSpeed, {pacing});
  RunUntil(At("10:01:10"));
  ASSERT_TRUE(WaitFor([&] { return recorder_->View()->ready && MnqId() != 0; }));
  const StreamKey bid_ask{MnqId(), TickType::kBidAsk};
  ASSERT_TRUE(recorder_->RequestBackfill(bid_ask, At("09:58:00"), At("09:59:00")).ok());

  std::shared_ptr<const RecorderView> view;
  ASSERT_TRUE(WaitFor([&] {
    view = recorder_->View();
    for (const auto& g : view->gaps) {
      if (g.stream == bid_ask && g.cause == "requested") {
        return g.state != storage::BackfillState::kPending;
      }
    }
    return false;
  })) << "the requested gap never closed";
  ASSERT_FALSE(view->gaps.empty());
  for (const auto& g : view->gaps) {
    if (g.stream != bid_ask || g.cause != "requested") continue;
    EXPECT_EQ(g.state, storage::BackfillState::kFilled) << g.reason;
  }
  EXPECT_GE(clock_->Now(), At("10:07:00")) << "filled while IB answered 162";
  // More than the three quick retries the old policy allowed, and no failure.
  EXPECT_GT(view->counters.backfill_retries, 3u);
  EXPECT_EQ(view->counters.backfill_failures, 0u);
}

TEST_F(RecorderBackfillRetryTest, BackfilledTicksReachTheFanoutMarkedBackfilled) {
  StartAll("2025-08-12T10:00:00-05:00", kSpeed);
  RunUntil(At("10:00:30"));
  ASSERT_TRUE(WaitFor([&] { return recorder_->View()->ready && MnqId() != 0; }));
  const StreamKey bid_ask{MnqId(), TickType::kBidAsk};
  std::mutex mu;  // the consumer runs on the recorder's thread
  std::vector<std::pair<Tick, TickOrigin>> backfilled;
  std::atomic<uint64_t> live{0};
  TickFanout::Filter filter;
  filter.contract_id = bid_ask.contract_id;
  filter.types = {TickType::kBidAsk};
  const uint64_t id =
      recorder_->fanout().Subscribe(filter, [&](const Tick& tick, TickOrigin origin) {
        if (tick.source == TickSource::kLive) {
          live.fetch_add(1);
        } else {
          std::lock_guard lock(mu);
          backfilled.emplace_back(tick, origin);
        }
        return true;
      });
  ASSERT_TRUE(recorder_->RequestBackfill(bid_ask, At("09:58:00"), At("09:59:00")).ok());
  ASSERT_TRUE(WaitFor([&] {
    for (const auto view_now = recorder_->View(); const auto& g : view_now->gaps) {
      if (g.stream == bid_ask && g.cause == "requested") {
        return g.state != storage::BackfillState::kPending;
      }
    }
    return false;
  })) << "the requested gap never closed";
  // The backfill may close before the first live tick arrives (a sanitized build is slow to start).
  ASSERT_TRUE(WaitFor([&] { return live.load() > 0; })) << "no live tick reached the fan-out";
  recorder_->fanout().Unsubscribe(id);

  std::lock_guard lock(mu);
  ASSERT_FALSE(backfilled.empty()) << "no backfilled tick reached the fan-out";
  EXPECT_LE(backfilled.size(), recorder_->View()->counters.ticks_backfilled);
  for (const auto& [tick, origin] : backfilled) {
    EXPECT_EQ(origin, TickOrigin::kBackfilled);
    EXPECT_GE(tick.exchange_time, At("09:58:00"));
    EXPECT_LT(tick.exchange_time, At("09:59:00"));
  }
  EXPECT_GT(live.load(), 0u);
}

}  // namespace
}  // namespace ibstream::recorder::recorder_backfill_retry_test
