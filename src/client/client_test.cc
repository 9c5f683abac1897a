// End-to-end tests of the client against the scripted loopback server (port 0, its own thread).
// The client runs on an EventLoop thread; the test thread waits on conditions with deadlines.
#include "client/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "client/event_loop.h"
#include "client/scripted_server.h"
#include "client/tick_conversion.h"

namespace ibstream::client::client_test {
namespace {

using std::chrono::milliseconds;
using testing::ScriptedServer;
using testing::ScriptedServerOptions;
using testing::WaitUntil;

// A value set once on the client's thread and read on the test thread.
template <typename T>
class Slot {
 public:
  void Set(T value) {
    std::lock_guard<std::mutex> lock(mutex_);
    value_.emplace(std::move(value));
  }
  bool has_value() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return value_.has_value();
  }
  // Waits for the value (fails the test if it does not come).
  T Get() {
    EXPECT_TRUE(WaitUntil([this] { return has_value(); })) << "no value within the deadline";
    std::lock_guard<std::mutex> lock(mutex_);
    IBSTREAM_CHECK(value_.has_value(), "Slot::Get without a value");
    return *value_;
  }

 private:
  mutable std::mutex mutex_;
  std::optional<T> value_;
};

// Everything the client reported, guarded.
struct Events {
  mutable std::mutex mutex;
  std::vector<ConnectionNotice> notices;
  std::vector<DisconnectEvent> disconnects;
  std::vector<ProtocolErrorEvent> protocol_errors;
  std::vector<ServerTimeSample> server_times;

  size_t server_time_count() const {
    std::lock_guard<std::mutex> lock(mutex);
    return server_times.size();
  }
  size_t notice_count() const {
    std::lock_guard<std::mutex> lock(mutex);
    return notices.size();
  }
  size_t disconnect_count() const {
    std::lock_guard<std::mutex> lock(mutex);
    return disconnects.size();
  }
};

// A port nothing listens on: bound, then closed.
uint16_t UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

protocol::Contract Mnq() {
  protocol::Contract c;
  c.con_id = 711280073;
  c.symbol = "MNQ";
  c.sec_type = "FUT";
  c.exchange = "CME";
  c.currency = "USD";
  return c;
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.RunInBackground(); }

  void TearDown() override {
    loop_.Stop();
    loop_.Join();
    client_.reset();
  }

  ScriptedServer& StartServer(ScriptedServerOptions options = {}) {
    server_ = std::make_unique<ScriptedServer>(std::move(options));
    Status status = server_->Start();
    EXPECT_TRUE(status.ok()) << status.ToString();
    return *server_;
  }

  ClientOptions Options() {
    ClientOptions options;
    options.ports = {server_ ? server_->port() : UnusedPort()};
    options.client_id = 7;
    options.connect_timeout = std::chrono::seconds(5);
    options.probe_interval = Duration::zero();
    options.pace_rate = 10'000;
    options.pace_burst = 100;
    return options;
  }

  Client& MakeClient(ClientOptions options, const Clock& clock = SystemClock::Instance()) {
    ClientCallbacks callbacks;
    callbacks.on_notice = [this](const ConnectionNotice& n) {
      std::lock_guard<std::mutex> lock(events_.mutex);
      events_.notices.push_back(n);
    };
    callbacks.on_disconnected = [this](const DisconnectEvent& e) {
      std::lock_guard<std::mutex> lock(events_.mutex);
      events_.disconnects.push_back(e);
    };
    callbacks.on_protocol_error = [this](const ProtocolErrorEvent& e) {
      std::lock_guard<std::mutex> lock(events_.mutex);
      events_.protocol_errors.push_back(e);
    };
    callbacks.on_server_time = [this](const ServerTimeSample& s) {
      std::lock_guard<std::mutex> lock(events_.mutex);
      events_.server_times.push_back(s);
    };
    client_ = std::make_unique<Client>(loop_, clock, std::move(options), std::move(callbacks));
    return *client_;
  }

  ConnectResult Connect(Client& client) {
    auto slot = std::make_shared<Slot<ConnectResult>>();
    client.Connect([slot](const ConnectResult& r) { slot->Set(r); });
    return slot->Get();
  }

  Client& ConnectedClient(ClientOptions options, const Clock& clock = SystemClock::Instance()) {
    Client& client = MakeClient(std::move(options), clock);
    ConnectResult result = Connect(client);
    EXPECT_TRUE(result.status.ok()) << result.status.ToString();
    return client;
  }

  DisconnectEvent WaitForDisconnect() {
    EXPECT_TRUE(WaitUntil([this] { return events_.disconnect_count() > 0; }));
    std::lock_guard<std::mutex> lock(events_.mutex);
    return events_.disconnects.empty() ? DisconnectEvent{} : events_.disconnects.front();
  }

  ManualClock manual_clock_{FromUnixSeconds(1754925400)};  // outlives client_
  EventLoop loop_;
  std::unique_ptr<ScriptedServer> server_;
  Events events_;
  std::unique_ptr<Client> client_;
};

TEST(IbErrorCodeTest, ReadsOnlyTheTypedCode) {
  const Status from_error = StatusFromRequestError(RequestError{7, 162, "HMDS query returned"});
  EXPECT_EQ(from_error.message(), "IB error 162 (request 7): HMDS query returned");
  EXPECT_EQ(from_error.code(), StatusCode::kUnavailable);
  const Status not_found = StatusFromRequestError(RequestError{8, 200, "No security definition"});
  EXPECT_EQ(not_found.code(), StatusCode::kNotFound);
  struct Case {
    const char* name;
    Status status;
    std::optional<int32_t> code;
  };
  const Case cases[] = {
      {"from an ERR_MSG", from_error, 162},
      {"200 from an ERR_MSG", not_found, 200},
      {"with context", from_error.WithContext("backfill"), 162},
      {"text only", Unavailable("IB error 162 (request 7): HMDS query returned"), std::nullopt},
      {"text only, NotFound", NotFound("IB error 200 (request 8): x"), std::nullopt},
      {"ok", Status::Ok(), std::nullopt},
  };
  for (const Case& c : cases) EXPECT_EQ(IbErrorCode(c.status), c.code) << c.name;
}

