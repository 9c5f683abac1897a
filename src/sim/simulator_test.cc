#include "sim/simulator.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "calendar/market_calendar.h"
#include "protocol/field_codec.h"
#include "sim/historical_pacing.h"
#include "sim/scenario.h"
#include "sim/test_client.h"

namespace ibstream::sim::simulator_test {
namespace {

constexpr uint64_t kSeed = 4242;
constexpr int32_t kMnq = 711000000 + 202509;
constexpr int32_t kAapl = 265598;
constexpr int32_t kEsx = 600000000 + 202509;

TimePoint At(const char* iso) { return ParseIsoTime(iso).value(); }

protocol::ReqTickByTickData Tbt(int32_t req_id, int32_t con_id, const char* type,
                                int32_t number_of_ticks = 0, bool ignore_size = false) {
  protocol::ReqTickByTickData r;
  r.req_id = req_id;
  r.contract.con_id = con_id;
  r.tick_type = type;
  r.number_of_ticks = number_of_ticks;
  r.ignore_size = ignore_size;
  return r;
}

protocol::ReqHistoricalTicks Hist(int32_t req_id, int32_t con_id, const char* what,
                                  std::string start, std::string end, int n = 1000) {
  protocol::ReqHistoricalTicks r;
  r.req_id = req_id;
  r.contract.con_id = con_id;
  r.what_to_show = what;
  r.start_date_time = std::move(start);
  r.end_date_time = std::move(end);
  r.number_of_ticks = n;
  return r;
}

class SimulatorTest : public ::testing::Test {
 protected:
  void SetUp() override { SCOPED_TRACE("seed " + std::to_string(kSeed)); }

