// End-to-end throughput of the recorder: tick-by-tick BidAsk ticks from the simulator's
// generator, over loopback, through the recorder's client, appended to the journal and covered
// by a completed fdatasync (the writer's durable position).
//
// The simulator and the recorder run on the system clock. The simulator's one burst contract
// quotes state.range(0) times per second (Poisson mean) around the clock, released through each
// second as a gateway would; the recorder records its BidAsk stream with the fsync policy of the
// variant (batch_interval at its default, 1 s). Each iteration is one real second and waits until
// the ticks delivered by the end of the previous second are durable; the last waits for every
// tick delivered, so the time runs from the first tick to the last durable one.
// items_per_second is durable ticks per second of wall time; it can be below the offered rate
// when the simulator itself falls behind on a loaded machine. A tick the recorder could not store
// (storage queue full, writer suspended, slow-consumer disconnect) fails the benchmark instead of
// being counted.
//
// BM_SimulatorOnly is the baseline of the same run: the same simulator and contract on a manual
// clock, one virtual second generated per iteration as fast as it can, to a client that only
// counts frames (as sim_bench does).
//
//   build-<dir>/src/recorder/recorder_bench
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <thread>

#include "common/clock.h"
#include "config/config.h"
#include "fs/file_system.h"
#include "recorder/recorder.h"
#include "sim/simulator.h"
#include "sim/test_client.h"