TEST_F(ClientTest, HandshakeAndReady) {
  ScriptedServerOptions server_options;
  server_options.accounts = "DU1234567,DU7654321,";
  server_options.next_valid_id = 574;
  ScriptedServer& server = StartServer(server_options);
  ClientOptions options = Options();
  options.connect_options = "+PACEAPI";
  Client& client = MakeClient(options);

  ConnectResult result = Connect(client);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(result.failure, DisconnectReason::kNone);
  EXPECT_EQ(result.session.server_version, 187);
  EXPECT_EQ(result.session.connection_time, "20250811 10:15:30 CDT");
  EXPECT_EQ(result.session.accounts, "DU1234567,DU7654321,");
  EXPECT_EQ(result.session.next_valid_id, 574);
  EXPECT_EQ(result.session.client_id, 7);
  EXPECT_EQ(result.session.port, server.port());
  EXPECT_GT(ToUnixSeconds(result.session.connected_at), 0);

  std::optional<protocol::ClientHello> hello = server.hello();
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(hello->min_version, protocol::kMinServerVersion);
  EXPECT_EQ(hello->max_version, protocol::kMaxServerVersion);
  EXPECT_EQ(hello->options, "+PACEAPI");
  std::vector<protocol::ClientRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<protocol::StartApi>(requests[0]));
  EXPECT_EQ(std::get<protocol::StartApi>(requests[0]).client_id, 7);
  EXPECT_EQ(client.stats().connections, 1u);
}

TEST_F(ClientTest, ReadyWhenNextValidIdComesFirst) {
  ScriptedServerOptions server_options;
  server_options.next_valid_id_first = true;
  StartServer(server_options);
  Client& client = MakeClient(Options());
  ConnectResult result = Connect(client);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(result.session.accounts, "DU1234567");
}

TEST_F(ClientTest, NotReadyWithoutBothMessages) {
  ScriptedServerOptions server_options;
  server_options.send_ready = false;
  ScriptedServer& server = StartServer(server_options);
  ClientOptions options = Options();
  options.connect_timeout = milliseconds(300);
  Client& client = MakeClient(options);
  server.SetRequestHandler([](ScriptedServer& s, const protocol::ClientRequest& r) {
    if (std::holds_alternative<protocol::StartApi>(r)) {
      s.SendMessage(protocol::ManagedAccounts{"DU1"});  // NEXT_VALID_ID never comes
    }
  });
  ConnectResult result = Connect(client);
  EXPECT_EQ(result.failure, DisconnectReason::kConnectTimeout);
  EXPECT_EQ(result.status.code(), StatusCode::kTimeout);
}

TEST_F(ClientTest, TriesPortsInOrder) {
  ScriptedServer& server = StartServer();
  ClientOptions options = Options();
  options.ports = {UnusedPort(), server.port()};
  Client& client = MakeClient(options);
  ConnectResult result = Connect(client);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(result.session.port, server.port());
}

