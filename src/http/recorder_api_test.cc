#include "http/recorder_api.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <utility>  // before Asio (GCC 12 + Boost 1.74)

#include "config/contract_table.h"
#include "http/server.h"

namespace ibstream::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr int64_t kMnq = 711280073;
const TimePoint kNow = FromUnixSeconds(1754935200);  // 2025-08-11T18:00:00Z, Monday, CME open

// CME equity futures hours (Chicago), as IB sends them.
const ContractHours kCmeHours{
    "US/Central",
    "20250810:1700-20250811:1600;20250811:1700-20250812:1600;20250812:1700-20250813:1600;"
    "20250813:1700-20250814:1600;20250814:1700-20250815:1600;20250816:CLOSED;"
    "20250817:1700-20250818:1600",
    "20250811:0830-20250811:1600;20250812:0830-20250812:1600;20250813:0830-20250813:1600;"
    "20250814:0830-20250814:1600;20250815:0830-20250815:1600;20250816:CLOSED;20250817:CLOSED"};

Tick MakeTick(TickType type, int64_t second, uint64_t sequence) {
  Tick t;
  t.contract_id = kMnq;
  t.type = type;
  t.exchange_time = FromUnixSeconds(second);
  t.receive_time = FromUnixSeconds(second) + 250us;
  t.sequence = sequence;
  if (type == TickType::kBidAsk) {
    t.bid_price = 23260.0;
    t.ask_price = 23260.5;
    t.bid_size = Decimal::FromInt(4);
    t.ask_size = Decimal::FromInt(2);
  } else {
    t.price = 23260.25;
    t.size = Decimal::FromInt(1);
    t.exchange = "CME";
  }
  return t;
}

recorder::RecorderView MakeView() {
  recorder::RecorderView view;
  view.now = kNow;
  view.started_at = kNow - 1h;
  view.ready = true;
  view.overall = reliability::HealthStatus::kHealthy;
  view.gateway.connected = true;
  view.gateway.state = "up";
  view.gateway.host = "127.0.0.1";
  view.gateway.port = 4002;
  view.gateway.client_id = 1001;
  view.storage.path = "/data";
  view.storage.durable_position = 42;
  view.counters.ticks_received = 100;
  view.counters.ticks_stored = 99;
  view.counters.ib_errors[2104] = 3;
  recorder::ContractView c;
  c.contract_id = kMnq;
  c.description = "711280073 (MNQ)";
  c.symbol = "MNQ";
  c.sec_type = "FUT";
  c.exchange = "CME";
  c.currency = "USD";
  c.resolved = true;
  c.time_zone_id = kCmeHours.time_zone_id;
  c.trading_hours = kCmeHours.trading_hours;
  c.liquid_hours = kCmeHours.liquid_hours;
  c.market.status = MarketStatus::kOpen;
  c.status = reliability::HealthStatus::kHealthy;
  c.buffer_hours = 24;
  c.expected_types = {TickType::kBidAsk, TickType::kLast};
  for (TickType type : c.expected_types) {
    recorder::StreamView s;
    s.key = {kMnq, type};
    s.subscribed = true;
    s.request_id = type == TickType::kBidAsk ? 60001 : 60002;
    s.ticks = 50;
    s.last_tick_received = kNow - 2min;
    s.health.status = reliability::HealthStatus::kHealthy;
    s.health.flow = reliability::DataFlow::kFlowing;
    s.health.staleness_threshold = 5min;
    c.streams.push_back(s);
  }
  view.contracts.push_back(c);
  storage::GapRecord pending;
  pending.id = 1;
  pending.stream = {kMnq, TickType::kBidAsk};
  pending.start = kNow - 30min;
  pending.end = kNow - 29min;
  pending.cause = "disconnect";
  pending.updated_at = kNow - 29min;
  storage::GapRecord filled = pending;
  filled.id = 2;
  filled.stream.type = TickType::kLast;
  filled.state = storage::BackfillState::kFilled;
  view.gaps = {pending, filled};
  Alert alert;
  alert.rule = "data_stale_during_trading";
  alert.severity = AlertSeverity::kCritical;
  alert.contract_id = kMnq;
  alert.summary = "MNQ last: no data for 312 s while the market is OPEN";
  alert.labels = {{"tick_type", "last"}};
  alert.starts_at = kNow - 1min;
  view.alerts = {alert};
  return view;
}

// A source with a hand-made view, ticks in memory and a real fan-out.
class FakeSource final : public RecorderApiSource {
 public:
  explicit FakeSource(const Clock& clock) : clock_(clock) {
    view_ = std::make_shared<recorder::RecorderView>(MakeView());
  }
  std::shared_ptr<const recorder::RecorderView> View() const override {
    std::lock_guard lock(mu_);
    return view_;
  }
  void SetView(recorder::RecorderView view) {
    std::lock_guard lock(mu_);
    view_ = std::make_shared<recorder::RecorderView>(std::move(view));
  }
  Status Query(const std::vector<StreamKey>& streams, TimePoint from, TimePoint to,
               const std::function<Status(const Tick&)>& sink) const override {
    for (const Tick& t : stored) {
      if (t.exchange_time < from || t.exchange_time >= to) continue;
      if (std::find(streams.begin(), streams.end(), t.stream()) == streams.end()) continue;
      IBSTREAM_RETURN_IF_ERROR(sink(t));
    }
    return Status::Ok();
  }
  uint64_t Subscribe(TickFanout::Filter filter, TickFanout::Consumer consumer) override {
    return fanout.Subscribe(std::move(filter), std::move(consumer));
  }
  void Unsubscribe(uint64_t id) override { fanout.Unsubscribe(id); }
  Status RequestBackfill(const StreamKey& stream, TimePoint from, TimePoint to) override {
    std::lock_guard lock(mu_);
    backfills.push_back({stream, from, to});
    return Status::Ok();
  }
  Result<recorder::ContractChange> Track(std::string_view contract_toml) override {
    std::lock_guard lock(mu_);
    tracked.emplace_back(contract_toml);
    if (!track_result.ok()) return track_result.status();
    return *track_result;
  }
  Result<recorder::ContractChange> Untrack(std::string_view id) override {
    std::lock_guard lock(mu_);
    untracked.emplace_back(id);
    if (id != "711280073" && id != "con_711280073")
      return NotFound("no tracked contract " + std::string(id));
    return recorder::ContractChange{"con_711280073", "711280073 (MNQ)", kMnq};
  }
  Result<std::shared_ptr<const MarketCalendar>> Calendar(int64_t contract_id) const override {
    if (contract_id != kMnq) return NotFound("not tracked");
    auto cal = MarketCalendar::Create(kCmeHours);
    if (!cal.ok()) return cal.status();
    return std::make_shared<const MarketCalendar>(std::move(cal).value());
  }
  TimePoint Now() const override { return clock_.Now(); }

