// End-to-end throughput of the simulator: tick-by-tick BidAsk messages from generation to a
// client's socket, on the simulator's one loop thread.
//
// A scenario-style contract quotes 1,000,000 times per (virtual) second around the clock; one
// client on loopback subscribes to it and counts frames on its own thread. Each iteration
// advances the manual clock by one second, lets the simulator generate, encode and write that
// second, and waits until the client has received every message. items_per_second is the
// delivered tick-by-tick messages per real second.
//
//   build-<dir>/src/sim/sim_bench --benchmark_min_time=3
#include <benchmark/benchmark.h>

#include <atomic>
#include <thread>

#include "sim/simulator.h"
#include "sim/test_client.h"

namespace ibstream::sim {
namespace {

constexpr int32_t kBenchConId = 990001;

SimContract BenchContract(double quotes_per_second) {
  protocol::ContractDetails d;
  d.contract.con_id = kBenchConId;
  d.contract.symbol = "BENCH";
  d.contract.sec_type = "FUT";
  d.contract.exchange = "CME";
  d.contract.currency = "USD";
  d.min_tick = 0.25;
  SessionSpec s;
  s.time_zone_id = "UTC";
  s.trading_open_minute = 0;
  s.trading_close_minute = 24 * 60;
  s.liquid_open_minute = 0;
  s.liquid_close_minute = 24 * 60;
  s.trading_weekdays.fill(true);
  TickProfile p;
  p.base_price = 21500;
  p.quotes_per_second_liquid = quotes_per_second;
  p.quotes_per_second_extended = quotes_per_second;
  p.trades_per_second_liquid = 0;
  p.trades_per_second_extended = 0;
  p.burst_probability = 0;
  return MakeContract(d, "usfuture", s, p).value();
}

void BM_TickByTickToOneClient(benchmark::State& state) {
  ManualClock clock(ParseIsoTime("2025-08-12T14:00:00Z").value());
  SimulatorOptions options;
  options.listen_port = 0;
  options.quiet = true;
  options.poll_interval = std::chrono::milliseconds(1000);  // Sync() drives it
  options.send_buffer_bytes = size_t{1} << 30;
  options.extra_contracts.push_back(BenchContract(static_cast<double>(state.range(0))));
  Simulator sim(clock, options);
  if (!sim.Start().ok()) {
    state.SkipWithError("simulator did not start");
    return;
  }
  TestClient::Options co;
  auto client = TestClient::Connect(sim.port(), co);
  if (!client.ok()) {
    state.SkipWithError("client did not connect");
    return;
  }
  protocol::ReqTickByTickData r;
  r.req_id = 1;
  r.contract.con_id = kBenchConId;
  r.tick_type = "BidAsk";
  if (!(*client)->Send(r).ok() || !(*client)->RoundTrip()) {
    state.SkipWithError("subscribe failed");
    return;
  }
  // From here on a second thread reads and counts frames; the simulator works on its own thread.
  std::atomic<uint64_t> frames{0};
  std::atomic<bool> stop{false};
  TestClient* c = client->get();
  c->CountOnly();
  std::thread reader([&] {
    while (!stop.load()) {
      c->WaitFor([&] { return stop.load(); }, std::chrono::milliseconds(20));
      frames.store(c->messages());
    }
  });
  const uint64_t base = c->messages();
  uint64_t expected = 0;
  for (auto _ : state) {
    clock.Advance(std::chrono::seconds(1));
    sim.Sync();
    expected = sim.stats().ticks_delivered;
    while (frames.load() - base < expected) std::this_thread::yield();
  }
  stop = true;
  reader.join();
  state.SetItemsProcessed(static_cast<int64_t>(expected));
  state.counters["bytes_per_message"] =
      static_cast<double>(sim.stats().bytes_sent) / static_cast<double>(expected + 1);
  sim.Stop();
}
BENCHMARK(BM_TickByTickToOneClient)->Arg(1000000)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ibstream::sim