  void StartSim(SimulatorOptions options = {}) {
    options.listen_port = 0;
    options.quiet = true;
    options.seed = kSeed;
    sim_ = std::make_unique<Simulator>(clock_, std::move(options));
    Status st = sim_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  std::unique_ptr<TestClient> Connect(int32_t client_id = 1) {
    TestClient::Options o;
    o.client_id = client_id;
    auto c = TestClient::Connect(sim_->port(), o);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  // Moves virtual time and lets the simulator release everything due.
  void Advance(Duration d, Duration step = std::chrono::seconds(1)) {
    for (Duration done{0}; done < d; done += step) {
      clock_.Advance(std::min(step, d - done));
      sim_->Sync();
    }
  }

  ManualClock clock_{At("2025-08-11T14:00:00Z")};  // Monday 09:00 CDT, 10:00 EDT
  std::unique_ptr<Simulator> sim_;
};

TEST_F(SimulatorTest, HandshakeInRealTwsOrder) {
  StartSim();
  auto c = Connect(7);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->server_version(), 187);
  EXPECT_EQ(c->accounts(), "DU1234567");
  ASSERT_GE(c->message_ids().size(), 3u);
  EXPECT_EQ(c->message_ids()[0], 15);
  EXPECT_EQ(c->message_ids()[1], 9);
  ASSERT_TRUE(c->RoundTrip());
  EXPECT_TRUE(c->HasError(2104, -1));
  EXPECT_TRUE(c->HasError(2106, -1));
  EXPECT_TRUE(c->HasError(2158, -1));
  EXPECT_EQ(c->current_times.back(), ToUnixSeconds(clock_.Now()));
}

TEST_F(SimulatorTest, VersionNegotiation) {
  StartSim();
  TestClient::Options o;
  o.min_version = 176;
  o.max_version = 180;
  auto lower = TestClient::Connect(sim_->port(), o);
  ASSERT_TRUE(lower.ok());
  EXPECT_EQ((*lower)->server_version(), 180);
  o.min_version = 100;
  o.max_version = 150;  // below what the simulator implements: closed without an answer
  auto old = TestClient::Connect(sim_->port(), o);
  EXPECT_FALSE(old.ok());
}

TEST_F(SimulatorTest, NothingBeforeStartApiAndDuplicateClientId) {
  StartSim();
  auto first = Connect(5);
  ASSERT_NE(first, nullptr);
  TestClient::Options o;
  o.client_id = 5;
  o.start_api = false;
  auto second = TestClient::Connect(sim_->port(), o);
  ASSERT_TRUE(second.ok());
  TestClient& c = **second;
  c.Drain(std::chrono::milliseconds(50));
  EXPECT_EQ(c.messages(), 0u);  // only the ack before START_API
  ASSERT_TRUE(c.Send(protocol::StartApi{5, ""}).ok());
  EXPECT_TRUE(c.WaitFor([&] { return c.closed(); }));
  EXPECT_TRUE(c.HasError(326, -1));
  EXPECT_TRUE(c.accounts().empty());
  EXPECT_TRUE(first->RoundTrip());  // the first client is unaffected
}

TEST_F(SimulatorTest, ContractDetailsLikeAGateway) {
  StartSim();
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  protocol::ReqContractDetails by_id;
  by_id.req_id = 1;
  by_id.contract.con_id = kMnq;
  protocol::ReqContractDetails all_months;
  all_months.req_id = 2;
  all_months.contract.symbol = "MNQ";
  all_months.contract.sec_type = "FUT";
  all_months.contract.exchange = "CME";
  all_months.contract.currency = "USD";
  protocol::ReqContractDetails front = all_months;
  front.req_id = 3;
  front.contract.sec_type = "CONTFUT";
  protocol::ReqContractDetails unknown;
  unknown.req_id = 4;
  unknown.contract.symbol = "NOPE";
  unknown.contract.sec_type = "STK";
  for (const auto& r : {by_id, all_months, front, unknown}) ASSERT_TRUE(c->Send(r).ok());
  ASSERT_TRUE(c->WaitFor([&] { return c->details_end.size() == 3 && c->HasError(200, 4); }));
  ASSERT_EQ(c->details.size(), 4u);
  EXPECT_EQ(c->details[0].contract.local_symbol, "MNQU5");
  EXPECT_EQ(c->details[0].time_zone_id, "US/Central");
  EXPECT_EQ(c->details[3].req_id, 3);
  EXPECT_EQ(c->details[3].contract.con_id, kMnq);
  // The hours strings parse with the calendar and agree with the clock.
  for (const auto& d : c->details) {
    auto calendar = calendar::MarketCalendar::Create(
        calendar::ContractHours{d.time_zone_id, d.trading_hours, d.liquid_hours});
    ASSERT_TRUE(calendar.ok()) << calendar.status().ToString();
    EXPECT_EQ(calendar->StatusAt(clock_.Now()), calendar::MarketStatus::kOpen);
  }
  protocol::ReqMatchingSymbols symbols;
  symbols.req_id = 5;
  symbols.pattern = "AAP";
  ASSERT_TRUE(c->Send(symbols).ok());
  ASSERT_TRUE(c->WaitFor([&] { return !c->symbol_samples.empty(); }));
  EXPECT_EQ(c->symbol_samples[0].con_id, kAapl);
}

TEST_F(SimulatorTest, BuiltinSymbolsLeaveOnlyThoseMarkets) {
  SimulatorOptions options;
  options.builtin_symbols = {"MNQ"};
  StartSim(options);
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  protocol::ReqContractDetails mnq;
  mnq.req_id = 1;
  mnq.contract.symbol = "MNQ";
  mnq.contract.sec_type = "FUT";
  protocol::ReqContractDetails es = mnq;
  es.req_id = 2;
  es.contract.symbol = "ES";
  protocol::ReqContractDetails aapl;
  aapl.req_id = 3;
  aapl.contract.con_id = kAapl;
  for (const auto& r : {mnq, es, aapl}) ASSERT_TRUE(c->Send(r).ok());
  ASSERT_TRUE(c->WaitFor(
      [&] { return c->details_end.size() == 1 && c->HasError(200, 2) && c->HasError(200, 3); }));
  ASSERT_EQ(c->details.size(), 2u);  // both MNQ months
  for (const auto& d : c->details) EXPECT_EQ(d.contract.symbol, "MNQ");
}

TEST_F(SimulatorTest, TickByTickAllFourTypes) {
  SimulatorOptions o;
  o.max_tick_by_tick = 5;  // more than IB's default allowance of 3
  StartSim(o);
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send(Tbt(11, kMnq, "BidAsk")).ok());
  ASSERT_TRUE(c->Send(Tbt(12, kMnq, "Last")).ok());
  ASSERT_TRUE(c->Send(Tbt(13, kMnq, "AllLast")).ok());
  ASSERT_TRUE(c->Send(Tbt(14, kMnq, "MidPoint")).ok());
  ASSERT_TRUE(c->Send(Tbt(15, kAapl, "BidAsk", 0, true)).ok());
  ASSERT_TRUE(c->RoundTrip());
  Advance(std::chrono::seconds(20));
  ASSERT_TRUE(c->RoundTrip());
  for (int32_t id : {11, 12, 13, 14, 15}) EXPECT_GT(c->TicksFor(id), 0u) << id;
  EXPECT_GE(c->TicksFor(13), c->TicksFor(12));
  const int64_t start = ToUnixSeconds(At("2025-08-11T14:00:00Z"));
  double last_bid = -1, last_ask = -1;
  for (const ReceivedTick& t : c->ticks) {
    const int64_t s = ToUnixSeconds(t.tick.exchange_time);
    EXPECT_GE(s, start);
    EXPECT_LE(s, start + 20);
    if (t.tick.type == TickType::kBidAsk) {
      EXPECT_LT(t.tick.bid_price, t.tick.ask_price);
    }
    if (t.req_id == 15) {  // ignoreSize: only price changes
      EXPECT_FALSE(t.tick.bid_price == last_bid && t.tick.ask_price == last_ask);
      last_bid = t.tick.bid_price;
      last_ask = t.tick.ask_price;
    }
  }
  EXPECT_FALSE(c->protocol_error());
}

TEST_F(SimulatorTest, NumberOfTicksSendsHistoryFirstAndMktDataWorks) {
  StartSim();
  Advance(std::chrono::seconds(30));
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send(Tbt(21, kMnq, "BidAsk", 7)).ok());
  protocol::ReqMktData md;
  md.req_id = 22;
  md.contract.con_id = kAapl;
  ASSERT_TRUE(c->Send(md).ok());
  protocol::ReqMktData snap = md;
  snap.req_id = 23;
  snap.snapshot = true;
  ASSERT_TRUE(c->Send(snap).ok());
  ASSERT_TRUE(c->RoundTrip());
  ASSERT_EQ(c->historical.size(), 1u);
  EXPECT_EQ(c->historical[0].req_id, 21);
  EXPECT_EQ(c->historical[0].ticks.size(), 7u);
  EXPECT_EQ(c->TicksFor(21), 0u);
  Advance(std::chrono::seconds(5));
  ASSERT_TRUE(c->RoundTrip());
  EXPECT_GT(c->TicksFor(21), 0u);
  EXPECT_FALSE(c->market_data_types.empty());
  EXPECT_EQ(c->market_data_types[0], 1);
  EXPECT_EQ(c->snapshot_ends, std::vector<int32_t>{23});
  bool bid = false, ask = false;
  for (auto [req, type] : c->tick_prices) {
    bid |= req == 22 && type == 1;
    ask |= req == 22 && type == 2;
  }
  EXPECT_TRUE(bid && ask);
}

// Historical ticks regenerate exactly what was sent live for the same seconds.
TEST_F(SimulatorTest, HistoricalTicksEqualLiveTicks) {
  StartSim();
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send(Tbt(31, kMnq, "BidAsk")).ok());
  ASSERT_TRUE(c->Send(Tbt(32, kMnq, "AllLast")).ok());
  ASSERT_TRUE(c->Send(Tbt(33, kMnq, "MidPoint")).ok());
  ASSERT_TRUE(c->RoundTrip());
  Advance(std::chrono::seconds(40));
  ASSERT_TRUE(c->RoundTrip());
  ASSERT_TRUE(c->Send(Hist(34, kMnq, "BID_ASK", "20250811-14:00:00", "")).ok());
  ASSERT_TRUE(c->Send(Hist(35, kMnq, "TRADES", "20250811 09:00:00 US/Central", "")).ok());
  ASSERT_TRUE(c->Send(Hist(36, kMnq, "MIDPOINT", "", "20250811 14:00:39")).ok());
  ASSERT_TRUE(c->WaitFor([&] { return c->historical.size() == 3; }));
  const int64_t first = ToUnixSeconds(At("2025-08-11T14:00:00Z"));
  for (const ReceivedHistorical& h : c->historical) {
    const int32_t live_id = h.req_id - 3;
    ASSERT_TRUE(h.done);
    ASSERT_FALSE(h.ticks.empty());
    // The seconds both cover completely.
    const int64_t from = std::max(first, ToUnixSeconds(h.ticks.front().exchange_time)) + 1;
    const int64_t to = std::min<int64_t>(first + 39, ToUnixSeconds(h.ticks.back().exchange_time));
    std::vector<Tick> live, hist;
    for (const ReceivedTick& t : c->ticks) {
      const int64_t s = ToUnixSeconds(t.tick.exchange_time);
      if (t.req_id == live_id && s >= from && s < to) live.push_back(t.tick);
    }
    for (const Tick& t : h.ticks) {
      const int64_t s = ToUnixSeconds(t.exchange_time);
      if (s >= from && s < to) hist.push_back(t);
    }
    ASSERT_GT(live.size(), 20u) << "req " << h.req_id;
    ASSERT_EQ(live.size(), hist.size()) << "req " << h.req_id;
    for (size_t i = 0; i < live.size(); ++i) {
      EXPECT_EQ(live[i].exchange_time, hist[i].exchange_time);
      EXPECT_EQ(live[i].bid_price, hist[i].bid_price);
      EXPECT_EQ(live[i].ask_price, hist[i].ask_price);
      EXPECT_EQ(live[i].bid_size, hist[i].bid_size);
      EXPECT_EQ(live[i].ask_size, hist[i].ask_size);
      EXPECT_EQ(live[i].price, hist[i].price);
      if (h.req_id == 35) {
        EXPECT_EQ(live[i].size, hist[i].size);
        EXPECT_EQ(live[i].exchange, hist[i].exchange);
        EXPECT_EQ(live[i].attributes, hist[i].attributes);
      }
    }
  }
}

