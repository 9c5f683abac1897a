#include "sim/simulator.h"

// Asio needs <utility> first under GCC 12 (toolchain-notes 3.1).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <cmath>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>

#include "calendar/time_zone.h"
#include "protocol/constants.h"
#include "protocol/framing.h"
#include "protocol/handshake.h"
#include "protocol/requests.h"
#include "protocol/server_messages.h"
#include "sim/historical_pacing.h"
#include "sim/market.h"
#include "sim/tick_generator.h"
#include "sim/truth_writer.h"

namespace ibstream::sim {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr int64_t kNanos = 1'000'000'000;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Built-in farms announced at connect (2104) besides the catalog's.
constexpr std::string_view kHistoricalFarm = "ushmds";
constexpr std::string_view kSecDefFarm = "secdefil";

struct Subscription {
  int32_t req_id = 0;
  int32_t con_id = 0;
  bool mkt_data = false;  // reqMktData, else tick-by-tick
  TickType type = TickType::kBidAsk;
  bool ignore_size = false;
  double last_bid = kNaN;  // tick-by-tick ignoreSize filter / reqMktData change detection
  double last_ask = kNaN;
  Decimal last_bid_size;
  Decimal last_ask_size;
};

struct Session {
  explicit Session(tcp::socket s) : socket(std::move(s)) {}

  enum class State { kHello, kAwaitStartApi, kReady };

  uint64_t id = 0;
  tcp::socket socket;
  protocol::ProtocolCounters counters;
  protocol::FrameReader reader{&counters};
  State state = State::kHello;
  int server_version = 0;
  int32_t client_id = -1;
  std::string out;      // queued, not yet handed to the socket
  std::string writing;  // being written
  bool write_in_flight = false;
  bool open = true;
  bool half_open = false;
  bool close_after_flush = false;
  int market_data_type = 1;
  std::map<int32_t, Subscription> subs;  // by request id
};
using SessionPtr = std::shared_ptr<Session>;

struct MarketRuntime {
  std::unique_ptr<SimMarket> market;
  std::vector<MarketEvent> events;
  size_t next = 0;
  int64_t second = 0;  // the second `events` belong to
  std::vector<std::pair<Session*, Subscription*>> subs;
  bool has_quote = false;
  MarketEvent last_quote;
  bool has_trade = false;
  MarketEvent last_trade;
  int64_t last_trade_second = 0;
};

struct ActiveFault {
  FaultSpec spec;
  TimePoint start;
  std::optional<TimePoint> end;
  std::vector<uint64_t> sessions;  // half_open: the sessions it froze
};

std::string IbUtcTime(TimePoint t) {
  const auto s = std::chrono::floor<std::chrono::seconds>(t);
  return date::format("%Y%m%d %H:%M:%S", s) + " UTC";
}

// "20250811 09:30:00 US/Central", "20250811-14:30:05" (UTC), "20250811 14:30:05" (UTC).
Result<TimePoint> ParseIbDateTime(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char sep = 0;
  int consumed = 0;
  const std::string str(text);
  if (std::sscanf(str.c_str(), "%4d%2d%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &s,
                  &consumed) != 7 ||
      (sep != ' ' && sep != '-')) {
    return InvalidArgument("bad date/time '" + str + "' (expected yyyyMMdd HH:mm:ss [zone])");
  }
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) {
    return InvalidArgument("bad date/time '" + str + "'");
  }
  const LocalSeconds local =
      LocalDays(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s);
  std::string zone = str.substr(static_cast<size_t>(consumed));
  while (!zone.empty() && zone.front() == ' ') zone.erase(zone.begin());
  if (sep == '-' || zone.empty() || zone == "UTC" || zone == "GMT") {
    return TimePoint(local.time_since_epoch());
  }
  Result<TimeZone> tz = TimeZone::Resolve(zone);
  if (!tz.ok()) return tz.status();
  return tz->ToUtc(local);
}

std::optional<TickType> TickTypeFromIb(std::string_view name) {
  for (TickType t : kAllTickTypes) {
    if (TickTypeIbName(t) == name) return t;
  }
  return std::nullopt;
}

}  // namespace

class Simulator::Impl {
 public:
  Impl(const Clock& clock, SimulatorOptions options)
      : clock_(clock),
        options_(std::move(options)),
        generator_(options_.seed),
        acceptor_(io_),
        control_acceptor_(io_),
        timer_(io_),
        garbage_rng_(options_.seed ^ 0x5eedULL),
        max_tick_by_tick_(options_.max_tick_by_tick) {}

  ~Impl() { Stop(); }

