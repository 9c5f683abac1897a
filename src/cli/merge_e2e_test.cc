// `ibstream merge` end to end on real recordings: two simulators of the same seed (so the same
// market) share one accelerated clock, each with its own recorder, backfill off. One simulated
// gateway restarts for a minute; the merged store of the two recordings is complete against the
// other simulator's ground truth without any backfill, and holds nothing extra.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "common/clock.h"
#include "merge/merger.h"
#include "recorder/recorder.h"
#include "recorder/recorder_sim_config.h"
#include "sim/fault.h"
#include "sim/simulator.h"
#include "verify/completeness.h"

namespace ibstream::cli::merge_e2e_test {
namespace {

using namespace std::chrono_literals;

// Slow enough for a loaded machine: a recorder that falls behind the simulator loses data of its
// own, which would prove nothing about the merge.
constexpr double kSpeed = 60;

class NullSink final : public reliability::AlertSink {
 public:
  void Deliver(std::span<const Alert>) override {}
};

// Monday 2025-08-11 09:00 CDT: liquid CME trading.
const TimePoint kStart = *ParseIsoTime("2025-08-11T09:00:00-05:00");

struct Site {
  std::unique_ptr<sim::Simulator> simulator;
  std::unique_ptr<recorder::Recorder> recorder;
  std::string data;
  std::string truth;
};

class MergeEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::path(::testing::TempDir()) / ("merge_e2e_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    clock_ = std::make_unique<ScaledClock>(kStart, kSpeed);
  }
  void TearDown() override {
    for (Site* site : {&a_, &b_}) {
      if (site->recorder) site->recorder->Stop();
      if (site->simulator) site->simulator->Stop();
    }
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  void Start(Site& site, const std::string& name) {
    site.data = (dir_ / name / "data").string();
    site.truth = (dir_ / name / "truth.jsonl").string();
    std::filesystem::create_directories(dir_ / name);
    sim::SimulatorOptions sim_options;
    sim_options.listen_port = 0;
    sim_options.quiet = true;
    sim_options.seed = 7;
    sim_options.speed = kSpeed;
    sim_options.history_days = 3;
    sim_options.truth_path = site.truth;
    sim_options.builtin_symbols = {"MNQ"};  // what SimTestConfig records
    site.simulator = std::make_unique<sim::Simulator>(*clock_, sim_options);
    ASSERT_TRUE(site.simulator->Start().ok());
    recorder::RecorderOptions options;
    options.config = recorder::SimTestConfig(site.simulator->port(), site.data);
    options.config.backfill.enabled = false;  // the merge, not the backfill, fills the gap
    site.recorder =
        std::make_unique<recorder::Recorder>(options, *clock_, fs::PosixFileSystem(), sink_);
    ASSERT_TRUE(site.recorder->Start().ok());
  }

  bool Recording(const Site& site) {
    auto view = site.recorder->View();
    if (view->contracts.empty() || view->contracts[0].streams.size() != 2) return false;
    for (const auto& s : view->contracts[0].streams) {
      if (s.ticks == 0) return false;
    }
    return true;
  }

  static bool WaitFor(const std::function<bool()>& condition) {
    const auto end = SteadyClock::Real().Now() + 120s;
    while (!condition()) {
      if (SteadyClock::Real().Now() > end) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  // The last second every stream of both recorders has a live tick of.
  TimePoint CommonEnd() {
    TimePoint end = clock_->Now();
    for (Site* site : {&a_, &b_}) {
      for (const auto view_now = site->recorder->View(); const auto& c : view_now->contracts) {
        for (const auto& s : c.streams) {
          if (s.last_exchange_time) end = std::min(end, *s.last_exchange_time);
        }
      }
    }
    return std::chrono::floor<std::chrono::seconds>(end);
  }

  std::filesystem::path dir_;
  std::unique_ptr<ScaledClock> clock_;
  NullSink sink_;
  Site a_;
  Site b_;
};

TEST_F(MergeEndToEndTest, OneGatewayRestartedMergedStoreIsComplete) {
  Start(a_, "a");
  Start(b_, "b");
  ASSERT_TRUE(WaitFor([&] { return Recording(a_) && Recording(b_); }));
  // Judged from the first whole second both recorded (the truth's windows start at each
  // recorder's own first request).
  const TimePoint from = std::chrono::ceil<std::chrono::seconds>(clock_->Now()) + 1s;
  const TimePoint inject = clock_->Now() + 30s;
  ASSERT_TRUE(WaitFor([&] { return clock_->Now() >= inject; }));
  auto fault = sim::ParseFaultLine("gateway_restart duration=60s");
  ASSERT_TRUE(fault.ok());
  a_.simulator->InjectFault(*fault);
  std::cout << "gateway a restarted at " << FormatIsoUtc(clock_->Now()) << "\n";
  // a lost the minute (its gaps are recorded once it resumed): wait for them, then record on.
  ASSERT_TRUE(WaitFor([&] { return a_.recorder->View()->gaps.size() >= 2; }));
  const TimePoint resumed = clock_->Now() + 30s;
  ASSERT_TRUE(WaitFor([&] { return clock_->Now() >= resumed; }));
  const TimePoint end = CommonEnd();
  for (const auto view_now = a_.recorder->View(); const auto& g : view_now->gaps) {
    std::cout << "gap of a: " << ToString(g.stream) << " " << FormatIsoUtc(g.start) << ".."
              << FormatIsoUtc(g.end) << " " << g.cause << "\n";
  }
  for (Site* site : {&a_, &b_}) {
    site->recorder->Stop();
    site->simulator->Stop();
  }

  std::vector<std::unique_ptr<merge::MergeSource>> owned;
  std::vector<merge::MergeSource*> sources;
  for (const auto& [name, site] : {std::pair{"a", &a_}, std::pair{"b", &b_}}) {
    auto source = merge::OpenStoreSource(fs::PosixFileSystem(), name, site->data);
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    sources.push_back(source->get());
    owned.push_back(std::move(*source));
  }
  merge::MergeOptions options;
  options.out = (dir_ / "merged").string();
  auto report = merge::MergeStores(fs::PosixFileSystem(), *clock_, sources, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  for (const auto& s : report->streams) {
    EXPECT_GT(s.seconds_by_source.count("b"), 0u) << "the merge never needed b";
  }

  // The recording with the restart alone is incomplete; the merged store is complete.
  verify::CompletenessOptions check;
  check.truth_path = b_.truth;
  check.from = from;
  check.to = end;
  auto alone = verify::CheckCompleteness(fs::PosixFileSystem(), a_.data, check);
  ASSERT_TRUE(alone.ok()) << alone.status().ToString();
  EXPECT_FALSE(alone->ok()) << "the restart cost a nothing";
  auto merged = verify::CheckCompleteness(fs::PosixFileSystem(), options.out, check);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  std::string described;
  for (const std::string& line : verify::DescribeCompleteness(*merged)) described += line + "\n";
  std::cout << described;
  ASSERT_EQ(merged->streams.size(), 2u) << described;
  for (const auto& s : merged->streams) {
    EXPECT_GT(s.expected, 100u) << described;
    EXPECT_EQ(s.missing, 0u) << described;
    EXPECT_EQ(s.extra, 0u) << described;
  }
  EXPECT_TRUE(merged->ok()) << described;
}

}  // namespace
}  // namespace ibstream::cli::merge_e2e_test
