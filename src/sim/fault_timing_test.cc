// Scripted fault windows are exact in virtual time, however late the poll that reaches them
// runs: the events before a fault's start are sent, those inside its window [start, end) are
// withheld, those from its end on are sent again, a `close` lets the events before it reach the
// client first, and the truth records each transition at its scheduled instant. Each test moves
// the manual clock past a whole window in one jump.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/fault.h"
#include "sim/simulator.h"
#include "sim/test_client.h"

namespace ibstream::sim::fault_timing_test {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t kSeed = 4242;
constexpr int32_t kMnq = 711000000 + 202509;
constexpr int32_t kBidAskReq = 1;

TimePoint At(const char* iso) { return ParseIsoTime(iso).value(); }

// One MNQ BidAsk record of the truth file.
struct TruthTick {
  int64_t time_ns = 0;
  int64_t time = 0;  // the wire's second
  bool delivered = false;
};

struct Truth {
  std::vector<TruthTick> ticks;  // MNQ BidAsk, in file order
  std::vector<nlohmann::json> faults;
  std::vector<nlohmann::json> subscription_ends;
};

int64_t Nanos(TimePoint t) { return t.time_since_epoch().count(); }

class FaultTimingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("fault_timing_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl"))
                .string();
  }
  void TearDown() override {
    if (sim_) sim_->Stop();
    std::filesystem::remove(path_);
  }

  // Starts the simulator with `fault` scheduled (a fault line, `at` from the start) and a
  // client subscribed to MNQ BidAsk before any event after the start is released.
  void StartWith(const std::string& fault, Duration poll_work_budget = 20ms) {
    auto spec = ParseFaultLine(fault);
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    SimulatorOptions o;
    o.listen_port = 0;
    o.quiet = true;
    o.seed = kSeed;
    o.truth_path = path_;
    o.poll_work_budget = poll_work_budget;
    o.faults.push_back(*spec);
    sim_ = std::make_unique<Simulator>(clock_, o);
    Status st = sim_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    TestClient::Options co;
    co.client_id = 1;
    auto client = TestClient::Connect(sim_->port(), co);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(client).value();
    protocol::ReqTickByTickData r;
    r.req_id = kBidAskReq;
    r.contract.con_id = kMnq;
    r.tick_type = "BidAsk";
    ASSERT_TRUE(client_->Send(r).ok());
    ASSERT_TRUE(client_->RoundTrip());
  }

  // Stops the simulator and reads its truth file.
  Truth StopAndReadTruth() {
    sim_->Stop();
    sim_.reset();
    Truth truth;
    std::ifstream in(path_);
    std::string line;
    while (std::getline(in, line)) {
      const auto j = nlohmann::json::parse(line);
      if (j["type"] == "fault") truth.faults.push_back(j);
      if (j["type"] == "subscription" && j["event"] == "end") {
        truth.subscription_ends.push_back(j);
      }
      if (j["type"] != "tick" || j["con_id"] != kMnq || j["tick_type"] != "BidAsk") continue;
      truth.ticks.push_back(
          {j["time_ns"].get<int64_t>(), j["time"].get<int64_t>(), j["delivered"].get<bool>()});
    }
    return truth;
  }

  // The client received exactly the ticks the truth says were delivered, in order.
  void ExpectClientGotWhatWasDelivered(const Truth& truth) {
    std::vector<int64_t> delivered;
    for (const TruthTick& t : truth.ticks) {
      if (t.delivered) delivered.push_back(t.time);
    }
    std::vector<int64_t> received;
    for (const ReceivedTick& t : client_->ticks) {
      if (t.req_id == kBidAskReq) received.push_back(ToUnixSeconds(t.tick.exchange_time));
    }
    EXPECT_EQ(received.size(), delivered.size());
    EXPECT_EQ(received, delivered);
  }

  // How many MNQ BidAsk ticks after the start lie before, inside and after [from, to).
  struct Counts {
    size_t before = 0, inside = 0, after = 0;
  };
  // MNQ BidAsk after the start: every tick in [from, to) withheld, every other one sent.
  Counts ExpectWithheldExactly(const Truth& truth, TimePoint from, TimePoint to) {
    Counts counts;
    size_t wrong = 0;
    std::string examples;
    for (const TruthTick& t : truth.ticks) {
      if (t.time_ns <= Nanos(start_)) continue;  // maybe released before the subscription
      const bool inside = t.time_ns >= Nanos(from) && t.time_ns < Nanos(to);
      ++(t.time_ns < Nanos(from) ? counts.before : inside ? counts.inside : counts.after);
      if (t.delivered != inside) continue;
      if (++wrong <= 5) {
        examples += FormatIsoUtc(FromUnixNanos(t.time_ns)) + " (" + std::to_string(t.time_ns) +
                    " ns) " + (t.delivered ? "delivered\n" : "withheld\n");
      }
    }
    EXPECT_EQ(wrong, 0u) << "ticks on the wrong side of [" << FormatIsoUtc(from) << ", "
                         << FormatIsoUtc(to) << "), the first ones:\n"
                         << examples;
    return counts;
  }

  // The silence tests' judgement: MNQ BidAsk withheld exactly from +20s to +30s, ticks on each
  // side, the client got what was delivered, and the truth has the window's scheduled times.
  void ExpectTheSilenceFrom20sTo30sExactly() {
    const Truth truth = StopAndReadTruth();
    const Counts counts = ExpectWithheldExactly(truth, start_ + 20s, start_ + 30s);
    EXPECT_GT(counts.before, 10u);  // MNQ quotes several times a second
    EXPECT_GT(counts.inside, 10u);
    EXPECT_GT(counts.after, 10u);
    ExpectClientGotWhatWasDelivered(truth);
    ASSERT_EQ(truth.faults.size(), 1u);
    EXPECT_EQ(truth.faults[0]["kind"], "silence");
    EXPECT_EQ(truth.faults[0]["start"], FormatIsoUtc(start_ + 20s));
    EXPECT_EQ(truth.faults[0]["end"], FormatIsoUtc(start_ + 30s));
  }

  const TimePoint start_ = At("2025-08-11T14:00:00Z");  // Monday 09:00 CDT: liquid MNQ
  ManualClock clock_{start_};
  std::string path_;
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<TestClient> client_;
};