TEST_F(SimulatorTest, HistoricalTicksLimitsAndPacing) {
  StartSim();
  Advance(std::chrono::minutes(5), std::chrono::seconds(30));
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  // <= 1000 asked; whole seconds returned (more than asked to complete the last one).
  ASSERT_TRUE(c->Send(Hist(41, kMnq, "BID_ASK", "20250811-14:00:00", "", 100)).ok());
  ASSERT_TRUE(c->WaitFor([&] { return c->historical.size() == 1; }));
  const auto& ticks = c->historical[0].ticks;
  ASSERT_GE(ticks.size(), 100u);
  EXPECT_NE(ticks[99].exchange_time, ticks[0].exchange_time);
  // The identical request within 15 s is a pacing violation.
  ASSERT_TRUE(c->Send(Hist(42, kMnq, "BID_ASK", "20250811-14:00:00", "", 100)).ok());
  ASSERT_TRUE(c->WaitFor([&] { return c->HasError(162, 42); }));
  // More than 1000 ticks asked for, both or neither of start/end: 162 too.
  ASSERT_TRUE(c->Send(Hist(43, kMnq, "TRADES", "20250811-14:00:00", "", 1001)).ok());
  ASSERT_TRUE(c->Send(Hist(44, kMnq, "TRADES", "", "")).ok());
  ASSERT_TRUE(c->WaitFor([&] { return c->HasError(162, 43) && c->HasError(162, 44); }));
  // Six requests for the same contract within 2 s: the sixth is refused.
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(
        c->Send(Hist(50 + i, kAapl, "TRADES", fmt::format("20250811-14:0{}:00", i), "", 10)).ok());
  }
  ASSERT_TRUE(c->WaitFor([&] { return c->HasError(162, 55); }));
  EXPECT_FALSE(c->HasError(162, 54));
  EXPECT_GE(sim_->stats().pacing_violations, 2u);
  // reqHeadTimestamp answers with the start of the history.
  protocol::ReqHeadTimestamp head;
  head.req_id = 60;
  head.contract.con_id = kMnq;
  head.what_to_show = "TRADES";
  ASSERT_TRUE(c->Send(head).ok());
  ASSERT_TRUE(c->WaitFor([&] { return !c->head_timestamps.empty(); }));
  EXPECT_LT(std::stoll(c->head_timestamps[0]), ToUnixSeconds(clock_.Now()));
}