  struct BackfillCall {
    StreamKey stream;
    TimePoint from;
    TimePoint to;
  };
  std::vector<Tick> stored;
  TickFanout fanout;
  std::vector<BackfillCall> backfills;  // guarded by mu_
  std::vector<std::string> tracked;     // TOML texts given to Track, guarded by mu_
  std::vector<std::string> untracked;   // ids given to Untrack, guarded by mu_
  Result<recorder::ContractChange> track_result =
      recorder::ContractChange{"sym_ES_FUT_CME_USD", "ES FUT CME USD", 0};

 private:
  const Clock& clock_;
  mutable std::mutex mu_;
  std::shared_ptr<const recorder::RecorderView> view_;
};

// --- a small loopback client
// ----------------------------------------------------------------------

struct HttpResult {
  int status = -1;
  std::string head;
  std::string body;
  Json json() const { return Json::parse(body, nullptr, false); }
};

class Connection {
 public:
  explicit Connection(uint16_t port, int rcvbuf = 0) : socket_(io_) {
    socket_.open(tcp::v4());
    if (rcvbuf > 0) {
      setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    }
    // Reads give up after 20 s: the tests' deadline for anything they wait for.
    timeval tv{20, 0};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void Send(const std::string& raw) { asio::write(socket_, asio::buffer(raw)); }
  // Reads until `needle` appears (true) or the peer closes or the deadline passes (false).
  bool ReadUntil(const std::string& needle) {
    while (data_.find(needle) == std::string::npos) {
      if (!ReadSome()) return false;
    }
    return true;
  }
  void ReadToEnd() {
    while (ReadSome()) {
    }
  }
  bool ReadSome() {
    char buf[8192];
    const ssize_t n = ::recv(socket_.native_handle(), buf, sizeof(buf), 0);
    if (n <= 0) return false;
    data_.append(buf, static_cast<size_t>(n));
    return true;
  }
  const std::string& data() const { return data_; }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  std::string data_;
};

HttpResult Parse(const std::string& raw) {
  HttpResult r;
  if (raw.size() < 12) return r;
  r.status = std::stoi(raw.substr(9, 3));
  const size_t at = raw.find("\r\n\r\n");
  r.head = raw.substr(0, at);
  r.body = at == std::string::npos ? "" : raw.substr(at + 4);
  return r;
}

class RecorderApiTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void Start(ServerOptions options = {}) {
    server_.reset();
    source_ = std::make_shared<FakeSource>(clock_);
    Router router;
    RecorderApiOptions api_options = api_options_;
    api_options.sse_queue_bytes = options.max_sse_queued_bytes;
    RegisterRecorderApi(router, source_, api_options);
    options.port = 0;
    options.bearer_token = "s3cret";
    server_ = std::make_unique<Server>(std::move(router), options);
    ASSERT_TRUE(server_->Start().ok());
  }

