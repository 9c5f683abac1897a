// Market depth across IB's 1100/1101 ("connectivity lost", then "restored, data lost") against
// the simulated gateway: IB drops the depth request without closing the socket, so the recorder
// asks for depth again on the same connection, restarts the book with a reset, and records the
// stretch from the 1100 to the new request as a failed gap (IB keeps no depth history). After a
// 1100/1102 ("restored, data maintained") the request kept running but nothing came in between:
// the recorder records the silence as the same kind of gap, and the book goes on with the
// gateway's next updates.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "recorder/depth_recorder.h"
#include "recorder/depth_truth_check.h"
#include "recorder/recorder_sim_fixture.h"
#include "storage/order_book.h"

namespace ibstream::recorder::recorder_depth_lost_test {
namespace {

using namespace std::chrono_literals;
using testing::RecorderSimTest;

constexpr double kDepthLostSpeed = 5;
constexpr int kDepthLostRows = 5;
constexpr Duration kLostAfter = 30s;
constexpr Duration kLostFor = 10s;

class RecorderDepthLostTest : public RecorderSimTest {
 protected:
  void SetUp() override {
    configure_ = [](config::Config& config) { config.contracts[0].depth_rows = kDepthLostRows; };
  }

  std::optional<storage::GapRecord> DepthGap() {
    for (const auto view_now = recorder_->View(); const storage::GapRecord& g : view_now->gaps) {
      if (g.stream.type == TickType::kDepth) return g;
    }
    return std::nullopt;
  }

