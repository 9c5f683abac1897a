// Publishing rate against the recorder's durable write rate, measured in the same run
// (BENCHMARKS.md, "NATS publishing"). Needs nats-server (scripts/setup.sh); without it the
// publishing benchmark reports an error and the write benchmark still runs.
//
// BM_DurableWrite: N ticks appended to a fresh store (fsync batch, 100 ms) until Flush returns.
// BM_PublishFromJournal: the same N ticks already durable in a store; a publisher with a fresh
//   cursor and recorder id (so no id is a duplicate) publishes them all to a local nats-server
//   (JetStream file storage); timed from Start until JetStream acknowledged the last one.
// BM_PublishLagUnderBurst: the publisher runs while N ticks are appended as fast as storage takes
//   them; reports the largest lag (ticks) seen and the time from the last Append until the lag is
//   back to 0.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <thread>

#include "cluster/nats_server.h"
#include "cluster/publisher.h"
#include "storage/store.h"
#include "storage/test_ticks.h"

namespace ibstream::cluster {
namespace {

using namespace std::chrono_literals;

const SystemClock& RealClock() { return SystemClock::Instance(); }

std::string MakeTempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "natsbench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return {};
  return tmpl;
}

std::unique_ptr<storage::Store> OpenStore(const std::string& root) {
  storage::StoreOptions options;
  options.root = root;
  options.background_maintenance = false;
  options.writer.fsync = storage::FsyncPolicy::kBatch;
  auto store = storage::Store::Open(fs::PosixFileSystem(), RealClock(), options);
  if (!store.ok()) return nullptr;
  return std::move(*store);
}

bool AppendTicks(storage::Store& store, int64_t n, uint64_t first_sequence) {
  const int64_t base = ToUnixNanos(RealClock().Now()) / 1000000000;
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t seq = first_sequence + static_cast<uint64_t>(i);
    const Tick tick = storage::testing::MakeTick(711280073, TickType::kBidAsk,
                                                 base + static_cast<int64_t>(seq / 1000), seq);
    while (!store.writer().Append(tick).ok()) std::this_thread::sleep_for(50us);
  }
  return store.writer().Flush(60s).ok();
}

// One nats-server for the whole run.
struct Server {
  Server() : dir(MakeTempDir()) {
    const std::string binary = testing::FindNatsServer();
    if (binary.empty() || dir.empty()) return;
    server = std::make_unique<testing::NatsServer>(binary, dir + "/jetstream");
    if (!server->Start().ok()) server.reset();
  }
  ~Server() {
    server.reset();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
  std::string dir;
  std::unique_ptr<testing::NatsServer> server;
};

Server& SharedServer() {
  static Server server;
  return server;
}

PublisherOptions Options(const std::string& root, storage::Store& store, int iteration) {
  PublisherOptions options;
  options.url = SharedServer().server->url();
  options.stream = "BENCH";
  options.subject_prefix = "bench";
  options.recorder_id = "r" + std::to_string(iteration);
  options.store_root = root;
  options.window = 1024;
  options.poll_interval = 1ms;
  storage::TickWriter* writer = &store.writer();
  options.accepted_position = [writer] { return writer->accepted_position(); };
  options.durable_position = [writer] { return writer->durable_position(); };
  return options;
}

void BM_DurableWrite(benchmark::State& state) {
  const int64_t n = state.range(0);
  for (auto _ : state) {
    state.PauseTiming();
    const std::string dir = MakeTempDir();
    auto store = OpenStore(dir + "/store");
    state.ResumeTiming();
    if (store == nullptr || !AppendTicks(*store, n, 1)) state.SkipWithError("store failed");
    state.PauseTiming();
    store.reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void BM_PublishFromJournal(benchmark::State& state) {
  const int64_t n = state.range(0);
  if (SharedServer().server == nullptr) {
    state.SkipWithError("nats-server is not installed or did not start");
    return;
  }
  const std::string dir = MakeTempDir();
  auto store = OpenStore(dir + "/store");
  if (store == nullptr || !AppendTicks(*store, n, 1)) {
    state.SkipWithError("store failed");
    return;
  }
  static int iteration = 0;
  for (auto _ : state) {
    auto publisher = Publisher::Start(fs::PosixFileSystem(), RealClock(),
                                      Options(dir + "/store", *store, ++iteration));
    if (!publisher.ok()) {
      state.SkipWithError(publisher.status().ToString().c_str());
      break;
    }
    while ((*publisher)->stats().ticks_published < static_cast<uint64_t>(n)) {
      std::this_thread::sleep_for(200us);
    }
    state.PauseTiming();
    publisher->reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
  store.reset();
  std::filesystem::remove_all(dir);
}

void BM_PublishLagUnderBurst(benchmark::State& state) {
  const int64_t n = state.range(0);
  if (SharedServer().server == nullptr) {
    state.SkipWithError("nats-server is not installed or did not start");
    return;
  }
  static int iteration = 1000;
  uint64_t max_lag = 0;
  double drain_seconds = 0;
  for (auto _ : state) {
    const std::string dir = MakeTempDir();
    auto store = OpenStore(dir + "/store");
    auto publisher = Publisher::Start(fs::PosixFileSystem(), RealClock(),
                                      Options(dir + "/store", *store, ++iteration));
    if (store == nullptr || !publisher.ok()) {
      state.SkipWithError("store or publisher failed");
      break;
    }
    std::atomic<bool> done{false};
    std::thread sampler([&] {
      while (!done.load()) {
        max_lag = std::max<uint64_t>(max_lag, (*publisher)->stats().lag_ticks);
        std::this_thread::sleep_for(1ms);
      }
    });
    AppendTicks(*store, n, 1);
    const auto appended = std::chrono::steady_clock::now();
    while ((*publisher)->stats().ticks_published < static_cast<uint64_t>(n)) {
      std::this_thread::sleep_for(200us);
    }
    drain_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - appended).count();
    done = true;
    sampler.join();
    publisher->reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  state.counters["max_lag_ticks"] = static_cast<double>(max_lag);
  state.counters["drain_s"] =
      drain_seconds / static_cast<double>(std::max<int64_t>(1, state.iterations()));
  state.SetItemsProcessed(state.iterations() * n);
}

BENCHMARK(BM_DurableWrite)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
BENCHMARK(BM_PublishFromJournal)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
BENCHMARK(BM_PublishLagUnderBurst)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace
}  // namespace ibstream::cluster
