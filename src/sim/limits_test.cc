// IB's allowances on the simulated account (tick-by-tick subscriptions, market-data lines) and
// the golden bytes of the errors and reqMktData ticks the simulator sends.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/client_session.h"
#include "sim/scenario.h"
#include "sim/simulator.h"
#include "sim/test_client.h"

namespace ibstream::sim::limits_test {
namespace {

constexpr int32_t kMnq = 711000000 + 202509;
constexpr int32_t kAapl = 265598;
constexpr int32_t kEur = 12087792;

protocol::ReqTickByTickData Tbt(int32_t req_id, int32_t con_id, const char* type) {
  protocol::ReqTickByTickData r;
  r.req_id = req_id;
  r.contract.con_id = con_id;
  r.tick_type = type;
  return r;
}

protocol::ReqMktData Md(int32_t req_id, int32_t con_id, bool snapshot = false) {
  protocol::ReqMktData r;
  r.req_id = req_id;
  r.contract.con_id = con_id;
  r.snapshot = snapshot;
  return r;
}

const ReceivedError* FindError(const TestClient& c, int32_t code, int32_t id) {
  for (const ReceivedError& e : c.errors) {
    if (e.code == code && e.id == id) return &e;
  }
  return nullptr;
}

class LimitsTest : public ::testing::Test {
 protected:
  void StartSim(SimulatorOptions options = {}) {
    options.listen_port = 0;
    options.quiet = true;
    options.seed = 99;
    sim_ = std::make_unique<Simulator>(clock_, std::move(options));
    const Status st = sim_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  std::unique_ptr<TestClient> Connect(int32_t client_id) {
    TestClient::Options o;
    o.client_id = client_id;
    auto c = TestClient::Connect(sim_->port(), o);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  ManualClock clock_{ParseIsoTime("2025-08-11T14:00:00Z").value()};
  std::unique_ptr<Simulator> sim_;
};

// By default the account has IB's three tick-by-tick subscriptions, shared by all its sessions;
// a cancel or a closed session frees a slot.
TEST_F(LimitsTest, ThreeTickByTickByDefaultAccountWide) {
  StartSim();
  auto a = Connect(1);
  auto b = Connect(2);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Send(Tbt(1, kMnq, "BidAsk")).ok());
  ASSERT_TRUE(a->Send(Tbt(2, kMnq, "Last")).ok());
  ASSERT_TRUE(a->RoundTrip());
  ASSERT_TRUE(b->Send(Tbt(3, kAapl, "BidAsk")).ok());
  ASSERT_TRUE(b->Send(Tbt(4, kAapl, "Last")).ok());
  ASSERT_TRUE(b->RoundTrip());
  EXPECT_FALSE(b->HasError(10190, 3));
  const ReceivedError* refused = FindError(*b, 10190, 4);
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->text, "Max number of tick-by-tick requests has been reached.");
  EXPECT_EQ(sim_->stats().tick_by_tick_refusals, 1u);

  ASSERT_TRUE(a->Send(protocol::CancelTickByTickData{2}).ok());
  ASSERT_TRUE(a->RoundTrip());
  ASSERT_TRUE(b->Send(Tbt(5, kAapl, "Last")).ok());
  ASSERT_TRUE(b->Send(Tbt(6, kEur, "BidAsk")).ok());
  ASSERT_TRUE(b->RoundTrip());
  EXPECT_FALSE(b->HasError(10190, 5)) << "the cancel freed a slot";
  EXPECT_TRUE(b->HasError(10190, 6));

