// The recorder API's test fixture: a FakeSource serving a hand-made view (MNQ on CME hours, two
// gaps, one alert), a loopback HTTP client, a server on port 0 with the API registered, and the
// SSE parsing the stream tests share.
#pragma once

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>  // before Asio (GCC 12 + Boost 1.74)
#include <vector>

#include "http/recorder_api.h"
#include "http/server.h"

namespace ibstream::http::api_test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Json = nlohmann::json;
using namespace std::chrono_literals;

inline constexpr int64_t kMnq = 711280073;
inline const TimePoint kNow =
    FromUnixSeconds(1754935200);  // 2025-08-11T18:00:00Z, Monday, CME open

// CME equity futures hours (Chicago), as IB sends them.
inline const calendar::ContractHours kCmeHours{
    "US/Central",
    "20250810:1700-20250811:1600;20250811:1700-20250812:1600;20250812:1700-20250813:1600;"
    "20250813:1700-20250814:1600;20250814:1700-20250815:1600;20250816:CLOSED;"
    "20250817:1700-20250818:1600",
    "20250811:0830-20250811:1600;20250812:0830-20250812:1600;20250813:0830-20250813:1600;"
    "20250814:0830-20250814:1600;20250815:0830-20250815:1600;20250816:CLOSED;20250817:CLOSED"};

inline Tick MakeTick(TickType type, int64_t second, uint64_t sequence) {
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

inline recorder::RecorderView MakeView() {
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
  c.market.status = calendar::MarketStatus::kOpen;
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
  // What Query reports as read and skipped from now on.
  void SetQueryStats(storage::QueryStats stats) {
    std::lock_guard lock(mu_);
    query_stats_ = std::move(stats);
  }
  void SetView(recorder::RecorderView view) {
    std::lock_guard lock(mu_);
    view_ = std::make_shared<recorder::RecorderView>(std::move(view));
  }
  Status Query(const std::vector<StreamKey>& streams, TimePoint from, TimePoint to,
               const std::function<Status(const Tick&)>& sink,
               storage::QueryStats* stats) const override {
    if (stats != nullptr) {
      std::lock_guard lock(mu_);
      *stats = query_stats_;
    }
    for (const Tick& t : stored) {
      if (t.exchange_time < from || t.exchange_time >= to) continue;
      if (std::find(streams.begin(), streams.end(), t.stream()) == streams.end()) continue;
      IBSTREAM_RETURN_IF_ERROR(sink(t));
    }
    return Status::Ok();
  }
  uint64_t Subscribe(recorder::TickFanout::Filter filter,
                     recorder::TickFanout::Consumer consumer) override {
    return fanout.Subscribe(std::move(filter), std::move(consumer));
  }
  void Unsubscribe(uint64_t id) override { fanout.Unsubscribe(id); }
  Status RequestBackfill(const StreamKey& stream, TimePoint from, TimePoint to) override {
    std::lock_guard lock(mu_);
    backfills.push_back({stream, from, to});
    return Status::Ok();
  }
  Status RetryGap(uint64_t gap_id) override {
    std::lock_guard lock(mu_);
    retried_gaps.push_back(gap_id);
    return retry_result;
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
  Result<std::shared_ptr<const calendar::MarketCalendar>> Calendar(
      int64_t contract_id) const override {
    if (contract_id != kMnq) return NotFound("not tracked");
    auto cal = calendar::MarketCalendar::Create(kCmeHours);
    if (!cal.ok()) return cal.status();
    return std::make_shared<const calendar::MarketCalendar>(std::move(cal).value());
  }
  TimePoint Now() const override { return clock_.Now(); }

  struct BackfillCall {
    StreamKey stream;
    TimePoint from;
    TimePoint to;
  };
  std::vector<Tick> stored;
  recorder::TickFanout fanout;
  std::vector<BackfillCall> backfills;  // guarded by mu_
  std::vector<uint64_t> retried_gaps;   // ids given to RetryGap, guarded by mu_
  Status retry_result = Status::Ok();   // what RetryGap answers
  std::vector<std::string> tracked;     // TOML texts given to Track, guarded by mu_
  std::vector<std::string> untracked;   // ids given to Untrack, guarded by mu_
  Result<recorder::ContractChange> track_result =
      recorder::ContractChange{"sym_ES_FUT_CME_USD", "ES FUT CME USD", 0};

 private:
  const Clock& clock_;
  mutable std::mutex mu_;
  storage::QueryStats query_stats_;  // guarded by mu_
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

inline HttpResult Parse(const std::string& raw) {
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
    const auto deadline = SteadyClock::Real().Now() + 20s;
    while (source_->fanout.subscriber_count() != n) {
      if (SteadyClock::Real().Now() > deadline) return false;
      std::this_thread::yield();
    }
    return true;
  }

  ManualClock clock_{kNow};
  ManualSteadyClock steady_clock_;  // SSE timeouts run on it once a test sets it in api_options_
  RecorderApiOptions api_options_;  // what Start() registers the API with
  std::shared_ptr<FakeSource> source_;
  std::unique_ptr<Server> server_;
};

inline void ExpectKeys(const Json& object, std::initializer_list<const char*> keys) {
  ASSERT_TRUE(object.is_object()) << object.dump();
  for (const char* key : keys) EXPECT_TRUE(object.contains(key)) << key << " in " << object.dump();
}

inline void ExpectJsonError(const HttpResult& r, int status) {
  EXPECT_EQ(r.status, status) << r.body;
  const Json body = r.json();
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_TRUE(body.contains("error")) << r.body;
  EXPECT_EQ(body.value("status", 0), status);
}

// --- server-sent events

struct SseEvent {
  std::string event;
  Json data;
};

// Splits a stream body into events per the SSE specification: events end at an empty line.
inline std::vector<SseEvent> ParseEvents(const std::string& body) {
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

inline std::string Body(const std::string& raw) {
  const size_t at = raw.find("\r\n\r\n");
  return at == std::string::npos ? "" : raw.substr(at + 4);
}

}  // namespace ibstream::http::api_test
