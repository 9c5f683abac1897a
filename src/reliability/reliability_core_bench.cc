// The per-tick hot path and the once-a-second evaluation of the reliability core.
#include <benchmark/benchmark.h>

#include <vector>

#include "reliability/reliability_core.h"

namespace ibstream::reliability {
namespace {

const calendar::MarketState kOpenState{calendar::MarketStatus::kOpen, std::nullopt, std::nullopt};

class NullSink : public AlertSink {
 public:
  void Deliver(std::span<const Alert>) override {}
};

std::vector<StreamKey> Streams(int contracts) {
  std::vector<StreamKey> out;
  for (int c = 0; c < contracts; ++c) {
    for (TickType t : {TickType::kBidAsk, TickType::kLast}) out.push_back({1000 + c, t});
  }
  return out;
}

// A core with `contracts` contracts x 2 streams, connected, subscribed, market open.
void Prepare(ReliabilityCore& core, const std::vector<StreamKey>& streams, TimePoint now) {
  for (const StreamKey& s : streams) core.AddStream(s);
  for (const StreamKey& s : streams) core.OnMarketState(s.contract_id, kOpenState, now);
  (void)core.Evaluate(now);
  core.OnConnectionUp(now);
  (void)core.Evaluate(now);
  for (const StreamKey& s : streams) core.OnSubscribed(s, now);
}

void BM_OnTick(benchmark::State& state) {
  NullSink sink;
  ReliabilityCore core(ReliabilityOptions{}, sink);
  const auto streams = Streams(static_cast<int>(state.range(0)));
  TimePoint now = FromUnixSeconds(1'754'920'800);
  Prepare(core, streams, now);
  size_t i = 0;
  for (auto _ : state) {
    now += std::chrono::microseconds(50);
    core.OnTick(streams[i], now);
    i = (i + 1) % streams.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OnTick)->Arg(1)->Arg(10);

void BM_Evaluate(benchmark::State& state) {
  NullSink sink;
  ReliabilityCore core(ReliabilityOptions{}, sink);
  const auto streams = Streams(static_cast<int>(state.range(0)));
  TimePoint now = FromUnixSeconds(1'754'920'800);
  Prepare(core, streams, now);
  for (auto _ : state) {
    now += std::chrono::seconds(1);
    for (const StreamKey& s : streams) {
      core.OnMarketState(s.contract_id, kOpenState, now);
      core.OnTick(s, now);
    }
    benchmark::DoNotOptimize(core.Evaluate(now));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Evaluate)->Arg(1)->Arg(10);

}  // namespace
}  // namespace ibstream::reliability
