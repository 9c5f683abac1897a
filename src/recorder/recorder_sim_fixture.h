// The fixture of the recorder-against-simulator tests: a simulator and a recorder sharing one
// accelerated clock (VariableSpeedClock), a temp directory per test, and helpers to run virtual
// time forward and read what the recorder stored.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "config/config.h"
#include "fs/file_system.h"
#include "recorder/recorder.h"
#include "recorder/recorder_sim_config.h"
#include "recorder/variable_speed_clock.h"
#include "sim/simulator.h"

namespace ibstream::recorder::testing {

using namespace std::chrono_literals;

// The seed of every simulator the fixture starts: its generated markets are the same in every
// run, so a test can look ahead at them (sim::TickGenerator with this seed).
inline constexpr uint64_t kSimSeed = 7;

// How far behind its clock the simulator may fall in a test that subscribes while it runs
// (RecorderSimTest::max_sim_lag_), after its first virtual minute: half the shortest virtual
// window such a test depends on (the 60 s a fallback stream overlaps its upgrade), and above what
// a loaded 2-core machine makes of a simulator that keeps up (up to 23 virtual seconds at 200x in
// a plain build, in the first seconds of a test, 3 at 10x in a sanitized one, both cores kept
// busy). One that does not keep up falls minutes behind.
inline constexpr std::chrono::seconds kSubscribingTestMaxSimLag{30};

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

inline std::string Describe(const std::vector<Alert>& alerts) {
  std::string out;
  for (const Alert& a : alerts) out += a.rule + ": " + a.summary + "\n";
  return out;
}

class RecorderSimTest : public ::testing::Test {
 protected:
  // Virtual time runs `speed` times faster than real time from `start`.
  void StartAll(const std::string& start, double speed, std::vector<sim::FaultSpec> faults = {}) {
    StartSimulator(start, speed, std::move(faults));
    StartRecorder();
  }