TEST_F(ClientTest, ConnectionRefused) {
  ClientOptions options = Options();
  options.ports = {UnusedPort(), UnusedPort()};
  Client& client = MakeClient(options);
  ConnectResult result = Connect(client);
  EXPECT_EQ(result.failure, DisconnectReason::kConnectFailed);
  EXPECT_EQ(result.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(result.status.message().find("refused"), std::string::npos) << result.status.message();
}

TEST_F(ClientTest, HandshakeTimeout) {
  ScriptedServerOptions server_options;
  server_options.send_ack = false;
  StartServer(server_options);
  ClientOptions options = Options();
  options.connect_timeout = milliseconds(200);
  Client& client = MakeClient(options);
  ConnectResult result = Connect(client);
  EXPECT_EQ(result.failure, DisconnectReason::kConnectTimeout);
  EXPECT_EQ(result.status.code(), StatusCode::kTimeout);
}

TEST_F(ClientTest, UnsupportedServerVersionIsRefused) {
  ScriptedServerOptions server_options;
  server_options.server_version = 152;
  StartServer(server_options);
  Client& client = MakeClient(Options());
  ConnectResult result = Connect(client);
  EXPECT_EQ(result.failure, DisconnectReason::kHandshakeFailed);
  EXPECT_NE(result.status.message().find("152"), std::string::npos) << result.status.message();
}

TEST_F(ClientTest, ClientIdInUseIsReportedDistinctly) {
  ScriptedServerOptions server_options;
  server_options.ids_in_use = {7};
  StartServer(server_options);
  Client& client = MakeClient(Options());
  ConnectResult result = Connect(client);
  EXPECT_EQ(result.failure, DisconnectReason::kClientIdInUse);
  EXPECT_EQ(result.status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(result.status.message().find("client id 7"), std::string::npos);
  ASSERT_EQ(events_.notice_count(), 1u);
  std::lock_guard<std::mutex> lock(events_.mutex);
  EXPECT_EQ(events_.notices[0].kind, NoticeKind::kClientIdInUse);
  EXPECT_EQ(events_.notices[0].code, 326);
}

TEST_F(ClientTest, AnotherClientIdConnects) {
  ScriptedServerOptions server_options;
  server_options.ids_in_use = {7};
  StartServer(server_options);
  ClientOptions options = Options();
  options.client_id = 8;
  Client& client = MakeClient(options);
  EXPECT_TRUE(Connect(client).status.ok());
}

TEST_F(ClientTest, EveryConnectionCodeIsATypedNotice) {
  ScriptedServer& server = StartServer();
  ConnectedClient(Options());
  struct Case {
    int32_t code;
    std::string text;
    NoticeKind kind;
    std::string farm;
  };
  const std::vector<Case> cases = {
      {1100, "Connectivity between IB and Trader Workstation has been lost.",
       NoticeKind::kConnectivityLost, ""},
      {1101, "Connectivity between IB and TWS has been restored- data lost.",
       NoticeKind::kRestoredDataLost, ""},
      {1102, "Connectivity between IB and TWS has been restored- data maintained.",
       NoticeKind::kRestoredDataMaintained, ""},
      {1300,
       "TWS socket port has been reset and this connection is being dropped. Please reconnect "
       "on the new port - 4003",
       NoticeKind::kSocketPortReset, ""},
      {2103, "Market data farm connection is broken:usfarm", NoticeKind::kMarketDataFarmBroken,
       "usfarm"},
      {2104, "Market data farm connection is OK:usfuture", NoticeKind::kMarketDataFarmOk,
       "usfuture"},
      {2105, "HMDS data farm connection is broken:ushmds", NoticeKind::kHistoricalFarmBroken,
       "ushmds"},
      {2106, "HMDS data farm connection is OK:ushmds", NoticeKind::kHistoricalFarmOk, "ushmds"},
      {2107, "HMDS data farm connection is inactive but should be available upon demand.ushmds",
       NoticeKind::kHistoricalFarmInactive, "ushmds"},
      {2108, "Market data farm connection is inactive but should be available upon demand.usfarm",
       NoticeKind::kMarketDataFarmInactive, "usfarm"},
      {2110, "Connectivity between TWS and server is broken. It will be restored automatically.",
       NoticeKind::kServerLinkBroken, ""},
      {2119, "Market data farm is connecting:usfarm.nj", NoticeKind::kMarketDataFarmConnecting,
       "usfarm.nj"},
      {2157, "Sec-def data farm connection is broken:secdefil", NoticeKind::kSecDefFarmBroken,
       "secdefil"},
      {2158, "Sec-def data farm connection is OK:secdefil", NoticeKind::kSecDefFarmOk, "secdefil"},
      {10197, "No market data during competing session", NoticeKind::kCompetingSession, ""},
      {100, "Max rate of messages per second has been exceeded.", NoticeKind::kMaxRateExceeded, ""},
      {2100, "API client has been unsubscribed from account data.", NoticeKind::kOther, ""},
      {1300, "Caf\xc3\xa9 port reset", NoticeKind::kSocketPortReset, ""},  // non-ASCII text
  };
  for (const Case& c : cases) server.SendMessage(protocol::ErrorMessage{-1, c.code, c.text, ""});
  ASSERT_TRUE(WaitUntil([&] { return events_.notice_count() == cases.size(); }));
  std::lock_guard<std::mutex> lock(events_.mutex);
  for (size_t i = 0; i < cases.size(); ++i) {
    const ConnectionNotice& n = events_.notices[i];
    EXPECT_EQ(n.code, cases[i].code) << i;
    EXPECT_EQ(n.kind, cases[i].kind) << cases[i].code;
    EXPECT_EQ(n.text, cases[i].text) << cases[i].code;
    EXPECT_EQ(n.farm, cases[i].farm) << cases[i].code;
    EXPECT_EQ(n.id, -1);
  }
  EXPECT_EQ(events_.disconnects.size(), 0u);
}

TEST_F(ClientTest, RoutesTicksAndErrorsByRequestId) {
  ScriptedServer& server = StartServer();
  Client& client = ConnectedClient(Options());
  struct Seen {
    std::mutex mutex;
    std::vector<double> bids_a, bids_b, mids;
    std::vector<std::string> exchanges;
    std::vector<RequestError> errors_a, errors_b;
  };
  auto seen = std::make_shared<Seen>();
  TickHandlers a;
  a.tick = [seen](const Tick& t) {
    std::lock_guard<std::mutex> lock(seen->mutex);
    seen->bids_a.push_back(t.bid_price);
  };
  a.error = [seen](const RequestError& e) {
    std::lock_guard<std::mutex> lock(seen->mutex);
    seen->errors_a.push_back(e);
  };
  // Every kind of message with b's request id reaches b, whatever type b subscribed. A trade
  // message takes the subscribed type (Last and AllLast share it), so the trade is told apart by
  // its exchange.
  TickHandlers b;
  b.tick = [seen](const Tick& t) {
    std::lock_guard<std::mutex> lock(seen->mutex);
    if (!t.exchange.empty()) {
      seen->exchanges.push_back(t.exchange);
    } else if (t.type == TickType::kMidPoint) {
      seen->mids.push_back(t.price);
    } else {
      seen->bids_b.push_back(t.bid_price);
    }
  };
  b.error = [seen](const RequestError& e) {
    std::lock_guard<std::mutex> lock(seen->mutex);
    seen->errors_b.push_back(e);
  };
  int32_t id_a = client.SubscribeTicks(Mnq(), TickType::kBidAsk, a);
  int32_t id_b = client.SubscribeTicks(Mnq(), TickType::kBidAsk, b);
  EXPECT_NE(id_a, id_b);
  ASSERT_TRUE(WaitUntil([&] { return server.requests().size() == 3; }));
  auto requests = server.requests();
  ASSERT_TRUE(std::holds_alternative<protocol::ReqTickByTickData>(requests[1]));
  EXPECT_EQ(std::get<protocol::ReqTickByTickData>(requests[1]).req_id, id_a);
  EXPECT_EQ(std::get<protocol::ReqTickByTickData>(requests[1]).tick_type, "BidAsk");
  EXPECT_EQ(std::get<protocol::ReqTickByTickData>(requests[1]).contract.con_id, 711280073);
  EXPECT_EQ(std::get<protocol::ReqTickByTickData>(requests[2]).req_id, id_b);

  auto bid_ask = [](int32_t id, double bid) {
    protocol::TickByTickBidAsk t;
    t.req_id = id;
    t.time = 1754925330;
    t.bid_price = bid;
    t.ask_price = bid + 0.25;
    t.bid_size = Decimal::FromInt(3);
    t.ask_size = Decimal::FromInt(5);
    return t;
  };
  server.SendMessage(bid_ask(id_a, 1));
  server.SendMessage(bid_ask(id_b, 2));
  server.SendMessage(bid_ask(id_a, 3));
  protocol::TickByTickLast last;
  last.req_id = id_b;
  last.time = 1754925331;
  last.price = 21500.5;
  last.size = Decimal::FromInt(1);
  last.exchange = "CME";
  server.SendMessage(last);
  server.SendMessage(protocol::TickByTickMidPoint{id_b, 1754925332, 21500.375});
  server.SendMessage(
      protocol::ErrorMessage{id_a, 10189, "Failed to request tick-by-tick data.", ""});
  server.SendMessage(bid_ask(999'999, 4));  // nobody's
  server.SendMessage(bid_ask(id_b, 5));

  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard<std::mutex> lock(seen->mutex);
    return seen->bids_b.size() == 2;
  }));
  std::lock_guard<std::mutex> lock(seen->mutex);
  EXPECT_EQ(seen->bids_a, (std::vector<double>{1, 3}));
  EXPECT_EQ(seen->bids_b, (std::vector<double>{2, 5}));
  EXPECT_EQ(seen->exchanges, (std::vector<std::string>{"CME"}));
  EXPECT_EQ(seen->mids, (std::vector<double>{21500.375}));
  ASSERT_EQ(seen->errors_a.size(), 1u);
  EXPECT_EQ(seen->errors_a[0].code, 10189);
  EXPECT_EQ(seen->errors_a[0].req_id, id_a);
  EXPECT_TRUE(seen->errors_b.empty());
  EXPECT_EQ(client.stats().unroutable_messages, 1u);
  EXPECT_EQ(events_.notice_count(), 0u);  // a request's error is not a connection notice
}

TEST_F(ClientTest, SubscribeTicksDeliversDomainTicks) {
  ScriptedServer& server = StartServer();
  Client& client = ConnectedClient(Options(), manual_clock_);
  struct Seen {
    std::mutex mutex;
    std::vector<Tick> ticks;
    std::vector<RequestError> errors;
  };
  auto seen = std::make_shared<Seen>();
  auto handlers = [seen] {
    TickHandlers h;
    h.tick = [seen](const Tick& t) {
      std::lock_guard<std::mutex> lock(seen->mutex);
      seen->ticks.push_back(t);
    };
    h.error = [seen](const RequestError& e) {
      std::lock_guard<std::mutex> lock(seen->mutex);
      seen->errors.push_back(e);
    };
    return h;
  };
  const int32_t bid_ask_id = client.SubscribeTicks(Mnq(), TickType::kBidAsk, handlers());
  const int32_t all_last_id = client.SubscribeTicks(Mnq(), TickType::kAllLast, handlers());
  const int32_t mid_id = client.SubscribeTicks(Mnq(), TickType::kMidPoint, handlers());
  ASSERT_TRUE(WaitUntil([&] { return server.requests().size() == 4; }));
  auto requests = server.requests();
  ASSERT_TRUE(std::holds_alternative<protocol::ReqTickByTickData>(requests[2]));
  EXPECT_EQ(std::get<protocol::ReqTickByTickData>(requests[2]).req_id, all_last_id);
  EXPECT_EQ(std::get<protocol::ReqTickByTickData>(requests[2]).tick_type, "AllLast");

  protocol::TickByTickBidAsk bid_ask;
  bid_ask.req_id = bid_ask_id;
  bid_ask.time = 1754925330;
  bid_ask.bid_price = 21500.25;
  bid_ask.ask_price = 21500.5;
  bid_ask.bid_size = Decimal::FromInt(3);
  bid_ask.ask_size = Decimal::FromInt(5);
  bid_ask.attrib.bid_past_low = true;
  protocol::TickByTickLast last;
  last.req_id = all_last_id;
  last.tick_type = protocol::TickByTickType::kAllLast;
  last.time = 1754925331;
  last.price = 21500.5;
  last.size = Decimal::FromInt(2);
  last.attrib.unreported = true;
  last.exchange = "CME";
  last.special_conditions = "T";
  server.SendMessage(bid_ask);
  server.SendMessage(last);
  server.SendMessage(protocol::TickByTickMidPoint{mid_id, 1754925332, 21500.375});
  server.SendMessage(protocol::ErrorMessage{mid_id, 10190, "Max number of tick-by-tick", ""});

  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard<std::mutex> lock(seen->mutex);
    return seen->ticks.size() == 3 && seen->errors.size() == 1;
  }));
  std::lock_guard<std::mutex> lock(seen->mutex);
  const TimePoint received = manual_clock_.Now();
  for (const Tick& t : seen->ticks) {
    EXPECT_EQ(t.contract_id, 711280073);
    EXPECT_EQ(t.source, TickSource::kLive);
    EXPECT_EQ(t.sequence, 0u);
    EXPECT_EQ(t.receive_time, received);
  }
  const Tick& a = seen->ticks[0];
  EXPECT_EQ(a.type, TickType::kBidAsk);
  EXPECT_EQ(a.exchange_time, FromUnixSeconds(1754925330));
  EXPECT_EQ(a.bid_price, 21500.25);
  EXPECT_EQ(a.ask_price, 21500.5);
  EXPECT_EQ(a.bid_size, Decimal::FromInt(3));
  EXPECT_EQ(a.ask_size, Decimal::FromInt(5));
  EXPECT_EQ(a.attributes, kAttrBidPastLow);
  const Tick& l = seen->ticks[1];
  EXPECT_EQ(l.type, TickType::kAllLast);
  EXPECT_EQ(l.exchange_time, FromUnixSeconds(1754925331));
  EXPECT_EQ(l.price, 21500.5);
  EXPECT_EQ(l.size, Decimal::FromInt(2));
  EXPECT_EQ(l.attributes, kAttrUnreported);
  EXPECT_EQ(l.exchange, "CME");
  EXPECT_EQ(l.special_conditions, "T");
  const Tick& m = seen->ticks[2];
  EXPECT_EQ(m.type, TickType::kMidPoint);
  EXPECT_EQ(m.price, 21500.375);
  EXPECT_TRUE(m.exchange.empty());
  EXPECT_EQ(seen->errors[0].req_id, mid_id);
  EXPECT_EQ(seen->errors[0].code, 10190);
}