TEST(HistoricalPacerTest, SixtyPerTenMinutesBidAskDouble) {
  HistoricalPacer pacer;
  TimePoint t = At("2025-08-11T14:00:00Z");
  for (int i = 0; i < 30; ++i) {
    EXPECT_FALSE(pacer.Admit({"c" + std::to_string(i), "r" + std::to_string(i), 2}, t)) << i;
    t += std::chrono::seconds(3);
  }
  EXPECT_TRUE(pacer.Admit({"x", "y", 1}, t));  // 61st unit within 10 minutes
  t += std::chrono::minutes(10);
  EXPECT_FALSE(pacer.Admit({"x", "y", 1}, t));
}

TEST_F(SimulatorTest, ErrorsForBadRequestsNeverSilence) {
  StartSim();
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send(Tbt(70, 12345, "BidAsk")).ok());  // unknown contract
  ASSERT_TRUE(c->Send(Tbt(71, kMnq, "Bogus")).ok());    // unknown tick type
  ASSERT_TRUE(c->Send(Tbt(72, kMnq, "BidAsk")).ok());
  ASSERT_TRUE(c->Send(Tbt(72, kMnq, "Last")).ok());        // duplicate id
  ASSERT_TRUE(c->Send(protocol::CancelMktData{99}).ok());  // unknown id
  // reqScannerParameters (24): a real request the simulator does not serve.
  const std::string scanner_parameters = std::string("24") + '\0' + "1" + '\0';
  std::string unsupported;
  protocol::AppendFrame(scanner_parameters, unsupported);
  ASSERT_TRUE(c->SendRaw(unsupported).ok());
  ASSERT_TRUE(c->RoundTrip());
  EXPECT_TRUE(c->HasError(200, 70));
  EXPECT_TRUE(c->HasError(10189, 71));
  EXPECT_TRUE(c->HasError(322, 72));
  EXPECT_TRUE(c->HasError(300, 99));
  EXPECT_TRUE(c->HasError(321, -1));
  EXPECT_FALSE(c->closed());
  // A malformed request: an error, then the connection closes; the simulator lives on.
  std::string bad;
  protocol::AppendFrame(std::string("97") + '\0' + "abc" + '\0', bad);
  ASSERT_TRUE(c->SendRaw(bad).ok());
  EXPECT_TRUE(c->WaitFor([&] { return c->closed(); }));
  EXPECT_TRUE(c->HasError(320, -1));
  auto other = Connect(2);
  ASSERT_NE(other, nullptr);
  EXPECT_TRUE(other->RoundTrip());
  EXPECT_EQ(sim_->stats().malformed_requests, 1u);
}

TEST_F(SimulatorTest, TickByTickLimit10190) {
  SimulatorOptions o;
  o.max_tick_by_tick = 2;
  StartSim(o);
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send(Tbt(1, kMnq, "BidAsk")).ok());
  ASSERT_TRUE(c->Send(Tbt(2, kMnq, "Last")).ok());
  ASSERT_TRUE(c->Send(Tbt(3, kMnq, "MidPoint")).ok());
  ASSERT_TRUE(c->RoundTrip());
  EXPECT_TRUE(c->HasError(10190, 3));
  EXPECT_FALSE(c->HasError(10190, 2));
  FaultSpec f;
  f.kind = FaultKind::kTickByTickLimit;
  f.max = 3;
  sim_->InjectFault(f);
  sim_->Sync();
  ASSERT_TRUE(c->Send(Tbt(4, kMnq, "MidPoint")).ok());
  ASSERT_TRUE(c->RoundTrip());
  EXPECT_FALSE(c->HasError(10190, 4));
}

// ------------------------------------------------------------------------------------------
// Faults

class FaultTest : public SimulatorTest {
 protected:
  void SetUpStream() {
    StartSim(options_);
    client_ = Connect();
    ASSERT_NE(client_, nullptr);
    ASSERT_TRUE(client_->Send(Tbt(1, kMnq, "BidAsk")).ok());
    ASSERT_TRUE(client_->Send(Tbt(2, kAapl, "BidAsk")).ok());
    ASSERT_TRUE(client_->RoundTrip());
    Advance(std::chrono::seconds(3));
    ASSERT_TRUE(client_->RoundTrip());
    ASSERT_GT(client_->TicksFor(1), 0u);
    ASSERT_GT(client_->TicksFor(2), 0u);
  }
  void Inject(const char* line) {
    auto f = ParseFaultLine(line);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    sim_->InjectFault(*f);
    sim_->Sync();
  }
  // Ticks that arrive for `req_id` while `seconds` of virtual time pass.
  size_t TicksDuring(int32_t req_id, int seconds) {
    const size_t before = client_->TicksFor(req_id);
    Advance(std::chrono::seconds(seconds));
    EXPECT_TRUE(client_->RoundTrip());
    return client_->TicksFor(req_id) - before;
  }