  void StartSimulator(const std::string& start, double speed,
                      std::vector<sim::FaultSpec> faults = {}) {
    // The process id keeps concurrent runs of the same test (two builds) apart.
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("recorder_sim_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    start_ = *ParseIsoTime(start);
    speed_ = speed;
    clock_ = std::make_unique<VariableSpeedClock>(start_, speed);

    sim::SimulatorOptions sim_options;
    sim_options.listen_port = 0;
    sim_options.quiet = true;
    sim_options.seed = kSimSeed;
    sim_options.speed = speed;
    sim_options.history_days = 3;
    sim_options.faults = std::move(faults);
    sim_options.truth_path = truth_path();
    sim_options.builtin_symbols = sim_symbols_;
    StopWatchingSimulatorLag();
    simulator_ = std::make_unique<sim::Simulator>(*clock_, sim_options);
    ASSERT_TRUE(simulator_->Start().ok());
    if (max_sim_lag_) WatchSimulatorLag();
  }

  // Starts a recorder on the test's data directory (again after StopRecorder(): a restart).
  void StartRecorder() {
    RecorderOptions options;
    options.config = SimTestConfig(simulator_->port(), data_dir());
    if (configure_) configure_(options.config);
    if (configure_recorder_) configure_recorder_(options);
    const Clock& clock = recorder_clock_ != nullptr ? *recorder_clock_ : *clock_;
    recorder_ = std::make_unique<Recorder>(options, clock, fs_, sink_);
    const Status started = recorder_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  void StopRecorder() {
    if (recorder_) recorder_->Stop();
    recorder_.reset();
  }

  // Waits (real time bounded) until the virtual clock reaches `until`.
  void RunUntil(const std::string& until) { RunUntil(*ParseIsoTime(until)); }
  void RunUntil(TimePoint target) {
    const auto deadline = SteadyClock::Real().Now() + 120s;
    while (clock_->Now() < target && SteadyClock::Real().Now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
    ASSERT_GE(clock_->Now(), target) << "the virtual clock did not reach " << FormatIsoUtc(target);
  }

  // Polls `condition` until it holds or `real_deadline` passes; returns its last value.
  static bool WaitFor(const std::function<bool()>& condition,
                      std::chrono::milliseconds real_deadline = 60s) {
    const auto end = SteadyClock::Real().Now() + real_deadline;
    while (!condition()) {
      if (SteadyClock::Real().Now() > end) return condition();
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  // Waits until both streams of the first contract (SimTestConfig's MNQ bid/ask and last) have
  // stored live ticks.
  void WaitUntilRecording() {
    const bool recording = WaitFor([&] {
      auto view = recorder_->View();
      if (view->contracts.empty() || view->contracts[0].streams.size() != 2) return false;
      for (const auto& s : view->contracts[0].streams) {
        if (s.ticks == 0) return false;
      }
      return true;
    });
    ASSERT_TRUE(recording) << "the recorder stored nothing";
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
    StopWatchingSimulatorLag();
    ExpectSimulatorKeptUp();
    if (recorder_) recorder_->Stop();
    if (simulator_) simulator_->Stop();
    // Kept after a failure, for `ibstream verify --truth` and `ibstream query`.
    if (!HasFailure()) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    }
  }

  std::string truth_path() const { return (dir_ / "truth.jsonl").string(); }
  std::string data_dir() const { return (dir_ / "data").string(); }

  std::filesystem::path dir_;
  TimePoint start_;
  double speed_ = 1;
  std::unique_ptr<VariableSpeedClock> clock_;
  fs::FileSystem* fs_ = fs::PosixFileSystem();
  CapturingSink sink_;
  // The recorder's clock when set (it must outlive the recorder); else the simulator's.
  const Clock* recorder_clock_ = nullptr;
  // Adjusts the configuration before each StartRecorder().
  std::function<void(config::Config&)> configure_;
  std::function<void(RecorderOptions&)> configure_recorder_;
  // The simulator's markets: only the built-in contracts of these symbols (empty: all). MNQ
  // unless a test records more: the simulator generates, and writes to its truth file, only
  // markets a recorder may ask for (the other built-in markets made most of each test's cost).
  std::vector<std::string> sim_symbols_ = {"MNQ"};
  std::unique_ptr<sim::Simulator> simulator_;
  std::unique_ptr<Recorder> recorder_;
  // Set before StartSimulator(): the most the simulator may trail its clock while the test runs.
  // A simulator slower than its clock (a sanitized build at a high speed, a loaded machine)
  // delivers every event late, and a new subscription gets nothing until it catches up to the
  // request's instant (sim/README.md, "A subscription starts at its request"): what the test then
  // sees is the build's speed, not the recorder's behaviour. The lag
  // (`SimulatorStats::lag_seconds`) is sampled every millisecond of real time from the end of the
  // simulator's first virtual minute until TearDown(), which fails the test if it went beyond
  // this. Such a test runs at a speed the build sustains (ReducedUnderSanitizers). Not for a
  // test that replaces `simulator_` itself.
  std::optional<std::chrono::seconds> max_sim_lag_;

 private:
  // The first virtual minute is not judged: the recorder starting beside the simulator (its
  // configuration, its store, its first subscriptions) can hold a loaded machine's cores for a
  // moment, and a moment at 200x is tens of virtual seconds, which the simulator then makes up. A
  // simulator that cannot keep up is still behind after it.
  static constexpr std::chrono::seconds kSimLagStartup{60};

  void WatchSimulatorLag() {
    lag_watch_stop_ = false;
    lag_watch_ = std::thread([this, sim = simulator_.get(), start = clock_->Now()] {
      while (!lag_watch_stop_.load(std::memory_order_relaxed)) {
        const int64_t lag = sim->stats().lag_seconds;
        if (clock_->Now() - start >= kSimLagStartup && lag > worst_sim_lag_) {
          worst_sim_lag_ = lag;
          worst_sim_lag_at_ = clock_->Now();
        }
        std::this_thread::sleep_for(1ms);
      }
    });
  }

  // Joins the sampling thread; after it, worst_sim_lag_ may be read.
  void StopWatchingSimulatorLag() {
    if (!lag_watch_.joinable()) return;
    lag_watch_stop_ = true;
    lag_watch_.join();
  }

  void ExpectSimulatorKeptUp() {
    if (!max_sim_lag_ || worst_sim_lag_ <= max_sim_lag_->count()) return;
    ADD_FAILURE() << "the simulator fell " << worst_sim_lag_
                  << " virtual seconds behind its clock (at " << FormatIsoUtc(worst_sim_lag_at_)
                  << ", the clock at " << speed_ << "x; at most " << max_sim_lag_->count()
                  << " s allowed): its events reached the recorder late and new subscriptions "
                     "waited for it to catch up; run the test at a speed this build sustains "
                     "(ReducedUnderSanitizers)";
  }

  std::thread lag_watch_;
  std::atomic<bool> lag_watch_stop_{false};
  // Written by lag_watch_ while it runs, read after it is joined.
  int64_t worst_sim_lag_ = 0;
  TimePoint worst_sim_lag_at_;
};

}  // namespace ibstream::recorder::testing