TEST_F(ClientTest, CancelStopsDelivery) {
  ScriptedServer& server = StartServer();
  Client& client = ConnectedClient(Options());
  auto count = std::make_shared<std::atomic<int>>(0);
  TickHandlers h;
  h.tick = [count](const Tick&) { ++*count; };
  int32_t id = client.SubscribeTicks(Mnq(), TickType::kMidPoint, h);
  ASSERT_TRUE(WaitUntil([&] { return server.requests().size() == 2; }));
  server.SendMessage(protocol::TickByTickMidPoint{id, 1, 1.0});
  ASSERT_TRUE(WaitUntil([&] { return count->load() == 1; }));
  client.CancelTickByTick(id);
  ASSERT_TRUE(WaitUntil([&] { return server.requests().size() == 3; }));
  EXPECT_EQ(std::get<protocol::CancelTickByTickData>(server.requests()[2]).req_id, id);
  server.SendMessage(protocol::TickByTickMidPoint{id, 2, 2.0});
  ASSERT_TRUE(WaitUntil([&] { return client.stats().unroutable_messages == 1; }));
  EXPECT_EQ(count->load(), 1);
}

TEST_F(ClientTest, SubscribeMarketDataDeliversQuotesTradesAndErrors) {
  ScriptedServer& server = StartServer();
  Client& client = ConnectedClient(Options(), manual_clock_);
  struct Seen {
    std::mutex mutex;
    std::vector<Tick> ticks;
    std::vector<RequestError> errors;
  };
  auto seen = std::make_shared<Seen>();
  TickHandlers h;
  h.tick = [seen](const Tick& t) {
    std::lock_guard<std::mutex> lock(seen->mutex);
    seen->ticks.push_back(t);
  };
  h.error = [seen](const RequestError& e) {
    std::lock_guard<std::mutex> lock(seen->mutex);
    seen->errors.push_back(e);
  };
  const int32_t id = client.SubscribeMarketData(Mnq(), h);
  ASSERT_TRUE(WaitUntil([&] { return server.requests().size() == 2; }));
  const std::vector<protocol::ClientRequest> requests = server.requests();
  const auto& request = std::get<protocol::ReqMktData>(requests[1]);
  EXPECT_EQ(request.req_id, id);
  EXPECT_EQ(request.contract.con_id, 711280073);
  EXPECT_EQ(request.generic_tick_list, "");
  EXPECT_FALSE(request.snapshot);
  EXPECT_FALSE(request.regulatory_snapshot);

  // The shapes of the conformance vectors tickPrice/bid, tickPrice/ask, tickPrice/last,
  // tickSize/*, tickString/lastTimestamp (with IB's repeated sizes after each price).
  server.SendMessage(protocol::TickPrice{id, 1, 21500.25, Decimal::FromInt(3), {}});
  server.SendMessage(protocol::TickSize{id, 0, Decimal::FromInt(3)});
  server.SendMessage(protocol::TickPrice{id, 2, 21500.5, Decimal::FromInt(5), {}});
  server.SendMessage(protocol::TickSize{id, 3, Decimal::FromInt(5)});
  server.SendMessage(protocol::TickPrice{id, 4, 21500.5, Decimal::FromInt(2), {}});
  server.SendMessage(protocol::TickSize{id, 5, Decimal::FromInt(2)});
  server.SendMessage(protocol::TickSize{id, 8, Decimal::FromInt(12345)});
  server.SendMessage(protocol::TickString{id, 45, "1754925330"});
  server.SendMessage(protocol::TickSize{id, 3, Decimal::FromInt(9)});
  for (int32_t code : {10190, 101, 354, 10197}) {
    server.SendMessage(protocol::ErrorMessage{id, code, "refused " + std::to_string(code), ""});
  }
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard<std::mutex> lock(seen->mutex);
    return seen->ticks.size() == 4 && seen->errors.size() == 4;
  }));
  {
    std::lock_guard<std::mutex> lock(seen->mutex);
    for (const Tick& t : seen->ticks) {
      EXPECT_EQ(t.contract_id, 711280073);
      EXPECT_EQ(t.receive_time, manual_clock_.Now());
    }
    EXPECT_EQ(seen->ticks[0].type, TickType::kQuote);
    EXPECT_EQ(seen->ticks[0].bid_price, 21500.25);
    EXPECT_EQ(seen->ticks[1].type, TickType::kQuote);
    EXPECT_EQ(seen->ticks[1].ask_size, Decimal::FromInt(5));
    const Tick& trade = seen->ticks[2];
    EXPECT_EQ(trade.type, TickType::kTrade);
    EXPECT_EQ(trade.price, 21500.5);
    EXPECT_EQ(trade.size, Decimal::FromInt(2));
    EXPECT_EQ(trade.volume, Decimal::FromInt(12345));
    EXPECT_EQ(trade.exchange_time, FromUnixSeconds(1754925330));
    const Tick& quote = seen->ticks[3];
    EXPECT_EQ(quote.type, TickType::kQuote);
    EXPECT_EQ(quote.bid_price, 21500.25);
    EXPECT_EQ(quote.bid_size, Decimal::FromInt(3));
    EXPECT_EQ(quote.ask_price, 21500.5);
    EXPECT_EQ(quote.ask_size, Decimal::FromInt(9));
    const int32_t codes[] = {10190, 101, 354, 10197};
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(seen->errors[i].req_id, id);
      EXPECT_EQ(seen->errors[i].code, codes[i]);
    }
  }
  EXPECT_EQ(client.stats().request_errors, 4u);

  // Cancelled: cancelMktData goes out, later ticks are unroutable.
  client.CancelMarketData(id);
  ASSERT_TRUE(WaitUntil([&] { return server.requests().size() == 3; }));
  EXPECT_EQ(std::get<protocol::CancelMktData>(server.requests()[2]).req_id, id);
  server.SendMessage(protocol::TickSize{id, 0, Decimal::FromInt(4)});
  ASSERT_TRUE(WaitUntil([&] { return client.stats().unroutable_messages == 1; }));
  std::lock_guard<std::mutex> lock(seen->mutex);
  EXPECT_EQ(seen->ticks.size(), 4u);
}

