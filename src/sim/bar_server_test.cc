// Bars over the wire: reqHistoricalData and reqRealTimeBars against a running simulator with a
// manual clock. Every bar is checked against the ticks inside it, regenerated here with the same
// seed (the simulator's history is a pure function of seed, contract and second).
#include "sim/bar_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "protocol/constants.h"
#include "sim/catalog.h"
#include "sim/market.h"
#include "sim/scenario.h"
#include "sim/simulator.h"
#include "sim/test_client.h"

namespace ibstream::sim::bar_server_test {
namespace {

constexpr uint64_t kSeed = 1717;
constexpr int32_t kMnq = 711000000 + 202509;
constexpr int32_t kAapl = 265598;
constexpr const char* kStart = "2025-08-11T14:00:00Z";  // Monday 09:00 CDT, 10:00 EDT
constexpr int64_t kStartSecond = 1754920800;

TimePoint At(const char* iso) { return ParseIsoTime(iso).value(); }

protocol::ReqHistoricalData Bars(int32_t req_id, int32_t con_id, const char* bar_size,
                                 const char* duration, const char* what, int format_date = 2) {
  protocol::ReqHistoricalData r;
  r.req_id = req_id;
  r.contract.con_id = con_id;
  r.bar_size_setting = bar_size;
  r.duration = duration;
  r.what_to_show = what;
  r.format_date = format_date;
  return r;
}

protocol::ReqRealTimeBars RealTime(int32_t req_id, int32_t con_id, const char* what) {
  protocol::ReqRealTimeBars r;
  r.req_id = req_id;
  r.contract.con_id = con_id;
  r.bar_size = 5;
  r.what_to_show = what;
  return r;
}

// What the ticks of [from, to) say a bar must be, computed here without the bar builder.
struct Truth {
  int n = 0;
  double open = 0, high = 0, low = 0, close = 0;
  double volume = 0, notional = 0;
  double min_bid = 0, max_bid = 0, min_ask = 0, max_ask = 0;
};

class BarServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimulatorOptions options;
    options.listen_port = 0;
    options.quiet = true;
    options.seed = kSeed;
    options.builtin_symbols = {"MNQ", "AAPL"};  // the markets these tests ask bars of
    sim_ = std::make_unique<Simulator>(clock_, std::move(options));
    ASSERT_TRUE(sim_->Start().ok());
    TestClient::Options o;
    o.client_id = 1;
    auto c = TestClient::Connect(sim_->port(), o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    client_ = std::move(c).value();
    catalog_ = std::make_unique<Catalog>(Catalog::BuiltIn(At(kStart)).value());
  }

  void Advance(int seconds) {
    for (int i = 0; i < seconds; ++i) {
      clock_.Advance(std::chrono::seconds(1));
      sim_->Sync();
    }
  }

  const SimMarket& Market(int32_t con_id) {
    auto& m = markets_[con_id];
    if (!m) {
      for (const auto& c : catalog_->contracts()) {
        if (c->con_id() == con_id) m = SimMarket::Create(c, At(kStart), 30).value();
      }
    }
    return *m;
  }

  Truth TruthOf(int32_t con_id, TickType type, int64_t from, int64_t to, bool rth = false) {
    std::vector<Tick> ticks;
    for (int64_t s = from; s < to; ++s) Market(con_id).SecondTicks(gen_, s, type, rth, ticks);
    Truth t;
    for (const Tick& k : ticks) {
      const double p = type == TickType::kBidAsk ? k.bid_price : k.price;
      if (t.n == 0) {
        t.open = t.high = t.low = p;
        t.min_bid = t.max_bid = k.bid_price;
        t.min_ask = t.max_ask = k.ask_price;
      }
      t.high = std::max(t.high, p);
      t.low = std::min(t.low, p);
      t.close = p;
      t.min_bid = std::min(t.min_bid, k.bid_price);
      t.max_bid = std::max(t.max_bid, k.bid_price);
      t.min_ask = std::min(t.min_ask, k.ask_price);
      t.max_ask = std::max(t.max_ask, k.ask_price);
      if (type == TickType::kLast) {
        t.volume += k.size.ToDouble();
        t.notional += k.price * k.size.ToDouble();
      }
      ++t.n;
    }
    return t;
  }

