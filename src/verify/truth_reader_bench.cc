// Reading the simulator's ground truth: what `ibstream verify --truth` and the recorder-against-
// simulator tests pay per record. The file is written by sim::TruthWriter: an MNQ-like mix of
// bid/ask, last and midpoint records, as the simulator writes them.
//
//   build/src/verify/truth_reader_bench
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

#include "common/clock.h"
#include "sim/truth_writer.h"
#include "verify/truth_reader.h"

namespace ibstream::verify {
namespace {

constexpr int64_t kMnqCon = 711202509;
constexpr int64_t kStartSecond = 1754920800;  // 2025-08-11 14:00 UTC

// Writes `records` tick records once per process and returns the file's path.
std::string TruthFile(int records) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("truth_reader_bench_" + std::to_string(::getpid()) + "_" +
                             std::to_string(records) + ".jsonl"))
                               .string();
  if (std::filesystem::exists(path)) return path;
  auto writer = sim::TruthWriter::Open(path);
  if (!writer.ok()) return path;
  const TimePoint start = FromUnixSeconds(kStartSecond);
  (*writer)->WriteHeader(7, start, 100);
  std::mt19937_64 rng(7);
  double bid = 21461.0;
  for (int i = 0; i < records; ++i) {
    Tick t;
    t.contract_id = kMnqCon;
    t.receive_time = start + std::chrono::microseconds(i * 37'000);
    t.exchange_time = FromUnixSeconds(ToUnixSeconds(t.receive_time));
    bid += static_cast<double>(static_cast<int>(rng() % 3) - 1) * 0.25;
    switch (i % 4) {
      case 0:
      case 1:
        t.type = TickType::kBidAsk;
        t.bid_price = bid;
        t.ask_price = bid + 0.25;
        t.bid_size = Decimal::FromInt(static_cast<int64_t>(1 + rng() % 9));
        t.ask_size = Decimal::FromInt(static_cast<int64_t>(1 + rng() % 9));
        break;
      case 2:
        t.type = TickType::kLast;
        t.price = bid;
        t.size = Decimal::FromInt(static_cast<int64_t>(1 + rng() % 5));
        t.exchange = "CME";
        break;
      default:
        t.type = TickType::kMidPoint;
        t.price = bid + 0.125;
        break;
    }
    (*writer)->WriteTick(t, "MNQ", static_cast<int>(i % 2));
  }
  (*writer)->WriteFooter(start + std::chrono::microseconds(records * 37'000));
  (void)(*writer)->Flush();
  return path;
}

void BM_ReadTruthFile(benchmark::State& state) {
  const int records = static_cast<int>(state.range(0));
  const std::string path = TruthFile(records);
  uint64_t ticks = 0;
  for (auto _ : state) {
    TruthVisitor visitor;
    visitor.on_tick = [&](const TruthTick& t) {
      ticks += t.delivered ? 1 : 0;
      return Status::Ok();
    };
    TruthReadStats stats;
    const Status st = ReadTruthFile(path, visitor, &stats);
    if (!st.ok() || stats.ticks != static_cast<uint64_t>(records)) {
      state.SkipWithError(st.ok() ? "wrong tick count" : st.ToString().c_str());
      break;
    }
  }
  benchmark::DoNotOptimize(ticks);
  state.SetItemsProcessed(state.iterations() * records);
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(std::filesystem::file_size(path)));
}
BENCHMARK(BM_ReadTruthFile)->Arg(200'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ibstream::verify
