// A restart resumes what the previous run left open: the gap ledger's pending and partial gaps
// are backfilled (the recorder's own restart gap clipped to what they do not cover), and the
// historical pacer's budget carries over (a damaged state file holds backfill for one window).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "common/sanitizers.h"
#include "recorder/pacer_state.h"
#include "recorder/recorder_sim_fixture.h"
#include "storage/gap_ledger.h"

namespace ibstream::recorder::recorder_resume_test {
namespace {

using namespace std::chrono_literals;

// Under the sanitizers on a loaded machine the first tick after the restart took more than 30
// virtual seconds at 200x: the stream was resubscribed (verify_after_restart) and the test's wait
// for the restart gap ran out. 60x leaves a 0.5 s wall-clock margin.
constexpr double kSpeed = ReducedUnderSanitizers(200.0, 60.0);

TimePoint At(const std::string& local) { return *ParseIsoTime("2025-08-12T" + local + "-05:00"); }

class RecorderResumeTest : public testing::RecorderSimTest {
 protected:
  // Records for a minute, stops the recorder and returns MNQ's id.
  int64_t RecordThenStop() {
    StartAll("2025-08-12T10:00:00-05:00", kSpeed);
    RunUntil(At("10:01:00"));
    EXPECT_TRUE(WaitFor([&] { return recorder_->View()->ready && MnqId() != 0; }));
    const int64_t mnq = MnqId();
    StopRecorder();
    return mnq;
  }