TEST_F(ClientTest, MarketDataWhileNotConnectedFailsWith504) {
  Client& client = MakeClient(Options());
  auto code = std::make_shared<std::atomic<int32_t>>(0);
  TickHandlers h;
  h.error = [code](const RequestError& e) { code->store(e.code); };
  client.SubscribeMarketData(Mnq(), h);
  ASSERT_TRUE(WaitUntil([&] { return code->load() == 504; }));
}

TEST_F(ClientTest, ContractDetailsAndError200) {
  ScriptedServer& server = StartServer();
  server.SetRequestHandler([](ScriptedServer& s, const protocol::ClientRequest& r) {
    const auto* req = std::get_if<protocol::ReqContractDetails>(&r);
    if (req == nullptr) return;
    if (req->contract.symbol != "MNQ") {
      s.SendMessage(protocol::ErrorMessage{
          req->req_id, 200, "No security definition has been found for the request", ""});
      return;
    }
    for (const char* month : {"20250919", "20251219"}) {
      protocol::ContractDetails d;
      d.req_id = req->req_id;
      d.contract.symbol = "MNQ";
      d.contract.sec_type = "FUT";
      d.contract.last_trade_date_or_contract_month = month;
      d.contract.exchange = "CME";
      d.contract.currency = "USD";
      d.contract.con_id = month[5] == '9' ? 711280073 : 730283097;
      d.long_name = "Micro E-Mini Nasdaq-100 Index";
      d.time_zone_id = "US/Central";
      d.min_tick = 0.25;
      s.SendMessage(d);
    }
    s.SendMessage(protocol::ContractDataEnd{req->req_id});
  });
  Client& client = ConnectedClient(Options());
  auto found = std::make_shared<Slot<Result<std::vector<protocol::ContractDetails>>>>();
  protocol::Contract query;
  query.symbol = "MNQ";
  query.sec_type = "FUT";
  client.RequestContractDetails(query, [found](auto r) { found->Set(std::move(r)); });
  auto details = found->Get();
  ASSERT_TRUE(details.ok()) << details.status().ToString();
  ASSERT_EQ(details->size(), 2u);
  EXPECT_EQ((*details)[0].contract.con_id, 711280073);
  EXPECT_EQ((*details)[1].contract.con_id, 730283097);
  EXPECT_EQ((*details)[0].time_zone_id, "US/Central");

  auto missing = std::make_shared<Slot<Result<std::vector<protocol::ContractDetails>>>>();
  query.symbol = "NOPE";
  client.RequestContractDetails(query, [missing](auto r) { missing->Set(std::move(r)); });
  auto none = missing->Get();
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(IbErrorCode(none.status()), 200);
}