  Status Start();
  void Stop();
  uint16_t port() const { return port_.load(); }
  uint16_t control_port() const { return control_port_.load(); }
  void InjectFault(const FaultSpec& fault) {
    asio::post(io_, [this, fault] {
      StartFault(fault, clock_.Now());
      FlushAll();
    });
  }
  SimulatorStats stats() const {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    SimulatorStats s = stats_;
    s.ticks_generated = ticks_generated_.load(std::memory_order_relaxed);
    s.ticks_delivered = ticks_delivered_.load(std::memory_order_relaxed);
    s.events_generated = events_generated_.load(std::memory_order_relaxed);
    s.bytes_sent = bytes_sent_.load(std::memory_order_relaxed);
    return s;
  }
  void Sync() {
    RunOnLoop([this] { PollOnce(/*bounded=*/false); });
  }
  void RunOnLoop(const std::function<void()>& fn) {
    std::promise<void> done;
    asio::post(io_, [&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }

 private:
  // Networking.
  Status Listen();
  void Accept();
  void StartRead(const SessionPtr& s);
  void ProcessFrames(const SessionPtr& s);
  void HandleHello(Session& s, std::string_view payload);
  void HandleStartApi(Session& s, std::string_view payload);
  void HandleRequest(Session& s, std::string_view payload);
  void Flush(const SessionPtr& s);
  void FlushAll();
  void CloseSession(Session& s, std::string_view reason, bool rst);
  SessionPtr FindSession(uint64_t id);
  void AcceptControl();
  void ServeControl(std::shared_ptr<tcp::socket> socket, std::shared_ptr<asio::streambuf> buf);
  std::string ControlCommand(std::string_view line);

  // Requests.
  template <typename Message>
  void Send(Session& s, const Message& m);
  void SendError(Session& s, int32_t id, int32_t code, std::string_view text);
  void OnContractDetails(Session& s, const protocol::ReqContractDetails& r);
  void OnMktData(Session& s, const protocol::ReqMktData& r);
  void OnTickByTick(Session& s, const protocol::ReqTickByTickData& r);
  void OnHistoricalTicks(Session& s, const protocol::ReqHistoricalTicks& r);
  void OnHeadTimestamp(Session& s, const protocol::ReqHeadTimestamp& r);
  const SimContract* Resolve(Session& s, int32_t req_id, const protocol::Contract& c);
  void SendHistorical(Session& s, int32_t req_id, TickType type, const std::vector<Tick>& ticks);
  int ActiveTickByTick() const;
  bool HistoricalFarmDown() const;

  // Markets.
  void Poll();
  // One poll; `bounded`: within options_.poll_work_budget (the loop's polls), else until the
  // markets reach the clock (Sync()).
  void PollOnce(bool bounded);
  // Generates and emits the markets' events up to `now`, stopping at `deadline`; returns how many
  // seconds the slowest market still trails `now`.
  int64_t Pump(TimePoint now, std::chrono::steady_clock::time_point deadline);
  void Emit(MarketRuntime& m, const MarketEvent& e);
  void SendMktData(Session& s, Subscription& sub, const SimContract& c, const MarketEvent& e,
                   int64_t second);
  bool CanDeliver(const Session& s, const Subscription& sub, const SimContract& c) const;
  void RebuildSubscriptions();
  void CheckBackpressure(Session& s);

  // Faults.
  void ProcessFaults(TimePoint now);
  void StartFault(const FaultSpec& f, TimePoint now);
  void EndFault(ActiveFault& f, TimePoint now);
  bool Targets(const FaultSpec& f, const Session& s) const {
    return s.open && s.state == Session::State::kReady &&
           (!f.client_id || *f.client_id == s.client_id);
  }
  void Broadcast(int32_t code, const std::string& text);
  void RecordFault(FaultKind kind, const std::string& detail, TimePoint start, TimePoint end,
                   bool open);

  const Clock& clock_;
  SimulatorOptions options_;
  TickGenerator generator_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  tcp::acceptor control_acceptor_;
  asio::steady_timer timer_;
  std::thread thread_;
  bool started_ = false;
  bool stopped_ = false;
  std::atomic<uint16_t> port_{0};
  std::atomic<uint16_t> control_port_{0};
  tcp::endpoint listen_endpoint_;

  Catalog catalog_;
  std::vector<std::unique_ptr<MarketRuntime>> markets_;
  size_t pump_first_ = 0;  // the market a bounded poll starts with (rotates while behind)
  std::unordered_map<int32_t, MarketRuntime*> market_by_con_id_;
  std::vector<SessionPtr> sessions_;
  uint64_t next_session_id_ = 1;
  int64_t next_order_id_ = 1;
  bool subs_dirty_ = false;
  std::vector<Session*> overflowed_;
  std::unique_ptr<TruthWriter> truth_;
  HistoricalPacer pacer_;
  TimePoint start_time_;

  std::vector<FaultSpec> pending_;  // sorted by start, latest last... (kept sorted ascending)
  std::vector<TimePoint> pending_at_;
  size_t pending_next_ = 0;
  std::vector<ActiveFault> active_;
  int connectivity_lost_ = 0;
  int nightly_reset_ = 0;
  int competing_ = 0;
  int pacing_ = 0;
  int hmds_down_ = 0;
  bool listener_down_ = false;
  std::multiset<std::string> farms_down_;
  std::mt19937_64 garbage_rng_;
  int32_t max_tick_by_tick_;

  mutable std::mutex stats_mutex_;
  SimulatorStats stats_;  // guarded by stats_mutex_ (cold counters)
  std::atomic<uint64_t> ticks_generated_{0};
  std::atomic<uint64_t> ticks_delivered_{0};
  std::atomic<uint64_t> events_generated_{0};
  std::atomic<uint64_t> bytes_sent_{0};
};

#define SIM_STAT(field, delta)                      \
  do {                                              \
    std::lock_guard<std::mutex> lock(stats_mutex_); \
    stats_.field += (delta);                        \
  } while (false)

Status Simulator::Impl::Start() {
  if (started_) return FailedPrecondition("simulator already started");
  start_time_ = clock_.Now();
  Result<Catalog> catalog = Catalog::BuiltIn(start_time_);
  if (!catalog.ok()) return catalog.status();
  catalog_ = std::move(catalog).value();
  for (SimContract& c : options_.extra_contracts) IBSTREAM_RETURN_IF_ERROR(catalog_.Add(c));
  const int64_t start_second = ToUnixSeconds(start_time_);
  for (const auto& c : catalog_.contracts()) {
    auto market = SimMarket::Create(c, start_time_, options_.history_days);
    if (!market.ok()) return market.status();
    auto rt = std::make_unique<MarketRuntime>();
    rt->market = std::move(market).value();
    rt->second = start_second - 1;
    market_by_con_id_[c->con_id()] = rt.get();
    markets_.push_back(std::move(rt));
  }
  if (!options_.truth_path.empty()) {
    auto truth = TruthWriter::Open(options_.truth_path);
    if (!truth.ok()) return truth.status();
    truth_ = std::move(truth).value();
    truth_->WriteHeader(options_.seed, start_time_, options_.speed);
  }
  // Scripted faults, in time order (stable: file order among equal times).
  std::vector<std::pair<TimePoint, FaultSpec>> faults;
  for (const FaultSpec& f : options_.faults) faults.emplace_back(f.at.Resolve(start_time_), f);
  std::stable_sort(faults.begin(), faults.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [at, f] : faults) {
    pending_at_.push_back(at);
    pending_.push_back(f);
  }

  error_code ec;
  const auto address = asio::ip::make_address(options_.listen_host, ec);
  if (ec) return InvalidArgument("bad listen address '" + options_.listen_host + "'");
  listen_endpoint_ = tcp::endpoint(address, options_.listen_port);
  IBSTREAM_RETURN_IF_ERROR(Listen());
  if (!options_.control_host.empty()) {
    const auto control_address = asio::ip::make_address(options_.control_host, ec);
    if (ec) return InvalidArgument("bad control address '" + options_.control_host + "'");
    const tcp::endpoint ep(control_address, options_.control_port);
    control_acceptor_.open(ep.protocol(), ec);
    if (!ec) control_acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) control_acceptor_.bind(ep, ec);
    if (!ec) control_acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return IoError("control port " + options_.control_host + ": " + ec.message());
    control_port_ = control_acceptor_.local_endpoint().port();
    AcceptControl();
  }
  Accept();
  timer_.expires_after(std::chrono::milliseconds(0));
  timer_.async_wait([this](error_code e) {
    if (!e) Poll();
  });
  started_ = true;
  thread_ = std::thread([this] { io_.run(); });
  return Status::Ok();
}

Status Simulator::Impl::Listen() {
  error_code ec;
  acceptor_.open(listen_endpoint_.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(listen_endpoint_, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    acceptor_.close(ignored);
    return IoError(fmt::format("listen on {}:{}: {}", listen_endpoint_.address().to_string(),
                               listen_endpoint_.port(), ec.message()));
  }
  port_ = acceptor_.local_endpoint().port();
  // A restart must come back on the same port.
  listen_endpoint_.port(port_);
  return Status::Ok();
}

void Simulator::Impl::Stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  asio::post(io_, [this] {
    const TimePoint now = clock_.Now();
    for (ActiveFault& f : active_) {
      RecordFault(f.spec.kind, DescribeFault(f.spec), f.start, now, true);
    }
    active_.clear();
    error_code ec;
    timer_.cancel();
    acceptor_.close(ec);
    control_acceptor_.close(ec);
    for (const SessionPtr& s : std::vector<SessionPtr>(sessions_)) CloseSession(*s, "stop", false);
    if (truth_) {
      truth_->WriteFooter(now);
      Status st = truth_->Flush();
      if (!st.ok() && !options_.quiet) spdlog::error("sim: {}", st.ToString());
    }
    io_.stop();
  });
  thread_.join();
  truth_.reset();
}

void Simulator::Impl::Accept() {
  acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec != asio::error::operation_aborted && acceptor_.is_open()) Accept();
      return;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto s = std::make_shared<Session>(std::move(socket));
    s->id = next_session_id_++;
    s->reader.ExpectApiPrefix();
    sessions_.push_back(s);
    {
      std::lock_guard<std::mutex> lock(stats_mutex_);
      ++stats_.connections_accepted;
      stats_.active_clients = static_cast<int>(sessions_.size());
    }
    StartRead(s);
    Accept();
  });
}