  SimulatorOptions options_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(FaultTest, CloseWithFinAndRst) {
  SetUpStream();
  auto second = Connect(2);
  ASSERT_NE(second, nullptr);
  Inject("close mode=rst client=2");
  EXPECT_TRUE(second->WaitFor([&] { return second->closed(); }));
  EXPECT_FALSE(client_->closed());
  EXPECT_TRUE(client_->RoundTrip());
  Inject("close mode=fin");
  EXPECT_TRUE(client_->WaitFor([&] { return client_->closed(); }));
}

TEST_F(FaultTest, HalfOpenStopsBothDirectionsThenResets) {
  SetUpStream();
  Inject("half_open duration=30s");
  const size_t before = client_->TicksFor(1);
  Advance(std::chrono::seconds(10));
  ASSERT_TRUE(client_->Send(protocol::ReqCurrentTime{}).ok());
  client_->Drain(std::chrono::milliseconds(100));
  EXPECT_EQ(client_->TicksFor(1), before);
  EXPECT_FALSE(client_->closed());
  Advance(std::chrono::seconds(25));
  EXPECT_TRUE(client_->WaitFor([&] { return client_->closed(); }));
}

TEST_F(FaultTest, SilenceOneSubscription) {
  SetUpStream();
  Inject(("silence con_id=" + std::to_string(kMnq) + " tick_type=BidAsk duration=10s").c_str());
  const size_t aapl_before = client_->TicksFor(2);
  EXPECT_EQ(TicksDuring(1, 8), 0u);
  EXPECT_GT(client_->TicksFor(2), aapl_before);
  Advance(std::chrono::seconds(3));
  EXPECT_GT(TicksDuring(1, 3), 0u);
}

TEST_F(FaultTest, ConnectivityLostThenDataMaintained) {
  SetUpStream();
  Inject("connectivity_lost duration=10s restore=data_maintained");
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_TRUE(client_->HasError(1100, -1));
  EXPECT_EQ(TicksDuring(1, 8), 0u);
  Advance(std::chrono::seconds(3));
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_TRUE(client_->HasError(1102, -1));
  EXPECT_GT(TicksDuring(1, 3), 0u);
}

TEST_F(FaultTest, ConnectivityLostThenDataLost) {
  SetUpStream();
  Inject("connectivity_lost duration=5s restore=data_lost");
  Advance(std::chrono::seconds(6));
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_TRUE(client_->HasError(1100, -1));
  EXPECT_TRUE(client_->HasError(1101, -1));
  EXPECT_EQ(TicksDuring(1, 5), 0u);  // subscriptions are gone
  ASSERT_TRUE(client_->Send(Tbt(3, kMnq, "BidAsk")).ok());
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_GT(TicksDuring(3, 3), 0u);
}

TEST_F(FaultTest, FarmDownStopsThatFarmOnly) {
  SetUpStream();
  Inject("farm_down farm=usfuture hmds=true duration=10s");
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_TRUE(client_->HasError(2103, -1));
  EXPECT_TRUE(client_->HasError(2105, -1));
  const size_t aapl_before = client_->TicksFor(2);
  EXPECT_EQ(TicksDuring(1, 5), 0u);
  EXPECT_GT(client_->TicksFor(2), aapl_before);  // AAPL is on usfarm
  ASSERT_TRUE(client_->Send(Hist(9, kMnq, "TRADES", "20250811-14:00:00", "")).ok());
  EXPECT_TRUE(client_->WaitFor([&] { return client_->HasError(162, 9); }));
  Advance(std::chrono::seconds(6));
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_TRUE(client_->HasError(2104, -1));
  EXPECT_TRUE(client_->HasError(2106, -1));
  EXPECT_GT(TicksDuring(1, 3), 0u);
}

TEST_F(FaultTest, CompetingSession10197) {
  SetUpStream();
  Inject("competing_session duration=10s");
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_TRUE(client_->HasError(10197, 1));
  EXPECT_TRUE(client_->HasError(10197, 2));
  EXPECT_EQ(TicksDuring(1, 8), 0u);
  Advance(std::chrono::seconds(3));
  EXPECT_GT(TicksDuring(1, 3), 0u);
}

TEST_F(FaultTest, GatewayRestartClosesListenerForAWhile) {
  SetUpStream();
  Inject("gateway_restart duration=20s");
  EXPECT_TRUE(client_->WaitFor([&] { return client_->closed(); }));
  TestClient::Options o;
  o.timeout = std::chrono::milliseconds(2000);
  EXPECT_FALSE(TestClient::Connect(sim_->port(), o).ok());
  Advance(std::chrono::seconds(21));
  client_ = Connect(1);  // the same client id is free again
  ASSERT_NE(client_, nullptr);
  EXPECT_EQ(TicksDuring(1, 2), 0u);  // the old subscriptions are gone
}

TEST_F(FaultTest, NightlyResetAndPacingWindows) {
  SetUpStream();
  Inject("nightly_reset duration=10s");
  EXPECT_EQ(TicksDuring(1, 8), 0u);
  EXPECT_FALSE(client_->closed());
  Advance(std::chrono::seconds(3));
  EXPECT_GT(TicksDuring(1, 2), 0u);
  Inject("pacing duration=10s");
  ASSERT_TRUE(client_->Send(Hist(8, kMnq, "TRADES", "20250811-14:00:00", "")).ok());
  EXPECT_TRUE(client_->WaitFor([&] { return client_->HasError(162, 8); }));
}

TEST_F(FaultTest, GarbageAndScriptedErrors) {
  SetUpStream();
  Inject("error code=10189 id=1 text=Failed to request tick-by-tick data.No permissions");
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_TRUE(client_->HasError(10189, 1));
  Inject("garbage bytes=64");
  EXPECT_TRUE(client_->WaitFor([&] { return client_->protocol_error(); }));
}

TEST_F(FaultTest, SlowConsumerIsDisconnected) {
  options_.send_buffer_bytes = 64 * 1024;
  SetUpStream();
  ASSERT_TRUE(client_->Send(Tbt(3, kMnq, "AllLast")).ok());
  ASSERT_TRUE(client_->Send(Tbt(4, kAapl, "MidPoint")).ok());
  ASSERT_TRUE(client_->RoundTrip());
  // The client stops reading; the simulator's buffer fills behind the kernel's.
  for (int i = 0; i < 200 && sim_->stats().slow_consumer_disconnects == 0; ++i) {
    Advance(std::chrono::minutes(1), std::chrono::minutes(1));
  }
  EXPECT_EQ(sim_->stats().slow_consumer_disconnects, 1u);
  client_->WaitFor([&] { return client_->closed(); }, std::chrono::milliseconds(20000));
  EXPECT_TRUE(client_->closed());
}

TEST_F(FaultTest, ScriptedFaultsAndControlPort) {
  options_.control_host = "127.0.0.1";
  options_.control_port = 0;
  FaultSpec scripted;
  scripted.kind = FaultKind::kFarmDown;
  scripted.farm = "usfarm";
  scripted.at = ParseFaultTime("+10s").value();
  scripted.duration = std::chrono::seconds(5);
  options_.faults.push_back(scripted);
  SetUpStream();
  Advance(std::chrono::seconds(8));  // the scripted fault starts at +10s
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_TRUE(client_->HasError(2103, -1));
  EXPECT_EQ(TicksDuring(2, 3), 0u);  // AAPL's farm is down
  Advance(std::chrono::seconds(2));
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_TRUE(client_->HasError(2104, -1));
  // The control port: one command per line.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(sim_->control_port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  const std::string command =
      "fault error code=2110 text=Connectivity between TWS and server is broken\n";
  ASSERT_EQ(::send(fd, command.data(), command.size(), 0), static_cast<ssize_t>(command.size()));
  std::string reply;
  char buf[256];
  while (reply.find('\n') == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  EXPECT_EQ(reply.substr(0, 3), "ok ") << reply;
  EXPECT_TRUE(client_->WaitFor([&] { return client_->HasError(2110, -1); }));
  // `stats`: the counters as one JSON object after "ok ".
  reply.erase(0, reply.find('\n') + 1);
  ASSERT_EQ(::send(fd, "stats\n", 6, 0), 6);
  while (reply.find('\n') == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  ASSERT_EQ(reply.substr(0, 3), "ok ") << reply;
  const auto stats = nlohmann::json::parse(reply.substr(3, reply.find('\n') - 3), nullptr, false);
  ASSERT_TRUE(stats.is_object()) << reply;
  EXPECT_EQ(stats.value("clients", -1), 1) << reply;
  EXPECT_EQ(stats.value("lag_seconds", -1), 0) << reply;  // Sync() caught up
  EXPECT_TRUE(stats.contains("polls_behind")) << reply;
}

// ------------------------------------------------------------------------------------------
// Ground truth and determinism

std::vector<nlohmann::json> ReadJsonLines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          (name + "_" + std::to_string(::getpid()) + ".jsonl"))
      .string();
}

TEST_F(FaultTest, TruthHasEveryTickAndTheFaultWindows) {
  const std::string path = TempPath("sim_truth");
  options_.truth_path = path;
  SetUpStream();
  Inject("farm_down farm=usfuture duration=5s");
  Advance(std::chrono::seconds(8));
  ASSERT_TRUE(client_->RoundTrip());
  sim_->Stop();
  const auto lines = ReadJsonLines(path);
  std::filesystem::remove(path);
  ASSERT_GT(lines.size(), 3u);
  EXPECT_EQ(lines.front()["type"], "header");
  EXPECT_EQ(lines.back()["type"], "footer");
  size_t delivered = 0, undelivered = 0, faults = 0;
  std::vector<nlohmann::json> mnq_bid_ask_delivered;
  for (const auto& j : lines) {
    if (j["type"] == "fault") {
      ++faults;
      EXPECT_EQ(j["kind"], "farm_down");
      EXPECT_EQ(ParseIsoTime(j["end"].get<std::string>()).value() -
                    ParseIsoTime(j["start"].get<std::string>()).value(),
                std::chrono::seconds(5));
    }
    if (j["type"] != "tick" || j["con_id"] != kMnq || j["tick_type"] != "BidAsk") continue;
    (j["delivered"].get<bool>() ? delivered : undelivered)++;
    if (j["delivered"].get<bool>()) mnq_bid_ask_delivered.push_back(j);
  }
  EXPECT_EQ(faults, 1u);
  EXPECT_GT(undelivered, 0u);  // generated during the farm outage
  // What was delivered is exactly what the client received.
  std::vector<const ReceivedTick*> received;
  for (const ReceivedTick& t : client_->ticks) {
    if (t.req_id == 1) received.push_back(&t);
  }
  ASSERT_EQ(received.size(), mnq_bid_ask_delivered.size());
  EXPECT_EQ(received.size(), delivered);
  for (size_t i = 0; i < received.size(); ++i) {
    EXPECT_EQ(mnq_bid_ask_delivered[i]["bid"].get<double>(), received[i]->tick.bid_price);
    EXPECT_EQ(mnq_bid_ask_delivered[i]["time"].get<int64_t>(),
              ToUnixSeconds(received[i]->tick.exchange_time));
    EXPECT_EQ(mnq_bid_ask_delivered[i]["bid_size"].get<std::string>(),
              received[i]->tick.bid_size.ToString());
  }
}

// Every ask is in the truth: served subscriptions with their start and end (cancelled, or dropped
// when the session closed) and the refused ones with IB's reason, each at its virtual instant.
TEST_F(FaultTest, TruthRecordsEverySubscription) {
  const std::string path = TempPath("sim_truth_subs");
  options_.truth_path = path;
  options_.max_tick_by_tick = 2;
  SetUpStream();
  const TimePoint asked = clock_.Now();
  ASSERT_TRUE(client_->Send(Tbt(3, kMnq, "Bogus")).ok());
  ASSERT_TRUE(client_->Send(Tbt(4, 12345, "BidAsk")).ok());
  ASSERT_TRUE(client_->Send(Tbt(5, kMnq, "Last")).ok());  // over the limit of 2
  ASSERT_TRUE(client_->Send(protocol::CancelTickByTickData{2}).ok());
  ASSERT_TRUE(client_->RoundTrip());
  Advance(std::chrono::seconds(2));
  const TimePoint closed = clock_.Now();
  Inject("close mode=fin");
  EXPECT_TRUE(client_->WaitFor([&] { return client_->closed(); }));
  sim_->Stop();
  const auto lines = ReadJsonLines(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front()["version"], 2);
  std::vector<std::string> seen;
  for (const auto& j : lines) {
    if (j["type"] != "subscription") continue;
    EXPECT_EQ(j["client_id"], 1);
    const TimePoint at = TimePoint(Duration(j["time_ns"].get<int64_t>()));
    EXPECT_EQ(ParseIsoTime(j["at"].get<std::string>()).value(), at);
    seen.push_back(fmt::format("{} {} {} {} {} {}", j["event"].get<std::string>(),
                               j["req_id"].get<int>(), j["con_id"].get<int>(),
                               j["symbol"].get<std::string>(), j["stream"].get<std::string>(),
                               j["reason"].get<std::string>()));
    if (j["req_id"] == 3 || j["req_id"] == 4 || j["req_id"] == 5 ||
        (j["req_id"] == 2 && j["event"] == "end")) {
      EXPECT_EQ(at, asked) << j.dump();
    }
    if (j["req_id"] == 1 && j["event"] == "end") {
      EXPECT_EQ(at, closed) << j.dump();
    }
  }
  const std::vector<std::string> expected = {
      fmt::format("start 1 {} MNQ BidAsk ", kMnq),
      fmt::format("start 2 {} AAPL BidAsk ", kAapl),
      fmt::format("refused 3 {} MNQ Bogus 10189 unknown tick type", kMnq),
      "refused 4 12345  BidAsk 200 no unique contract",
      fmt::format("refused 5 {} MNQ Last 10190 max tick-by-tick requests", kMnq),
      fmt::format("end 2 {} AAPL BidAsk cancel", kAapl),
      fmt::format("end 1 {} MNQ BidAsk fault: close", kMnq),
  };
  EXPECT_EQ(seen, expected);
}

// A quiet simulator on port 0 writing its truth to `path`.
SimulatorOptions TruthRunOptions(uint64_t seed, const std::string& path) {
  SimulatorOptions o;
  o.listen_port = 0;
  o.quiet = true;
  o.seed = seed;
  o.truth_path = path;
  return o;
}

// The tick lines of the truth file at `path`, in file order; the file is removed.
std::vector<std::string> TakeTruthTickLines(const std::string& path) {
  std::vector<std::string> ticks;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("\"type\":\"tick\"") != std::string::npos) ticks.push_back(line);
  }
  std::filesystem::remove(path);
  return ticks;
}