TEST_F(ClientTest, OneShotRequests) {
  ScriptedServer& server = StartServer();
  server.SetRequestHandler([](ScriptedServer& s, const protocol::ClientRequest& r) {
    if (const auto* m = std::get_if<protocol::ReqMatchingSymbols>(&r)) {
      protocol::SymbolSamples samples;
      samples.req_id = m->req_id;
      protocol::ContractDescription d;
      d.con_id = 362687422;
      d.symbol = m->pattern;
      d.sec_type = "IND";
      d.derivative_sec_types = {"FUT", "FOP"};
      samples.descriptions.push_back(d);
      s.SendMessage(samples);
    } else if (const auto* h = std::get_if<protocol::ReqHeadTimestamp>(&r)) {
      s.SendMessage(protocol::HeadTimestamp{h->req_id, "1719259200"});
    } else if (const auto* t = std::get_if<protocol::ReqHistoricalTicks>(&r)) {
      std::vector<protocol::HistoricalTickBidAsk> ticks(2);
      ticks[0].time = 1754925330;
      ticks[0].price_bid = 21500.25;
      ticks[0].price_ask = 21500.5;
      ticks[0].size_bid = Decimal::FromInt(3);
      ticks[0].size_ask = Decimal::FromInt(5);
      ticks[1] = ticks[0];
      ticks[1].time = 1754925331;
      ticks[1].attrib.ask_past_high = true;
      s.SendMessage(protocol::HistoricalTicksBidAsk{t->req_id, ticks, true});
    }
  });
  Client& client = ConnectedClient(Options());

  auto symbols = std::make_shared<Slot<Result<std::vector<protocol::ContractDescription>>>>();
  client.RequestMatchingSymbols("NQ", [symbols](auto r) { symbols->Set(std::move(r)); });
  auto head = std::make_shared<Slot<Result<TimePoint>>>();
  client.RequestHeadTimestamp(Mnq(), "TRADES", false, [head](auto r) { head->Set(r); });
  auto now = std::make_shared<Slot<Result<TimePoint>>>();
  client.RequestCurrentTime([now](auto r) { now->Set(r); });
  HistoricalTicksQuery query;
  query.contract = Mnq();
  query.type = TickType::kBidAsk;
  query.start_date_time = "20250811 09:30:00 US/Central";
  auto ticks = std::make_shared<Slot<Result<std::vector<Tick>>>>();
  client.RequestHistoricalTicks(query, [ticks](auto r) { ticks->Set(std::move(r)); });
  client.SetMarketDataType(3);

  auto s = symbols->Get();
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].symbol, "NQ");
  EXPECT_EQ((*s)[0].derivative_sec_types, (std::vector<std::string>{"FUT", "FOP"}));
  ASSERT_TRUE(head->Get().ok());
  EXPECT_EQ(ToUnixSeconds(*head->Get()), 1719259200);
  ASSERT_TRUE(now->Get().ok());
  EXPECT_EQ(ToUnixSeconds(*now->Get()), 1754925330);
  auto t = ticks->Get();
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0].contract_id, 711280073);
  EXPECT_EQ((*t)[0].type, TickType::kBidAsk);
  EXPECT_EQ((*t)[0].source, TickSource::kBackfill);
  EXPECT_EQ(ToUnixSeconds((*t)[1].exchange_time), 1754925331);
  EXPECT_EQ((*t)[0].bid_size, Decimal::FromInt(3));
  EXPECT_EQ((*t)[1].attributes, kAttrAskPastHigh);

  ASSERT_TRUE(WaitUntil([&] {
    auto r = server.requests();
    return !r.empty() && std::holds_alternative<protocol::ReqMarketDataType>(r.back());
  }));
  auto requests = server.requests();
  EXPECT_EQ(std::get<protocol::ReqMarketDataType>(requests.back()).market_data_type, 3);
  const auto* historical = std::get_if<protocol::ReqHistoricalTicks>(&requests[4]);
  ASSERT_NE(historical, nullptr);
  EXPECT_EQ(historical->what_to_show, "BID_ASK");
  EXPECT_EQ(historical->start_date_time, "20250811 09:30:00 US/Central");
}

