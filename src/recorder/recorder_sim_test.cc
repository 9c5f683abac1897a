// The recorder against the simulated gateway on an accelerated clock: whole situations from the
// reliability plan, checked against what the recorder stored, its gap ledger and its alerts.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <thread>

#include "config/config.h"
#include "recorder/recorder.h"
#include "sim/simulator.h"
#include "storage/file_system.h"

namespace ibstream::recorder {
namespace {

using namespace std::chrono_literals;

class CapturingSink final : public reliability::AlertSink {
 public:
  void Deliver(std::span<const Alert> group) override {
    std::lock_guard lock(mutex);
    for (const Alert& a : group) alerts.push_back(a);
  }
  std::vector<Alert> Firing(AlertSeverity severity) {
    std::lock_guard lock(mutex);
    std::vector<Alert> out;
    for (const Alert& a : alerts) {
      if (a.state == AlertState::kFiring && a.severity == severity) out.push_back(a);
    }
    return out;
  }
  std::mutex mutex;
  std::vector<Alert> alerts;
};

std::string Describe(const std::vector<Alert>& alerts) {
  std::string out;
  for (const Alert& a : alerts) out += a.rule + ": " + a.summary + "\n";
  return out;
}

class RecorderSimTest : public ::testing::Test {
 protected:
  // Virtual time runs `speed` times faster than real time from `start`.
  void StartAll(const std::string& start, double speed, std::vector<sim::FaultSpec> faults = {}) {
    dir_ = std::filesystem::path(testing::TempDir()) /
           ("recorder_sim_" +
            std::string(testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    start_ = *ParseIsoTime(start);
    clock_ = std::make_unique<ScaledClock>(start_, speed);

    sim::SimulatorOptions sim_options;
    sim_options.listen_port = 0;
    sim_options.quiet = true;
    sim_options.seed = 7;
    sim_options.speed = speed;
    sim_options.history_days = 3;
    sim_options.faults = std::move(faults);
    sim_options.truth_path = (dir_ / "truth.jsonl").string();
    simulator_ = std::make_unique<sim::Simulator>(*clock_, sim_options);
    ASSERT_TRUE(simulator_->Start().ok());

    config::Config config;
    config.gateway.ports = {simulator_->port()};
    // Virtual durations: generous enough for a loaded 2-core machine at this speed.
    config.gateway.connect_timeout = 600s;
    config.gateway.probe_interval = 600s;
    config.gateway.probe_deadline = 600s;
    config.storage.path = (dir_ / "data").string();
    config::ContractConfig mnq;
    mnq.symbol = "MNQ";
    mnq.sec_type = "FUT";
    mnq.exchange = "CME";
    mnq.currency = "USD";
    mnq.tick_types = {TickType::kBidAsk, TickType::kLast};
    config.contracts = {mnq};
    RecorderOptions options;
    options.config = config;
    recorder_ = std::make_unique<Recorder>(options, *clock_, fs_, sink_);
    const Status started = recorder_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  // Waits (real time bounded) until the virtual clock reaches `until`.
  void RunUntil(const std::string& until) {
    const TimePoint target = *ParseIsoTime(until);
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (clock_->Now() < target && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    ASSERT_GE(clock_->Now(), target) << "the virtual clock did not reach " << until;
  }

  std::vector<Tick> Stored(StreamKey stream) {
    std::vector<Tick> out;
    const Status st = recorder_->Query({stream}, start_ - std::chrono::hours(2),
                                       clock_->Now() + std::chrono::hours(1), [&](const Tick& t) {
                                         out.push_back(t);
                                         return Status::Ok();
                                       });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  int64_t MnqId() {
    auto view = recorder_->View();
    return view->contracts.empty() ? 0 : view->contracts[0].contract_id;
  }

  void TearDown() override {
    if (recorder_) recorder_->Stop();
    if (simulator_) simulator_->Stop();
  }

  std::filesystem::path dir_;
  TimePoint start_;
  std::unique_ptr<ScaledClock> clock_;
  storage::FileSystem* fs_ = storage::PosixFileSystem();
  CapturingSink sink_;
  std::unique_ptr<sim::Simulator> simulator_;
  std::unique_ptr<Recorder> recorder_;
};

// The original incident: MNQ through the CME 16:00-17:00 CT halt. No reconnect, no critical
// alert, recording resumes at the reopening, and the halt is not a gap.
TEST_F(RecorderSimTest, MnqDailyHaltNeedsNoReconnectAndResumesAtTheOpen) {
  StartAll("2025-08-11T15:58:00-05:00", 600);
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
      if (t.exchange_time >= open && !first_after) first_after = t.receive_time;
    }
    EXPECT_GT(before, 0u) << TickTypeName(type);
    EXPECT_EQ(during, 0u) << TickTypeName(type) << ": ticks inside the halt";
    ASSERT_TRUE(first_after.has_value()) << TickTypeName(type) << ": nothing after the reopen";
    EXPECT_LE(*first_after - open, 2s) << TickTypeName(type) << ": resumed late";
  }
}

}  // namespace
}  // namespace ibstream::recorder