// The truth's tick lines of a run, in file order. The work budget is measured on a steady clock
// that never moves, so no poll runs out of it: a poll that did (a thread descheduled for 20 ms on
// a loaded machine) would leave the markets after it for the next poll, and the truth file would
// interleave the markets in another order (SimulatorBehindItsClockTest covers that case).
std::vector<std::string> TickLinesOfRun(uint64_t seed, const std::string& path) {
  ManualClock clock(At("2025-08-11T14:00:00Z"));
  ManualSteadyClock frozen;
  SimulatorOptions o = TruthRunOptions(seed, path);
  o.steady_clock = &frozen;
  Simulator sim(clock, o);
  EXPECT_TRUE(sim.Start().ok());
  for (int i = 0; i < 20; ++i) {
    clock.Advance(std::chrono::milliseconds(1500));
    sim.Sync();
  }
  sim.Stop();
  return TakeTruthTickLines(path);
}

TEST(SimulatorDeterminismTest, SameSeedSameTruth) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  const auto a = TickLinesOfRun(kSeed, TempPath("sim_det_a"));
  const auto b = TickLinesOfRun(kSeed, TempPath("sim_det_b"));
  const auto c = TickLinesOfRun(kSeed + 1, TempPath("sim_det_c"));
  ASSERT_GT(a.size(), 100u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

// The truth's tick lines of a run that moves the clock 5 minutes at once: with a zero work
// budget each poll generates one second of one market, so the simulator trails its clock for
// thousands of polls. A client connecting meanwhile must be served, and once caught up the
// simulator must have generated exactly what an unbounded run generates.
std::vector<std::string> SortedTickLinesAfterAJump(Duration work_budget, const std::string& path,
                                                   SimulatorStats* served_at) {
  ManualClock clock(At("2025-08-11T14:00:00Z"));
  SimulatorOptions o = TruthRunOptions(kSeed, path);
  o.poll_work_budget = work_budget;
  Simulator sim(clock, o);
  EXPECT_TRUE(sim.Start().ok());
  clock.Advance(std::chrono::minutes(5));
  if (served_at != nullptr) {
    TestClient::Options co;
    auto client = TestClient::Connect(sim.port(), co);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    if (client.ok()) {
      EXPECT_TRUE((*client)->RoundTrip());
    }
    *served_at = sim.stats();
  }
  sim.Sync();
  EXPECT_EQ(sim.stats().lag_seconds, 0);
  sim.Stop();
  std::vector<std::string> ticks = TakeTruthTickLines(path);
  std::sort(ticks.begin(), ticks.end());
  return ticks;
}

TEST(SimulatorBehindItsClockTest, AnswersClientsAndLosesNothing) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  SimulatorStats served_at;
  const auto bounded =
      SortedTickLinesAfterAJump(Duration::zero(), TempPath("sim_behind_a"), &served_at);
  // The handshake and a round trip were answered while the markets still trailed the clock.
  EXPECT_GT(served_at.lag_seconds, 0);
  EXPECT_GT(served_at.polls_behind, 0u);
  const auto unbounded =
      SortedTickLinesAfterAJump(std::chrono::hours(1), TempPath("sim_behind_b"), nullptr);
  ASSERT_GT(unbounded.size(), 1000u);
  EXPECT_EQ(bounded, unbounded);
}

