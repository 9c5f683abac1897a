#include "sim/simulator.h"

// Asio needs <utility> first under GCC 12 (docs/TOOLCHAIN.md §3.1).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <future>
#include <optional>
#include <thread>
#include <utility>

#include "sim/bar_server.h"
#include "sim/client_sessions.h"
#include "sim/control_port.h"
#include "sim/fault_injector.h"
#include "sim/fault_state.h"
#include "sim/historical_answers.h"
#include "sim/market_fanout.h"
#include "sim/request_handler.h"
#include "sim/sim_counters.h"
#include "sim/tick_generator.h"
#include "sim/truth_writer.h"

namespace ibstream::sim {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

}  // namespace

// Composes the parts and runs the market clock: one loop thread polls every `poll_interval`,
// releasing the markets' events up to the clock's time and applying the fault transitions due
// in between at their own instants.
class Simulator::Impl {
 public:
  Impl(const Clock& clock, SimulatorOptions options)
      : clock_(clock),
        options_(std::move(options)),
        generator_(options_.seed, options_.market_source),
        sessions_(io_, clock_, counters_, options_.quiet),
        markets_({options_.send_buffer_bytes, options_.history_days, options_.quiet}, generator_,
                 fault_state_, sessions_, counters_),
        faults_(fault_state_, sessions_, markets_, counters_, options_.seed, options_.quiet),
        historical_(clock_, generator_, markets_, fault_state_, counters_),
        bars_(clock_, generator_, markets_, fault_state_, sessions_, historical_.pacer(),
              counters_),
        requests_({options_.accounts, options_.quiet}, clock_, catalog_, sessions_, markets_,
                  historical_, bars_, fault_state_, counters_),
        control_(io_, clock_,
                 {[this](const FaultSpec& f, TimePoint now) { faults_.Start(f, now); },
                  [this] { return counters_.Snapshot(); }, [this] { sessions_.FlushAll(); }}),
        timer_(io_) {
    fault_state_.max_tick_by_tick = options_.max_tick_by_tick;
    fault_state_.market_data_lines = options_.market_data_lines;
    fault_state_.market_depth_limit = options_.market_depth_limit;
    sessions_.set_callbacks(
        {[this](ClientSession& s) { requests_.Greet(s); },
         [this](ClientSession& s, std::string_view payload) { requests_.Handle(s, payload); },
         [this] { markets_.MarkDirty(); },
         [this](const ClientSession& s, std::string_view reason) {
           markets_.RecordSubscriptionsEnd(s, EventTime(), reason);
           markets_.depth().RecordEnds(s, EventTime(), reason);
         },
         [this] { markets_.RebuildIfDirty(); }});
  }

  ~Impl() { Stop(); }

  Status Start();
  void Stop();
  uint16_t port() const { return sessions_.port(); }
  uint16_t control_port() const { return control_.port(); }
  void InjectFault(const FaultSpec& fault) {
    asio::post(io_, [this, fault] {
      faults_.Start(fault, clock_.Now());
      sessions_.FlushAll();
    });
  }
  SimulatorStats stats() const { return counters_.Snapshot(); }
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
  void Poll();
  // One poll; `bounded`: within options_.poll_work_budget (the loop's polls), else until the
  // markets reach the clock (Sync()).
  void PollOnce(bool bounded);
  // Closes the sessions whose send buffer overflowed during this poll.
  void DisconnectSlowConsumers(TimePoint now);
  // The virtual instant of what happens now: the fault transition being applied, else the clock.
  TimePoint EventTime() const { return fault_time_.value_or(clock_.Now()); }

  const Clock& clock_;
  SimulatorOptions options_;
  TickGenerator generator_;
  asio::io_context io_;
  SimCounters counters_;
  Catalog catalog_;
  FaultState fault_state_;
  ClientSessions sessions_;
  MarketFanout markets_;
  FaultInjector faults_;
  HistoricalAnswers historical_;
  BarServer bars_;
  RequestHandler requests_;
  ControlPort control_;
  asio::steady_timer timer_;
  std::thread thread_;
  bool started_ = false;
  bool stopped_ = false;
  std::unique_ptr<TruthWriter> truth_;
  // While PollOnce applies a scheduled transition: its instant (sessions it closes end their
  // subscriptions then, not at the poll's clock time).
  std::optional<TimePoint> fault_time_;
};