// MIDPOINT history comes with size 0; live midpoints have no size, and a backfilled one must be
// the same record as its live twin. TRADES history keeps its sizes.
TEST_F(ClientTest, HistoricalMidpointsHaveNoSizeLikeLiveOnes) {
  ScriptedServer& server = StartServer();
  server.SetRequestHandler([](ScriptedServer& s, const protocol::ClientRequest& r) {
    if (const auto* t = std::get_if<protocol::ReqHistoricalTicks>(&r)) {
      std::vector<protocol::HistoricalTick> ticks(1);
      ticks[0].time = 1754925330;
      ticks[0].price = 1.1725;
      ticks[0].size = t->what_to_show == "MIDPOINT" ? Decimal::FromInt(0) : Decimal::FromInt(4);
      s.SendMessage(protocol::HistoricalTicks{t->req_id, ticks, true});
    }
  });
  Client& client = ConnectedClient(Options());
  std::vector<Tick> got;
  for (TickType type : {TickType::kMidPoint, TickType::kLast}) {
    HistoricalTicksQuery query;
    query.contract = Mnq();
    query.type = type;
    query.start_date_time = "20250811-14:30:00";
    auto ticks = std::make_shared<Slot<Result<std::vector<Tick>>>>();
    client.RequestHistoricalTicks(query, [ticks](auto r) { ticks->Set(std::move(r)); });
    auto t = ticks->Get();
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    ASSERT_EQ(t->size(), 1u);
    got.push_back((*t)[0]);
  }
  Tick live;
  ToTick(protocol::TickByTickMidPoint{1, 1754925330, 1.1725}, 711280073, FromUnixSeconds(1), live);
  EXPECT_EQ(got[0].type, TickType::kMidPoint);
  EXPECT_EQ(got[0].size, live.size) << "a backfilled midpoint has no size, as a live one";
  EXPECT_EQ(got[0].price, 1.1725);
  EXPECT_EQ(got[1].size, Decimal::FromInt(4));
}

TEST_F(ClientTest, RequestsWhileNotConnectedFailAtOnce) {
  Client& client = MakeClient(Options());
  auto details = std::make_shared<Slot<Result<std::vector<protocol::ContractDetails>>>>();
  client.RequestContractDetails(Mnq(), [details](auto r) { details->Set(std::move(r)); });
  EXPECT_EQ(details->Get().status().code(), StatusCode::kUnavailable);
  auto error = std::make_shared<Slot<RequestError>>();
  TickHandlers h;
  h.error = [error](const RequestError& e) { error->Set(e); };
  client.SubscribeTicks(Mnq(), TickType::kLast, h);
  EXPECT_EQ(error->Get().code, 504);
}

TEST_F(ClientTest, DetectsEof) {
  ScriptedServer& server = StartServer();
  Client& client = ConnectedClient(Options());
  auto pending = std::make_shared<Slot<Result<std::vector<protocol::ContractDetails>>>>();
  client.RequestContractDetails(Mnq(), [pending](auto r) { pending->Set(std::move(r)); });
  ASSERT_TRUE(WaitUntil([&] { return server.requests().size() == 2; }));
  server.CloseConnection();
  DisconnectEvent e = WaitForDisconnect();
  EXPECT_EQ(e.reason, DisconnectReason::kEof);
  EXPECT_FALSE(e.detail.ok());
  auto r = pending->Get();
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("eof"), std::string::npos) << r.status().message();
  EXPECT_EQ(events_.disconnect_count(), 1u);
}

TEST_F(ClientTest, DetectsReset) {
  ScriptedServer& server = StartServer();
  ConnectedClient(Options());
  server.ResetConnection();
  EXPECT_EQ(WaitForDisconnect().reason, DisconnectReason::kReset);
}

TEST_F(ClientTest, ReconnectsAfterDisconnect) {
  ScriptedServer& server = StartServer();
  Client& client = ConnectedClient(Options());
  server.CloseConnection();
  WaitForDisconnect();
  ConnectResult again = Connect(client);
  EXPECT_TRUE(again.status.ok()) << again.status.ToString();
  EXPECT_EQ(server.connections_accepted(), 2);
  EXPECT_EQ(client.stats().connections, 2u);
}

TEST_F(ClientTest, UserDisconnect) {
  ScriptedServer& server = StartServer();
  Client& client = ConnectedClient(Options());
  client.Disconnect();
  EXPECT_EQ(WaitForDisconnect().reason, DisconnectReason::kClosedByUser);
  EXPECT_TRUE(WaitUntil([&] { return !server.connected(); }));
}

TEST_F(ClientTest, ProbeKeepsAHealthyConnection) {
  StartServer();
  ClientOptions options = Options();
  options.probe_interval = milliseconds(10);
  options.probe_deadline = milliseconds(2000);
  Client& client = ConnectedClient(options);
  ASSERT_TRUE(WaitUntil([&] { return client.stats().probes_sent >= 3; }));
  EXPECT_EQ(events_.disconnect_count(), 0u);
  EXPECT_EQ(client.stats().probe_timeouts, 0u);
}

TEST_F(ClientTest, EveryCurrentTimeAnswerReportsTheGatewaysClockAgainstTheClients) {
  ScriptedServerOptions server_options;
  server_options.current_time = 1754925330;
  StartServer(server_options);
  ClientOptions options = Options();
  options.probe_interval = milliseconds(10);
  options.probe_deadline = milliseconds(2000);
  Client& client = ConnectedClient(options, manual_clock_);
  ASSERT_TRUE(WaitUntil([&] { return events_.server_time_count() >= 2; }));  // probes
  auto asked = std::make_shared<Slot<Result<TimePoint>>>();
  const size_t before = events_.server_time_count();
  client.RequestCurrentTime([asked](auto r) { asked->Set(r); });
  ASSERT_TRUE(asked->Get().ok());
  EXPECT_GT(events_.server_time_count(), before);
  std::lock_guard<std::mutex> lock(events_.mutex);
  for (const ServerTimeSample& s : events_.server_times) {
    EXPECT_EQ(s.server_time, FromUnixSeconds(1754925330));
    EXPECT_EQ(s.sent, FromUnixSeconds(1754925400));  // the client's (manual) clock
    EXPECT_EQ(s.received, FromUnixSeconds(1754925400));
  }
}

