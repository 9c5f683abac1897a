// Per-tick cost of the export formats. Each iteration renders (or parses) one tick; the output
// buffer is reused, so steady-state rendering allocates nothing.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <vector>

#include "formats/python_float.h"
#include "formats/test_ticks.h"
#include "formats/tick_csv.h"
#include "formats/tick_jsonl.h"
#include "formats/v3_archive.h"
#include "formats/v3_json.h"
#include "formats/v3_live_output.h"
#include "formats/v3_protobuf.h"
#include "formats/v3_reader.h"

namespace ibstream::formats {
namespace {

// A realistic mix: MNQ-like quarter-point prices, small whole sizes, 2/3 quotes and 1/3 trades.
std::vector<Tick> MixedTicks() {
  std::mt19937_64 random(42);
  std::vector<Tick> ticks;
  for (int i = 0; i < 4096; ++i) {
    Tick tick = i % 3 == 2 ? testing::VerbatimLast() : testing::VerbatimBidAsk();
    const double price = 23000.0 + static_cast<double>(random() % 2000) * 0.25;
    tick.price = price;
    tick.bid_price = price;
    tick.ask_price = price + 0.25;
    tick.size = Decimal::FromInt(1 + static_cast<int64_t>(random() % 20));
    tick.bid_size = Decimal::FromInt(1 + static_cast<int64_t>(random() % 20));
    tick.ask_size = Decimal::FromInt(1 + static_cast<int64_t>(random() % 20));
    tick.exchange = "CME";
    ticks.push_back(tick);
  }
  return ticks;
}

template <typename Render>
void RenderEach(benchmark::State& state, Render render) {
  const std::vector<Tick> ticks = MixedTicks();
  std::string out;
  size_t i = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    out.clear();
    render(ticks[i++ % ticks.size()], out);
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_RenderV3Json(benchmark::State& state) {
  RenderEach(state, [](const Tick& tick, std::string& out) { AppendV3Json(tick, out); });
}
BENCHMARK(BM_RenderV3Json);

void BM_RenderV3Protobuf(benchmark::State& state) {
  RenderEach(state,
             [](const Tick& tick, std::string& out) { AppendV3Protobuf(tick, out).IgnoreError(); });
}
BENCHMARK(BM_RenderV3Protobuf);

void BM_RenderJsonl(benchmark::State& state) {
  RenderEach(state, [](const Tick& tick, std::string& out) { AppendJsonl(tick, out); });
}
BENCHMARK(BM_RenderJsonl);

void BM_RenderCsv(benchmark::State& state) {
  RenderEach(state, [](const Tick& tick, std::string& out) { AppendCsvRow(tick, out); });
}
BENCHMARK(BM_RenderCsv);

void BM_PythonFloat(benchmark::State& state) {
  std::string out;
  double value = 23260.25;
  for (auto _ : state) {
    out.clear();
    AppendPythonFloat(value, out);
    value += 0.25;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PythonFloat);

// Decoding a whole buffer of records; items = records.
template <typename Encode, typename Decode>
void DecodeAll(benchmark::State& state, Encode encode, Decode decode) {
  std::string data;
  const std::vector<Tick> ticks = MixedTicks();
  for (const Tick& tick : ticks) encode(tick, data);
  for (auto _ : state) {
    V3ReadStats stats;
    uint64_t sum = 0;
    decode(
        data, [&](const V3Record& record) { sum += record.tick.sequence; }, stats);
    benchmark::DoNotOptimize(sum);
    if (stats.errors != 0) state.SkipWithError("decode errors");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(ticks.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(data.size()));
}

void BM_DecodeV3Json(benchmark::State& state) {
  DecodeAll(
      state, [](const Tick& tick, std::string& out) { AppendV3Json(tick, out); },
      DecodeV3JsonLines);
}
BENCHMARK(BM_DecodeV3Json);

void BM_DecodeV3Protobuf(benchmark::State& state) {
  DecodeAll(
      state, [](const Tick& tick, std::string& out) { AppendV3Protobuf(tick, out).IgnoreError(); },
      DecodeV3ProtobufRecords);
}
BENCHMARK(BM_DecodeV3Protobuf);

// A scratch directory for the file benchmarks, removed when the benchmark ends.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("export_bench_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// MixedTicks spread over one hour, one second apart per 4 ticks.
std::vector<Tick> HourOfTicks() {
  std::vector<Tick> ticks = MixedTicks();
  for (size_t i = 0; i < ticks.size(); ++i) {
    ticks[i].exchange_time = FromUnixSeconds(1755784800 + static_cast<int64_t>(i / 4));
    ticks[i].receive_time = ticks[i].exchange_time + std::chrono::microseconds(300);
  }
  return ticks;
}

// The recorder thread's cost: Offer() of 4096 ticks (timed) into a running live output (both
// formats) whose writer thread drains the queue to files meanwhile; then, untimed, the wait
// until it is idle, so no offer is dropped.
void BM_V3LiveOutputOffer(benchmark::State& state) {
  ScratchDir dir("offer");
  const std::vector<Tick> ticks = HourOfTicks();
  V3LiveOutputOptions options;
  options.writer.base_dir = dir.path();
  V3LiveOutput output(options, SystemClock::Instance());
  if (!output.Start().ok()) state.SkipWithError("start failed");
  for (auto _ : state) {
    for (const Tick& tick : ticks) output.Offer(tick);
    state.PauseTiming();
    output.WaitIdle(std::chrono::seconds(60));
    state.ResumeTiming();
  }
  (void)output.Stop();
  if (output.stats().dropped != 0) state.SkipWithError("ticks dropped");
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(ticks.size()));
}
BENCHMARK(BM_V3LiveOutputOffer)->Iterations(300);

// Sustained: 4096 ticks offered, then waited for until written (both formats, page cache).
void BM_V3LiveOutputSustained(benchmark::State& state) {
  ScratchDir dir("sustained");
  const std::vector<Tick> ticks = HourOfTicks();
  V3LiveOutputOptions options;
  options.writer.base_dir = dir.path();
  V3LiveOutput output(options, SystemClock::Instance());
  if (!output.Start().ok()) state.SkipWithError("start failed");
  for (auto _ : state) {
    for (const Tick& tick : ticks) output.Offer(tick);
    output.WaitIdle(std::chrono::seconds(60));
  }
  (void)output.Stop();
  if (output.stats().dropped != 0) state.SkipWithError("ticks dropped");
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(ticks.size()));
}
BENCHMARK(BM_V3LiveOutputSustained)->UseRealTime();

// Reading an hour of an original archive (4096 ticks, JSON read, protobuf twins skipped).
void BM_ReadV3Archive(benchmark::State& state) {
  ScratchDir dir("archive");
  const std::vector<Tick> ticks = HourOfTicks();
  V3WriterOptions writer_options;
  writer_options.base_dir = dir.path();
  V3Writer writer(writer_options);
  for (const Tick& tick : ticks) (void)writer.Append(tick);
  (void)writer.Close();
  V3ArchiveRequest request;
  request.dir = dir.path();
  request.contract_id = testing::kMnq;
  request.from = FromUnixSeconds(1755784800);
  request.to = FromUnixSeconds(1755784800 + 3600);
  request.prefer = static_cast<V3Format>(state.range(0));
  for (auto _ : state) {
    uint64_t count = 0;
    (void)ReadV3Archive(
        request,
        [&count](const Tick&) {
          ++count;
          return Status::Ok();
        },
        nullptr);
    if (count != ticks.size()) state.SkipWithError("wrong count");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(ticks.size()));
}
BENCHMARK(BM_ReadV3Archive)->Arg(0)->Arg(1)->ArgName("protobuf");

}  // namespace
}  // namespace ibstream::formats
