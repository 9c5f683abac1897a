// Merge rate: two stores of the same hour of 4 streams with different holes merged into a third
// (`build/src/merge/merge_bench`; BENCHMARKS.md), reported as merged ticks written per second,
// against the baseline of reading both stores' ticks (ticks read per second).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "merge/merger.h"
#include "storage/query.h"
#include "storage/recovery.h"
#include "storage/store.h"
#include "storage/test_ticks.h"

namespace ibstream::merge {
namespace {

namespace stdfs = std::filesystem;
constexpr int64_t kT0 = 1755770400;  // 2025-08-21T10:00:00Z

// `seconds` seconds of 4 streams at `per_second` ticks each; the store lacks [hole_from, hole_to).
void WriteStore(const std::string& root, const Clock& clock, int64_t seconds, int per_second,
                int64_t hole_from, int64_t hole_to) {
  storage::StoreOptions options;
  options.root = root;
  options.background_maintenance = false;
  options.writer.fsync = storage::FsyncPolicy::kOff;
  auto store = storage::Store::Open(fs::PosixFileSystem(), clock, options);
  if (!store.ok()) std::abort();
  uint64_t sequence = 1;
  for (int64_t s = 0; s < seconds; ++s) {
    for (TickType type :
         {TickType::kBidAsk, TickType::kLast, TickType::kMidPoint, TickType::kAllLast}) {
      for (int i = 0; i < per_second; ++i) {
        const Tick tick = storage::testing::MakeTick(711, type, kT0 + s, sequence++);
        if (s >= hole_from && s < hole_to) continue;
        while (!(*store)->writer().Append(tick).ok()) {
          if (!(*store)->writer().Flush(std::chrono::minutes(1)).ok()) std::abort();
        }
      }
    }
  }
  if (hole_to > hole_from) {
    for (TickType type :
         {TickType::kBidAsk, TickType::kLast, TickType::kMidPoint, TickType::kAllLast}) {
      storage::GapRecord gap;
      gap.stream = {711, type};
      gap.start = FromUnixSeconds(kT0 + hole_from);
      gap.end = FromUnixSeconds(kT0 + hole_to);
      gap.cause = "disconnect";
      if (!(*store)->ledger().Add(gap).ok()) std::abort();
    }
  }
  (*store)->Close();
  store->reset();
  auto hours = storage::ListJournalHours(fs::PosixFileSystem(), root);
  for (TimePoint hour : *hours) {
    storage::ConversionReport report;
    if (!storage::ConvertJournalHour(fs::PosixFileSystem(), root, hour, 3, &report).ok()) {
      std::abort();
    }
  }
}

// The same stores written once per argument (ticks per second per stream).
const stdfs::path& Stores(int per_second) {
  static int written = -1;
  static const stdfs::path base = stdfs::temp_directory_path() / "ibstream_merge_bench";
  if (written < 0) std::atexit([] { stdfs::remove_all(base); });
  if (written != per_second) {
    stdfs::remove_all(base);
    ManualClock clock(FromUnixSeconds(kT0 + 86400));
    WriteStore((base / "a").string(), clock, 3600, per_second, 600, 900);
    WriteStore((base / "b").string(), clock, 3600, per_second, 800, 1500);
    written = per_second;
  }
  return base;
}

// Baseline: reading both sources' ticks of the hour (what the merge has to read at least).
void BM_ReadTwoStores(benchmark::State& state) {
  const stdfs::path& base = Stores(static_cast<int>(state.range(0)));
  uint64_t ticks = 0;
  for (auto _ : state) {
    for (const char* name : {"a", "b"}) {
      storage::QueryRequest request;
      for (TickType type :
           {TickType::kBidAsk, TickType::kLast, TickType::kMidPoint, TickType::kAllLast}) {
        request.streams.push_back({711, type});
      }
      request.from = FromUnixSeconds(kT0);
      request.to = FromUnixSeconds(kT0 + 3600);
      const Status status = storage::QueryTicks(
          fs::PosixFileSystem(), (base / name).string(), request,
          [&](const Tick&) {
            ++ticks;
            return Status::Ok();
          },
          nullptr);
      if (!status.ok()) state.SkipWithError(status.ToString().c_str());
    }
  }
  state.counters["ticks_per_s"] =
      benchmark::Counter(static_cast<double>(ticks), benchmark::Counter::kIsRate);
}

void BM_MergeTwoStores(benchmark::State& state) {
  const stdfs::path& base = Stores(static_cast<int>(state.range(0)));
  ManualClock clock(FromUnixSeconds(kT0 + 86400));
  uint64_t ticks = 0;
  for (auto _ : state) {
    state.PauseTiming();
    stdfs::remove_all(base / "merged");
    auto a = OpenStoreSource(fs::PosixFileSystem(), "a", (base / "a").string());
    auto b = OpenStoreSource(fs::PosixFileSystem(), "b", (base / "b").string());
    state.ResumeTiming();
    MergeOptions options;
    options.out = (base / "merged").string();
    auto report = MergeStores(fs::PosixFileSystem(), clock, {a->get(), b->get()}, options);
    if (!report.ok()) {
      state.SkipWithError(report.status().ToString().c_str());
      break;
    }
    ticks += report->ticks;
  }
  state.counters["ticks_per_s"] =
      benchmark::Counter(static_cast<double>(ticks), benchmark::Counter::kIsRate);
}
// Read and merge of one size back to back, so that the stores are written once per size.
BENCHMARK(BM_ReadTwoStores)->Arg(10)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MergeTwoStores)->Arg(10)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReadTwoStores)->Arg(50)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MergeTwoStores)->Arg(50)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace ibstream::merge
