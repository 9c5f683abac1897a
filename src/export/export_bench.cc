// Per-tick cost of the export formats. Each iteration renders (or parses) one tick; the output
// buffer is reused, so steady-state rendering allocates nothing.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "export/python_float.h"
#include "export/test_ticks.h"
#include "export/tick_csv.h"
#include "export/tick_jsonl.h"
#include "export/v3_json.h"
#include "export/v3_protobuf.h"
#include "export/v3_reader.h"

namespace ibstream {
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

}  // namespace
}  // namespace ibstream