// The work budget is measured on the injected steady clock: with one that never moves, even a
// 1 ns budget is never spent, so the loop's own polls (no Sync()) catch up with a 5-minute jump
// at once. With the real clock every one of those polls would fall behind.
TEST(SimulatorWorkBudgetTest, MeasuredOnTheInjectedSteadyClock) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  ManualClock clock(At("2025-08-11T14:00:00Z"));
  ManualSteadyClock frozen;
  const std::string path = TempPath("sim_budget");
  SimulatorOptions o = TruthRunOptions(kSeed, path);
  o.poll_work_budget = std::chrono::nanoseconds(1);
  o.steady_clock = &frozen;
  Simulator sim(clock, o);
  ASSERT_TRUE(sim.Start().ok());
  sim.Sync();
  const uint64_t before = sim.stats().events_generated;
  clock.Advance(std::chrono::minutes(5));
  // Only a poll after the jump generates anything; RunOnLoop then waits for it to finish.
  const SteadyTimePoint deadline = SteadyClock::Real().Now() + std::chrono::seconds(60);
  while (sim.stats().events_generated == before && SteadyClock::Real().Now() < deadline) {
    sim.RunOnLoop([] {});
  }
  sim.RunOnLoop([] {});
  const SimulatorStats stats = sim.stats();
  EXPECT_GT(stats.events_generated, before);
  EXPECT_EQ(stats.lag_seconds, 0);
  EXPECT_EQ(stats.polls_behind, 0u);
  sim.Stop();
  std::filesystem::remove(path);
}

