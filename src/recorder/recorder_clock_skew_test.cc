// clock_skew from the gateway's own clock: the recorder compares each answer to its liveness
// probe (reqCurrentTime) with its clock and raises clock_skew when the local clock is provably
// off by more than the threshold; on the gateway's clock it never does.
#include <gtest/gtest.h>

#include <string>

#include "common/clock.h"
#include "recorder/recorder_sim_fixture.h"
#include "reliability/alerts.h"

namespace ibstream::recorder::recorder_clock_skew_test {
namespace {

using namespace std::chrono_literals;

// Another clock's time moved by a fixed offset: a host clock that is wrong.
class OffsetClock final : public Clock {
 public:
  OffsetClock(const Clock& base, Duration offset) : base_(base), offset_(offset) {}
  TimePoint Now() const override { return base_.Now() + offset_; }
  Duration ToRealDuration(Duration span) const override { return base_.ToRealDuration(span); }

 private:
  const Clock& base_;
  const Duration offset_;
};

class RecorderClockSkewTest : public testing::RecorderSimTest {
 protected:
  // The liveness probe every 10 virtual seconds (the simulator tests' configuration spaces it by
  // 600 s, ten seconds of wall time at 60x), with a deadline a loaded machine cannot miss.
  void SetUp() override {
    configure_ = [](config::Config& config) {
      config.gateway.probe_interval = 10s;
      config.gateway.probe_deadline = 120s;
    };
  }

  std::vector<Alert> ClockSkewAlerts() {
    std::lock_guard lock(sink_.mutex);
    std::vector<Alert> out;
    for (const Alert& a : sink_.alerts) {
      if (a.rule == reliability::rules::kClockSkew && a.state == AlertState::kFiring) {
        out.push_back(a);
      }
    }
    return out;
  }
};

TEST_F(RecorderClockSkewTest, ALocalClockAheadOfTheGatewaysRaisesClockSkew) {
  StartSimulator("2025-08-12T10:00:00-05:00", 60);
  OffsetClock ahead(*clock_, 30s);
  recorder_clock_ = &ahead;
  StartRecorder();
  // The probe answers every 10 s; the rule holds for 60 s before it fires.
  ASSERT_TRUE(WaitFor([&] { return !ClockSkewAlerts().empty(); }))
      << testing::Describe(sink_.Firing(AlertSeverity::kWarning));
  const Alert alert = ClockSkewAlerts().front();
  EXPECT_EQ(alert.severity, AlertSeverity::kWarning);
  // 30 s ahead, less what the exchange cannot prove: IB's whole second and the answer's latency
  // (at 60x, milliseconds of real latency are virtual seconds).
  const int64_t offset_ms = std::stoll(alert.labels.at("offset_ms"));
  EXPECT_GT(offset_ms, 20'000) << alert.summary;
  EXPECT_LE(offset_ms, 30'000) << alert.summary;
  StopRecorder();
}

TEST_F(RecorderClockSkewTest, OnTheGatewaysClockThereIsNoClockSkew) {
  StartAll("2025-08-12T10:00:00-05:00", 60);
  RunUntil("2025-08-12T10:03:00-05:00");
  EXPECT_TRUE(ClockSkewAlerts().empty()) << testing::Describe(ClockSkewAlerts());
  // The probe ran all along: some eighteen reqCurrentTime requests in three minutes, besides the
  // handful of subscriptions and contract lookups.
  EXPECT_GE(simulator_->stats().requests, 15u);
  auto view = recorder_->View();
  EXPECT_FALSE(view->contracts.empty());
}

}  // namespace
}  // namespace ibstream::recorder::recorder_clock_skew_test