void Simulator::Impl::StartRead(const SessionPtr& s) {
  if (!s->open || s->half_open) return;
  std::span<char> span = s->reader.WritableSpan(64 * 1024);
  s->socket.async_read_some(
      asio::buffer(span.data(), span.size()), [this, s](error_code ec, size_t n) {
        if (!s->open) return;
        if (ec) {
          CloseSession(*s, ec == asio::error::eof ? "client closed" : ec.message(), false);
          return;
        }
        s->reader.Commit(n);
        if (s->half_open) return;
        ProcessFrames(s);
        if (subs_dirty_) RebuildSubscriptions();
        Flush(s);
        StartRead(s);
      });
}

void Simulator::Impl::ProcessFrames(const SessionPtr& s) {
  while (s->open && !s->close_after_flush) {
    auto frame = s->reader.Next();
    if (!frame.ok()) {
      SIM_STAT(malformed_requests, 1);
      if (s->state == Session::State::kReady) {
        SendError(*s, -1, 320, "Error reading request: " + frame.status().message());
      }
      s->close_after_flush = true;
      if (!options_.quiet) {
        spdlog::warn("sim: client {}: {}", s->id, frame.status().ToString());
      }
      return;
    }
    if (!frame->has_value()) return;
    const std::string_view payload = **frame;
    switch (s->state) {
      case Session::State::kHello:
        HandleHello(*s, payload);
        break;
      case Session::State::kAwaitStartApi:
        HandleStartApi(*s, payload);
        break;
      case Session::State::kReady:
        HandleRequest(*s, payload);
        break;
    }
  }
}

void Simulator::Impl::HandleHello(Session& s, std::string_view payload) {
  auto hello = protocol::ParseClientHello(payload);
  if (!hello.ok()) {
    SIM_STAT(malformed_requests, 1);
    CloseSession(s, "bad hello: " + hello.status().message(), false);
    return;
  }
  auto version = protocol::ChooseServerVersion(*hello, protocol::kMinServerVersion,
                                               protocol::kMaxServerVersion);
  if (!version) {
    CloseSession(
        s, fmt::format("no common version with v{}..{}", hello->min_version, hello->max_version),
        false);
    return;
  }
  s.server_version = *version;
  Status st = protocol::EncodeConnectAck({*version, IbUtcTime(clock_.Now())}, s.out);
  if (!st.ok()) {
    CloseSession(s, st.ToString(), false);
    return;
  }
  s.state = Session::State::kAwaitStartApi;
}

void Simulator::Impl::HandleStartApi(Session& s, std::string_view payload) {
  auto request = protocol::DecodeClientRequest(payload, s.server_version, &s.counters);
  if (!request.ok() || !std::holds_alternative<protocol::StartApi>(*request)) {
    SIM_STAT(malformed_requests, 1);
    CloseSession(s, "expected START_API", false);
    return;
  }
  s.state = Session::State::kReady;
  const int32_t client_id = std::get<protocol::StartApi>(*request).client_id;
  for (const SessionPtr& other : sessions_) {
    if (other.get() != &s && other->open && other->state == Session::State::kReady &&
        other->client_id == client_id) {
      SendError(s, -1, 326,
                "Unable to connect as the client id is already in use. Retry with a unique "
                "client id.");
      s.close_after_flush = true;
      s.client_id = -2;
      return;
    }
  }
  s.client_id = client_id;
  Send(s, protocol::ManagedAccounts{options_.accounts});
  Send(s, protocol::NextValidId{next_order_id_});
  std::set<std::string> farms;
  for (const auto& c : catalog_.contracts()) farms.insert(c->farm);
  for (const std::string& farm : farms) {
    if (farms_down_.count(farm)) {
      SendError(s, -1, 2103, "Market data farm connection is broken:" + farm);
    } else {
      SendError(s, -1, 2104, "Market data farm connection is OK:" + farm);
    }
  }
  SendError(s, -1, hmds_down_ > 0 ? 2105 : 2106,
            std::string(hmds_down_ > 0 ? "HMDS data farm connection is broken:"
                                       : "HMDS data farm connection is OK:") +
                std::string(kHistoricalFarm));
  SendError(s, -1, 2158, "Sec-def data farm connection is OK:" + std::string(kSecDefFarm));
  if (connectivity_lost_ > 0) {
    SendError(s, -1, 1100, "Connectivity between IB and Trader Workstation has been lost.");
  }
}

template <typename Message>
void Simulator::Impl::Send(Session& s, const Message& m) {
  Status st = protocol::EncodeServerMessage(m, s.server_version, s.out);
  if (!st.ok() && !options_.quiet) spdlog::error("sim: encoding failed: {}", st.ToString());
}

void Simulator::Impl::SendError(Session& s, int32_t id, int32_t code, std::string_view text) {
  protocol::ErrorMessage e;
  e.id = id;
  e.code = code;
  e.text = text;
  Send(s, e);
}

