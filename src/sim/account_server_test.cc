// The simulator as a drop-in paper IB Gateway over the wire: a client that sends, while
// connecting, every request ib_async / ib_insync send gets every answer and end marker, in IB's
// order; orders are refused with a clear error; any request the simulator does not serve is
// answered with an error naming it.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "protocol/framing.h"
#include "protocol/requests_account.h"
#include "sim/simulator.h"
#include "sim/test_client.h"

namespace ibstream::sim::account_server_test {
namespace {

class AccountServerTest : public ::testing::Test {
 protected:
  void StartSim(SimulatorOptions options = {}) {
    options.listen_port = 0;
    options.quiet = true;
    options.seed = 7;
    sim_ = std::make_unique<Simulator>(clock_, std::move(options));
    const Status st = sim_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  std::unique_ptr<TestClient> Connect(int32_t client_id, bool start_api = true) {
    TestClient::Options o;
    o.client_id = client_id;
    o.start_api = start_api;
    auto c = TestClient::Connect(sim_->port(), o);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  ManualClock clock_{ParseIsoTime("2025-08-11T14:05:00Z").value()};
  std::unique_ptr<Simulator> sim_;
};

template <typename Request>
void Append(const Request& r, int sv, std::string& out) {
  ASSERT_TRUE(protocol::EncodeRequest(r, sv, out).ok());
}

// Index of the first event equal to `line`, or -1.
int IndexOf(const std::vector<std::string>& events, const std::string& line) {
  auto it = std::find(events.begin(), events.end(), line);
  return it == events.end() ? -1 : static_cast<int>(it - events.begin());
}

// One framed request of NUL-terminated `fields`.
std::string Frame(const std::vector<std::string>& fields) {
  std::string payload;
  for (const std::string& f : fields) payload += f + '\0';
  std::string out;
  protocol::AppendFrame(payload, out);
  return out;
}

int Count(const std::vector<int>& ids, int id) {
  return static_cast<int>(std::count(ids.begin(), ids.end(), id));
}

// What ib_async's IB.connect() sends, all at once right after the hello (startApi, then the
// synchronisation requests), and what it waits for before the connection is "ready".
TEST_F(AccountServerTest, ConnectTimeRequestsOfIbAsyncGetEveryAnswerInOrder) {
  StartSim();
  auto c = Connect(1, /*start_api=*/false);
  ASSERT_NE(c, nullptr);
  const int sv = c->server_version();
  std::string burst;
  Append(protocol::StartApi{1, ""}, sv, burst);
  Append(protocol::ReqManagedAccts{}, sv, burst);
  Append(protocol::ReqIds{1}, sv, burst);
  Append(protocol::ReqPositions{}, sv, burst);
  Append(protocol::ReqOpenOrders{}, sv, burst);
  Append(protocol::ReqCompletedOrders{false}, sv, burst);
  Append(protocol::ReqAccountUpdates{true, "DU1234567"}, sv, burst);
  Append(protocol::ReqExecutions{9001, {}}, sv, burst);
  Append(protocol::ReqAccountSummary{8001, "All", "NetLiquidation,TotalCashValue,BuyingPower"}, sv,
         burst);
  ASSERT_TRUE(c->SendRaw(burst).ok());

  const auto& events = c->account_events;
  ASSERT_TRUE(c->WaitFor([&] { return IndexOf(events, "accountSummaryEnd 8001") >= 0; }))
      << events.size() << " account events";
  EXPECT_TRUE(c->errors.empty() || std::all_of(c->errors.begin(), c->errors.end(), [](auto& e) {
                return e.code >= 2100;  // farm notices only
              }));
  EXPECT_EQ(c->accounts(), "DU1234567");
  EXPECT_EQ(c->next_valid_id(), 1);
  // The greeting's and reqManagedAccts' / reqIds' answers.
  EXPECT_EQ(Count(c->message_ids(), 15), 2);
  EXPECT_EQ(Count(c->message_ids(), 9), 2);

  // Every end marker, in the order of the requests.
  const int positions = IndexOf(events, "positionEnd");
  const int open_orders = IndexOf(events, "openOrderEnd");
  const int completed = IndexOf(events, "completedOrdersEnd");
  const int download = IndexOf(events, "accountDownloadEnd DU1234567");
  const int executions = IndexOf(events, "execDetailsEnd 9001");
  const int summary = IndexOf(events, "accountSummaryEnd 8001");
  ASSERT_GE(positions, 0);
  EXPECT_LT(positions, open_orders);
  EXPECT_LT(open_orders, completed);
  EXPECT_LT(completed, download);
  EXPECT_LT(download, executions);
  EXPECT_LT(executions, summary);

  // reqAccountUpdates: the values, then the update time, then the download end (IB's order).
  const int nlv = IndexOf(events, "accountValue NetLiquidation 1000000.00 USD DU1234567");
  const int code = IndexOf(events, "accountValue AccountCode DU1234567  DU1234567");
  const int time = IndexOf(events, "accountTime 14:05");
  EXPECT_LT(completed, code);
  EXPECT_LT(code, nlv);
  EXPECT_LT(nlv, time);
  EXPECT_EQ(time + 1, download);
  // No positions, orders or executions: nothing but values between the markers.
  for (const std::string& e : events) {
    EXPECT_EQ(e.rfind("position ", 0), std::string::npos) << e;
    EXPECT_EQ(e.rfind("portfolio ", 0), std::string::npos) << e;
  }
  // reqAccountSummary: the three tags asked for, in the account's order, then the end.
  ASSERT_GE(summary, 3);
  EXPECT_EQ(events[summary - 3], "accountSummary 8001 DU1234567 NetLiquidation 1000000.00 USD");
  EXPECT_EQ(events[summary - 2], "accountSummary 8001 DU1234567 TotalCashValue 1000000.00 USD");
  EXPECT_EQ(events[summary - 1], "accountSummary 8001 DU1234567 BuyingPower 4000000.00 USD");
  EXPECT_FALSE(c->closed());
  EXPECT_FALSE(c->protocol_error());
  EXPECT_EQ(sim_->stats().unsupported_requests, 0u);
}

TEST_F(AccountServerTest, TheAccountIdIsConfigurableAndAnEmptyCodeMeansIt) {
  SimulatorOptions options;
  options.accounts = "DU7654321";
  StartSim(std::move(options));
  auto c = Connect(3);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->accounts(), "DU7654321");
  ASSERT_TRUE(c->Send(protocol::ReqAccountUpdates{true, ""}).ok());
  ASSERT_TRUE(c->Send(protocol::ReqAllOpenOrders{}).ok());
  ASSERT_TRUE(c->Send(protocol::ReqAccountUpdates{false, ""}).ok());  // no answer, as from IB
  ASSERT_TRUE(c->Send(protocol::CancelPositions{}).ok());             // no answer
  ASSERT_TRUE(c->RoundTrip());
  EXPECT_GE(IndexOf(c->account_events, "accountDownloadEnd DU7654321"), 0);
  EXPECT_EQ(c->account_events.back(), "openOrderEnd");
  EXPECT_TRUE(c->errors.empty() || c->errors.back().code >= 2100);
  // Another account code is refused by name.
  ASSERT_TRUE(c->Send(protocol::ReqAccountUpdates{true, "DU1234567"}).ok());
  ASSERT_TRUE(c->RoundTrip());
  ASSERT_FALSE(c->errors.empty());
  EXPECT_EQ(c->errors.back().code, 321);
  EXPECT_NE(c->errors.back().text.find("DU1234567"), std::string::npos);
  EXPECT_EQ(sim_->stats().unsupported_requests, 1u);
}

TEST_F(AccountServerTest, RulesAndSmartComponentsAreServed) {
  StartSim();
  auto c = Connect(1);
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send(protocol::ReqMarketRule{67}).ok());  // the futures' rule: 0.25
  ASSERT_TRUE(c->Send(protocol::ReqSmartComponents{11001, "9c0001"}).ok());
  ASSERT_TRUE(c->Send(protocol::ReqMarketRule{424242}).ok());
  ASSERT_TRUE(c->RoundTrip());
  ASSERT_EQ(c->account_events.size(), 2u);
  EXPECT_EQ(c->account_events[0], "marketRule 67 0:0.25");
  EXPECT_EQ(c->account_events[1].rfind("smartComponents 11001 5 1:NYSE:N", 0), 0u)
      << c->account_events[1];
  ASSERT_FALSE(c->errors.empty());
  EXPECT_EQ(c->errors.back().code, 321);
  EXPECT_NE(c->errors.back().text.find("REQ_MARKET_RULE (91)"), std::string::npos);
  EXPECT_NE(c->errors.back().text.find("424242"), std::string::npos);
}

TEST_F(AccountServerTest, OrdersAreRefusedWithAClearError) {
  StartSim();
  auto c = Connect(1);
  ASSERT_NE(c, nullptr);
  // placeOrder(42, MNQ, ...): the order id, then the contract and order fields.
  ASSERT_TRUE(c->SendRaw(Frame({"3", "42", "0", "MNQ", "FUT"})).ok());
  // cancelOrder(42) at server version 187: no version field.
  ASSERT_TRUE(c->SendRaw(Frame({"4", "42", "", "", ""})).ok());
  ASSERT_TRUE(c->SendRaw(Frame({"58", "1"})).ok());
  ASSERT_TRUE(c->RoundTrip());
  ASSERT_TRUE(c->HasError(201, 42));
  ASSERT_TRUE(c->HasError(10147, 42));
  ASSERT_TRUE(c->HasError(321, -1));
  for (const ReceivedError& e : c->errors) {
    if (e.code == 201) {
      EXPECT_EQ(e.text.rfind("Order rejected - reason:", 0), 0u) << e.text;
    } else if (e.code == 321) {
      EXPECT_NE(e.text.find("REQ_GLOBAL_CANCEL (58)"), std::string::npos) << e.text;
    }
  }
  EXPECT_FALSE(c->closed());
  EXPECT_EQ(sim_->stats().unsupported_requests, 2u);  // the order and the global cancel
}

TEST_F(AccountServerTest, AutoOpenOrdersIsClientZerosSetting) {
  StartSim();
  auto zero = Connect(0);
  auto one = Connect(1);
  ASSERT_TRUE(zero && one);
  ASSERT_TRUE(zero->Send(protocol::ReqAutoOpenOrders{true}).ok());
  ASSERT_TRUE(one->Send(protocol::ReqAutoOpenOrders{true}).ok());
  ASSERT_TRUE(zero->RoundTrip());
  ASSERT_TRUE(one->RoundTrip());
  EXPECT_FALSE(zero->HasError(321));
  EXPECT_TRUE(one->HasError(321, -1));
}

TEST_F(AccountServerTest, AnUnknownMessageIdIsAnsweredNamingItAndCounted) {
  StartSim();
  auto c = Connect(1);
  ASSERT_NE(c, nullptr);
  // reqScannerParameters, then an id IB does not define.
  ASSERT_TRUE(c->SendRaw(Frame({"24", "1"}) + Frame({"4242"})).ok());
  ASSERT_TRUE(c->RoundTrip());
  std::vector<std::string> texts;
  for (const ReceivedError& e : c->errors) {
    if (e.code == 321) texts.push_back(e.text);
  }
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_NE(texts[0].find("REQ_SCANNER_PARAMETERS (24)"), std::string::npos) << texts[0];
  EXPECT_NE(texts[1].find("message id 4242"), std::string::npos) << texts[1];
  EXPECT_FALSE(c->closed());
  EXPECT_EQ(sim_->stats().unsupported_requests, 2u);
}

TEST_F(AccountServerTest, AMalformedAccountRequestIsNamedAndClosesTheSession) {
  StartSim();
  auto c = Connect(1);
  ASSERT_NE(c, nullptr);
  // reqAccountSummary whose reqId is not a number.
  ASSERT_TRUE(c->SendRaw(Frame({"62", "1", "abc", "All", "NetLiquidation"})).ok());
  EXPECT_TRUE(c->WaitFor([&] { return c->closed(); }));
  ASSERT_TRUE(c->HasError(320, -1));
  EXPECT_NE(c->errors.back().text.find("REQ_ACCOUNT_SUMMARY (62)"), std::string::npos);
  EXPECT_EQ(sim_->stats().malformed_requests, 1u);
  auto other = Connect(2);
  ASSERT_NE(other, nullptr);
  EXPECT_TRUE(other->RoundTrip());
}

}  // namespace
}  // namespace ibstream::sim::account_server_test