  void ExpectTradesBar(const ReceivedBar& bar, const Truth& t, const std::string& where) {
    SCOPED_TRACE(where);
    ASSERT_GT(t.n, 0);
    EXPECT_EQ(bar.open, t.open);
    EXPECT_EQ(bar.high, t.high);
    EXPECT_EQ(bar.low, t.low);
    EXPECT_EQ(bar.close, t.close);
    // The bar sums exact decimals; the truth here sums doubles.
    EXPECT_NEAR(bar.volume.ToDouble(), t.volume, 1e-9 * std::max(1.0, t.volume));
    EXPECT_NEAR(bar.wap.ToDouble(), t.notional / t.volume, 1e-6);
    EXPECT_EQ(bar.count, t.n);
  }

  void ExpectMidpointBar(const ReceivedBar& bar, const Truth& t, const std::string& where) {
    SCOPED_TRACE(where);
    ASSERT_GT(t.n, 0);
    EXPECT_EQ(bar.open, t.open);
    EXPECT_EQ(bar.high, t.high);
    EXPECT_EQ(bar.low, t.low);
    EXPECT_EQ(bar.close, t.close);
    EXPECT_EQ(bar.volume, Decimal::FromInt(-1));
    EXPECT_EQ(bar.wap, Decimal::FromInt(-1));
    EXPECT_EQ(bar.count, -1);
  }