  uint64_t AddGap(StreamKey stream, TimePoint start, TimePoint end, storage::BackfillState state) {
    auto ledger = storage::GapLedger::Open(fs_, data_dir(), clock_->Now());
    EXPECT_TRUE(ledger.ok()) << ledger.status().ToString();
    if (!ledger.ok()) return 0;
    storage::GapRecord gap;
    gap.stream = stream;
    gap.start = start;
    gap.end = end;
    gap.cause = "disconnect";
    gap.state = state;
    gap.reason = state == storage::BackfillState::kPartial ? "history ended" : "";
    gap.updated_at = clock_->Now();
    auto id = (*ledger)->Add(gap);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  std::optional<storage::GapRecord> Gap(uint64_t id) {
    for (const auto view_now = recorder_->View(); const auto& g : view_now->gaps) {
      if (g.id == id) return g;
    }
    return std::nullopt;
  }

  bool HasBackfill(StreamKey stream, TimePoint from, TimePoint to) {
    const std::vector<Tick> stored = Stored(stream);
    return std::any_of(stored.begin(), stored.end(), [&](const Tick& t) {
      return t.source == TickSource::kBackfill && t.exchange_time >= from && t.exchange_time < to;
    });
  }
};

TEST_F(RecorderResumeTest, OpenLedgerGapsAreBackfilledAfterARestart) {
  const int64_t mnq = RecordThenStop();
  ASSERT_NE(mnq, 0);
  const StreamKey bid_ask{mnq, TickType::kBidAsk};
  const StreamKey last{mnq, TickType::kLast};
  // Left open by the previous run: bid_ask pending up to the stop (covering the last stored
  // tick, so the restart gap of bid_ask starts where it ends), last partial earlier on.
  const TimePoint stop = std::chrono::floor<std::chrono::seconds>(clock_->Now());
  const uint64_t pending = AddGap(bid_ask, At("09:58:00"), stop, storage::BackfillState::kPending);
  const uint64_t partial =
      AddGap(last, At("09:57:00"), At("09:58:30"), storage::BackfillState::kPartial);
  ASSERT_NE(pending, 0u);
  ASSERT_NE(partial, 0u);

  RunUntil(clock_->Now() + 1min);
  StartRecorder();
  ASSERT_TRUE(WaitFor([&] {
    auto a = Gap(pending);
    auto b = Gap(partial);
    return a && b && a->state == storage::BackfillState::kFilled &&
           b->state == storage::BackfillState::kFilled;
  })) << testing::Describe(recorder_->View()->alerts);
  EXPECT_TRUE(WaitFor([&] { return HasBackfill(bid_ask, At("09:58:00"), stop); }));
  EXPECT_TRUE(WaitFor([&] { return HasBackfill(last, At("09:57:00"), At("09:58:30")); }));

  // The restart gap of bid_ask is only the part the resumed gap does not cover.
  ASSERT_TRUE(WaitFor([&] {
    const auto gaps = recorder_->View()->gaps;
    return std::any_of(gaps.begin(), gaps.end(),
                       [&](auto& g) { return g.stream == bid_ask && g.id != pending; });
  }));
  for (const auto view_now = recorder_->View(); const auto& g : view_now->gaps) {
    if (g.stream == bid_ask && g.id != pending) {
      EXPECT_GE(g.start, stop) << "gap " << g.id << " " << g.cause << " overlaps gap " << pending;
    }
  }

  // The requests of the second run are on disk for the next one.
  auto sends = ReadPacerState(fs_, PacerStatePath(data_dir()));
  ASSERT_TRUE(sends.ok()) << sends.status().ToString();
  EXPECT_FALSE(sends->empty());
}

TEST_F(RecorderResumeTest, DamagedPacerStateHoldsBackfillForOnePacingWindow) {
  const int64_t mnq = RecordThenStop();
  ASSERT_NE(mnq, 0);
  const uint64_t pending = AddGap(StreamKey{mnq, TickType::kBidAsk}, At("09:58:00"), At("09:59:00"),
                                  storage::BackfillState::kPending);
  ASSERT_TRUE(fs::WriteFileAtomically(fs_, PacerStatePath(data_dir()), "IBPS damaged").ok());

  const TimePoint restart = clock_->Now();
  StartRecorder();
  std::shared_ptr<const RecorderView> view;
  ASSERT_TRUE(WaitFor([&] {
    view = recorder_->View();
    return view->counters.pacer_state_damaged == 1 && view->gateway.connected;
  }));
  RunUntil(restart + 8min);
  view = recorder_->View();
  EXPECT_EQ(view->counters.backfill_requests, 0u) << "sent within the assumed-spent window";
  ASSERT_TRUE(WaitFor([&] {
    auto g = Gap(pending);
    return g && g->state == storage::BackfillState::kFilled;
  }));
  EXPECT_GE(clock_->Now(), restart + 10min);
}

TEST_F(RecorderResumeTest, FailedOrPartialGapIsRetriedOnRequest) {
  const int64_t mnq = RecordThenStop();
  ASSERT_NE(mnq, 0);
  const StreamKey bid_ask{mnq, TickType::kBidAsk};
  const uint64_t failed =
      AddGap(bid_ask, At("09:58:00"), At("09:58:40"), storage::BackfillState::kFailed);
  const uint64_t filled =
      AddGap(bid_ask, At("09:57:00"), At("09:57:10"), storage::BackfillState::kFilled);
  ASSERT_NE(failed, 0u);
  StartRecorder();
  ASSERT_TRUE(WaitFor([&] { return recorder_->View()->ready && MnqId() != 0; }));
  // A failed gap stays failed at start: it is not resumed by itself.
  ASSERT_TRUE(Gap(failed).has_value());
  EXPECT_EQ(Gap(failed)->state, storage::BackfillState::kFailed);

  EXPECT_EQ(recorder_->RetryGap(failed + filled + 100).code(), StatusCode::kNotFound);
  EXPECT_EQ(recorder_->RetryGap(filled).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(recorder_->RetryGap(failed).ok());
  ASSERT_TRUE(WaitFor([&] {
    auto g = Gap(failed);
    return g && g->state == storage::BackfillState::kFilled;
  }));
  EXPECT_TRUE(WaitFor([&] { return HasBackfill(bid_ask, At("09:58:00"), At("09:58:40")); }));
  EXPECT_EQ(recorder_->RetryGap(failed).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace ibstream::recorder::recorder_resume_test
