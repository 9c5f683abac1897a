// Merge rate: two stores of the same ticks with different holes merged into a third
// (`build/src/merge/merge_bench`; BENCHMARKS.md). Reported as ticks written per second.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "merge/merger.h"
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

void BM_MergeTwoStores(benchmark::State& state) {
  const stdfs::path base = stdfs::temp_directory_path() / "ibstream_merge_bench";
  stdfs::remove_all(base);
  ManualClock clock(FromUnixSeconds(kT0 + 86400));
  const int64_t seconds = 3600;
  const int per_second = static_cast<int>(state.range(0));
  WriteStore((base / "a").string(), clock, seconds, per_second, 600, 900);
  WriteStore((base / "b").string(), clock, seconds, per_second, 800, 1500);
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
  stdfs::remove_all(base);
}
BENCHMARK(BM_MergeTwoStores)->Arg(10)->Arg(50)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace ibstream::merge