TEST_F(ClientTest, HalfOpenConnectionFailsTheProbe) {
  ScriptedServerOptions server_options;
  server_options.answer_current_time = false;  // the socket stays open, nothing answers
  StartServer(server_options);
  ClientOptions options = Options();
  options.probe_interval = milliseconds(20);
  options.probe_deadline = milliseconds(100);
  Client& client = ConnectedClient(options);
  DisconnectEvent e = WaitForDisconnect();
  EXPECT_EQ(e.reason, DisconnectReason::kProbeTimeout);
  EXPECT_EQ(e.detail.code(), StatusCode::kTimeout);
  EXPECT_EQ(client.stats().probe_timeouts, 1u);
  EXPECT_EQ(client.stats().probes_sent, 1u);
}

TEST_F(ClientTest, PacingKeepsOrderAndDropsNothing) {
  ScriptedServer& server = StartServer();
  ClientOptions options = Options();
  options.pace_rate = 500;
  options.pace_burst = 5;
  Client& client = ConnectedClient(options);
  constexpr int kCount = 120;
  std::vector<int32_t> ids;
  for (int i = 0; i < kCount; ++i) {
    ids.push_back(client.RequestMatchingSymbols("P" + std::to_string(i), [](auto) {}));
  }
  ASSERT_TRUE(WaitUntil([&] { return server.requests().size() == kCount + 1; }));
  auto requests = server.requests();
  for (int i = 0; i < kCount; ++i) {
    const auto* m = std::get_if<protocol::ReqMatchingSymbols>(&requests[i + 1]);
    ASSERT_NE(m, nullptr) << i;
    EXPECT_EQ(m->req_id, ids[i]);
    EXPECT_EQ(m->pattern, "P" + std::to_string(i));
  }
  // The last write's completion publishes the counters just after the server has the bytes.
  EXPECT_TRUE(WaitUntil([&] { return client.stats().messages_sent == kCount + 1u; }));
  ClientStats stats = client.stats();
  EXPECT_GT(stats.pacing_waits, 0u);  // 120 messages cannot leave in one burst of 5
  EXPECT_EQ(server.bad_requests(), 0);
}

TEST_F(ClientTest, CallsFromManyThreads) {
  ScriptedServer& server = StartServer();
  Client& client = ConnectedClient(Options());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  auto done = std::make_shared<std::atomic<int>>(0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&client, done] {
      for (int i = 0; i < kPerThread; ++i) {
        client.RequestCurrentTime([done](Result<TimePoint> r) {
          if (r.ok()) ++*done;
        });
        client.NextRequestId();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(WaitUntil([&] { return done->load() == kThreads * kPerThread; }));
  EXPECT_EQ(server.requests().size(), 1u + kThreads * kPerThread);
}

TEST_F(ClientTest, GarbageFramingGivesErrorEventAndCleanClose) {
  ScriptedServer& server = StartServer();
  Client& client = ConnectedClient(Options());
  server.Send(std::string("\xff\xff\xff\xffgarbage", 11));  // length beyond the 16 MiB limit
  DisconnectEvent e = WaitForDisconnect();
  EXPECT_EQ(e.reason, DisconnectReason::kProtocolError);
  std::lock_guard<std::mutex> lock(events_.mutex);
  ASSERT_EQ(events_.protocol_errors.size(), 1u);
  EXPECT_EQ(events_.protocol_errors[0].total_errors, 1u);
  EXPECT_EQ(client.stats().protocol_errors, 1u);
  EXPECT_EQ(client.stats().protocol.error(protocol::DecodeErrorKind::kBadFrameLength), 1u);
}

TEST_F(ClientTest, UndecodableMessageGivesErrorEventAndCleanClose) {
  ScriptedServer& server = StartServer();
  Client& client = ConnectedClient(Options());
  std::string bytes;
  static constexpr char kPayload[] =
      "99\0"
      "2001\0"
      "3\0"
      "notatime\0";
  protocol::AppendFrame(std::string_view(kPayload, sizeof(kPayload) - 1), bytes);
  server.Send(bytes);
  DisconnectEvent e = WaitForDisconnect();
  EXPECT_EQ(e.reason, DisconnectReason::kProtocolError);
  EXPECT_EQ(e.detail.code(), StatusCode::kParseError);
  EXPECT_EQ(client.stats().protocol_errors, 1u);
  EXPECT_TRUE(WaitUntil([&] { return !server.connected(); }));
}

// Seeded random bytes after the handshake: whatever they are, the client reports and closes or
// keeps going; it never crashes (ASan/UBSan run this too).
TEST_F(ClientTest, RandomBytesNeverCrash) {
  const uint32_t seed = 20250811;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int round = 0; round < 20; ++round) {
    ScriptedServer& server = StartServer();
    Client& client = ConnectedClient(Options());
    std::string bytes;
    int n = 1 + static_cast<int>(rng() % 200);
    // A plausible length prefix half the time, so decoders see random payloads.
    if (rng() % 2 == 0) protocol::AppendLengthPrefix(static_cast<uint32_t>(n), bytes);
    for (int i = 0; i < n; ++i) bytes.push_back(static_cast<char>(rng() % 4 == 0 ? 0 : rng()));
    server.Send(bytes);
    server.CloseConnection();
    DisconnectEvent e = WaitForDisconnect();
    EXPECT_NE(e.reason, DisconnectReason::kNone);
    (void)client;
    loop_.Post([] {});
    {
      std::lock_guard<std::mutex> lock(events_.mutex);
      events_.disconnects.clear();
      events_.protocol_errors.clear();
    }
    // Destroy the client on its own thread before the next round replaces it.
    auto destroyed = std::make_shared<std::atomic<bool>>(false);
    loop_.Post([this, destroyed] {
      client_.reset();
      *destroyed = true;
    });
    ASSERT_TRUE(WaitUntil([&] { return destroyed->load(); }));
  }
}

}  // namespace
}  // namespace ibstream::client::client_test