void Simulator::Impl::HandleRequest(Session& s, std::string_view payload) {
  SIM_STAT(requests, 1);
  auto decoded = protocol::DecodeClientRequest(payload, s.server_version, &s.counters);
  if (!decoded.ok()) {
    SIM_STAT(malformed_requests, 1);
    SendError(s, -1, 320, "Error reading request: " + decoded.status().message());
    s.close_after_flush = true;
    if (!options_.quiet) {
      spdlog::warn("sim: client {}: malformed request: {}", s.client_id,
                   decoded.status().ToString());
    }
    return;
  }
  const TimePoint now = clock_.Now();
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, protocol::StartApi>) {
          SendError(s, -1, 321, "Error validating request: the API session is already started");
        } else if constexpr (std::is_same_v<T, protocol::ReqCurrentTime>) {
          Send(s, protocol::CurrentTime{ToUnixSeconds(now)});
        } else if constexpr (std::is_same_v<T, protocol::ReqIds>) {
          Send(s, protocol::NextValidId{next_order_id_});
        } else if constexpr (std::is_same_v<T, protocol::ReqMarketDataType>) {
          s.market_data_type = r.market_data_type;
        } else if constexpr (std::is_same_v<T, protocol::ReqContractDetails>) {
          OnContractDetails(s, r);
        } else if constexpr (std::is_same_v<T, protocol::ReqMatchingSymbols>) {
          protocol::SymbolSamples samples;
          samples.req_id = r.req_id;
          samples.descriptions = catalog_.MatchingSymbols(r.pattern);
          Send(s, samples);
        } else if constexpr (std::is_same_v<T, protocol::ReqMktData>) {
          OnMktData(s, r);
        } else if constexpr (std::is_same_v<T, protocol::CancelMktData>) {
          auto it = s.subs.find(r.req_id);
          if (it == s.subs.end() || !it->second.mkt_data) {
            SendError(s, r.req_id, 300, fmt::format("Can't find EId with tickerId:{}", r.req_id));
          } else {
            s.subs.erase(it);
            subs_dirty_ = true;
          }
        } else if constexpr (std::is_same_v<T, protocol::ReqTickByTickData>) {
          OnTickByTick(s, r);
        } else if constexpr (std::is_same_v<T, protocol::CancelTickByTickData>) {
          auto it = s.subs.find(r.req_id);
          if (it != s.subs.end() && !it->second.mkt_data) {
            s.subs.erase(it);
            subs_dirty_ = true;
          }
        } else if constexpr (std::is_same_v<T, protocol::ReqHeadTimestamp>) {
          OnHeadTimestamp(s, r);
        } else if constexpr (std::is_same_v<T, protocol::CancelHeadTimestamp>) {
          // Answered at once, so there is never anything to cancel (IB then stays silent too).
        } else if constexpr (std::is_same_v<T, protocol::ReqHistoricalTicks>) {
          OnHistoricalTicks(s, r);
        } else {
          SIM_STAT(unsupported_requests, 1);
          SendError(s, -1, 321,
                    fmt::format("Error validating request.-'{}' : cause - the simulator does not "
                                "support message id {}",
                                r.message_id, r.message_id));
        }
      },
      *decoded);
}

const SimContract* Simulator::Impl::Resolve(Session& s, int32_t req_id,
                                            const protocol::Contract& c) {
  const auto matches = catalog_.Match(c, clock_.Now());
  if (matches.empty()) {
    SendError(s, req_id, 200, "No security definition has been found for the request");
    return nullptr;
  }
  if (matches.size() > 1) {
    SendError(s, req_id, 200,
              "The contract description specified for " + c.symbol + " is ambiguous.");
    return nullptr;
  }
  return matches.front();
}

void Simulator::Impl::OnContractDetails(Session& s, const protocol::ReqContractDetails& r) {
  const TimePoint now = clock_.Now();
  const auto matches = catalog_.Match(r.contract, now);
  if (matches.empty()) {
    SendError(s, r.req_id, 200, "No security definition has been found for the request");
    return;
  }
  for (const SimContract* c : matches) {
    protocol::ContractDetails d = c->details;
    d.req_id = r.req_id;
    const ContractHours hours = c->sessions->HoursAt(now);
    d.time_zone_id = hours.time_zone_id;
    d.trading_hours = hours.trading_hours;
    d.liquid_hours = hours.liquid_hours;
    Send(s, d);
  }
  Send(s, protocol::ContractDataEnd{r.req_id});
}

int Simulator::Impl::ActiveTickByTick() const {
  int n = 0;
  for (const SessionPtr& s : sessions_) {
    if (!s->open) continue;
    for (const auto& [id, sub] : s->subs) n += sub.mkt_data ? 0 : 1;
  }
  return n;
}

void Simulator::Impl::OnMktData(Session& s, const protocol::ReqMktData& r) {
  if (s.subs.count(r.req_id)) {
    SendError(s, r.req_id, 322, "Error processing request.-'bQ' : cause - Duplicate ticker id");
    return;
  }
  const SimContract* c = Resolve(s, r.req_id, r.contract);
  if (c == nullptr) return;
  Send(s, protocol::MarketDataType{r.req_id, 1});
  protocol::TickReqParams params;
  params.req_id = r.req_id;
  params.min_tick = c->details.min_tick;
  params.bbo_exchange = "9c0001";
  params.snapshot_permissions = 3;
  Send(s, params);
  Subscription sub;
  sub.req_id = r.req_id;
  sub.con_id = c->con_id();
  sub.mkt_data = true;
  if (competing_ > 0) SendError(s, r.req_id, 10197, "No market data during competing session");
  MarketRuntime& m = *market_by_con_id_.at(c->con_id());
  if (m.has_quote && CanDeliver(s, sub, *c)) SendMktData(s, sub, *c, m.last_quote, m.second);
  if (m.has_trade && CanDeliver(s, sub, *c)) {
    SendMktData(s, sub, *c, m.last_trade, m.last_trade_second);
  }
  if (r.snapshot || r.regulatory_snapshot) {
    Send(s, protocol::TickSnapshotEnd{r.req_id});
    return;
  }
  s.subs[r.req_id] = sub;
  subs_dirty_ = true;
}

void Simulator::Impl::OnTickByTick(Session& s, const protocol::ReqTickByTickData& r) {
  if (s.subs.count(r.req_id)) {
    SendError(s, r.req_id, 322, "Error processing request.-'bQ' : cause - Duplicate ticker id");
    return;
  }
  const std::optional<TickType> type = TickTypeFromIb(r.tick_type);
  if (!type) {
    SendError(s, r.req_id, 10189,
              "Failed to request tick-by-tick data.Unknown tick type '" + r.tick_type + "'");
    return;
  }
  const SimContract* c = Resolve(s, r.req_id, r.contract);
  if (c == nullptr) return;
  if (ActiveTickByTick() >= max_tick_by_tick_) {
    SendError(s, r.req_id, 10190, "Max number of tick-by-tick requests has been reached.");
    return;
  }
  const TimePoint now = clock_.Now();
  if (r.number_of_ticks > 0) {
    const auto ticks =
        market_by_con_id_.at(c->con_id())
            ->market->HistoricalTicks(generator_, *type, std::nullopt, now,
                                      std::min(r.number_of_ticks, 1000), false, r.ignore_size, now);
    // Exactly the last numberOfTicks.
    const size_t keep = std::min<size_t>(ticks.size(), static_cast<size_t>(r.number_of_ticks));
    SendHistorical(s, r.req_id, *type,
                   std::vector<Tick>(ticks.end() - static_cast<std::ptrdiff_t>(keep), ticks.end()));
  }
  if (competing_ > 0) SendError(s, r.req_id, 10197, "No market data during competing session");
  Subscription sub;
  sub.req_id = r.req_id;
  sub.con_id = c->con_id();
  sub.type = *type;
  sub.ignore_size = r.ignore_size && *type == TickType::kBidAsk;
  s.subs[r.req_id] = sub;
  subs_dirty_ = true;
}

