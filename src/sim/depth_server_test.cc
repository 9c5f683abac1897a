// Market depth over the wire: reqMktDepth, cancelMktDepth and reqMktDepthExchanges against a
// running simulator with a manual clock, read back with the test client.
#include "sim/depth_server.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "sim/catalog.h"
#include "sim/depth_book.h"
#include "sim/fault.h"
#include "sim/market_fanout.h"
#include "sim/scenario.h"
#include "sim/simulator.h"
#include "sim/test_client.h"

namespace ibstream::sim::depth_server_test {
namespace {

using protocol::DepthOperation;

constexpr uint64_t kSeed = 4242;
constexpr int32_t kMnq = 711000000 + 202509;
constexpr int32_t kAapl = 265598;

TimePoint At(const char* iso) { return ParseIsoTime(iso).value(); }

protocol::ReqMktDepth Depth(int32_t req_id, int32_t con_id, int rows, bool smart = false) {
  protocol::ReqMktDepth r;
  r.req_id = req_id;
  r.contract.con_id = con_id;
  r.num_rows = rows;
  r.is_smart_depth = smart;
  return r;
}

protocol::ReqTickByTickData BidAsk(int32_t req_id, int32_t con_id) {
  protocol::ReqTickByTickData r;
  r.req_id = req_id;
  r.contract.con_id = con_id;
  r.tick_type = "BidAsk";
  return r;
}

class DepthServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimulatorOptions options;
    options.listen_port = 0;
    options.quiet = true;
    options.seed = kSeed;
    sim_ = std::make_unique<Simulator>(clock_, std::move(options));
    ASSERT_TRUE(sim_->Start().ok());
    client_ = Connect(1);
    ASSERT_NE(client_, nullptr);
  }