Status Simulator::Impl::Start() {
  if (started_) return FailedPrecondition("simulator already started");
  const TimePoint start = clock_.Now();
  if (options_.market_source == nullptr) {
    Result<Catalog> catalog = Catalog::BuiltIn(start);
    if (!catalog.ok()) return catalog.status();
    catalog_ = std::move(catalog).value();
    if (!options_.builtin_symbols.empty()) {
      Catalog chosen;
      for (const auto& c : catalog_.contracts()) {
        const auto& wanted = options_.builtin_symbols;
        if (std::find(wanted.begin(), wanted.end(), c->details.contract.symbol) == wanted.end()) {
          continue;
        }
        IBSTREAM_RETURN_IF_ERROR(chosen.Add(*c));
      }
      catalog_ = std::move(chosen);
    }
  }
  for (SimContract& c : options_.extra_contracts) IBSTREAM_RETURN_IF_ERROR(catalog_.Add(c));
  IBSTREAM_RETURN_IF_ERROR(markets_.Build(catalog_, start));
  if (!options_.truth_path.empty()) {
    auto truth = TruthWriter::Open(options_.truth_path);
    if (!truth.ok()) return truth.status();
    truth_ = std::move(truth).value();
    truth_->WriteHeader(options_.seed, start, options_.speed);
    markets_.set_truth(truth_.get());
    faults_.set_truth(truth_.get());
  }
  faults_.Schedule(options_.faults, start);

  error_code ec;
  const auto address = asio::ip::make_address(options_.listen_host, ec);
  if (ec) return InvalidArgument("bad listen address '" + options_.listen_host + "'");
  IBSTREAM_RETURN_IF_ERROR(sessions_.Listen(tcp::endpoint(address, options_.listen_port)));
  if (!options_.control_host.empty()) {
    IBSTREAM_RETURN_IF_ERROR(control_.Listen(options_.control_host, options_.control_port));
  }
  sessions_.Accept();
  timer_.expires_after(std::chrono::milliseconds(0));
  timer_.async_wait([this](error_code e) {
    if (!e) Poll();
  });
  started_ = true;
  thread_ = std::thread([this] { io_.run(); });
  return Status::Ok();
}

void Simulator::Impl::Stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  asio::post(io_, [this] {
    const TimePoint now = clock_.Now();
    faults_.RecordRunningAsOpen(now);
    timer_.cancel();
    sessions_.CloseListener();
    control_.Close();
    sessions_.CloseAll("stop");
    if (truth_) {
      truth_->WriteFooter(now);
      Status st = truth_->Flush();
      if (!st.ok() && !options_.quiet) spdlog::error("sim: {}", st.ToString());
    }
    io_.stop();
  });
  thread_.join();
  markets_.set_truth(nullptr);
  faults_.set_truth(nullptr);
  truth_.reset();
}

void Simulator::Impl::Poll() {
  PollOnce(/*bounded=*/true);
  timer_.expires_after(options_.poll_interval);
  timer_.async_wait([this](error_code e) {
    if (!e) Poll();
  });
}

void Simulator::Impl::PollOnce(bool bounded) {
  const TimePoint now = clock_.Now();
  const SteadyClock& steady = *options_.steady_clock;
  const SteadyTimePoint deadline =
      bounded ? steady.Now() + options_.poll_work_budget : SteadyTimePoint::max();
  // Fault transitions take effect at their own instants, however late this poll runs: the events
  // before a transition's instant are released first, those at it and after it see its effect
  // (a window covers [start, end), as a transition is due once the clock reaches it). Out of
  // budget before a transition's instant, the transition waits for a later poll: a fault is
  // never applied while events before it are still unsent.
  bool held_back = false;
  while (const std::optional<TimePoint> at = faults_.NextDue(now)) {
    markets_.RebuildIfDirty();
    if (markets_.Pump(*at - Duration(1), steady, deadline) > 0) {
      held_back = true;
      break;
    }
    fault_time_ = *at;
    faults_.ProcessAt(*at);
    fault_time_.reset();
  }
  markets_.RebuildIfDirty();
  const int64_t lag = held_back ? markets_.Lag(now) : markets_.Pump(now, steady, deadline);
  bars_.Poll(now, bounded);
  counters_.Update([&](SimulatorStats& s) {
    if (lag > 0) ++s.polls_behind;
    s.lag_seconds = lag;
  });
  DisconnectSlowConsumers(now);
  sessions_.FlushAll();
}

void Simulator::Impl::DisconnectSlowConsumers(TimePoint now) {
  for (ClientSession* s : markets_.TakeOverflowed()) {
    if (!s->open) continue;
    counters_.Add(&SimulatorStats::slow_consumer_disconnects);
    faults_.Record(FaultKind::kSlowConsumer, fmt::format("slow_consumer client={}", s->client_id),
                   now, now, false);
    sessions_.Close(*s, "send buffer overflow (slow consumer)", true);
  }
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