bool Simulator::Impl::HistoricalFarmDown() const {
  return hmds_down_ > 0 || nightly_reset_ > 0 || connectivity_lost_ > 0;
}

void Simulator::Impl::OnHeadTimestamp(Session& s, const protocol::ReqHeadTimestamp& r) {
  const SimContract* c = Resolve(s, r.req_id, r.contract);
  if (c == nullptr) return;
  if (HistoricalFarmDown()) {
    SendError(s, r.req_id, 162,
              "Historical Market Data Service error message:HMDS server disconnect occurred");
    return;
  }
  const auto head = market_by_con_id_.at(c->con_id())->market->HeadTimestamp();
  if (!head) {
    SendError(s, r.req_id, 162, "Historical Market Data Service error message:No head time stamp");
    return;
  }
  std::string text =
      r.format_date == 1
          ? date::format("%Y%m%d-%H:%M:%S", std::chrono::floor<std::chrono::seconds>(*head))
          : std::to_string(ToUnixSeconds(*head));
  Send(s, protocol::HeadTimestamp{r.req_id, text});
}

void Simulator::Impl::OnHistoricalTicks(Session& s, const protocol::ReqHistoricalTicks& r) {
  const SimContract* c = Resolve(s, r.req_id, r.contract);
  if (c == nullptr) return;
  const auto fail = [&](const std::string& detail) {
    SendError(s, r.req_id, 162, "Historical Market Data Service error message:" + detail);
  };
  std::optional<TickType> type;
  if (r.what_to_show == "TRADES") type = TickType::kAllLast;
  if (r.what_to_show == "BID_ASK") type = TickType::kBidAsk;
  if (r.what_to_show == "MIDPOINT") type = TickType::kMidPoint;
  if (!type) return fail("whatToShow must be TRADES, BID_ASK or MIDPOINT");
  if (r.start_date_time.empty() == r.end_date_time.empty()) {
    return fail("exactly one of startDateTime and endDateTime must be given");
  }
  if (r.number_of_ticks <= 0 || r.number_of_ticks > 1000) {
    return fail("numberOfTicks must be in 1..1000");
  }
  if (HistoricalFarmDown()) return fail("HMDS server disconnect occurred");
  const TimePoint now = clock_.Now();
  if (pacing_ > 0) {
    SIM_STAT(pacing_violations, 1);
    return fail("Historical data request pacing violation");
  }
  HistoricalRequestKey key;
  key.contract_key = fmt::format("{}|{}|{}", c->con_id(), r.contract.exchange, r.what_to_show);
  key.identity =
      fmt::format("{}|{}|{}|{}|{}|{}|{}", key.contract_key, r.start_date_time, r.end_date_time,
                  r.number_of_ticks, r.use_rth, r.ignore_size, s.client_id);
  key.weight = *type == TickType::kBidAsk ? 2 : 1;
  if (auto violation = pacer_.Admit(key, now)) {
    SIM_STAT(pacing_violations, 1);
    return fail(*violation);
  }
  std::optional<TimePoint> start, end;
  auto when = ParseIbDateTime(r.start_date_time.empty() ? r.end_date_time : r.start_date_time);
  if (!when.ok()) return fail(when.status().message());
  (r.start_date_time.empty() ? end : start) = *when;
  const auto ticks = market_by_con_id_.at(c->con_id())
                         ->market->HistoricalTicks(generator_, *type, start, end, r.number_of_ticks,
                                                   r.use_rth, r.ignore_size, now);
  SendHistorical(s, r.req_id, *type, ticks);
}