  HttpResult Get(const std::string& target) {
    Connection c(server_->port());
    c.Send("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    c.ReadToEnd();
    return Parse(c.data());
  }
  HttpResult Post(const std::string& target, const std::string& body, const std::string& auth) {
    Connection c(server_->port());
    c.Send("POST " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + auth +
           "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body);
    c.ReadToEnd();
    return Parse(c.data());
  }
  HttpResult Delete(const std::string& target, const std::string& auth) {
    Connection c(server_->port());
    c.Send("DELETE " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + auth + "\r\n");
    c.ReadToEnd();
    return Parse(c.data());
  }
  // Waits until `n` SSE consumers are subscribed (deadline 20 s).
  bool WaitSubscribers(size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (source_->fanout.subscriber_count() != n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::yield();
    }
    return true;
  }

  ManualClock clock_{kNow};
  RecorderApiOptions api_options_;  // what Start() registers the API with
  std::shared_ptr<FakeSource> source_;
  std::unique_ptr<Server> server_;
};

void ExpectKeys(const Json& object, std::initializer_list<const char*> keys) {
  ASSERT_TRUE(object.is_object()) << object.dump();
  for (const char* key : keys) EXPECT_TRUE(object.contains(key)) << key << " in " << object.dump();
}

void ExpectJsonError(const HttpResult& r, int status) {
  EXPECT_EQ(r.status, status) << r.body;
  const Json body = r.json();
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_TRUE(body.contains("error")) << r.body;
  EXPECT_EQ(body.value("status", 0), status);
}

// --- plain endpoints --------------------------------------------------------------------------

TEST_F(RecorderApiTest, HealthKeepsTheOriginalShape) {
  auto r = Get("/health");
  ASSERT_EQ(r.status, 200);
  Json j = r.json();
  ExpectKeys(j, {"service", "status", "timestamp", "tws_connected", "connection_details",
                 "active_streams", "background_streams", "total_active_streams", "max_streams",
                 "client_id", "connection_ports", "storage", "background_streaming", "features"});
  EXPECT_EQ(j["status"], "healthy");
  EXPECT_EQ(j["tws_connected"], true);
  EXPECT_EQ(j["background_streams"], 2);
  ExpectKeys(j["connection_details"], {"main_service_connected", "background_streaming_connected",
                                       "main_client_id", "background_client_id"});
  ExpectKeys(j["storage"], {"enabled", "formats", "queue_sizes", "message_stats"});

  auto view = MakeView();
  view.gateway.connected = false;
  source_->SetView(view);
  r = Get("/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["status"], "degraded");
}

TEST_F(RecorderApiTest, BackgroundStatusAndHealth) {
  Json j = Get("/background/status").json();
  ExpectKeys(j, {"enabled", "timestamp", "status", "config"});
  ExpectKeys(j["status"], {"running", "tws_connected", "total_contracts", "active_contracts",
                           "total_streams", "contracts"});
  ExpectKeys(j["status"]["contracts"]["711280073"],
             {"symbol", "enabled", "expected_tick_types", "active_tick_types", "stream_count",
              "buffer_hours"});
  EXPECT_EQ(j["status"]["contracts"]["711280073"]["expected_tick_types"],
            Json::array({"bid_ask", "last"}));

  j = Get("/background/health").json();
  ExpectKeys(j, {"enabled", "timestamp", "overall_status", "contracts", "summary", "last_updated"});
  EXPECT_EQ(j["overall_status"], "HEALTHY");
  EXPECT_EQ(j["summary"]["status_distribution"]["healthy"], 1);

  j = Get("/background/health/summary").json();
  ExpectKeys(j,
             {"enabled", "timestamp", "total_contracts", "active_contracts", "stale_contracts",
              "healthy_contracts", "staleness_threshold_minutes", "tws_connected", "last_updated"});
  EXPECT_EQ(j["stale_contracts"], 0);
  EXPECT_EQ(j["healthy_contracts"], 1);
  EXPECT_DOUBLE_EQ(j["staleness_threshold_minutes"].get<double>(), 5.0);
}

TEST_F(RecorderApiTest, ContractHealthHasMarketStatusAndStaleness) {
  auto r = Get("/background/health/711280073");
  ASSERT_EQ(r.status, 200);
  Json j = r.json();
  ExpectKeys(j, {"enabled", "contract_id", "timestamp", "symbol", "status", "market_status",
                 "trading_hours", "data_staleness", "streams", "connection_issues",
                 "last_health_check", "metrics"});
  EXPECT_EQ(j["market_status"], "OPEN");
  EXPECT_EQ(j["status"], "HEALTHY");
  EXPECT_DOUBLE_EQ(j["data_staleness"]["minutes_ago"].get<double>(), 2.0);
  EXPECT_EQ(j["data_staleness"]["is_stale"], false);
  ExpectKeys(j["streams"]["bid_ask"],
             {"tick_type", "active", "request_id", "last_tick", "error_count", "last_error"});
  EXPECT_EQ(j["streams"]["bid_ask"]["request_id"], 60001);

  auto view = MakeView();
  view.contracts[0].streams[1].health.flow = reliability::DataFlow::kStale;
  view.contracts[0].streams[1].health.issue = reliability::StreamIssue::kNoData;
  source_->SetView(view);
  j = Get("/background/health/711280073").json();
  EXPECT_EQ(j["data_staleness"]["is_stale"], true);
  EXPECT_EQ(j["connection_issues"].size(), 1u);
  EXPECT_EQ(Get("/background/health/summary").json()["stale_contracts"], 1);

  ExpectJsonError(Get("/background/health/0"), 400);
  ExpectJsonError(Get("/background/health/abc"), 400);
  r = Get("/background/health/12345");
  ExpectJsonError(r, 404);
  EXPECT_EQ(r.json()["tracked_contracts"], Json::array({kMnq}));
}

TEST_F(RecorderApiTest, BufferInfo) {
  auto r = Get("/v3/buffer/711280073/info");
  ASSERT_EQ(r.status, 200);
  ExpectKeys(r.json(), {"contract_id", "tick_types", "v3_storage", "files", "statistics"});
  EXPECT_EQ(r.json()["tick_types"], Json::array({"bid_ask", "last"}));
  ExpectJsonError(Get("/v3/buffer/711280073/info?tick_types=bogus"), 400);
  ExpectJsonError(Get("/v3/buffer/1/info"), 404);
}

TEST_F(RecorderApiTest, BufferQueryRendersV3RecordsAndValidates) {
  const int64_t t0 = ToUnixSeconds(kNow) - 600;
  source_->stored = {MakeTick(TickType::kBidAsk, t0, 1), MakeTick(TickType::kLast, t0 + 1, 1),
                     MakeTick(TickType::kBidAsk, t0 + 2, 2)};
  auto r = Get("/v3/buffer/711280073/query?tick_types=bid_ask,last");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = r.json();
  ExpectKeys(j, {"contract_id", "tick_types", "format", "time_range", "total_messages",
                 "raw_format", "messages"});
  EXPECT_EQ(j["total_messages"], 3);
  const Json& first = j["messages"][0];
  ExpectKeys(first, {"ib_timestamp", "ib_timestamp_iso", "system_timestamp", "system_timestamp_iso",
                     "contract_id", "tick_type", "request_id", "bid_price", "bid_size", "ask_price",
                     "ask_size"});
  EXPECT_EQ(first["ib_timestamp"], t0 * 1000000);
  EXPECT_EQ(first["system_timestamp"], t0 * 1000000 + 250);
  EXPECT_EQ(j["messages"][1]["price"], 23260.25);

  // raw: the v3 line byte for byte.
  r = Get("/v3/buffer/711280073/query?raw=true&limit=1");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("messages":[{"ts":)" + std::to_string(t0 * 1000000) + R"(,"st":)" +
                        std::to_string(t0 * 1000000 + 250) +
                        R"(,"cid":711280073,"tt":"bid_ask","rid":0,"bp":23260.0,"bs":4.0,)"
                        R"("ap":23260.5,"as":2.0}])"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(r.json()["truncated"], true);

  r = Get("/v3/buffer/711280073/query?format=protobuf&raw=true&tick_types=last");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["total_messages"], 1);
  EXPECT_EQ(r.json()["messages"][0]["p"], 23260.25);

  r = Get("/v3/buffer/711280073/query?start_time=" + FormatIsoUtc(FromUnixSeconds(t0 + 1)) +
          "&end_time=" + FormatIsoUtc(FromUnixSeconds(t0 + 3)));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["total_messages"], 1);

  const std::string base = "/v3/buffer/711280073/query?";
  ExpectJsonError(Get(base + "format=xml"), 400);
  ExpectJsonError(Get(base + "raw=maybe"), 400);
  ExpectJsonError(Get(base + "tick_types=bogus"), 400);
  ExpectJsonError(Get(base + "limit=0"), 400);
  ExpectJsonError(Get(base + "limit=-5"), 400);
  ExpectJsonError(Get(base + "limit=abc"), 400);
  ExpectJsonError(Get(base + "buffer_duration=xh"), 400);
  ExpectJsonError(Get(base + "buffer_duration=0"), 400);
  ExpectJsonError(Get(base + "start_time=2025-08-11T10:00:00Z"), 400);
  ExpectJsonError(Get(base + "start_time=yesterday&end_time=2025-08-11T10:00:00Z"), 400);
  ExpectJsonError(Get(base + "start_time=2025-08-11T10:00:00Z&end_time=2025-08-11T09:00:00Z"), 400);
  ExpectJsonError(Get(base + "tick_types=mid_point"), 404);
  ExpectJsonError(Get("/v3/buffer/99/query"), 404);
  ExpectJsonError(Get("/v3/buffer/x/query"), 400);
  auto view = MakeView();
  view.ready = false;
  source_->SetView(view);
  ExpectJsonError(Get(base), 503);
}

TEST_F(RecorderApiTest, MarketStatusAndTradingSchedule) {
  auto r = Get("/market-status/711280073");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = r.json();
  ExpectKeys(j, {"status", "timestamp", "contract_id", "is_trading", "is_liquid", "market_status",
                 "next_open", "next_close", "time_zone", "current_time", "contract_info"});
  EXPECT_EQ(j["market_status"], "open");  // Monday 13:00 CDT
  EXPECT_EQ(j["is_liquid"], true);
  EXPECT_EQ(j["next_close"], "2025-08-11T16:00:00-05:00");
  EXPECT_EQ(j["next_open"], "2025-08-11T17:00:00-05:00");

  clock_.Set(kNow + 4h + 30min);  // 17:30 CDT: the overnight session
  EXPECT_EQ(Get("/market-status/711280073").json()["market_status"], "after_hours");
  clock_.Set(kNow);

  r = Get("/trading-schedule/711280073?days=3");
  ASSERT_EQ(r.status, 200) << r.body;
  j = r.json();
  ExpectKeys(j,
             {"status", "timestamp", "contract_id", "contract_info", "days_requested", "schedule"});
  ASSERT_EQ(j["schedule"].size(), 3u);
  const Json& monday = j["schedule"][0];
  EXPECT_EQ(monday["date"], "2025-08-11");
  EXPECT_EQ(monday["status"], "open");
  EXPECT_EQ(monday["trading_start"], "2025-08-11T17:00:00-05:00");
  EXPECT_EQ(monday["liquid_start"], "2025-08-11T08:30:00-05:00");
  EXPECT_EQ(monday["time_zone"], "US/Central");

  ExpectJsonError(Get("/trading-schedule/711280073?days=0"), 400);
  ExpectJsonError(Get("/trading-schedule/711280073?days=31"), 400);
  ExpectJsonError(Get("/market-status/5"), 404);
  ExpectJsonError(Get("/market-status/-5"), 400);
}

TEST_F(RecorderApiTest, LivezAndReadyz) {
  EXPECT_EQ(Get("/livez").status, 200);
  EXPECT_EQ(Get("/readyz").status, 200);
  auto view = MakeView();
  view.gateway.connected = false;
  view.gateway.state = "connecting";
  source_->SetView(view);
  auto r = Get("/readyz");
  ExpectJsonError(r, 503);
  EXPECT_EQ(r.json()["reasons"], Json::array({"gateway session is connecting"}));
  EXPECT_EQ(Get("/livez").status, 200);
  view.ready = false;
  source_->SetView(view);
  EXPECT_EQ(Get("/readyz").json()["reasons"].size(), 2u);
}

TEST_F(RecorderApiTest, GapsAndAlerts) {
  Json j = Get("/v1/gaps").json();
  EXPECT_EQ(j["total"], 2);
  ExpectKeys(j["gaps"][0], {"id", "contract_id", "tick_type", "start", "end", "duration_seconds",
                            "cause", "state", "reason", "updated_at"});
  EXPECT_EQ(j["gaps"][0]["duration_seconds"], 60.0);
  j = Get("/v1/gaps?state=pending&contract_id=711280073").json();
  ASSERT_EQ(j["total"], 1);
  EXPECT_EQ(j["gaps"][0]["id"], 1);
  ExpectJsonError(Get("/v1/gaps?state=open"), 400);
  ExpectJsonError(Get("/v1/gaps?contract_id=x"), 400);
  ExpectJsonError(Get("/v1/gaps?contract_id=7"), 404);

  j = Get("/v1/alerts").json();
  ASSERT_EQ(j["total"], 1);
  ExpectKeys(j["alerts"][0], {"rule", "severity", "state", "contract_id", "summary", "labels",
                              "starts_at", "ends_at"});
  EXPECT_EQ(j["alerts"][0]["severity"], "critical");
}

TEST_F(RecorderApiTest, BackfillNeedsTheTokenAndValidates) {
  const std::string body =
      R"({"contract_id": 711280073, "tick_type": "BidAsk", "from": "2025-08-11T10:00:00Z",)"
      R"( "to": "2025-08-11T11:00:00-05:00"})";
  EXPECT_EQ(Post("/v1/backfill", body, "").status, 401);
  EXPECT_EQ(Post("/v1/backfill", body, "Authorization: Bearer nope\r\n").status, 401);
  const std::string auth = "Authorization: Bearer s3cret\r\n";
  auto r = Post("/v1/backfill", body, auth);
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_EQ(source_->backfills.size(), 1u);
  EXPECT_EQ(source_->backfills[0].stream, (StreamKey{kMnq, TickType::kBidAsk}));
  EXPECT_EQ(source_->backfills[0].to - source_->backfills[0].from, 6h);

  ExpectJsonError(Post("/v1/backfill", "not json", auth), 400);
  ExpectJsonError(Post("/v1/backfill", R"({"contract_id": 0})", auth), 400);
  ExpectJsonError(Post("/v1/backfill",
                       R"({"contract_id": 711280073, "tick_type": "bid_ask", "from": "x",)"
                       R"( "to": "2025-08-11T11:00:00Z"})",
                       auth),
                  400);
  ExpectJsonError(Post("/v1/backfill",
                       R"({"contract_id": 711280073, "tick_type": "bid_ask",)"
                       R"( "from": "2025-08-11T11:00:00Z", "to": "2025-08-11T10:00:00Z"})",
                       auth),
                  400);
  ExpectJsonError(Post("/v1/backfill",
                       R"({"contract_id": 42, "tick_type": "bid_ask",)"
                       R"( "from": "2025-08-11T10:00:00Z", "to": "2025-08-11T11:00:00Z"})",
                       auth),
                  404);
  EXPECT_EQ(source_->backfills.size(), 1u);
}

TEST_F(RecorderApiTest, TrackingAContractNeedsTheTokenAndPassesItsKeysOn) {
  const std::string body =
      R"({"symbol": "ES", "sec_type": "FUT", "exchange": "CME", "currency": "USD",)"
      R"( "tick_types": ["bid_ask", "last"], "buffer_hours": 4, "data_staleness_threshold": "90s"})";
  EXPECT_EQ(Post("/v1/contracts", body, "").status, 401);
  EXPECT_EQ(Post("/v1/contracts", body, "Authorization: Bearer nope\r\n").status, 401);
  EXPECT_TRUE(source_->tracked.empty());
  const std::string auth = "Authorization: Bearer s3cret\r\n";
  auto r = Post("/v1/contracts", body, auth);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json()["status"], "tracking");
  EXPECT_EQ(r.json()["key"], "sym_ES_FUT_CME_USD");
  EXPECT_EQ(r.json()["description"], "ES FUT CME USD");
  // What the recorder gets is the same contract, as TOML the configuration reads.
  ASSERT_EQ(source_->tracked.size(), 1u);
  auto contract = config::ParseContractTable(source_->tracked[0], {}, "test");
  ASSERT_TRUE(contract.ok()) << contract.status().ToString() << "\n" << source_->tracked[0];
  EXPECT_EQ(contract->symbol, "ES");
  EXPECT_EQ(contract->tick_types, (std::vector<TickType>{TickType::kBidAsk, TickType::kLast}));
  EXPECT_EQ(contract->buffer_hours, 4);
  EXPECT_EQ(contract->data_staleness_threshold, 90s);

  // Refusals keep the recorder's status: 400 bad contract, 409 already tracked, 503 otherwise.
  source_->track_result = InvalidArgument("contract: contracts[0].priority = 9: ...");
  ExpectJsonError(Post("/v1/contracts", R"({"con_id": 1, "priority": 9})", auth), 400);
  source_->track_result = FailedPrecondition("already tracked as ES FUT CME USD");
  ExpectJsonError(Post("/v1/contracts", body, auth), 409);
  source_->track_result = IoError("cannot write runtime.json");
  ExpectJsonError(Post("/v1/contracts", body, auth), 503);
  // Bodies that are not one JSON object of plain values never reach the recorder.
  const size_t calls = source_->tracked.size();
  for (const char* bad : {"", "not json", "[1]", "{}", R"({"con_id": null})",
                          R"({"con_id": 18446744073709551615})", R"({"tick_types": [null]})"}) {
    ExpectJsonError(Post("/v1/contracts", bad, auth), 400);
  }
  EXPECT_EQ(source_->tracked.size(), calls);
}

TEST_F(RecorderApiTest, UntrackingAContractNeedsTheToken) {
  EXPECT_EQ(Delete("/v1/contracts/711280073", "").status, 401);
  EXPECT_TRUE(source_->untracked.empty());
  const std::string auth = "Authorization: Bearer s3cret\r\n";
  auto r = Delete("/v1/contracts/711280073", auth);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "untracked");
  EXPECT_EQ(r.json()["key"], "con_711280073");
  EXPECT_EQ(r.json()["contract_id"], kMnq);
  ExpectJsonError(Delete("/v1/contracts/42", auth), 404);
  EXPECT_EQ(source_->untracked, (std::vector<std::string>{"711280073", "42"}));
  EXPECT_EQ(Get("/v1/contracts/711280073").status, 405);
}

TEST_F(RecorderApiTest, ContractsListsKeysAndOrigins) {
  auto view = MakeView();
  view.contracts[0].key = "con_711280073";
  view.contracts[0].from_api = true;
  source_->SetView(view);
  auto r = Get("/v1/contracts");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json j = r.json();
  ASSERT_EQ(j["total"], view.contracts.size());
  ExpectKeys(j["contracts"][0],
             {"key", "contract_id", "description", "origin", "resolved", "tick_types"});
  EXPECT_EQ(j["contracts"][0]["key"], "con_711280073");
  EXPECT_EQ(j["contracts"][0]["origin"], "api");
}

TEST_F(RecorderApiTest, TheDashboardIsOneSelfContainedPageOverTheJsonEndpoints) {
  auto r = Get("/");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.head.find("text/html"), std::string::npos) << r.head;
  // It reads the API's own endpoints, relative to where it is served ...
  for (const char* path : {"\"v1/status\"", "\"v1/gaps\"", "\"v1/alerts\""}) {
    EXPECT_NE(r.body.find(path), std::string::npos) << path;
  }
  // ... which exist, and loads nothing from elsewhere.
  for (const char* path : {"/v1/status", "/v1/gaps", "/v1/alerts"})
    EXPECT_EQ(Get(path).status, 200);
  EXPECT_EQ(r.body.find("http://"), std::string::npos);
  EXPECT_EQ(r.body.find("https://"), std::string::npos);
  EXPECT_EQ(r.body.find("innerHTML"), std::string::npos) << "recorder text must go in as text";
}