  std::unique_ptr<TestClient> Connect(int32_t client_id) {
    TestClient::Options o;
    o.client_id = client_id;
    auto c = TestClient::Connect(sim_->port(), o);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  void Advance(Duration d) {
    for (Duration done{0}; done < d; done += std::chrono::seconds(1)) {
      clock_.Advance(std::chrono::seconds(1));
      sim_->Sync();
    }
  }

  const SimContract& Contract(int32_t con_id) {
    static const Catalog catalog = Catalog::BuiltIn(At("2025-08-11T14:00:00Z")).value();
    return *catalog.FindByConId(con_id);
  }

  // The book the simulator models around the last BidAsk tick of `bid_ask_req`.
  DepthBook ExpectedBook(int32_t con_id, int32_t bid_ask_req, int rows) {
    const Tick* last = nullptr;
    for (const ReceivedTick& t : client_->ticks) {
      if (t.req_id == bid_ask_req) last = &t.tick;
    }
    EXPECT_NE(last, nullptr);
    if (last == nullptr) return {};
    return ModelDepthBook(Contract(con_id), kSeed,
                          {last->bid_price, last->ask_price, last->bid_size, last->ask_size}, rows);
  }

  ManualClock clock_{At("2025-08-11T14:00:00Z")};  // Monday 09:00 CDT: both markets open
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(DepthServerTest, BookStartsAsInsertsAndFollowsTheQuotes) {
  ASSERT_TRUE(client_->Send(BidAsk(1, kMnq)).ok());
  ASSERT_TRUE(client_->RoundTrip());
  Advance(std::chrono::seconds(2));  // the market has a quote now
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_TRUE(client_->Send(Depth(2, kMnq, 5)).ok());
  ASSERT_TRUE(client_->RoundTrip());

  // The first answer is the whole book as inserts, consistent with the current quote.
  ASSERT_EQ(client_->depth.size(), 10u);
  for (const ReceivedDepth& d : client_->depth) {
    EXPECT_EQ(d.update.operation, DepthOperation::kInsert);
    EXPECT_FALSE(d.l2);
  }
  Result<DepthBook> book = client_->DepthBookOf(2);
  ASSERT_TRUE(book.ok()) << book.status().ToString();
  EXPECT_EQ(*book, ExpectedBook(kMnq, 1, 5));

  // Then updates as the quote moves; the rebuilt book always matches the last quote.
  Advance(std::chrono::seconds(5));
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_GT(client_->depth.size(), 10u);
  book = client_->DepthBookOf(2);
  ASSERT_TRUE(book.ok()) << book.status().ToString();
  EXPECT_EQ(*book, ExpectedBook(kMnq, 1, 5));
  EXPECT_EQ(book->bids.size(), 5u);
  EXPECT_EQ(book->asks.size(), 5u);
}

// Depth moves on reqMktData's grid: between grid instants quotes arrive as tick-by-tick but no
// depth does; at each grid instant the book is the one around the last quote up to it.
TEST_F(DepthServerTest, UpdatesComeOnlyAtGridInstants) {
  ASSERT_TRUE(client_->Send(BidAsk(1, kMnq)).ok());
  ASSERT_TRUE(client_->Send(Depth(2, kMnq, 5)).ok());
  ASSERT_TRUE(client_->RoundTrip());
  Advance(std::chrono::seconds(1));
  ASSERT_TRUE(client_->RoundTrip());
  const Duration step = std::chrono::milliseconds(50);
  int off_grid_steps_with_quotes = 0;
  int grid_steps_with_depth = 0;
  for (int i = 1; i <= 40; ++i) {
    const size_t ticks_before = client_->ticks.size();
    const size_t depth_before = client_->depth.size();
    clock_.Advance(step);
    sim_->Sync();
    ASSERT_TRUE(client_->RoundTrip());
    const bool on_grid = ToUnixNanos(clock_.Now()) % kMktDataGridNs == 0;
    if (!on_grid) {
      EXPECT_EQ(client_->depth.size(), depth_before) << "depth between grid instants, step " << i;
      if (client_->ticks.size() > ticks_before) ++off_grid_steps_with_quotes;
      continue;
    }
    if (client_->depth.size() > depth_before) ++grid_steps_with_depth;
    Result<DepthBook> book = client_->DepthBookOf(2);
    ASSERT_TRUE(book.ok()) << book.status().ToString();
    EXPECT_EQ(*book, ExpectedBook(kMnq, 1, 5)) << "step " << i;
  }
  EXPECT_GT(off_grid_steps_with_quotes, 0);
  EXPECT_GT(grid_steps_with_depth, 0);
}

TEST_F(DepthServerTest, SmartDepthUsesL2WithTheExchangeAndRowsAreCapped) {
  ASSERT_TRUE(client_->Send(BidAsk(1, kAapl)).ok());
  ASSERT_TRUE(client_->Send(Depth(2, kAapl, 50, /*smart=*/true)).ok());
  ASSERT_TRUE(client_->RoundTrip());
  Advance(std::chrono::seconds(3));
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_FALSE(client_->depth.empty());
  for (const ReceivedDepth& d : client_->depth) {
    EXPECT_TRUE(d.l2);
    EXPECT_TRUE(d.smart);
    EXPECT_FALSE(d.market_maker.empty());
  }
  Result<DepthBook> book = client_->DepthBookOf(2);
  ASSERT_TRUE(book.ok()) << book.status().ToString();
  EXPECT_EQ(book->asks.size(), static_cast<size_t>(kMaxDepthRows));
  EXPECT_EQ(*book, ExpectedBook(kAapl, 1, kMaxDepthRows));
}

TEST_F(DepthServerTest, CancelStopsTheUpdates) {
  ASSERT_TRUE(client_->Send(Depth(2, kMnq, 3)).ok());
  ASSERT_TRUE(client_->RoundTrip());
  Advance(std::chrono::seconds(2));
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_FALSE(client_->depth.empty());
  ASSERT_TRUE(client_->Send(protocol::CancelMktDepth{2, false}).ok());
  ASSERT_TRUE(client_->RoundTrip());
  const size_t before = client_->depth.size();
  Advance(std::chrono::seconds(5));
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_EQ(client_->depth.size(), before);
  // An unknown id is ignored.
  ASSERT_TRUE(client_->Send(protocol::CancelMktDepth{99, false}).ok());
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_FALSE(client_->HasError(300));
}

TEST_F(DepthServerTest, AtMostThreeDepthRequestsPerAccount) {
  auto other = Connect(2);
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(client_->Send(Depth(1, kMnq, 5)).ok());
  ASSERT_TRUE(client_->Send(Depth(2, kAapl, 5)).ok());
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_TRUE(other->Send(Depth(1, kMnq, 5, true)).ok());
  ASSERT_TRUE(other->Send(Depth(2, kAapl, 5)).ok());  // the fourth of the account
  ASSERT_TRUE(other->RoundTrip());
  EXPECT_FALSE(other->HasError(309, 1));
  ASSERT_TRUE(other->HasError(309, 2));
  EXPECT_EQ(sim_->stats().market_depth_refusals, 1u);
  for (const ReceivedError& e : other->errors) {
    if (e.code == 309) {
      EXPECT_EQ(e.text.rfind("Max number of market depth requests has been reached", 0), 0u)
          << e.text;
    }
  }
  // A cancel frees the slot.
  ASSERT_TRUE(client_->Send(protocol::CancelMktDepth{1, false}).ok());
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_TRUE(other->Send(Depth(3, kAapl, 5)).ok());
  ASSERT_TRUE(other->RoundTrip());
  EXPECT_FALSE(other->HasError(309, 3));
  // A request id already in use by the session is a duplicate.
  ASSERT_TRUE(other->Send(Depth(3, kMnq, 5)).ok());
  ASSERT_TRUE(other->RoundTrip());
  EXPECT_TRUE(other->HasError(322, 3));
}

TEST_F(DepthServerTest, AClosedSessionFreesItsDepthRequests) {
  auto other = Connect(2);
  ASSERT_NE(other, nullptr);
  for (int32_t id = 1; id <= 3; ++id) ASSERT_TRUE(other->Send(Depth(id, kMnq, 5)).ok());
  ASSERT_TRUE(other->RoundTrip());
  ASSERT_TRUE(client_->Send(Depth(1, kAapl, 5)).ok());
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_TRUE(client_->HasError(309, 1));
  other.reset();  // the session closes with its three depth requests
  ASSERT_TRUE(client_->WaitFor([&] { return sim_->stats().active_clients == 1; }));
  ASSERT_TRUE(client_->Send(Depth(2, kAapl, 5)).ok());
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_FALSE(client_->HasError(309, 2)) << "the closed session freed its depth requests";
}

TEST(DepthLimitTest, AllowanceFromOptionsAndScenario) {
  ManualClock clock(At("2025-08-11T14:00:00Z"));
  SimulatorOptions options;
  options.listen_port = 0;
  options.quiet = true;
  options.seed = kSeed;
  options.market_depth_limit = 1;
  Simulator sim(clock, std::move(options));
  ASSERT_TRUE(sim.Start().ok());
  TestClient::Options o;
  auto c = TestClient::Connect(sim.port(), o);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE((*c)->Send(Depth(1, kMnq, 5)).ok());
  ASSERT_TRUE((*c)->Send(Depth(2, kAapl, 5)).ok());
  ASSERT_TRUE((*c)->RoundTrip());
  EXPECT_FALSE((*c)->HasError(309, 1));
  EXPECT_TRUE((*c)->HasError(309, 2));

  auto s = ParseScenario("[limits]\nmarket_depth_limit = 10\n", "x.toml");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->market_depth_limit, 10);
  auto bad = ParseScenario("[limits]\nmarket_depth_limit = -1\n", "x.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("market_depth_limit >= 0"), std::string::npos)
      << bad.status().ToString();
}

TEST_F(DepthServerTest, UnknownContractGets200AndNoDepth) {
  ASSERT_TRUE(client_->Send(Depth(5, 12345, 5)).ok());
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_TRUE(client_->HasError(200, 5));
  Advance(std::chrono::seconds(2));
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_TRUE(client_->depth.empty());
}

TEST_F(DepthServerTest, ExchangesComeFromTheCatalog) {
  ASSERT_TRUE(client_->Send(protocol::ReqMktDepthExchanges{}).ok());
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_FALSE(client_->depth_exchanges.empty());
  bool cme_fut = false;
  bool nasdaq_stk = false;
  for (const protocol::DepthMktDataDescription& d : client_->depth_exchanges) {
    cme_fut |= d.exchange == "CME" && d.sec_type == "FUT";
    nasdaq_stk |= d.exchange == "NASDAQ" && d.sec_type == "STK" && d.listing_exch == "NASDAQ";
    EXPECT_EQ(d.service_data_type, "Deep");
  }
  EXPECT_TRUE(cme_fut);
  EXPECT_TRUE(nasdaq_stk);
}

// IB's 1101 ("connectivity restored, data lost") drops every market-data request, market depth
// included: the old requests get nothing more and free their slots of the allowance, and a new
// request starts its book again from inserts. 1102 ("data maintained") keeps them running.
size_t DepthUpdatesOf(const TestClient& client, int32_t req_id) {
  size_t n = 0;
  for (const ReceivedDepth& d : client.depth) n += d.req_id == req_id ? 1 : 0;
  return n;
}

TEST_F(DepthServerTest, ConnectivityRestoredWithDataLostEndsDepthRequests) {
  for (int32_t id = 1; id <= 3; ++id) ASSERT_TRUE(client_->Send(Depth(id, kMnq, 3)).ok());
  ASSERT_TRUE(client_->RoundTrip());
  Advance(std::chrono::seconds(3));
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_GT(DepthUpdatesOf(*client_, 1), 0u);

  auto fault = ParseFaultLine("connectivity_lost duration=5s restore=data_lost");
  ASSERT_TRUE(fault.ok()) << fault.status().ToString();
  sim_->InjectFault(*fault);
  sim_->Sync();
  Advance(std::chrono::seconds(6));
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_TRUE(client_->HasError(1101, -1));
  const size_t old_updates = DepthUpdatesOf(*client_, 1);
  Advance(std::chrono::seconds(10));
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_EQ(DepthUpdatesOf(*client_, 1), old_updates) << "a dropped request sends nothing more";

  // The client asks again: the three slots are free and each book starts over as inserts.
  for (int32_t id = 4; id <= 6; ++id) ASSERT_TRUE(client_->Send(Depth(id, kMnq, 3)).ok());
  ASSERT_TRUE(client_->RoundTrip());
  for (int32_t id = 4; id <= 6; ++id) EXPECT_FALSE(client_->HasError(309, id)) << id;
  EXPECT_EQ(sim_->stats().market_depth_refusals, 0u);
  ASSERT_GT(DepthUpdatesOf(*client_, 4), 0u);
  for (const ReceivedDepth& d : client_->depth) {
    if (d.req_id == 4) {
      EXPECT_EQ(d.update.operation, DepthOperation::kInsert);
      break;
    }
  }
  Result<DepthBook> book = client_->DepthBookOf(4);
  ASSERT_TRUE(book.ok()) << book.status().ToString();
  EXPECT_EQ(book->bids.size(), 3u);
}

TEST_F(DepthServerTest, ConnectivityRestoredWithDataMaintainedKeepsDepthRequests) {
  ASSERT_TRUE(client_->Send(Depth(1, kMnq, 3)).ok());
  ASSERT_TRUE(client_->RoundTrip());
  Advance(std::chrono::seconds(3));
  ASSERT_TRUE(client_->RoundTrip());
  auto fault = ParseFaultLine("connectivity_lost duration=5s restore=data_maintained");
  ASSERT_TRUE(fault.ok()) << fault.status().ToString();
  sim_->InjectFault(*fault);
  sim_->Sync();
  Advance(std::chrono::seconds(6));
  ASSERT_TRUE(client_->RoundTrip());
  ASSERT_TRUE(client_->HasError(1102, -1));
  const size_t before = DepthUpdatesOf(*client_, 1);
  Advance(std::chrono::seconds(10));
  ASSERT_TRUE(client_->RoundTrip());
  EXPECT_GT(DepthUpdatesOf(*client_, 1), before) << "depth resumes after 1102";
}

}  // namespace
}  // namespace ibstream::sim::depth_server_test