  a.reset();  // the session closes: its subscription frees its slot
  ASSERT_TRUE(b->WaitFor([&] { return sim_->stats().active_clients == 1; }));
  ASSERT_TRUE(b->Send(Tbt(7, kEur, "BidAsk")).ok());
  ASSERT_TRUE(b->RoundTrip());
  EXPECT_FALSE(b->HasError(10190, 7)) << "the closed session freed its slot";
  EXPECT_EQ(sim_->stats().tick_by_tick_refusals, 2u);
}

// Every reqMktData and tick-by-tick subscription holds a market-data line; with all lines held,
// reqMktData, snapshots and tick-by-tick requests get 101, and the refusal is in the truth.
TEST_F(LimitsTest, MarketDataLinesGive101) {
  const std::string truth =
      (std::filesystem::path(::testing::TempDir()) / "sim_limits_lines_truth.jsonl").string();
  SimulatorOptions o;
  o.market_data_lines = 3;
  o.truth_path = truth;
  StartSim(o);
  auto c = Connect(1);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Send(Tbt(1, kMnq, "BidAsk")).ok());
  ASSERT_TRUE(c->Send(Md(2, kMnq)).ok());
  ASSERT_TRUE(c->Send(Md(3, kAapl)).ok());
  ASSERT_TRUE(c->Send(Md(4, kEur)).ok());
  ASSERT_TRUE(c->Send(Md(5, kEur, /*snapshot=*/true)).ok());
  ASSERT_TRUE(c->Send(Tbt(6, kEur, "BidAsk")).ok());  // within the tick-by-tick allowance
  ASSERT_TRUE(c->RoundTrip());
  for (int32_t id : {1, 2, 3}) EXPECT_FALSE(c->HasError(101, id)) << id;
  for (int32_t id : {4, 5, 6}) {
    const ReceivedError* e = FindError(*c, 101, id);
    ASSERT_NE(e, nullptr) << id;
    EXPECT_EQ(e->text, "Max number of tickers has been reached.");
  }
  EXPECT_TRUE(c->snapshot_ends.empty());
  EXPECT_EQ(sim_->stats().market_data_line_refusals, 3u);

  ASSERT_TRUE(c->Send(protocol::CancelMktData{3}).ok());
  ASSERT_TRUE(c->Send(Md(7, kEur)).ok());
  ASSERT_TRUE(c->RoundTrip());
  EXPECT_FALSE(c->HasError(101, 7)) << "the cancel freed a line";
  sim_->Stop();

  std::ifstream in(truth);
  std::vector<std::string> refused;
  std::string line;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    if (j["type"] == "subscription" && j["event"] == "refused") {
      refused.push_back(std::to_string(j["req_id"].get<int>()) + " " +
                        j["stream"].get<std::string>() + " " + j["reason"].get<std::string>());
    }
  }
  std::filesystem::remove(truth);
  const std::vector<std::string> expected = {"4 MktData 101 max market data lines",
                                             "5 MktData 101 max market data lines",
                                             "6 BidAsk 101 max market data lines"};
  EXPECT_EQ(refused, expected);
}

// A generous account is a large explicit allowance; the tick_by_tick_limit fault still applies.
TEST_F(LimitsTest, OptionsAndTheFaultOverrideTheAllowance) {
  SimulatorOptions o;
  o.max_tick_by_tick = 50;
  StartSim(o);
  auto c = Connect(1);
  ASSERT_TRUE(c);
  int32_t id = 1;
  for (int32_t con_id : {kMnq, kAapl, kEur}) {
    for (const char* type : {"BidAsk", "Last", "AllLast", "MidPoint"}) {
      ASSERT_TRUE(c->Send(Tbt(id++, con_id, type)).ok());
    }
  }
  ASSERT_TRUE(c->RoundTrip());
  EXPECT_FALSE(c->HasError(10190));
  FaultSpec f;
  f.kind = FaultKind::kTickByTickLimit;
  f.max = 12;
  sim_->InjectFault(f);
  sim_->Sync();
  ASSERT_TRUE(c->Send(Tbt(20, kMnq, "BidAsk")).ok());
  ASSERT_TRUE(c->RoundTrip());
  EXPECT_TRUE(c->HasError(10190, 20));
}

TEST(ScenarioLimitsTest, LimitsKeysAndErrors) {
  auto s = ParseScenario("[limits]\ntick_by_tick_limit = 7\nmarket_data_lines = 250\n", "x.toml");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->max_tick_by_tick, 7);
  EXPECT_EQ(s->market_data_lines, 250);
  auto old = ParseScenario("[limits]\nmax_tick_by_tick = 2\n", "x.toml");
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(old->max_tick_by_tick, 2);
  EXPECT_FALSE(old->market_data_lines.has_value());
  for (const char* bad :
       {"[limits]\nmarket_data_lines = -1\n", "[limits]\ntick_by_tick_limit = -3\n",
        "[limits]\nmarket_data_lines = 3000000000\n"}) {
    auto b = ParseScenario(bad, "x.toml");
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_NE(b.status().message().find("x.toml:2"), std::string::npos) << b.status().ToString();
  }
}