TEST(RecorderApiPieces, ContractJsonToTomlKeepsTypes) {
  auto text = ContractJsonToToml(
      R"({"con_id": 5, "enabled": true, "tick_types": ["last"], "x": 1.5, "t": {"a": "b"}})");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_NE(text->find("con_id = 5"), std::string::npos) << *text;
  EXPECT_NE(text->find("enabled = true"), std::string::npos) << *text;
  EXPECT_NE(text->find("tick_types = [ 'last' ]"), std::string::npos) << *text;
  EXPECT_NE(text->find("x = 1.5"), std::string::npos) << *text;
  EXPECT_FALSE(ContractJsonToToml(R"({"a": [1, null]})").ok());
}

TEST_F(RecorderApiTest, StatusIsTheWholeView) {
  Json j = Get("/v1/status").json();
  ExpectKeys(j,
             {"now", "ready", "overall", "gateway", "storage", "counters", "contracts", "alerts"});
  EXPECT_EQ(j["contracts"][0]["streams"][0]["gaps"], 1);
  EXPECT_EQ(j["contracts"][0]["streams"][0]["gaps_pending"], 1);
  EXPECT_EQ(j["counters"]["ib_errors"]["2104"], 3);
}

// The text format rules promtool checks (exposition_formats.md, naming.md).
void CheckPrometheusText(const std::string& text) {
  ASSERT_FALSE(text.empty());
  ASSERT_EQ(text.back(), '\n');
  const std::regex help(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)");
  const std::regex type(
      R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$)");
  std::set<std::string> seen_families;
  std::string family;
  std::string family_type;
  std::set<std::string> series;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    std::smatch m;
    if (std::regex_match(line, m, help)) {
      family = m[1];
      EXPECT_TRUE(family.starts_with("ibstream_")) << family;
      EXPECT_TRUE(seen_families.insert(family).second) << "family twice: " << family;
    } else if (std::regex_match(line, m, type)) {
      EXPECT_EQ(m[1], family) << "TYPE right after HELP";
      family_type = m[2];
      if (family_type == "counter") {
        EXPECT_TRUE(family.ends_with("_total")) << family;
      }
    } else if (std::regex_match(line, m, sample)) {
      EXPECT_EQ(m[1], family) << line;
      EXPECT_TRUE(series.insert(line.substr(0, line.rfind(' '))).second) << "duplicate " << line;
    } else {
      ADD_FAILURE() << "bad line: '" << line << "'";
    }
  }
}