// A silence from +20s to +30s; the clock jumps from +5s to +45s and one poll releases it all.
TEST_F(FaultTimingTest, SilenceWindowIsExactAfterOneLatePoll) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  StartWith("silence con_id=" + std::to_string(kMnq) + " tick_type=BidAsk at=+20s duration=10s");
  if (HasFatalFailure()) return;
  clock_.Advance(5s);
  sim_->Sync();
  ASSERT_TRUE(client_->RoundTrip());
  clock_.Advance(40s);
  sim_->Sync();
  ASSERT_TRUE(client_->RoundTrip());
  ExpectTheSilenceFrom20sTo30sExactly();
}

// A close at +20s reached by one poll at +25s: the ticks before +20s reach the client before
// the FIN, none after it is sent, and the subscription ends at +20s.
TEST_F(FaultTimingTest, CloseAfterOneLatePollSendsTheEventsBeforeItFirst) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  StartWith("close at=+20s");
  if (HasFatalFailure()) return;
  clock_.Advance(5s);
  sim_->Sync();
  ASSERT_TRUE(client_->RoundTrip());
  clock_.Advance(20s);
  sim_->Sync();
  EXPECT_TRUE(client_->WaitFor([&] { return client_->closed(); }));
  ASSERT_TRUE(client_->closed());
  clock_.Advance(5s);  // ticks after the close, for nobody
  sim_->Sync();
  const Truth truth = StopAndReadTruth();
  // Nothing from the close on, to the end of the run.
  const Counts counts = ExpectWithheldExactly(truth, start_ + 20s, clock_.Now() + 1s);
  EXPECT_GT(counts.before, 10u);  // MNQ quotes several times a second
  EXPECT_GT(counts.inside, 10u);
  ExpectClientGotWhatWasDelivered(truth);
  ASSERT_EQ(truth.faults.size(), 1u);
  EXPECT_EQ(truth.faults[0]["kind"], "close");
  EXPECT_EQ(truth.faults[0]["start"], FormatIsoUtc(start_ + 20s));
  ASSERT_EQ(truth.subscription_ends.size(), 1u);
  EXPECT_EQ(truth.subscription_ends[0]["req_id"], kBidAskReq);
  EXPECT_EQ(truth.subscription_ends[0]["reason"], "fault: close");
  EXPECT_EQ(truth.subscription_ends[0]["time_ns"].get<int64_t>(), Nanos(start_ + 20s));
}

// With no work budget every poll of the loop generates one second of one market and stops, so
// after the jump many polls pass before the markets reach the silence: none may apply it early
// (before the events before +20s are out) or end it early.
TEST_F(FaultTimingTest, SilenceWindowIsExactWhenPollsRunOutOfBudget) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  StartWith("silence con_id=" + std::to_string(kMnq) + " tick_type=BidAsk at=+20s duration=10s",
            Duration::zero());
  if (HasFatalFailure()) return;
  clock_.Advance(5s);
  sim_->Sync();
  ASSERT_TRUE(client_->RoundTrip());
  const uint64_t behind_before = sim_->stats().polls_behind;
  clock_.Advance(40s);
  // Only the loop's own (bounded) polls run until the markets have caught up.
  const SteadyTimePoint deadline = SteadyClock::Real().Now() + 60s;
  SimulatorStats stats = sim_->stats();
  while (!(stats.polls_behind > behind_before && stats.lag_seconds == 0) &&
         SteadyClock::Real().Now() < deadline) {
    sim_->RunOnLoop([] {});
    stats = sim_->stats();
  }
  EXPECT_GT(stats.polls_behind, behind_before + 10);
  ASSERT_EQ(stats.lag_seconds, 0);
  ASSERT_TRUE(client_->RoundTrip());
  ExpectTheSilenceFrom20sTo30sExactly();
}

}  // namespace
}  // namespace ibstream::sim::fault_timing_test