// ------------------------------------------------------------------------------ golden bytes

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

// What the simulator queues for one message, at `server_version`.
template <typename Message>
std::string Queued(const Message& m, int server_version) {
  boost::asio::io_context io;
  ClientSession s{boost::asio::ip::tcp::socket(io)};
  s.server_version = server_version;
  Send(s, m);
  return s.out;
}

std::string QueuedError(int32_t id, int32_t code, std::string_view text, int server_version) {
  boost::asio::io_context io;
  ClientSession s{boost::asio::ip::tcp::socket(io)};
  s.server_version = server_version;
  SendError(s, id, code, text);
  return s.out;
}

// The bytes of the conformance vectors (testdata/conformance) with these
// names; each is the same at server versions 176 and 187.
TEST(MktDataGoldenTest, MessagesMatchTheConformanceVectors) {
  for (int v : {176, 187}) {
    SCOPED_TRACE("server version " + std::to_string(v));
    // tickPrice/bid, tickPrice/ask, tickPrice/last
    EXPECT_EQ(Queued(protocol::TickPrice{3001, 1, 21500.25, Decimal::FromInt(3), {}}, v),
              FromHex("00000018310036003330303100310032313530302e32350033003000"));
    EXPECT_EQ(Queued(protocol::TickPrice{3001, 2, 21500.5, Decimal::FromInt(5), {}}, v),
              FromHex("00000017310036003330303100320032313530302e350035003000"));
    EXPECT_EQ(Queued(protocol::TickPrice{3001, 4, 21500.5, Decimal::FromInt(2), {}}, v),
              FromHex("00000017310036003330303100340032313530302e350032003000"));
    // tickSize/bidSize, tickSize/askSize, tickSize/lastSize, tickSize/volume,
    // tickSize/volume/decimal
    EXPECT_EQ(Queued(protocol::TickSize{3001, 0, Decimal::FromInt(7)}, v),
              FromHex("0000000d32003600333030310030003700"));
    EXPECT_EQ(Queued(protocol::TickSize{3001, 3, Decimal::FromInt(9)}, v),
              FromHex("0000000d32003600333030310033003900"));
    EXPECT_EQ(Queued(protocol::TickSize{3001, 5, Decimal::FromInt(1)}, v),
              FromHex("0000000d32003600333030310035003100"));
    EXPECT_EQ(Queued(protocol::TickSize{3001, 8, Decimal::FromInt(12345)}, v),
              FromHex("000000113200360033303031003800313233343500"));
    EXPECT_EQ(Queued(protocol::TickSize{3002, 8, Decimal::FromParts(314159265, 4)}, v),
              FromHex("00000016320036003330303200380033313431352e3932363500"));
    // tickString/lastTimestamp
    EXPECT_EQ(Queued(protocol::TickString{3001, 45, "1754925330"}, v),
              FromHex("00000018343600360033303031003435003137353439323533333000"));
    // error/10190
    EXPECT_EQ(QueuedError(2006, 10190, "Max number of tick-by-tick requests has been reached.", v),
              FromHex("000000463400320032303036003130313930004d6178206e756d626572206f6620746963"
                      "6b2d62792d7469636b20726571756573747320686173206265656e20726561636865642e"
                      "0000"));
    // 101 has no vector: the same layout as error/10190 (version 2, id, code, text, "").
    const std::string text = "Max number of tickers has been reached.";
    std::string fields;
    for (std::string_view f : {"4", "2", "2006", "101", text.c_str(), ""}) {
      fields.append(f);
      fields.push_back('\0');
    }
    EXPECT_EQ(QueuedError(2006, 101, text, v).substr(4), fields);
  }
}

}  // namespace
}  // namespace ibstream::sim::limits_test