TEST_F(RecorderApiTest, MetricsFollowTheTextFormat) {
  auto view = MakeView();
  view.contracts[0].symbol = "M\"N\\Q\n";  // label escaping
  source_->SetView(view);
  auto r = Get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.head.find("text/plain; version=0.0.4"), std::string::npos);
  CheckPrometheusText(r.body);
  for (const char* name :
       {"ibstream_build_info{version=", "ibstream_gateway_connected 1",
        "ibstream_ticks_received_total 100",
        "ibstream_ticks_stored_total{contract_id=\"711280073\"",
        "ibstream_ib_errors_total{code=\"2104\"} 3", "ibstream_gaps{state=\"pending\"} 1",
        "ibstream_circuit_breaker_state{", "ibstream_market_open{", "symbol=\"M\\\"N\\\\Q\\n\"",
        "ibstream_last_tick_timestamp_seconds{", "ibstream_alerts_firing{severity=\"critical\"} 1",
        "ibstream_storage_durable_position 42", "ibstream_backfill_failures_total 0",
        "ibstream_http_contract_changes_total 0", "ibstream_runtime_contract_errors_total 0"}) {
    EXPECT_NE(r.body.find(name), std::string::npos) << name;
  }
  // promtool, when installed, has the last word.
  if (std::system("command -v promtool >/dev/null 2>&1") == 0) {
    const std::string path = ::testing::TempDir() + "/ibstream_metrics.txt";
    std::ofstream(path) << r.body;
    EXPECT_EQ(std::system(("promtool check metrics < " + path).c_str()), 0);
  } else {
    std::fprintf(stderr, "promtool not installed: text rules checked by this test only\n");
  }
}