namespace ibstream::recorder {
namespace {

using namespace std::chrono_literals;

constexpr int32_t kBurstConId = 990002;

class NullSink final : public reliability::AlertSink {
 public:
  void Deliver(std::span<const Alert>) override {}
};

sim::SimContract BurstContract(double quotes_per_second) {
  protocol::ContractDetails d;
  d.contract.con_id = kBurstConId;
  d.contract.symbol = "BURST";
  d.contract.sec_type = "FUT";
  d.contract.exchange = "CME";
  d.contract.currency = "USD";
  d.contract.local_symbol = "BURST";
  d.contract.trading_class = "BURST";
  d.min_tick = 0.25;
  sim::SessionSpec s;
  s.time_zone_id = "UTC";
  s.trading_open_minute = 0;
  s.trading_close_minute = 24 * 60;
  s.liquid_open_minute = 0;
  s.liquid_close_minute = 24 * 60;
  s.trading_weekdays.fill(true);
  sim::TickProfile p;
  p.base_price = 21500;
  p.quotes_per_second_liquid = quotes_per_second;
  p.quotes_per_second_extended = quotes_per_second;
  p.trades_per_second_liquid = 0;
  p.trades_per_second_extended = 0;
  p.burst_probability = 0;
  return sim::MakeContract(d, "usfuture", s, p).value();
}

// The simulator of both benchmarks: manual clock at the current second (so that its calendar
// and the recorder's system clock agree), Sync()-driven polls, a send buffer large enough for
// one virtual second of the burst contract.
std::unique_ptr<sim::Simulator> StartSimulator(ManualClock& clock, double quotes_per_second) {
  sim::SimulatorOptions options;
  options.listen_port = 0;
  options.quiet = true;
  options.history_days = 2;
  options.poll_interval = std::chrono::milliseconds(1000);
  options.send_buffer_bytes = size_t{1} << 30;
  options.extra_contracts.push_back(BurstContract(quotes_per_second));
  auto sim = std::make_unique<sim::Simulator>(clock, options);
  if (!sim->Start().ok()) return nullptr;
  return sim;
}

template <typename Condition>
bool WaitUntil(Condition condition, std::chrono::seconds deadline) {
  const auto end = SteadyClock::Real().Now() + deadline;
  while (!condition()) {
    if (SteadyClock::Real().Now() > end) return false;
    std::this_thread::sleep_for(200us);
  }
  return true;
}

// The position an iteration waits for: durable (covered by a completed fdatasync); with the
// `off` policy nothing is synced before a journal is sealed, so only the accepted position moves.
uint64_t Reached(const RecorderView& view, storage::FsyncPolicy fsync) {
  return fsync == storage::FsyncPolicy::kOff ? view.storage.accepted_position
                                             : view.storage.durable_position;
}

void BM_RecorderEndToEnd(benchmark::State& state, storage::FsyncPolicy fsync) {
  const Clock& real = SystemClock::Instance();
  // The simulator runs in real time: the burst contract's quotes arrive spread over each second,
  // at the offered rate, as a gateway's would.
  sim::SimulatorOptions sim_options;
  sim_options.listen_port = 0;
  sim_options.quiet = true;
  sim_options.history_days = 2;
  sim_options.send_buffer_bytes = size_t{1} << 30;
  sim_options.extra_contracts.push_back(BurstContract(static_cast<double>(state.range(0))));
  auto sim = std::make_unique<sim::Simulator>(real, sim_options);
  if (!sim->Start().ok()) {
    state.SkipWithError("simulator did not start");
    return;
  }
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("recorder_bench_" + std::to_string(::getpid()) +
                                                "_" + std::string(storage::FsyncPolicyName(fsync)));
  std::filesystem::remove_all(dir);

  RecorderOptions options;
  config::Config& config = options.config;
  config.gateway.ports = {sim->port()};
  config.storage.path = dir.string();
  config.storage.fsync = fsync;
  config.backfill.enabled = false;  // every stored tick is a live one
  config::ContractConfig burst;
  burst.con_id = kBurstConId;
  burst.symbol = "BURST";
  burst.sec_type = "FUT";
  burst.exchange = "CME";
  burst.currency = "USD";
  burst.tick_types = {TickType::kBidAsk};
  config.contracts = {burst};
  // The view (where the positions are read) is published on every evaluation: every 10 ms
  // instead of every second, so that waiting for it adds little to the measured time.
  options.evaluate_interval = 10ms;
  NullSink alerts;
  Recorder recorder(options, real, fs::PosixFileSystem(), alerts);
  if (!recorder.Start().ok()) {
    state.SkipWithError("recorder did not start");
    return;
  }
  auto lost = [&] {
    const auto v = recorder.View();
    return v->storage.rejected_queue_full + v->storage.rejected_suspended +
           v->storage.lost_on_write_error + sim->stats().slow_consumer_disconnects;
  };
  // Warm-up: until the simulator delivers and the recorder has made a delivered tick durable.
  uint64_t first = 0;
  const bool warm = WaitUntil([&] { return (first = sim->stats().ticks_delivered) > 0; }, 60s) &&
                    WaitUntil([&] { return Reached(*recorder.View(), fsync) >= first; }, 60s);
  if (!warm) {
    state.SkipWithError("no tick became durable");
    return;
  }
  // Each iteration is one real second; it waits until the ticks delivered by the end of the
  // previous second are reached (pipelined one second deep); the last one waits for everything
  // delivered so far, so the time runs from the first tick to the last durable one.
  const uint64_t base = sim->stats().ticks_delivered;
  const auto start = SteadyClock::Real().Now();
  uint64_t delivered = base;
  int64_t iteration = 0;
  for (auto _ : state) {
    const uint64_t previous = delivered;
    ++iteration;
    std::this_thread::sleep_until(start + std::chrono::seconds(iteration));
    delivered = sim->stats().ticks_delivered;
    const uint64_t target = iteration == state.max_iterations ? delivered : previous;
    if (!WaitUntil([&] { return Reached(*recorder.View(), fsync) >= target || lost() > 0; },
                   120s) ||
        lost() > 0) {
      const auto v = recorder.View();
      const std::string what = "not stored: delivered " + std::to_string(target - base) +
                               ", received " + std::to_string(v->counters.ticks_received) +
                               ", accepted " + std::to_string(v->storage.accepted_position) +
                               ", durable " + std::to_string(v->storage.durable_position) +
                               ", queue full " + std::to_string(v->storage.rejected_queue_full);
      state.SkipWithError(what.c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(delivered - base));
  recorder.Stop();
  sim->Stop();
  std::filesystem::remove_all(dir);
}

void BM_SimulatorOnly(benchmark::State& state) {
  ManualClock sim_clock(std::chrono::floor<std::chrono::seconds>(SystemClock::Instance().Now()));
  auto sim = StartSimulator(sim_clock, static_cast<double>(state.range(0)));
  if (!sim) {
    state.SkipWithError("simulator did not start");
    return;
  }
  auto client = sim::TestClient::Connect(sim->port(), sim::TestClient::Options{});
  if (!client.ok()) {
    state.SkipWithError("client did not connect");
    return;
  }
  protocol::ReqTickByTickData r;
  r.req_id = 1;
  r.contract.con_id = kBurstConId;
  r.tick_type = "BidAsk";
  if (!(*client)->Send(r).ok() || !(*client)->RoundTrip()) {
    state.SkipWithError("subscribe failed");
    return;
  }
  sim::TestClient* c = client->get();
  c->CountOnly();
  std::atomic<uint64_t> frames{0};
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) {
      c->WaitFor([&] { return stop.load(); }, std::chrono::milliseconds(20));
      frames.store(c->messages());
    }
  });
  const uint64_t base_frames = c->messages();
  const uint64_t base = sim->stats().ticks_delivered;
  uint64_t delivered = base;
  for (auto _ : state) {
    sim_clock.Advance(1s);
    sim->Sync();
    delivered = sim->stats().ticks_delivered;
    while (frames.load() - base_frames < delivered - base) std::this_thread::yield();
  }
  stop = true;
  reader.join();
  state.SetItemsProcessed(static_cast<int64_t>(delivered - base));
  sim->Stop();
}

// BM_SimulatorOnly: one virtual second per iteration, generated as fast as the simulator can.
BENCHMARK(BM_SimulatorOnly)
    ->Arg(1'000'000)
    ->Iterations(10)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
// The recorder: the offered rate (ticks per second), ten real seconds each.
BENCHMARK_CAPTURE(BM_RecorderEndToEnd, fsync_batch, storage::FsyncPolicy::kBatch)
    ->Arg(500'000)
    ->Arg(750'000)
    ->Arg(1'000'000)
    ->Iterations(10)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RecorderEndToEnd, fsync_always, storage::FsyncPolicy::kAlways)
    ->Arg(500'000)
    ->Iterations(10)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ibstream::recorder
