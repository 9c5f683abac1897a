// Framing + decoding of tick-by-tick messages from a byte buffer, the recorder's hot path.
//
// Run: build-<dir>/src/protocol/protocol_bench --benchmark_min_time=1
// items_per_second is decoded messages per second on one core.
#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <string>

#include "protocol/framing.h"
#include "protocol/server_messages.h"

namespace ibstream::protocol {
namespace {

class SummingHandler : public ServerMessageHandler {
 public:
  double sum = 0;
  void OnTickByTickLast(const TickByTickLast& m) override {
    sum += m.price + static_cast<double>(m.size.mantissa() + m.time) +
           static_cast<double>(m.exchange.size());
  }
  void OnTickByTickBidAsk(const TickByTickBidAsk& m) override {
    sum += m.bid_price + m.ask_price + static_cast<double>(m.bid_size.mantissa()) +
           static_cast<double>(m.ask_size.mantissa() + m.time);
  }
  void OnTickByTickMidPoint(const TickByTickMidPoint& m) override {
    sum += m.mid_point + static_cast<double>(m.time);
  }
};

// A realistic mix: 60% BidAsk, 30% Last/AllLast, 10% MidPoint, prices on a 0.25 grid.
std::string MakeTickStream(int messages) {
  std::mt19937 rng(42);
  std::string stream;
  double price = 21500.25;
  for (int i = 0; i < messages; ++i) {
    const int64_t t = 1754925330 + i / 50;
    price += 0.25 * (static_cast<int>(rng() % 3) - 1);
    const int kind = static_cast<int>(rng() % 10);
    Status s;
    if (kind < 6) {
      s = EncodeServerMessage(TickByTickBidAsk{2001,
                                               t,
                                               price,
                                               price + 0.25,
                                               Decimal::FromInt(1 + rng() % 20),
                                               Decimal::FromInt(1 + rng() % 20),
                                               {kind == 0, false}},
                              187, stream);
    } else if (kind < 9) {
      s = EncodeServerMessage(
          TickByTickLast{2002,
                         kind == 8 ? TickByTickType::kAllLast : TickByTickType::kLast,
                         t,
                         price,
                         Decimal::FromInt(1 + rng() % 5),
                         {},
                         "CME",
                         ""},
          187, stream);
    } else {
      s = EncodeServerMessage(TickByTickMidPoint{2003, t, price + 0.125}, 187, stream);
    }
    if (!s.ok()) std::abort();
  }
  return stream;
}

void BM_FrameAndDecodeTickByTick(benchmark::State& state) {
  const int kMessages = 100000;
  const std::string stream = MakeTickStream(kMessages);
  const size_t read_size = static_cast<size_t>(state.range(0));
  FrameReader reader;
  ServerMessageDecoder decoder(187);
  SummingHandler handler;
  for (auto _ : state) {
    size_t pos = 0;
    while (pos < stream.size()) {
      const size_t n = std::min(read_size, stream.size() - pos);
      auto span = reader.WritableSpan(read_size);
      std::memcpy(span.data(), stream.data() + pos, n);
      reader.Commit(n);
      pos += n;
      while (true) {
        auto frame = reader.Next();
        if (!frame.ok()) std::abort();
        if (!frame->has_value()) break;
        if (!decoder.Decode(**frame, handler).ok()) std::abort();
      }
    }
  }
  benchmark::DoNotOptimize(handler.sum);
  state.SetItemsProcessed(state.iterations() * kMessages);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(stream.size()));
}
BENCHMARK(BM_FrameAndDecodeTickByTick)->Arg(4096)->Arg(65536);

// Decoding alone (payloads already split), to separate framing cost from field decoding.
void BM_DecodeTickByTickOnly(benchmark::State& state) {
  const int kMessages = 100000;
  const std::string stream = MakeTickStream(kMessages);
  std::vector<std::string_view> payloads;
  FrameReader reader;
  reader.Append(stream);
  while (true) {
    auto frame = reader.Next();
    if (!frame.ok() || !frame->has_value()) break;
    payloads.push_back(**frame);
  }
  ServerMessageDecoder decoder(187);
  SummingHandler handler;
  for (auto _ : state) {
    for (std::string_view p : payloads) {
      if (!decoder.Decode(p, handler).ok()) std::abort();
    }
  }
  benchmark::DoNotOptimize(handler.sum);
  state.SetItemsProcessed(state.iterations() * kMessages);
}
BENCHMARK(BM_DecodeTickByTickOnly);

void BM_EncodeTickByTickBidAsk(benchmark::State& state) {
  std::string out;
  out.reserve(1 << 20);
  int64_t t = 1754925330;
  for (auto _ : state) {
    if (out.size() > (1 << 19)) out.clear();
    if (!EncodeServerMessage(
             TickByTickBidAsk{
                 2001, ++t, 21500.25, 21500.5, Decimal::FromInt(3), Decimal::FromInt(5), {}},
             187, out)
             .ok()) {
      std::abort();
    }
  }
  benchmark::DoNotOptimize(out.data());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeTickByTickBidAsk);

}  // namespace
}  // namespace ibstream::protocol