TEST_F(RecorderApiTest, MetricsOfOtherPartsAreAppended) {
  api_options_.extra_metrics = [](PrometheusWriter& w) {
    w.Family("ibstream_v3_output_dropped_total", "counter", "Ticks the v3 output dropped.");
    w.Sample(7);
  };
  Start();
  auto r = Get("/metrics");
  ASSERT_EQ(r.status, 200);
  CheckPrometheusText(r.body);
  EXPECT_NE(r.body.find("ibstream_v3_output_dropped_total 7"), std::string::npos);
}

TEST_F(RecorderApiTest, UnknownPathsAndMethods) {
  ExpectJsonError(Get("/nope"), 404);
  ExpectJsonError(Post("/health", "{}", ""), 405);
}

// --- server-sent events -------------------------------------------------------------------------

struct SseEvent {
  std::string event;
  Json data;
};

// Splits a stream body into events per the SSE specification: events end at an empty line.
std::vector<SseEvent> ParseEvents(const std::string& body) {
  std::vector<SseEvent> out;
  SseEvent current;
  std::string data;
  size_t start = 0;
  while (true) {
    const size_t end = body.find('\n', start);
    if (end == std::string::npos) break;
    const std::string line = body.substr(start, end - start);
    start = end + 1;
    if (line.empty()) {
      if (!data.empty()) {
        current.data = Json::parse(data, nullptr, false);
        out.push_back(current);
      }
      current = {};
      data.clear();
    } else if (line.starts_with("event: ")) {
      current.event = line.substr(7);
    } else if (line.starts_with("data: ")) {
      data += line.substr(6);
    } else if (!line.starts_with(":")) {
      ADD_FAILURE() << "unexpected SSE line '" << line << "'";
    }
  }
  return out;
}

