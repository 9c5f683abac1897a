// A subscription gets nothing from before it was asked for, as with IB: the simulator's loop
// releases the events due since its previous poll at the next one, so a subscription made between
// two polls would otherwise be sent the events dated before its request. Each test subscribes
// after the clock moved and before the poll that releases the events in between (no timed polls:
// only Sync() polls), then reads what the client received and what the truth says was delivered.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/simulator.h"
#include "sim/test_client.h"

namespace ibstream::sim::subscription_start_test {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t kSeed = 4343;
constexpr int32_t kMnq = 711000000 + 202509;
constexpr int32_t kReq = 7;

TimePoint At(const char* iso) { return ParseIsoTime(iso).value(); }
int64_t Nanos(TimePoint t) { return t.time_since_epoch().count(); }

// One MNQ record of the truth file.
struct TruthTick {
  int64_t time_ns = 0;
  int64_t time = 0;  // the wire's second
  bool delivered = false;
  int subscribers = 0;
};

class SubscriptionStartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("subscription_start_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl"))
                .string();
    SimulatorOptions o;
    o.listen_port = 0;
    o.quiet = true;
    o.seed = kSeed;
    o.truth_path = path_;
    o.poll_interval = std::chrono::hours(1);  // the first poll at the start, then only Sync()
    sim_ = std::make_unique<Simulator>(clock_, o);
    Status st = sim_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    sim_->Sync();
    TestClient::Options co;
    co.client_id = 1;
    auto client = TestClient::Connect(sim_->port(), co);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(client).value();
  }
  void TearDown() override {
    if (sim_) sim_->Stop();
    std::filesystem::remove(path_);
  }

  // Stops the simulator (once); returns its MNQ records of `tick_type` and the subscription
  // start of kReq in *start_ns.
  std::vector<TruthTick> StopAndReadTruth(const std::string& tick_type, int64_t* start_ns) {
    if (sim_) {
      sim_->Stop();
      sim_.reset();
    }
    std::vector<TruthTick> ticks;
    std::ifstream in(path_);
    std::string line;
    while (std::getline(in, line)) {
      const auto j = nlohmann::json::parse(line);
      if (j["type"] == "subscription" && j["event"] == "start" && j["req_id"] == kReq) {
        *start_ns = j["time_ns"].get<int64_t>();
      }
      if (j["type"] != "tick" || j["con_id"] != kMnq || j["tick_type"] != tick_type) continue;
      ticks.push_back({j["time_ns"].get<int64_t>(), j["time"].get<int64_t>(),
                       j["delivered"].get<bool>(), j["subscribers"].get<int>()});
    }
    return ticks;
  }

  // How many records before the subscription and from it on; every one before it went to
  // nobody, every one from it on to the one subscription.
  struct Counts {
    size_t before = 0, from = 0;
  };
  Counts ExpectNothingBefore(const std::vector<TruthTick>& ticks, TimePoint since) {
    Counts counts;
    size_t wrong = 0;
    std::string examples;
    for (const TruthTick& t : ticks) {
      if (t.time_ns <= Nanos(start_)) continue;  // released by the first poll
      const bool before = t.time_ns < Nanos(since);
      ++(before ? counts.before : counts.from);
      if (t.subscribers == (before ? 0 : 1) && t.delivered == !before) continue;
      if (++wrong <= 5) {
        examples += FormatIsoUtc(FromUnixNanos(t.time_ns)) + " (" + std::to_string(t.time_ns) +
                    " ns) subscribers " + std::to_string(t.subscribers) + "\n";
      }
    }
    EXPECT_EQ(wrong, 0u) << "records on the wrong side of the subscription at "
                         << FormatIsoUtc(since) << ", the first ones:\n"
                         << examples;
    return counts;
  }

  const TimePoint start_ = At("2025-08-11T14:00:00Z");  // Monday 09:00 CDT: liquid MNQ
  ManualClock clock_{start_};
  std::string path_;
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<TestClient> client_;
};

// The clock moves 5 s, a BidAsk subscription is made, and only then does a poll release those
// 5 s: none of their ticks reaches it; the ticks from its request on do, and the truth says so.
TEST_F(SubscriptionStartTest, TickByTickGetsNoTickFromBeforeItsRequest) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  clock_.Advance(5s);
  const TimePoint since = clock_.Now();
  protocol::ReqTickByTickData r;
  r.req_id = kReq;
  r.contract.con_id = kMnq;
  r.tick_type = "BidAsk";
  ASSERT_TRUE(client_->Send(r).ok());
  ASSERT_TRUE(client_->RoundTrip());
  sim_->Sync();  // releases (start, +5s]
  clock_.Advance(5s);
  sim_->Sync();  // releases (+5s, +10s]
  ASSERT_TRUE(client_->RoundTrip());

  int64_t start_ns = 0;
  const std::vector<TruthTick> ticks = StopAndReadTruth("BidAsk", &start_ns);
  EXPECT_EQ(start_ns, Nanos(since));
  const Counts counts = ExpectNothingBefore(ticks, since);
  EXPECT_GT(counts.before, 10u);  // MNQ quotes several times a second
  EXPECT_GT(counts.from, 10u);
  // The client received exactly the ticks the truth says were delivered, in order.
  std::vector<int64_t> delivered;
  for (const TruthTick& t : ticks) {
    if (t.delivered) delivered.push_back(t.time);
  }
  std::vector<int64_t> received;
  for (const ReceivedTick& t : client_->ticks) {
    if (t.req_id == kReq) received.push_back(ToUnixSeconds(t.tick.exchange_time));
  }
  EXPECT_EQ(received, delivered);
  ASSERT_FALSE(received.empty());
  EXPECT_GE(received.front(), ToUnixSeconds(since));
}