void Simulator::Impl::SendHistorical(Session& s, int32_t req_id, TickType type,
                                     const std::vector<Tick>& ticks) {
  switch (type) {
    case TickType::kBidAsk: {
      std::vector<protocol::HistoricalTickBidAsk> out;
      out.reserve(ticks.size());
      for (const Tick& t : ticks) {
        protocol::HistoricalTickBidAsk h;
        h.time = ToUnixSeconds(t.exchange_time);
        h.price_bid = t.bid_price;
        h.price_ask = t.ask_price;
        h.size_bid = t.bid_size;
        h.size_ask = t.ask_size;
        out.push_back(h);
      }
      Send(s, protocol::HistoricalTicksBidAsk{req_id, out, true});
      break;
    }
    case TickType::kLast:
    case TickType::kAllLast: {
      std::vector<protocol::HistoricalTickLast> out;
      out.reserve(ticks.size());
      for (const Tick& t : ticks) {
        protocol::HistoricalTickLast h;
        h.time = ToUnixSeconds(t.exchange_time);
        h.attrib.unreported = (t.attributes & kAttrUnreported) != 0;
        h.price = t.price;
        h.size = t.size;
        h.exchange = t.exchange;
        h.special_conditions = t.special_conditions;
        out.push_back(h);
      }
      Send(s, protocol::HistoricalTicksLast{req_id, out, true});
      break;
    }
    case TickType::kMidPoint: {
      std::vector<protocol::HistoricalTick> out;
      out.reserve(ticks.size());
      for (const Tick& t : ticks) {
        out.push_back(
            protocol::HistoricalTick{ToUnixSeconds(t.exchange_time), t.price, Decimal::FromInt(0)});
      }
      Send(s, protocol::HistoricalTicks{req_id, out, true});
      break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Markets

void Simulator::Impl::Poll() {
  PollOnce(/*bounded=*/true);
  timer_.expires_after(options_.poll_interval);
  timer_.async_wait([this](error_code e) {
    if (!e) Poll();
  });
}

void Simulator::Impl::PollOnce(bool bounded) {
  const TimePoint now = clock_.Now();
  ProcessFaults(now);
  if (subs_dirty_) RebuildSubscriptions();
  const auto deadline = bounded ? std::chrono::steady_clock::now() + options_.poll_work_budget
                                : std::chrono::steady_clock::time_point::max();
  const int64_t lag = Pump(now, deadline);
  {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    if (lag > 0) ++stats_.polls_behind;
    stats_.lag_seconds = lag;
  }
  for (Session* s : std::exchange(overflowed_, {})) {
    if (!s->open) continue;
    SIM_STAT(slow_consumer_disconnects, 1);
    RecordFault(FaultKind::kSlowConsumer, fmt::format("slow_consumer client={}", s->client_id), now,
                now, false);
    CloseSession(*s, "send buffer overflow (slow consumer)", true);
  }
  FlushAll();
}

int64_t Simulator::Impl::Pump(TimePoint now, std::chrono::steady_clock::time_point deadline) {
  const int64_t now_second = ToUnixSeconds(now);
  const int64_t now_ns = ToUnixNanos(now);
  // Out of budget, the markets after the one that spent it go first next time, so that all of
  // them fall behind alike.
  bool out_of_budget = false;
  const size_t n = markets_.size();
  for (size_t i = 0; i < n; ++i) {
    const size_t index = (pump_first_ + i) % n;
    MarketRuntime& m = *markets_[index];
    while (!out_of_budget) {
      if (m.next < m.events.size()) {
        const MarketEvent& e = m.events[m.next];
        if (m.second * kNanos + e.offset_ns > now_ns) break;
        Emit(m, e);
        ++m.next;
        continue;
      }
      if (m.second + 1 > now_second) break;
      ++m.second;
      m.events.clear();
      m.next = 0;
      if (m.second % 3600 == 0) {
        Status st = m.market->ExtendTo(FromUnixSeconds(m.second));
        if (!st.ok() && !options_.quiet) spdlog::error("sim: {}", st.ToString());
      }
      const TimePoint t = FromUnixSeconds(m.second);
      const SessionPhase phase = m.market->PhaseAt(t);
      if (phase == SessionPhase::kClosed) {
        // Jump to the next open (or to now when the calendar does not know).
        const MarketState state = m.market->calendar().StateAt(t);
        int64_t next = now_second;
        if (state.next_open && *state.next_open > t) {
          next = std::min(now_second, ToUnixSeconds(*state.next_open + Duration(kNanos - 1)) - 1);
        }
        // Cross hour boundaries one at a time so the calendar keeps being extended.
        const int64_t hour_end = (m.second / 3600 + 1) * 3600 - 1;
        m.second = std::max(m.second, std::min(next, hour_end));
        continue;
      }
      // Nobody can see a second that is over when nobody subscribes and no truth is written:
      // skip it (a clock jumped by days costs nothing). The last second is kept for snapshots.
      if (!truth_ && m.subs.empty() && m.second < now_second - 1) continue;
      generator_.GenerateSecond(m.market->contract(), m.second, phase, m.events);
      events_generated_.fetch_add(m.events.size(), std::memory_order_relaxed);
      if (std::chrono::steady_clock::now() >= deadline) {
        out_of_budget = true;
        pump_first_ = (index + 1) % n;
      }
    }
  }
  int64_t lag = 0;
  for (const auto& m : markets_) {
    const bool pending =
        m->next < m->events.size() && m->second * kNanos + m->events[m->next].offset_ns <= now_ns;
    if (pending || m->second < now_second) {
      lag = std::max<int64_t>(lag, std::max<int64_t>(now_second - m->second, 1));
    }
  }
  return lag;
}

bool Simulator::Impl::CanDeliver(const Session& s, const Subscription& sub,
                                 const SimContract& c) const {
  if (!s.open || s.half_open || s.close_after_flush || connectivity_lost_ > 0 ||
      nightly_reset_ > 0 || competing_ > 0) {
    return false;
  }
  if (!farms_down_.empty() && farms_down_.count(c.farm)) return false;
  for (const ActiveFault& f : active_) {
    if (f.spec.kind != FaultKind::kSilence) continue;
    if (f.spec.client_id && *f.spec.client_id != s.client_id) continue;
    if (f.spec.con_id && *f.spec.con_id != c.con_id()) continue;
    if (!f.spec.tick_type.empty() &&
        f.spec.tick_type !=
            (sub.mkt_data ? std::string_view("mkt_data") : TickTypeIbName(sub.type))) {
      continue;
    }
    return false;
  }
  return true;
}

void Simulator::Impl::Emit(MarketRuntime& m, const MarketEvent& e) {
  const SimContract& c = m.market->contract();
  if (e.kind == MarketEvent::Kind::kQuote) {
    m.has_quote = true;
    m.last_quote = e;
  } else if (!e.unreported) {
    m.has_trade = true;
    m.last_trade = e;
    m.last_trade_second = m.second;
  }
  const int64_t second = m.second;
  EventTicks(c, second, e, [&](const Tick& t) {
    ticks_generated_.fetch_add(1, std::memory_order_relaxed);
    int delivered = 0;
    for (auto& [session, sub] : m.subs) {
      if (sub->mkt_data || sub->type != t.type || !CanDeliver(*session, *sub, c)) continue;
      Session& s = *session;
      switch (t.type) {
        case TickType::kBidAsk: {
          if (sub->ignore_size && sub->last_bid == t.bid_price && sub->last_ask == t.ask_price) {
            continue;
          }
          sub->last_bid = t.bid_price;
          sub->last_ask = t.ask_price;
          protocol::TickByTickBidAsk msg;
          msg.req_id = sub->req_id;
          msg.time = second;
          msg.bid_price = t.bid_price;
          msg.ask_price = t.ask_price;
          msg.bid_size = t.bid_size;
          msg.ask_size = t.ask_size;
          Send(s, msg);
          break;
        }
        case TickType::kLast:
        case TickType::kAllLast: {
          protocol::TickByTickLast msg;
          msg.req_id = sub->req_id;
          msg.tick_type = t.type == TickType::kLast ? protocol::TickByTickType::kLast
                                                    : protocol::TickByTickType::kAllLast;
          msg.time = second;
          msg.price = t.price;
          msg.size = t.size;
          msg.attrib.unreported = (t.attributes & kAttrUnreported) != 0;
          msg.exchange = t.exchange;
          msg.special_conditions = t.special_conditions;
          Send(s, msg);
          break;
        }
        case TickType::kMidPoint: {
          Send(s, protocol::TickByTickMidPoint{sub->req_id, second, t.price});
          break;
        }
      }
      ++delivered;
      if (s.out.size() > options_.send_buffer_bytes) CheckBackpressure(s);
    }
    ticks_delivered_.fetch_add(static_cast<uint64_t>(delivered), std::memory_order_relaxed);
    if (truth_) truth_->WriteTick(t, c.symbol(), delivered);
  });
  for (auto& [session, sub] : m.subs) {
    if (!sub->mkt_data || !CanDeliver(*session, *sub, c)) continue;
    SendMktData(*session, *sub, c, e, second);
    if (session->out.size() > options_.send_buffer_bytes) CheckBackpressure(*session);
  }
}

void Simulator::Impl::SendMktData(Session& s, Subscription& sub, const SimContract& c,
                                  const MarketEvent& e, int64_t second) {
  (void)c;
  if (e.kind == MarketEvent::Kind::kQuote) {
    if (e.bid != sub.last_bid) {
      Send(s, protocol::TickPrice{sub.req_id, 1, e.bid, e.bid_size, {}});
    } else if (!(e.bid_size == sub.last_bid_size)) {
      Send(s, protocol::TickSize{sub.req_id, 0, e.bid_size});
    }
    if (e.ask != sub.last_ask) {
      Send(s, protocol::TickPrice{sub.req_id, 2, e.ask, e.ask_size, {}});
    } else if (!(e.ask_size == sub.last_ask_size)) {
      Send(s, protocol::TickSize{sub.req_id, 3, e.ask_size});
    }
    sub.last_bid = e.bid;
    sub.last_ask = e.ask;
    sub.last_bid_size = e.bid_size;
    sub.last_ask_size = e.ask_size;
    return;
  }
  if (e.unreported) return;
  Send(s, protocol::TickPrice{sub.req_id, 4, e.price, e.size, {}});
  const std::string time = std::to_string(second);
  Send(s, protocol::TickString{sub.req_id, 45, time});
}

void Simulator::Impl::CheckBackpressure(Session& s) {
  if (std::find(overflowed_.begin(), overflowed_.end(), &s) == overflowed_.end()) {
    overflowed_.push_back(&s);
    // Stop queueing more for it: it is closed after this poll.
    s.close_after_flush = true;
  }
}

void Simulator::Impl::RebuildSubscriptions() {
  subs_dirty_ = false;
  for (auto& m : markets_) m->subs.clear();
  for (const SessionPtr& s : sessions_) {
    if (!s->open) continue;
    for (auto& [id, sub] : s->subs) {
      auto it = market_by_con_id_.find(sub.con_id);
      if (it != market_by_con_id_.end()) it->second->subs.emplace_back(s.get(), &sub);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Sockets

void Simulator::Impl::Flush(const SessionPtr& s) {
  if (!s->open || s->half_open || s->write_in_flight) return;
  if (s->out.empty()) {
    if (s->close_after_flush) CloseSession(*s, "closed after its last message", false);
    return;
  }
  std::swap(s->out, s->writing);
  s->write_in_flight = true;
  bytes_sent_.fetch_add(s->writing.size(), std::memory_order_relaxed);
  asio::async_write(s->socket, asio::buffer(s->writing), [this, s](error_code ec, size_t) {
    s->write_in_flight = false;
    s->writing.clear();
    if (!s->open) return;
    if (ec) {
      CloseSession(*s, "write: " + ec.message(), false);
      return;
    }
    Flush(s);
  });
}

void Simulator::Impl::FlushAll() {
  for (const SessionPtr& s : std::vector<SessionPtr>(sessions_)) Flush(s);
}

void Simulator::Impl::CloseSession(Session& s, std::string_view reason, bool rst) {
  if (!s.open) return;
  s.open = false;
  error_code ec;
  if (rst) {
    s.socket.set_option(asio::socket_base::linger(true, 0), ec);
  } else {
    s.socket.shutdown(tcp::socket::shutdown_both, ec);
  }
  s.socket.close(ec);
  if (!options_.quiet) {
    spdlog::info("sim: client {} (id {}) closed{}: {}", s.id, s.client_id, rst ? " (RST)" : "",
                 reason);
  }
  s.subs.clear();
  subs_dirty_ = true;
  sessions_.erase(std::remove_if(sessions_.begin(), sessions_.end(),
                                 [&](const SessionPtr& p) { return p.get() == &s; }),
                  sessions_.end());
  std::lock_guard<std::mutex> lock(stats_mutex_);
  ++stats_.connections_closed;
  stats_.active_clients = static_cast<int>(sessions_.size());
}

SessionPtr Simulator::Impl::FindSession(uint64_t id) {
  for (const SessionPtr& s : sessions_) {
    if (s->id == id) return s;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Faults

void Simulator::Impl::ProcessFaults(TimePoint now) {
  while (pending_next_ < pending_.size() && pending_at_[pending_next_] <= now) {
    const size_t i = pending_next_++;
    StartFault(pending_[i], pending_at_[i]);
  }
  for (size_t i = 0; i < active_.size();) {
    if (active_[i].end && *active_[i].end <= now) {
      ActiveFault f = std::move(active_[i]);
      active_.erase(active_.begin() + static_cast<std::ptrdiff_t>(i));
      EndFault(f, now);
    } else {
      ++i;
    }
  }
}

void Simulator::Impl::Broadcast(int32_t code, const std::string& text) {
  for (const SessionPtr& s : sessions_) {
    if (s->open && s->state == Session::State::kReady && !s->half_open) {
      SendError(*s, -1, code, text);
    }
  }
}

void Simulator::Impl::RecordFault(FaultKind kind, const std::string& detail, TimePoint start,
                                  TimePoint end, bool open) {
  if (truth_) truth_->WriteFault(kind, detail, start, end, open);
}

void Simulator::Impl::StartFault(const FaultSpec& f, TimePoint now) {
  const std::string detail = DescribeFault(f);
  if (!options_.quiet) spdlog::info("sim: fault start at {}: {}", FormatIsoUtc(now), detail);
  SIM_STAT(faults_started, 1);
  ActiveFault active{f, now, std::nullopt, {}};
  if (f.duration.count() > 0) active.end = now + f.duration;
  bool windowed = true;
  switch (f.kind) {
    case FaultKind::kClose:
      windowed = false;
      for (const SessionPtr& s : std::vector<SessionPtr>(sessions_)) {
        if (Targets(f, *s)) CloseSession(*s, "fault: close", f.mode == "rst");
      }
      break;
    case FaultKind::kHalfOpen:
      for (const SessionPtr& s : sessions_) {
        if (Targets(f, *s)) {
          s->half_open = true;
          active.sessions.push_back(s->id);
        }
      }
      break;
    case FaultKind::kSilence:
      break;
    case FaultKind::kConnectivityLost:
      ++connectivity_lost_;
      Broadcast(1100, "Connectivity between IB and Trader Workstation has been lost.");
      break;
    case FaultKind::kFarmDown:
      farms_down_.insert(f.farm);
      Broadcast(2103, "Market data farm connection is broken:" + f.farm);
      if (f.hmds) {
        ++hmds_down_;
        Broadcast(2105, "HMDS data farm connection is broken:" + std::string(kHistoricalFarm));
      }
      break;
    case FaultKind::kCompetingSession:
      ++competing_;
      for (const SessionPtr& s : sessions_) {
        if (!Targets(f, *s)) continue;
        for (const auto& [id, sub] : s->subs) {
          SendError(*s, id, 10197, "No market data during competing session");
        }
      }
      break;
    case FaultKind::kGatewayRestart: {
      listener_down_ = true;
      error_code ec;
      acceptor_.close(ec);
      for (const SessionPtr& s : std::vector<SessionPtr>(sessions_)) {
        CloseSession(*s, "fault: gateway restart", false);
      }
      if (!active.end) active.end = now;
      break;
    }
    case FaultKind::kNightlyReset:
      ++nightly_reset_;
      break;
    case FaultKind::kPacing:
      ++pacing_;
      break;
    case FaultKind::kTickByTickLimit:
      windowed = false;
      max_tick_by_tick_ = f.max;
      break;
    case FaultKind::kGarbage:
      windowed = false;
      for (const SessionPtr& s : sessions_) {
        if (!Targets(f, *s)) continue;
        // Output is queued in whole frames, so the garbage starts where the client expects a
        // length prefix; a first byte of 0xFF makes that length invalid (> 16 MiB) for sure.
        s->out.push_back(static_cast<char>(0xFF));
        for (int i = 1; i < f.bytes; ++i) s->out.push_back(static_cast<char>(garbage_rng_()));
      }
      break;
    case FaultKind::kError:
      windowed = false;
      for (const SessionPtr& s : sessions_) {
        if (Targets(f, *s)) SendError(*s, f.id, f.code, f.text);
      }
      break;
    case FaultKind::kSlowConsumer:
      windowed = false;
      break;
  }
  if (!windowed) {
    RecordFault(f.kind, detail, now, now, false);
    return;
  }
  if (active.end && *active.end <= now) {
    // A zero-length window (a gateway restart without duration) ends at once.
    EndFault(active, now);
    return;
  }
  active_.push_back(std::move(active));
}

void Simulator::Impl::EndFault(ActiveFault& f, TimePoint now) {
  const FaultSpec& spec = f.spec;
  if (!options_.quiet) {
    spdlog::info("sim: fault end at {}: {}", FormatIsoUtc(now), DescribeFault(spec));
  }
  switch (spec.kind) {
    case FaultKind::kHalfOpen:
      for (uint64_t id : f.sessions) {
        if (SessionPtr s = FindSession(id)) CloseSession(*s, "half-open window ended", true);
      }
      break;
    case FaultKind::kConnectivityLost:
      --connectivity_lost_;
      if (spec.restore == "data_lost") {
        Broadcast(1101,
                  "Connectivity between IB and Trader Workstation has been restored - data "
                  "lost.");
        for (const SessionPtr& s : sessions_) s->subs.clear();
        subs_dirty_ = true;
      } else {
        Broadcast(1102,
                  "Connectivity between IB and Trader Workstation has been restored - data "
                  "maintained.");
      }
      break;
    case FaultKind::kFarmDown:
      if (auto it = farms_down_.find(spec.farm); it != farms_down_.end()) farms_down_.erase(it);
      Broadcast(2104, "Market data farm connection is OK:" + spec.farm);
      if (spec.hmds) {
        --hmds_down_;
        Broadcast(2106, "HMDS data farm connection is OK:" + std::string(kHistoricalFarm));
      }
      break;
    case FaultKind::kCompetingSession:
      --competing_;
      break;
    case FaultKind::kGatewayRestart: {
      listener_down_ = false;
      Status st = Listen();
      if (!st.ok()) {
        if (!options_.quiet) spdlog::error("sim: gateway restart: {}", st.ToString());
      } else {
        Accept();
      }
      break;
    }
    case FaultKind::kNightlyReset:
      --nightly_reset_;
      break;
    case FaultKind::kPacing:
      --pacing_;
      break;
    default:
      break;
  }
  RecordFault(spec.kind, DescribeFault(spec), f.start, now, false);
}

// ---------------------------------------------------------------------------------------------
// Control interface: one command per line, one reply line ("ok ..." or "error ...").

void Simulator::Impl::AcceptControl() {
  control_acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec != asio::error::operation_aborted && control_acceptor_.is_open()) AcceptControl();
      return;
    }
    ServeControl(std::make_shared<tcp::socket>(std::move(socket)),
                 std::make_shared<asio::streambuf>(64 * 1024));
    AcceptControl();
  });
}

void Simulator::Impl::ServeControl(std::shared_ptr<tcp::socket> socket,
                                   std::shared_ptr<asio::streambuf> buf) {
  asio::async_read_until(*socket, *buf, '\n', [this, socket, buf](error_code ec, size_t n) {
    if (ec) return;
    std::string line(asio::buffers_begin(buf->data()),
                     asio::buffers_begin(buf->data()) + static_cast<std::ptrdiff_t>(n));
    buf->consume(n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line == "quit") {
      error_code ignored;
      socket->close(ignored);
      return;
    }
    auto reply = std::make_shared<std::string>(ControlCommand(line) + "\n");
    FlushAll();
    asio::async_write(*socket, asio::buffer(*reply),
                      [this, socket, buf, reply](error_code e, size_t) {
                        if (!e) ServeControl(socket, buf);
                      });
  });
}

std::string Simulator::Impl::ControlCommand(std::string_view line) {
  const TimePoint now = clock_.Now();
  const size_t space = line.find(' ');
  const std::string_view verb = line.substr(0, space);
  const std::string_view rest = space == std::string_view::npos ? "" : line.substr(space + 1);
  if (verb == "fault") {
    auto f = ParseFaultLine(rest);
    if (!f.ok()) return "error " + f.status().message();
    StartFault(*f, now);
    return "ok " + DescribeFault(*f) + " at " + FormatIsoUtc(now);
  }
  if (verb == "time") return "ok " + FormatIsoUtc(now);
  if (verb == "stats") {
    const SimulatorStats s = stats();
    return fmt::format(
        "ok {{\"clients\":{},\"accepted\":{},\"ticks_generated\":{},\"ticks_delivered\":{},"
        "\"faults\":{},\"slow_consumer_disconnects\":{},\"pacing_violations\":{},"
        "\"polls_behind\":{},\"lag_seconds\":{}}}",
        s.active_clients, s.connections_accepted, s.ticks_generated, s.ticks_delivered,
        s.faults_started, s.slow_consumer_disconnects, s.pacing_violations, s.polls_behind,
        s.lag_seconds);
  }
  if (verb == "help" || verb.empty()) {
    return "ok commands: fault KIND [key=value ...] | time | stats | quit (see src/sim/README.md)";
  }
  return "error unknown command '" + std::string(verb) + "' (try help)";
}

// ---------------------------------------------------------------------------------------------

Simulator::Simulator(const Clock& clock, SimulatorOptions options)
    : impl_(std::make_unique<Impl>(clock, std::move(options))) {}
Simulator::~Simulator() = default;
Status Simulator::Start() { return impl_->Start(); }
void Simulator::Stop() { impl_->Stop(); }
uint16_t Simulator::port() const { return impl_->port(); }
uint16_t Simulator::control_port() const { return impl_->control_port(); }
void Simulator::InjectFault(const FaultSpec& fault) { impl_->InjectFault(fault); }
SimulatorStats Simulator::stats() const { return impl_->stats(); }
void Simulator::RunOnLoop(const std::function<void()>& fn) { impl_->RunOnLoop(fn); }
void Simulator::Sync() { impl_->Sync(); }

}  // namespace ibstream::sim