std::string Body(const std::string& raw) {
  const size_t at = raw.find("\r\n\r\n");
  return at == std::string::npos ? "" : raw.substr(at + 4);
}

TEST_F(RecorderApiTest, LiveStreamIsFramedPerTheSpecification) {
  Connection c(server_->port());
  c.Send("GET /v2/stream/711280073/live/BidAsk?limit=2 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(c.ReadUntil("event: info\n"));
  ASSERT_TRUE(WaitSubscribers(1));
  Tick mid = MakeTick(TickType::kLast, ToUnixSeconds(kNow), 1);
  source_->fanout.Publish(mid);  // not asked for: filtered out
  source_->fanout.Publish(MakeTick(TickType::kBidAsk, ToUnixSeconds(kNow), 1));
  source_->fanout.Publish(MakeTick(TickType::kBidAsk, ToUnixSeconds(kNow) + 1, 2));
  source_->fanout.Publish(MakeTick(TickType::kBidAsk, ToUnixSeconds(kNow) + 2, 3));
  c.ReadToEnd();  // the limit ends the stream
  const HttpResult r = Parse(c.data());
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.head.find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(r.head.find("X-IB-Stream-Version: 2.0.0"), std::string::npos);
  // Every event ends with an empty line; fields are "name: value" with one space.
  EXPECT_TRUE(r.body.ends_with("\n\n"));
  auto events = ParseEvents(r.body);
  ASSERT_EQ(events.size(), 4u) << r.body;
  EXPECT_EQ(events[0].event, "info");
  EXPECT_EQ(events[0].data["data"]["status"], "subscribed");
  for (int i : {1, 2}) {
    const SseEvent& e = events[i];
    EXPECT_EQ(e.event, "tick");
    ExpectKeys(e.data, {"type", "stream_id", "timestamp", "data"});
    EXPECT_EQ(e.data["type"], "tick");
    EXPECT_TRUE(e.data["timestamp"].get<std::string>().ends_with("Z"));
    EXPECT_TRUE(e.data["stream_id"].get<std::string>().starts_with("711280073_bid_ask_"));
    ExpectKeys(e.data["data"],
               {"contract_id", "tick_type", "type", "timestamp", "unix_time", "bid_price",
                "ask_price", "bid_size", "ask_size", "bid_past_low", "ask_past_high"});
    EXPECT_EQ(e.data["data"]["bid_price"], 23260.0);
  }
  EXPECT_EQ(events[1].data["data"]["unix_time"], ToUnixSeconds(kNow));
  EXPECT_EQ(events[3].event, "complete");
  EXPECT_EQ(events[3].data["data"]["reason"], "limit_reached");
  EXPECT_EQ(events[3].data["data"]["total_ticks"], 2);
  // Python's default separators, as the original wrote its envelopes.
  EXPECT_NE(r.body.find("data: {\"type\": \"tick\", \"stream_id\": "), std::string::npos);
  EXPECT_TRUE(WaitSubscribers(0));
}

TEST_F(RecorderApiTest, LiveStreamOfSeveralTypesAndTimeout) {
  Connection c(server_->port());
  c.Send(
      "GET /v2/stream/711280073/live?tick_types=last,bid_ask,last&timeout=5 HTTP/1.1\r\n"
      "Host: x\r\n\r\n");
  ASSERT_TRUE(WaitSubscribers(1));
  source_->fanout.Publish(MakeTick(TickType::kLast, ToUnixSeconds(kNow), 1));
  ASSERT_TRUE(c.ReadUntil("time_sales"));
  c.ReadToEnd();  // the 5 s timeout ends the stream
  auto events = ParseEvents(Body(c.data()));
  ASSERT_EQ(events.size(), 4u) << c.data();  // two infos, one tick, complete
  EXPECT_EQ(events[2].data["data"]["tick_type"], "Last");
  EXPECT_EQ(events[2].data["data"]["exchange"], "CME");
  EXPECT_EQ(events[3].data["data"]["reason"], "timeout");
}

TEST_F(RecorderApiTest, LiveStreamRefusesBadParameters) {
  ExpectJsonError(Get("/v2/stream/711280073/live/bogus"), 400);
  ExpectJsonError(Get("/v2/stream/711280073/live"), 400);  // tick_types required
  ExpectJsonError(Get("/v2/stream/711280073/live/bid_ask?limit=0"), 400);
  ExpectJsonError(Get("/v2/stream/711280073/live/bid_ask?limit=10001"), 400);
  ExpectJsonError(Get("/v2/stream/711280073/live/bid_ask?timeout=4"), 400);
  ExpectJsonError(Get("/v2/stream/711280073/live/bid_ask?timeout=3601"), 400);
  ExpectJsonError(Get("/v2/stream/711280073/live/mid_point"), 404);
  ExpectJsonError(Get("/v2/stream/1/live/bid_ask"), 404);
  ExpectJsonError(Get("/v2/stream/abc/live/bid_ask"), 400);
  ExpectJsonError(Get("/v2/stream/711280073/buffer?buffer_duration=2w"), 400);
  EXPECT_EQ(source_->fanout.subscriber_count(), 0u);
}

TEST_F(RecorderApiTest, BufferReplaysStoredTicksThenGoesLive) {
  const int64_t t0 = ToUnixSeconds(kNow) - 60;
  source_->stored = {MakeTick(TickType::kBidAsk, t0, 1), MakeTick(TickType::kLast, t0 + 1, 1),
                     MakeTick(TickType::kBidAsk, t0 + 2, 2),
                     MakeTick(TickType::kBidAsk, ToUnixSeconds(kNow) - 7200, 0)};  // too old
  Connection c(server_->port());
  c.Send("GET /v2/stream/711280073/buffer?buffer_duration=1h HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(c.ReadUntil("live_start"));
  // A tick already replayed (same sequence) is not sent twice; a new one is.
  source_->fanout.Publish(MakeTick(TickType::kBidAsk, t0 + 2, 2));
  source_->fanout.Publish(MakeTick(TickType::kBidAsk, t0 + 3, 3));
  ASSERT_TRUE(c.ReadUntil(std::to_string(t0 + 3)));
  const HttpResult r = Parse(c.data());
  EXPECT_NE(r.head.find("X-Stream-Protocol: v2"), std::string::npos);
  EXPECT_NE(r.head.find("X-Buffer-Duration: 1h"), std::string::npos);
  auto events = ParseEvents(r.body);
  ASSERT_EQ(events.size(), 7u) << r.body;
  EXPECT_EQ(events[0].data["data"]["status"]["status"], "buffer_start");
  for (int i : {1, 2, 3}) {
    EXPECT_EQ(events[i].event, "tick");
    EXPECT_EQ(events[i].data["metadata"]["historical"], true);
    EXPECT_EQ(events[i].data["metadata"]["buffer_total"], 3);
  }
  EXPECT_EQ(events[4].data["data"]["status"]["status"], "buffer_complete");
  EXPECT_EQ(events[4].data["data"]["status"]["buffer_message_count"], 3);
  EXPECT_EQ(events[5].data["data"]["status"]["status"], "live_start");
  EXPECT_EQ(events[6].data["data"]["unix_time"], t0 + 3);
  EXPECT_FALSE(events[6].data.contains("metadata"));
}

TEST_F(RecorderApiTest, SlowClientIsDroppedWhileTicksKeepFlowing) {
  ServerOptions options;
  options.max_sse_queued_bytes = 16 * 1024;
  Start(options);
  // A fast client and one that never reads (with a small receive buffer).
  Connection fast(server_->port());
  fast.Send("GET /v2/stream/711280073/live/bid_ask HTTP/1.1\r\nHost: x\r\n\r\n");
  Connection slow(server_->port(), 4096);
  slow.Send("GET /v2/stream/711280073/live/bid_ask HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(WaitSubscribers(2));
  // Publishing never waits for a client: it goes on until the slow one has been dropped, the
  // fast one reading all along.
  uint64_t published = 0;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  const int64_t base = ToUnixSeconds(kNow);
  while (source_->fanout.subscriber_count() == 2 && std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < 10; ++i) {  // about 4 KB: within the fast client's queue
      ++published;
      source_->fanout.Publish(MakeTick(TickType::kBidAsk, base + published, published));
    }
    ASSERT_TRUE(fast.ReadUntil("\"unix_time\": " + std::to_string(base + published)));
  }
  ASSERT_EQ(source_->fanout.subscriber_count(), 1u) << "published " << published;
  // The fast client still gets every tick published after the drop.
  ++published;
  source_->fanout.Publish(MakeTick(TickType::kBidAsk, base + published, published));
  EXPECT_TRUE(fast.ReadUntil("\"unix_time\": " + std::to_string(base + published)));
  const std::string metrics = Get("/metrics").body;
  EXPECT_NE(metrics.find("ibstream_http_sse_clients_dropped_total 1"), std::string::npos);
}

TEST(RecorderApiPieces, ParseBufferDuration) {
  EXPECT_EQ(ParseBufferDuration("1h").value(), 1h);
  EXPECT_EQ(ParseBufferDuration("90m").value(), 90min);
  EXPECT_EQ(ParseBufferDuration("2d").value(), 48h);
  EXPECT_EQ(ParseBufferDuration("3").value(), 3h);
  for (const char* bad : {"", "h", "0h", "-1h", "1.5h", "1w", "32d", "99999999999999999999"}) {
    EXPECT_FALSE(ParseBufferDuration(bad).ok()) << bad;
  }
}

TEST(RecorderApiPieces, TickDataOfEachType) {
  Tick mid = MakeTick(TickType::kMidPoint, 1754935200, 1);
  Json j = Json::parse(TickDataJson(mid));
  EXPECT_EQ(j["type"], "midpoint");
  EXPECT_EQ(j["midpoint"], 23260.25);
  Tick all = MakeTick(TickType::kAllLast, 1754935200, 1);
  all.attributes = kAttrUnreported;
  j = Json::parse(TickDataJson(all));
  EXPECT_EQ(j["tick_type"], "AllLast");
  EXPECT_EQ(j["type"], "time_sales");
  EXPECT_EQ(j["unreported"], true);
  EXPECT_EQ(j["timestamp"], "2025-08-11T18:00:00Z");
  Tick unset = MakeTick(TickType::kBidAsk, 1754935200, 1);
  unset.bid_size = Decimal::Unset();
  EXPECT_TRUE(Json::parse(TickDataJson(unset))["bid_size"].is_null());
}

}  // namespace
}  // namespace ibstream::http