  // The outage's depth gap: from IB's 1100 to the end of the outage (within the recorder's
  // reaction), failed at once with the reason that no retry can fill it.
  void ExpectFailedDepthGapOverTheOutage(const storage::GapRecord& gap, int64_t contract_id,
                                         const std::string& cause) {
    EXPECT_EQ(gap.stream.contract_id, contract_id);
    EXPECT_EQ(gap.cause, cause);
    EXPECT_EQ(gap.state, storage::BackfillState::kFailed);
    EXPECT_EQ(gap.reason, kNoHistoryForDepth);
    EXPECT_FALSE(recorder_->RetryGap(gap.id).ok());
    const TimePoint lost_at = start_ + kLostAfter;
    EXPECT_GE(gap.start, lost_at - 1s);
    EXPECT_LE(gap.start, lost_at + 1s);
    EXPECT_GE(gap.end, lost_at + kLostFor - 1s);
    EXPECT_LE(gap.end, lost_at + kLostFor + 5s);
  }
};

sim::FaultSpec ConnectivityLost(const std::string& restore) {
  sim::FaultSpec fault;
  fault.kind = sim::FaultKind::kConnectivityLost;
  fault.at.offset = kLostAfter;
  fault.duration = kLostFor;
  fault.restore = restore;
  return fault;
}

sim::FaultSpec ConnectivityLostWithDataLost() { return ConnectivityLost("data_lost"); }

TEST_F(RecorderDepthLostTest, DataLostResubscribesDepthAndLeavesAFailedGap) {
  StartAll("2025-08-12T14:00:00Z", kDepthLostSpeed, {ConnectivityLostWithDataLost()});
  ASSERT_TRUE(WaitFor([&] {
    auto view = recorder_->View();
    return !view->depth.empty() && view->depth[0].resets >= 2 && view->depth[0].gaps >= 1 &&
           view->depth[0].subscribed;
  })) << "depth was not asked again after 1101";
  ASSERT_TRUE(WaitFor([&] { return DepthGap().has_value(); }));
  const int64_t mnq = MnqId();
  {
    auto view = recorder_->View();
    EXPECT_EQ(view->gateway.connections, 1u) << "1101 needs no reconnect";
    EXPECT_EQ(view->counters.ib_errors.count(1101), 1u) << "no 1101 seen";
  }

  // The gap runs from IB's 1100 to the new request, failed at once: nothing can fill it.
  const storage::GapRecord gap = *DepthGap();
  ExpectFailedDepthGapOverTheOutage(gap, mnq, "restored_data_lost");
  const TimePoint lost_at = start_ + kLostAfter;

  // Let the new subscription run a little, then stop and read what was stored.
  RunUntil(lost_at + kLostFor + 10s);
  const std::vector<Tick> records = Stored({mnq, TickType::kDepth});
  StopRecorder();
  simulator_->Stop();

  // A reset opens the new book; every record applies cleanly; nothing is stored inside the gap.
  const auto resets = std::count_if(records.begin(), records.end(), [](const Tick& t) {
    return t.book_operation == BookOperation::kReset;
  });
  EXPECT_EQ(resets, 2);
  storage::OrderBookBuilder builder;
  for (const Tick& t : records) {
    EXPECT_TRUE(builder.Apply(t).ok()) << FormatIsoUtc(t.exchange_time);
    if (t.book_operation != BookOperation::kReset) {
      EXPECT_FALSE(t.receive_time > gap.start && t.receive_time < gap.end)
          << "a record inside the gap at " << FormatIsoUtc(t.receive_time);
    }
  }
  EXPECT_FALSE(builder.book().bids.empty()) << "the new book was rebuilt from fresh inserts";

  // Judged against the simulator's truth: both subscriptions' updates are stored in order, the
  // books match, and nothing is stored that the simulator did not send.
  testing::ExpectDepthMatchesTheTruth(fs_, data_dir(), truth_path(), mnq);
}

TEST_F(RecorderDepthLostTest, DataMaintainedLeavesAFailedGapAndTheBookGoesOn) {
  StartAll("2025-08-12T14:00:00Z", kDepthLostSpeed, {ConnectivityLost("data_maintained")});
  ASSERT_TRUE(WaitFor([&] {
    auto view = recorder_->View();
    return !view->depth.empty() && view->depth[0].gaps >= 1;
  })) << "no depth gap after 1100/1102";
  ASSERT_TRUE(WaitFor([&] { return DepthGap().has_value(); }));
  const int64_t mnq = MnqId();
  {
    auto view = recorder_->View();
    EXPECT_EQ(view->gateway.connections, 1u) << "1102 needs no reconnect";
    EXPECT_EQ(view->counters.ib_errors.count(1102), 1u) << "no 1102 seen";
    EXPECT_TRUE(view->depth[0].subscribed);
    EXPECT_EQ(view->depth[0].resets, 1u) << "the request was not asked again";
  }

  // The gap is the silence from IB's 1100 to its 1102, failed at once: nothing can fill it.
  const storage::GapRecord gap = *DepthGap();
  ExpectFailedDepthGapOverTheOutage(gap, mnq, "connectivity_lost");
  const TimePoint lost_at = start_ + kLostAfter;

  RunUntil(lost_at + kLostFor + 10s);
  const std::vector<Tick> records = Stored({mnq, TickType::kDepth});
  StopRecorder();
  simulator_->Stop();

  // One book throughout: every record applies cleanly, updates come again after the 1102, and
  // nothing is stored inside the gap.
  const auto resets = std::count_if(records.begin(), records.end(), [](const Tick& t) {
    return t.book_operation == BookOperation::kReset;
  });
  EXPECT_EQ(resets, 1);
  storage::OrderBookBuilder builder;
  bool after_gap = false;
  for (const Tick& t : records) {
    EXPECT_TRUE(builder.Apply(t).ok()) << FormatIsoUtc(t.exchange_time);
    EXPECT_FALSE(t.receive_time > gap.start && t.receive_time < gap.end)
        << "a record inside the gap at " << FormatIsoUtc(t.receive_time);
    if (t.receive_time >= gap.end) after_gap = true;
  }
  EXPECT_TRUE(after_gap) << "no depth update after the 1102";
  EXPECT_FALSE(builder.book().bids.empty());

  // Judged against the simulator's truth: every update sent is stored in order (only those sent
  // after the recorder stopped may be lost with the connection), the book matches, and nothing is
  // stored that the simulator did not send.
  testing::ExpectDepthMatchesTheTruth(fs_, data_dir(), truth_path(), mnq);
}

// IB reports connectivity lost (1100) and the gateway's connection goes before IB restores it:
// the depth request is gone with the connection, and nothing came since the 1100, so the gap
// starts at the 1100, not at the disconnect.
TEST_F(RecorderDepthLostTest, ADisconnectDuringA1100GapsFromThe1100) {
  sim::FaultSpec close;
  close.kind = sim::FaultKind::kClose;
  close.at.offset = kLostAfter + kLostFor / 2;
  StartAll("2025-08-12T14:00:00Z", kDepthLostSpeed, {ConnectivityLost("data_maintained"), close});
  ASSERT_TRUE(WaitFor([&] {
    auto view = recorder_->View();
    return view->gateway.connections >= 2 && DepthGap().has_value() && !view->depth.empty() &&
           view->depth[0].subscribed;
  })) << "no reconnect, depth gap and new depth request after the close";
  const storage::GapRecord gap = *DepthGap();
  EXPECT_EQ(gap.stream.contract_id, MnqId());
  EXPECT_EQ(gap.cause, "connectivity_lost");
  EXPECT_EQ(gap.state, storage::BackfillState::kFailed);
  const TimePoint lost_at = start_ + kLostAfter;
  EXPECT_GE(gap.start, lost_at - 1s);
  EXPECT_LE(gap.start, lost_at + 1s) << "the gap starts at the disconnect, not at the 1100";
}

}  // namespace
}  // namespace ibstream::recorder::recorder_depth_lost_test