  ManualClock clock_{At(kStart)};
  TickGenerator gen_{kSeed};
  std::unique_ptr<Catalog> catalog_;
  std::map<int32_t, std::unique_ptr<SimMarket>> markets_;
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(BarServerTest, TradesBarsAgreeWithTheTradesInsideThem) {
  ASSERT_TRUE(client_->Send(Bars(1, kMnq, "1 min", "1800 S", "TRADES")).ok());
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_EQ(client_->historical_bars.size(), 1u);
  const ReceivedBars& got = client_->historical_bars[0];
  EXPECT_EQ(got.req_id, 1);
  EXPECT_EQ(got.start, "20250811 08:30:00 US/Central");
  EXPECT_EQ(got.end, "20250811 09:00:00 US/Central");
  // Every minute with a trade has its bar, in order, each the trades inside it.
  std::vector<int64_t> minutes_with_trades;
  for (int64_t m = kStartSecond - 1800; m < kStartSecond; m += 60) {
    if (TruthOf(kMnq, TickType::kLast, m, m + 60).n > 0) minutes_with_trades.push_back(m);
  }
  ASSERT_EQ(got.bars.size(), minutes_with_trades.size());
  ASSERT_GT(got.bars.size(), 25u);
  for (size_t i = 0; i < got.bars.size(); ++i) {
    const int64_t start = minutes_with_trades[i];
    EXPECT_EQ(got.bars[i].date, std::to_string(start));
    ExpectTradesBar(got.bars[i], TruthOf(kMnq, TickType::kLast, start, start + 60),
                    got.bars[i].date);
  }
}

TEST_F(BarServerTest, MidpointBarsInLocalTimeWithAnEndDate) {
  ASSERT_TRUE(client_->Send(Bars(2, kAapl, "5 secs", "60 S", "MIDPOINT", 1)).ok());
  auto r = Bars(3, kAapl, "10 secs", "60 S", "MIDPOINT", 1);
  r.end_date_time = "20250811 09:40:00 US/Eastern";
  ASSERT_TRUE(client_->Send(r).ok());
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_EQ(client_->historical_bars.size(), 2u);
  const ReceivedBars& now_bars = client_->historical_bars[0];
  ASSERT_EQ(now_bars.bars.size(), 12u);
  EXPECT_EQ(now_bars.bars.front().date, "20250811 09:59:00 US/Eastern");
  EXPECT_EQ(now_bars.bars.back().date, "20250811 09:59:55 US/Eastern");
  for (size_t i = 0; i < 12; ++i) {
    const int64_t start = kStartSecond - 60 + 5 * static_cast<int64_t>(i);
    ExpectMidpointBar(now_bars.bars[i], TruthOf(kAapl, TickType::kMidPoint, start, start + 5),
                      now_bars.bars[i].date);
  }
  const ReceivedBars& ended = client_->historical_bars[1];
  EXPECT_EQ(ended.start, "20250811 09:39:00 US/Eastern");
  EXPECT_EQ(ended.end, "20250811 09:40:00 US/Eastern");
  ASSERT_EQ(ended.bars.size(), 6u);
  EXPECT_EQ(ended.bars.front().date, "20250811 09:39:00 US/Eastern");
  const int64_t end = kStartSecond - 20 * 60;
  ExpectMidpointBar(ended.bars.back(), TruthOf(kAapl, TickType::kMidPoint, end - 10, end),
                    "last bar before the end date");
}

TEST_F(BarServerTest, BidAskBarsSpanTheQuotesInsideThem) {
  for (const char* what : {"BID_ASK", "BID", "ASK"}) {
    ASSERT_TRUE(client_->Send(Bars(4, kMnq, "15 secs", "120 S", what)).ok());
  }
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_EQ(client_->historical_bars.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    const ReceivedBars& got = client_->historical_bars[k];
    ASSERT_EQ(got.bars.size(), 8u);
    for (size_t i = 0; i < 8; ++i) {
      const int64_t start = kStartSecond - 120 + 15 * static_cast<int64_t>(i);
      const Truth t = TruthOf(kMnq, TickType::kBidAsk, start, start + 15);
      const ReceivedBar& b = got.bars[i];
      SCOPED_TRACE(std::to_string(k) + " " + b.date);
      if (k == 0) {  // BID_ASK: time-average bid, max ask, min bid, time-average ask
        EXPECT_EQ(b.high, t.max_ask);
        EXPECT_EQ(b.low, t.min_bid);
        EXPECT_GE(b.open, t.min_bid);
        EXPECT_LE(b.open, t.max_bid);
        EXPECT_GE(b.close, t.min_ask);
        EXPECT_LE(b.close, t.max_ask);
      } else if (k == 1) {  // BID
        EXPECT_EQ(b.high, t.max_bid);
        EXPECT_EQ(b.low, t.min_bid);
      } else {  // ASK
        EXPECT_EQ(b.high, t.max_ask);
        EXPECT_EQ(b.low, t.min_ask);
      }
      EXPECT_EQ(b.count, -1);
    }
  }
}

TEST_F(BarServerTest, UseRthKeepsLiquidHoursOnly) {
  // MNQ's liquid session starts 08:30 CT; ask for 08:00-09:00.
  auto all = Bars(5, kMnq, "5 mins", "3600 S", "TRADES", 1);
  auto rth = all;
  rth.req_id = 6;
  rth.use_rth = true;
  ASSERT_TRUE(client_->Send(all).ok());
  ASSERT_TRUE(client_->Send(rth).ok());
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_EQ(client_->historical_bars.size(), 2u);
  EXPECT_EQ(client_->historical_bars[0].bars.size(), 12u);
  EXPECT_EQ(client_->historical_bars[0].bars.front().date, "20250811 08:00:00 US/Central");
  ASSERT_EQ(client_->historical_bars[1].bars.size(), 6u);
  EXPECT_EQ(client_->historical_bars[1].bars.front().date, "20250811 08:30:00 US/Central");
}

TEST_F(BarServerTest, KeepUpToDateSendsTheBarInProgressEveryFiveSeconds) {
  auto r = Bars(7, kMnq, "1 min", "300 S", "TRADES");
  r.keep_up_to_date = true;
  ASSERT_TRUE(client_->Send(r).ok());
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_EQ(client_->historical_bars.size(), 1u);
  Advance(20);
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_EQ(client_->bar_updates.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    const ReceivedBar& u = client_->bar_updates[i];
    EXPECT_EQ(u.req_id, 7);
    EXPECT_EQ(u.date, std::to_string(kStartSecond));  // the 09:00 bar, growing
    const int64_t upto = kStartSecond + 5 * static_cast<int64_t>(i + 1);
    ExpectTradesBar(u, TruthOf(kMnq, TickType::kLast, kStartSecond, upto),
                    "update " + std::to_string(i));
  }
  // A cancel stops the updates.
  ASSERT_TRUE(client_->Send(protocol::CancelHistoricalData{7}).ok());
  ASSERT_TRUE(client_->RoundTrip());
  Advance(20);
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_EQ(client_->bar_updates.size(), 4u);
}

TEST_F(BarServerTest, RealTimeBarsEveryFiveSecondsUntilCancelled) {
  ASSERT_TRUE(client_->Send(RealTime(8, kMnq, "TRADES")).ok());
  ASSERT_TRUE(client_->Send(RealTime(9, kAapl, "MIDPOINT")).ok());
  ASSERT_TRUE(client_->RoundTrip());
  Advance(4);
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_TRUE(client_->realtime_bars.empty());  // the first bar ends at 14:00:05
  Advance(26);
  ASSERT_TRUE(client_->RoundTrip());
  std::vector<protocol::RealTimeBar> mnq, aapl;
  for (const auto& b : client_->realtime_bars) (b.req_id == 8 ? mnq : aapl).push_back(b);
  ASSERT_EQ(mnq.size(), 6u);
  ASSERT_EQ(aapl.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    const int64_t start = kStartSecond + 5 * static_cast<int64_t>(i);
    EXPECT_EQ(mnq[i].time, start);
    EXPECT_EQ(aapl[i].time, start);
    const Truth t = TruthOf(kMnq, TickType::kLast, start, start + 5);
    ReceivedBar as_bar{8,           "",           mnq[i].open,   mnq[i].high,
                       mnq[i].low,  mnq[i].close, mnq[i].volume, mnq[i].wap,
                       mnq[i].count};
    ExpectTradesBar(as_bar, t, "real-time " + std::to_string(start));
    const Truth m = TruthOf(kAapl, TickType::kMidPoint, start, start + 5);
    EXPECT_EQ(aapl[i].open, m.open);
    EXPECT_EQ(aapl[i].high, m.high);
    EXPECT_EQ(aapl[i].low, m.low);
    EXPECT_EQ(aapl[i].close, m.close);
  }
  ASSERT_TRUE(client_->Send(protocol::CancelRealTimeBars{8}).ok());
  ASSERT_TRUE(client_->RoundTrip());
  Advance(10);
  ASSERT_TRUE(client_->RoundTrip());
  size_t mnq_after = 0;
  for (const auto& b : client_->realtime_bars) mnq_after += b.req_id == 8 ? 1 : 0;
  EXPECT_EQ(mnq_after, 6u);
  EXPECT_EQ(client_->realtime_bars.size(), 14u);  // AAPL goes on
}

TEST_F(BarServerTest, DailyBarsAreLocalDaysOfTheHistory) {
  // A window this long is built over several polls, and the loop answers the client's other
  // requests between them: a reqCurrentTime sent with the request is answered before the bars.
  // Both go in one write, so the simulator reads them together; once it has taken the first,
  // Sync() runs after both and finishes the bars. (Waiting for the current time's answer with a
  // deadline instead waits behind at least one poll's 20,000 seconds of history: seconds in a
  // sanitized build on a loaded machine, once more than TestClient's 10.)
  const uint64_t requests_before = sim_->stats().requests;
  const size_t times_before = client_->current_times.size();
  std::string both;
  ASSERT_TRUE(protocol::EncodeRequest(Bars(50, kAapl, "1 day", "1 W", "TRADES", 1),
                                      client_->server_version(), both)
                  .ok());
  ASSERT_TRUE(
      protocol::EncodeRequest(protocol::ReqCurrentTime{}, client_->server_version(), both).ok());
  ASSERT_TRUE(client_->SendRaw(both).ok());
  const auto taken_by = SteadyClock::Real().Now() + std::chrono::seconds(60);
  while (sim_->stats().requests == requests_before && SteadyClock::Real().Now() < taken_by) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_GT(sim_->stats().requests, requests_before) << "the simulator did not read the request";
  sim_->Sync();  // finishes the bars
  ASSERT_TRUE(client_->WaitFor([&] {
    return !client_->historical_bars.empty() && client_->current_times.size() > times_before;
  }));
  const std::vector<int>& ids = client_->message_ids();
  const auto time_at =
      std::find(ids.begin(), ids.end(), static_cast<int>(protocol::IncomingId::kCurrentTime));
  const auto bars_at =
      std::find(ids.begin(), ids.end(), static_cast<int>(protocol::IncomingId::kHistoricalData));
  ASSERT_NE(bars_at, ids.end());
  EXPECT_LT(time_at, bars_at) << "the bars were built before the loop answered anything else";
  ASSERT_EQ(client_->historical_bars.size(), 1u);
  const ReceivedBars& got = client_->historical_bars[0];
  EXPECT_EQ(got.start, "20250804 10:00:00 US/Eastern");
  // The weekdays from Monday 4 August (from 10:00) to Friday 8 August, and Monday 11 so far.
  std::vector<std::string> dates;
  for (const ReceivedBar& b : got.bars) dates.push_back(b.date);
  EXPECT_EQ(dates, (std::vector<std::string>{"20250804", "20250805", "20250806", "20250807",
                                             "20250808", "20250811"}));
  // The last day so far: 04:00 EDT (08:00Z) up to now.
  ExpectTradesBar(got.bars.back(),
                  TruthOf(kAapl, TickType::kLast, kStartSecond - 6 * 3600, kStartSecond), "today");
}

TEST_F(BarServerTest, BadParametersGetIbErrors) {
  struct Case {
    protocol::ReqHistoricalData request;
    int32_t code;
  };
  auto with_end = Bars(15, kMnq, "1 min", "1800 S", "TRADES");
  with_end.keep_up_to_date = true;
  with_end.end_date_time = "20250811 08:30:00 US/Central";
  auto bad_format = Bars(16, kMnq, "1 min", "1800 S", "TRADES", 3);
  auto bad_end = Bars(17, kMnq, "1 min", "1800 S", "TRADES");
  bad_end.end_date_time = "yesterday";
  const std::vector<Case> cases = {
      {Bars(10, kMnq, "7 secs", "60 S", "TRADES"), 321},
      {Bars(11, kMnq, "1 min", "10 H", "TRADES"), 321},
      {Bars(12, kMnq, "1 min", "1800 S", "FOO"), 321},
      {Bars(13, kMnq, "1 secs", "1 D", "TRADES"), 162},
      {Bars(14, 42, "1 min", "1800 S", "TRADES"), 200},
      {with_end, 321},
      {bad_format, 321},
      {bad_end, 321},
  };
  for (const Case& c : cases) ASSERT_TRUE(client_->Send(c.request).ok());
  auto rt_size = RealTime(20, kMnq, "TRADES");
  rt_size.bar_size = 10;
  ASSERT_TRUE(client_->Send(rt_size).ok());
  ASSERT_TRUE(client_->Send(RealTime(21, kMnq, "BID_ASK")).ok());
  ASSERT_TRUE(client_->Send(RealTime(22, kMnq, "TRADES")).ok());
  ASSERT_TRUE(client_->Send(RealTime(22, kMnq, "MIDPOINT")).ok());
  ASSERT_TRUE(client_->RoundTrip());
  for (const Case& c : cases) {
    EXPECT_TRUE(client_->HasError(c.code, c.request.req_id)) << c.request.req_id;
  }
  EXPECT_TRUE(client_->HasError(321, 20));
  EXPECT_TRUE(client_->HasError(321, 21));
  EXPECT_TRUE(client_->HasError(322, 22));
  EXPECT_TRUE(client_->historical_bars.empty());
  EXPECT_EQ(sim_->stats().bar_request_errors, 9u);
  EXPECT_EQ(sim_->stats().pacing_violations, 0u);
  // The connection is fine.
  ASSERT_TRUE(client_->Send(Bars(30, kMnq, "1 min", "60 S", "TRADES")).ok());
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_EQ(client_->historical_bars.size(), 1u);
}

TEST_F(BarServerTest, HistoricalBarsFailWhileHmdsIsDown) {
  auto fault = ParseFaultLine("farm_down farm=usfuture hmds=true duration=10s");
  ASSERT_TRUE(fault.ok()) << fault.status().ToString();
  sim_->InjectFault(*fault);
  sim_->Sync();
  ASSERT_TRUE(client_->Send(Bars(60, kMnq, "1 min", "60 S", "TRADES")).ok());
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_TRUE(client_->HasError(162, 60));
  EXPECT_TRUE(client_->historical_bars.empty());
  Advance(11);
  ASSERT_TRUE(client_->Send(Bars(61, kMnq, "1 min", "60 S", "TRADES")).ok());
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_EQ(client_->historical_bars.size(), 1u);
}

TEST_F(BarServerTest, AClosedSessionsBarsStopAndOthersGoOn) {
  TestClient::Options o;
  o.client_id = 2;
  auto other = TestClient::Connect(sim_->port(), o);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  ASSERT_TRUE((*other)->Send(RealTime(70, kMnq, "TRADES")).ok());
  ASSERT_TRUE((*other)->RoundTrip());
  ASSERT_TRUE(client_->Send(RealTime(70, kMnq, "TRADES")).ok());  // same id, other session
  ASSERT_TRUE(client_->RoundTrip());
  Advance(5);
  ASSERT_TRUE((*other)->RoundTrip());
  EXPECT_EQ((*other)->realtime_bars.size(), 1u);
  other->reset();  // closes its connection
  Advance(10);
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_EQ(client_->realtime_bars.size(), 3u);
  EXPECT_FALSE(client_->HasError(322, 70));
}

TEST_F(BarServerTest, IdenticalRequestsArePaced) {
  ASSERT_TRUE(client_->Send(Bars(40, kMnq, "1 min", "60 S", "TRADES")).ok());
  ASSERT_TRUE(client_->Send(Bars(41, kMnq, "1 min", "60 S", "TRADES")).ok());
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_EQ(client_->historical_bars.size(), 1u);
  EXPECT_TRUE(client_->HasError(162, 41));
  EXPECT_EQ(sim_->stats().pacing_violations, 1u);
}

}  // namespace
}  // namespace ibstream::sim::bar_server_test