// The same for reqMktData: it gets the current market when it asks, then no update published
// on a grid instant before its request; the updates from its request on reach it.
TEST_F(SubscriptionStartTest, MktDataGetsNoUpdateFromBeforeItsRequest) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  clock_.Advance(5s);
  const TimePoint since = clock_.Now();
  protocol::ReqMktData r;
  r.req_id = kReq;
  r.contract.con_id = kMnq;
  ASSERT_TRUE(client_->Send(r).ok());
  ASSERT_TRUE(client_->RoundTrip());
  const size_t at_request = client_->mkt_data.size();
  sim_->Sync();  // releases (start, +5s]
  clock_.Advance(5s);
  sim_->Sync();  // releases (+5s, +10s]
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_GT(client_->mkt_data.size(), at_request);

  int64_t start_ns = 0;
  const std::vector<TruthTick> quotes = StopAndReadTruth("Quote", &start_ns);
  EXPECT_EQ(start_ns, Nanos(since));
  const Counts quote_counts = ExpectNothingBefore(quotes, since);
  EXPECT_GT(quote_counts.before, 10u);  // MNQ's quote changes at nearly every grid instant
  EXPECT_GT(quote_counts.from, 10u);
  const std::vector<TruthTick> trades = StopAndReadTruth("Trade", &start_ns);
  const Counts trade_counts = ExpectNothingBefore(trades, since);
  EXPECT_GT(trade_counts.before, 0u);
  EXPECT_GT(trade_counts.from, 0u);
  // Each trade update ends with the trade's time (TICK_STRING 45): after the current market the
  // request got, exactly one per Trade record delivered.
  size_t trade_updates = 0;
  for (size_t i = at_request; i < client_->mkt_data.size(); ++i) {
    const ReceivedMktData& m = client_->mkt_data[i];
    if (m.req_id == kReq && m.kind == ReceivedMktData::Kind::kString && m.tick_type == 45) {
      ++trade_updates;
    }
  }
  EXPECT_EQ(trade_updates, trade_counts.from);
}

// The same for market depth: the request gets the book as it is when asked, then no change
// published on a grid instant before its request; the changes from its request on reach it, and
// the truth's Depth records are exactly what was sent.
TEST_F(SubscriptionStartTest, DepthGetsNoChangeFromBeforeItsRequest) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  clock_.Advance(1s);
  sim_->Sync();  // the market has a quote: the request gets a book
  clock_.Advance(5s);
  const TimePoint since = clock_.Now();
  protocol::ReqMktDepth r;
  r.req_id = kReq;
  r.contract.con_id = kMnq;
  r.num_rows = 5;
  ASSERT_TRUE(client_->Send(r).ok());
  ASSERT_TRUE(client_->RoundTrip());
  const size_t at_request = client_->depth.size();
  EXPECT_GT(at_request, 0u) << "the book at the request";
  sim_->Sync();  // releases (start, +5s]
  clock_.Advance(5s);
  sim_->Sync();  // releases (+5s, +10s]
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_GT(client_->depth.size(), at_request);

  int64_t start_ns = 0;
  const std::vector<TruthTick> depth = StopAndReadTruth("Depth", &start_ns);
  size_t before = 0;
  size_t after_request = 0;
  std::string examples;
  for (const TruthTick& t : depth) {
    if (t.time_ns < Nanos(since)) {
      if (++before <= 5) examples += FormatIsoUtc(FromUnixNanos(t.time_ns)) + "\n";
    } else if (t.time_ns > Nanos(since)) {
      ++after_request;
    }
  }
  EXPECT_EQ(before, 0u) << "depth updates dated before the request at " << FormatIsoUtc(since)
                        << ", the first ones:\n"
                        << examples;
  EXPECT_GT(after_request, 10u);  // MNQ's quote moves at nearly every grid instant
  EXPECT_EQ(depth.size(), client_->depth.size()) << "the truth records every update sent";
}

}  // namespace
}  // namespace ibstream::sim::subscription_start_test
