// The merge rate of `ibstream merge --nats` against the same merge without NATS, measured in the
// same run (BENCHMARKS.md, "Merging from NATS"). Needs nats-server (scripts/setup.sh); without it
// the NATS benchmark reports an error and the baseline still runs.
//
// Both merge two recorders' copies of the same N ticks per recorder (one contract, bid_ask and
// last, 10 ticks per second per stream) into a fresh merged store:
// BM_MergeHeldTicks: the baseline: the ticks already decoded and held in memory (the merge's
//   BufferedSource, no NATS), merged by merge::MergeStores: what the merge costs by itself.
// BM_NatsMergeTwoRecorders: the ticks already in a JetStream stream (published untimed; the
//   publish rate of that setup is reported as `publish_ticks_per_s`); timed from the start of
//   `RunNatsMerge(until_caught_up)` until it returns: fetched, decoded, merged, acknowledged.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>

#include "cluster/jetstream_link.h"
#include "cluster/nats_merge.h"
#include "cluster/nats_merge_source.h"
#include "cluster/nats_server.h"
#include "cluster/publisher.h"
#include "cluster/wire.h"
#include "merge/merger.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

namespace ibstream::cluster {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kMbT0 = 1755770400;  // 2025-08-21T10:00:00Z
constexpr int64_t kMbContract = 711280073;

std::string MergeBenchTempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "natsmergebench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return {};
  return tmpl;
}

// The i-th tick of the N a recorder records: bid_ask and last alternate, 20 ticks per second.
Tick MergeBenchTick(int64_t i) {
  const TickType type = i % 2 == 0 ? TickType::kBidAsk : TickType::kLast;
  return storage::testing::MakeTick(kMbContract, type, kMbT0 + i / 20,
                                    static_cast<uint64_t>(i) + 1);
}

JournalPosition MergeBenchPosition(int64_t i) {
  JournalPosition position;
  position.hour_ns = kMbT0 * 1'000'000'000;
  position.record = static_cast<uint64_t>(i);
  return position;
}

struct MergeBenchServer {
  MergeBenchServer() : dir(MergeBenchTempDir()) {
    const std::string binary = testing::FindNatsServer();
    if (binary.empty() || dir.empty()) return;
    server = std::make_unique<testing::NatsServer>(binary, dir + "/jetstream");
    if (!server->Start().ok()) server.reset();
  }
  ~MergeBenchServer() {
    server.reset();
    ShutdownNatsLibrary();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
  std::string dir;
  std::unique_ptr<testing::NatsServer> server;
};

MergeBenchServer& SharedMergeBenchServer() {
  static MergeBenchServer server;
  return server;
}

void BM_MergeHeldTicks(benchmark::State& state) {
  const int64_t n = state.range(0);
  for (auto _ : state) {
    state.PauseTiming();
    const std::string dir = MergeBenchTempDir();
    BufferedSource a("a", 0s);
    BufferedSource b("b", 0s);
    for (int64_t i = 0; i < n; ++i) {
      std::string record;
      storage::AppendTick(MergeBenchTick(i), &record);
      auto decoded = DecodeTickBody(EncodeTickBody(MergeBenchPosition(i), record));
      a.AddTick(*decoded, "");
      b.AddTick(*decoded, "");
    }
    merge::MergeOptions options;
    options.out = dir + "/merged";
    state.ResumeTiming();
    auto report =
        merge::MergeStores(fs::PosixFileSystem(), SystemClock::Instance(), {&a, &b}, options);
    state.PauseTiming();
    if (!report.ok() || report->ticks != static_cast<uint64_t>(n)) {
      state.SkipWithError("the merge failed or lost ticks");
    }
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void BM_NatsMergeTwoRecorders(benchmark::State& state) {
  const int64_t n = state.range(0);
  if (SharedMergeBenchServer().server == nullptr) {
    state.SkipWithError("nats-server is not installed or did not start");
    return;
  }
  const std::string url = SharedMergeBenchServer().server->url();
  static int iteration = 0;
  double publish_seconds = 0;
  for (auto _ : state) {
    // A stream of its own per iteration, so that nothing is a duplicate of an earlier one.
    const std::string name = "MB" + std::to_string(++iteration);
    const std::string prefix = "mb" + std::to_string(iteration);
    const std::string dir = MergeBenchTempDir();
    LinkOptions link_options;
    link_options.url = url;
    link_options.stream = name;
    link_options.stream_subjects = StreamSubjects(prefix);
    JetStreamLink link(link_options);
    const SteadyClock& steady = SteadyClock::Real();
    const auto publish_start = steady.Now();
    bool published = link.Connect().ok();
    for (const char* recorder : {"a", "b"}) {
      std::vector<OutMessage> messages;
      for (int64_t i = 0; i < n && published; ++i) {
        const Tick tick = MergeBenchTick(i);
        std::string record;
        storage::AppendTick(tick, &record);
        messages.push_back({TickSubject(prefix, recorder, tick.stream()),
                            TickMessageId(recorder, MergeBenchPosition(i)),
                            EncodeTickBody(MergeBenchPosition(i), record), "live"});
        if (messages.size() == 10'000 || i + 1 == n) {
          uint64_t duplicates = 0;
          published = link.PublishAll(messages, &duplicates).ok();
          messages.clear();
        }
      }
    }
    publish_seconds += std::chrono::duration<double>(steady.Now() - publish_start).count();
    if (!published) {
      state.SkipWithError("publishing the ticks failed");
      break;
    }
    NatsMergeOptions options;
    options.url = url;
    options.stream = name;
    options.subject_prefix = prefix;
    options.out = dir + "/merged";
    options.until_caught_up = true;
    options.fetch_wait = 200ms;
    std::atomic<bool> stop{false};
    const auto merge_start = steady.Now();
    auto merged = RunNatsMerge(fs::PosixFileSystem(), SystemClock::Instance(), options, stop);
    state.SetIterationTime(std::chrono::duration<double>(steady.Now() - merge_start).count());
    if (!merged.ok() || merged->merged_ticks != static_cast<uint64_t>(n)) {
      state.SkipWithError("the merge failed or lost ticks");
    }
    std::filesystem::remove_all(dir);
  }
  state.counters["publish_ticks_per_s"] =
      static_cast<double>(2 * n * state.iterations()) / std::max(publish_seconds, 1e-9);
  state.SetItemsProcessed(state.iterations() * n);
}

BENCHMARK(BM_MergeHeldTicks)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
BENCHMARK(BM_NatsMergeTwoRecorders)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(3);

}  // namespace
}  // namespace ibstream::cluster
