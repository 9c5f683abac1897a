// A partial gap taken up again (here at a restart) resumes from what is already stored of it:
// only its last stored second is fetched again, and queries return that second once.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "common/sanitizers.h"
#include "recorder/recorder_sim_fixture.h"
#include "storage/gap_ledger.h"
#include "storage/query.h"

namespace ibstream::recorder::recorder_partial_resume_test {
namespace {

using namespace std::chrono_literals;

constexpr double kSpeed = ReducedUnderSanitizers(600.0, 200.0);

TimePoint At(const std::string& local) { return *ParseIsoTime("2025-08-12T" + local + "-05:00"); }

class RecorderPartialResumeTest : public testing::RecorderSimTest {
 protected:
  // What the store returns for [from, to), read from disk with the recorder stopped (so that
  // every tick it accepted is there).
  std::vector<Tick> StoredIn(const StreamKey& stream, TimePoint from, TimePoint to) {
    std::vector<Tick> out;
    const Status st = storage::QueryTicks(
        fs_, data_dir(), storage::QueryRequest{{stream}, from, to},
        [&](const Tick& t) {
          out.push_back(t);
          return Status::Ok();
        },
        nullptr);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }
  std::optional<storage::GapRecord> Requested(const StreamKey& stream) {
    for (const auto view_now = recorder_->View(); const auto& g : view_now->gaps) {
      if (g.stream == stream && g.cause == "requested") return g;
    }
    return std::nullopt;
  }
};

TEST_F(RecorderPartialResumeTest, APartialGapResumesFromItsLastStoredSecond) {
  StartAll("2025-08-12T10:00:00-05:00", kSpeed);
  RunUntil(At("10:00:30"));
  ASSERT_TRUE(WaitFor([&] { return recorder_->View()->ready && MnqId() != 0; }));
  const StreamKey bid_ask{MnqId(), TickType::kBidAsk};
  const TimePoint from = At("09:50:00");
  const TimePoint to = At("09:51:00");
  ASSERT_TRUE(recorder_->RequestBackfill(bid_ask, from, to).ok());
  ASSERT_TRUE(WaitFor([&] {
    auto g = Requested(bid_ask);
    return g && g->state == storage::BackfillState::kFilled;
  })) << "the requested gap was not filled";
  const uint64_t gap_id = Requested(bid_ask)->id;
  StopRecorder();
  const std::vector<Tick> first = StoredIn(bid_ask, from, to);
  ASSERT_GT(first.size(), 100u);
  const TimePoint last_second =
      std::chrono::floor<std::chrono::seconds>(first.back().exchange_time);

  // As if the backfill had stopped after storing its pages (a kill, a refused append).
  {
    auto ledger = storage::GapLedger::Open(fs_, data_dir(), clock_->Now());
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    ASSERT_TRUE((*ledger)
                    ->Update(gap_id, storage::BackfillState::kPartial, "cut short", clock_->Now())
                    .ok());
  }
  RecorderOptions options;
  options.config = SimTestConfig(simulator_->port(), data_dir());
  recorder_ = std::make_unique<Recorder>(options, *clock_, fs_, sink_);
  std::mutex mu;  // the consumer runs on the recorder's thread
  std::vector<Tick> fetched_again;
  TickFanout::Filter filter;
  filter.types = {TickType::kBidAsk};
  const uint64_t subscription =
      recorder_->fanout().Subscribe(filter, [&](const Tick& tick, TickOrigin origin) {
        if (origin == TickOrigin::kBackfilled && tick.exchange_time >= from &&
            tick.exchange_time < to) {
          std::lock_guard lock(mu);
          fetched_again.push_back(tick);
        }
        return true;
      });
  ASSERT_TRUE(recorder_->Start().ok());
  ASSERT_TRUE(WaitFor([&] {
    for (const auto view_now = recorder_->View(); const auto& g : view_now->gaps) {
      if (g.id == gap_id) return g.state == storage::BackfillState::kFilled;
    }
    return false;
  })) << "the resumed gap was not filled";
  recorder_->fanout().Unsubscribe(subscription);
  StopRecorder();

  {
    std::lock_guard lock(mu);
    ASSERT_FALSE(fetched_again.empty()) << "the last stored second was not fetched again";
    for (const Tick& t : fetched_again) {
      EXPECT_GE(t.exchange_time, last_second) << "fetched again before the cursor";
    }
  }
  // The second fetched twice is returned once.
  EXPECT_EQ(StoredIn(bid_ask, from, to).size(), first.size());
}

}  // namespace
}  // namespace ibstream::recorder::recorder_partial_resume_test