// ------------------------------------------------------------------------------------------
// Scenarios

TEST(ScenarioFilesTest, AllParse) {
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(IBSTREAM_SIM_SCENARIO_DIR)) {
    if (entry.path().extension() != ".toml") continue;
    auto s = LoadScenario(entry.path().string());
    EXPECT_TRUE(s.ok()) << entry.path() << ": " << s.status().ToString();
    if (s.ok()) {
      EXPECT_TRUE(s->start.has_value()) << entry.path();
    }
    ++n;
  }
  EXPECT_GE(n, 8u);
}

TEST(ScenarioTest, ErrorsNameTheLine) {
  auto s = ParseScenario("[simulation]\nspeed = 0\n", "x.toml");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("x.toml:2"), std::string::npos) << s.status().ToString();
  auto f = ParseScenario("[[fault]]\nkind = \"explode\"\n", "y.toml");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("explode"), std::string::npos);
  auto k = ParseScenario("[[fault]]\nkind = \"close\"\nmode = \"sideways\"\n", "z.toml");
  EXPECT_FALSE(k.ok());
}

// A scenario's speed reaches the scaled clock: only what the clock accepts is read.
TEST(ScenarioTest, SpeedMustBeFinitePositiveAndBounded) {
  for (const char* bad : {"0", "-1.0", "inf", "-inf", "nan", "10001.0", "1e300"}) {
    auto s = ParseScenario(std::string("[simulation]\nspeed = ") + bad + "\n", "x.toml");
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.status().message().find("'speed' must be a finite number > 0 and at most 10000"),
              std::string::npos)
        << s.status().ToString();
  }
  for (const char* good : {"0.5", "600", "10000"}) {
    auto s = ParseScenario(std::string("[simulation]\nspeed = ") + good + "\n", "x.toml");
    EXPECT_TRUE(s.ok()) << good << ": " << s.status().ToString();
  }
}

// The original incident: MNQ through the 16:00-17:00 CT halt. No tick in the halt, ticks on
// both sides, and the recorder-side calendar (from the simulator's own strings) agrees.
TEST(ScenarioTest, MnqDailyHalt) {
  auto scenario = LoadScenario(std::string(IBSTREAM_SIM_SCENARIO_DIR) + "/mnq_daily_halt.toml");
  ASSERT_TRUE(scenario.ok()) << scenario.status().ToString();
  ManualClock clock(*scenario->start);
  SimulatorOptions o;
  o.listen_port = 0;
  o.quiet = true;
  o.seed = *scenario->seed;
  Simulator sim(clock, o);
  ASSERT_TRUE(sim.Start().ok());
  TestClient::Options co;
  auto client = TestClient::Connect(sim.port(), co);
  ASSERT_TRUE(client.ok());
  TestClient& c = **client;
  ASSERT_TRUE(c.Send(Tbt(1, kMnq, "AllLast")).ok());
  ASSERT_TRUE(c.RoundTrip());
  for (int minute = 0; minute < 80; ++minute) {
    clock.Advance(std::chrono::minutes(1));
    sim.Sync();
    ASSERT_TRUE(c.RoundTrip());
  }
  const int64_t halt_start = ToUnixSeconds(At("2025-08-11T21:00:00Z"));
  const int64_t halt_end = ToUnixSeconds(At("2025-08-11T22:00:00Z"));
  size_t before = 0, during = 0, after = 0;
  for (const ReceivedTick& t : c.ticks) {
    const int64_t s = ToUnixSeconds(t.tick.exchange_time);
    (s < halt_start ? before : s < halt_end ? during : after)++;
  }
  EXPECT_GT(before, 100u);
  EXPECT_EQ(during, 0u);
  EXPECT_GT(after, 100u);
}

}  // namespace
}  // namespace ibstream::sim::simulator_test
