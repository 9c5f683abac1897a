// Proves the steady-state claims: framing and decoding tick-by-tick (and the other hot messages)
// allocate nothing per message once buffers have grown, and neither does encoding them into a
// reused string. This binary replaces the global operator new to count allocations.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "protocol/framing.h"
#include "protocol/server_messages.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// The replacements pair malloc with free; GCC cannot see that and warns at the delete side.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace ibstream::protocol::no_alloc_test {
namespace {

// Touches every field so nothing is optimised away.
class SummingHandler : public ServerMessageHandler {
 public:
  double sum = 0;
  size_t bytes = 0;
  long messages = 0;

  void OnTickByTickLast(const TickByTickLast& m) override {
    sum += m.price + m.size.ToDouble() + static_cast<double>(m.time);
    bytes += m.exchange.size() + m.special_conditions.size();
    ++messages;
  }
  void OnTickByTickBidAsk(const TickByTickBidAsk& m) override {
    sum += m.bid_price + m.ask_price + static_cast<double>(m.bid_size.mantissa()) +
           static_cast<double>(m.ask_size.mantissa());
    ++messages;
  }
  void OnTickByTickMidPoint(const TickByTickMidPoint& m) override {
    sum += m.mid_point;
    ++messages;
  }
  void OnTickPrice(const TickPrice& m) override {
    sum += m.price;
    ++messages;
  }
  void OnTickSize(const TickSize& m) override {
    sum += static_cast<double>(m.size.mantissa());
    ++messages;
  }
  void OnMarketDepth(const MarketDepth& m) override {
    sum += m.price + static_cast<double>(m.size.mantissa());
    ++messages;
  }
  void OnMarketDepthL2(const MarketDepthL2& m) override {
    sum += m.price;
    bytes += m.market_maker.size();
    ++messages;
  }
  void OnHistoricalTicksBidAsk(const HistoricalTicksBidAsk& m) override {
    messages += static_cast<long>(m.ticks.size());
  }
  void OnHistoricalTicksLast(const HistoricalTicksLast& m) override {
    messages += static_cast<long>(m.ticks.size());
  }
  void OnError(const ErrorMessage& m) override {
    bytes += m.text.size();
    ++messages;
  }
};

std::string MakeStream(int sv) {
  std::string stream;
  HistoricalTickBidAsk bid_ask[20];
  HistoricalTickLast last[20];
  for (int i = 0; i < 20; ++i) {
    bid_ask[i] = {1754925330 + i, {}, 21500.25, 21500.5, Decimal::FromInt(3), Decimal::FromInt(5)};
    last[i] = {1754925330 + i, {}, 21500.5, Decimal::FromInt(1), "CME", ""};
  }
  for (int i = 0; i < 200; ++i) {
    const int64_t t = 1754925330 + i;
    EXPECT_TRUE(EncodeServerMessage(TickByTickBidAsk{2001,
                                                     t,
                                                     21500.25,
                                                     21500.5,
                                                     Decimal::FromInt(3 + i % 7),
                                                     Decimal::FromParts(55, 1),
                                                     {}},
                                    sv, stream)
                    .ok());
    EXPECT_TRUE(
        EncodeServerMessage(
            TickByTickLast{
                2002, TickByTickType::kAllLast, t, 21500.5, Decimal::FromInt(1), {}, "CME", "  "},
            sv, stream)
            .ok());
    EXPECT_TRUE(EncodeServerMessage(TickByTickMidPoint{2003, t, 21500.375}, sv, stream).ok());
    EXPECT_TRUE(
        EncodeServerMessage(TickPrice{3001, 1, 21500.25, Decimal::FromInt(3), {}}, sv, stream)
            .ok());
    EXPECT_TRUE(EncodeServerMessage(TickSize{3001, 8, Decimal::FromInt(12345)}, sv, stream).ok());
    EXPECT_TRUE(EncodeServerMessage(MarketDepth{4001, i % 10, DepthOperation::kUpdate,
                                                DepthSide::kBid, 21500.25, Decimal::FromInt(7)},
                                    sv, stream)
                    .ok());
    EXPECT_TRUE(
        EncodeServerMessage(MarketDepthL2{4002, i % 10, "ARCA", DepthOperation::kInsert,
                                          DepthSide::kAsk, 229.51, Decimal::FromInt(100), true},
                            sv, stream)
            .ok());
  }
  EXPECT_TRUE(EncodeServerMessage(HistoricalTicksBidAsk{5001, bid_ask, false}, sv, stream).ok());
  EXPECT_TRUE(EncodeServerMessage(HistoricalTicksLast{5002, last, true}, sv, stream).ok());
  EXPECT_TRUE(EncodeServerMessage(ErrorMessage{-1, 2119, "farm is connecting:euf\xc3\xbcrm", ""},
                                  sv, stream)
                  .ok());
  return stream;
}

// Feeds `stream` in 4 KiB reads and decodes everything; returns the messages handled.
long Pump(const std::string& stream, FrameReader& reader, ServerMessageDecoder& decoder,
          SummingHandler& handler) {
  const long before = handler.messages;
  size_t pos = 0;
  while (pos < stream.size()) {
    const size_t n = std::min<size_t>(4096, stream.size() - pos);
    auto span = reader.WritableSpan(4096);
    std::memcpy(span.data(), stream.data() + pos, n);
    reader.Commit(n);
    pos += n;
    while (true) {
      auto frame = reader.Next();
      if (!frame.ok() || !frame->has_value()) break;
      if (!decoder.Decode(**frame, handler).ok()) return -1;
    }
  }
  return handler.messages - before;
}

TEST(NoAllocationTest, AllocationCounterWorks) {
  const long before = g_allocations.load();
  auto* p = new std::string(100, 'x');
  delete p;
  EXPECT_GE(g_allocations.load() - before, 1);
}

TEST(NoAllocationTest, SteadyStateFramingAndDecodingAllocateNothing) {
  const std::string stream = MakeStream(187);
  FrameReader reader;
  ServerMessageDecoder decoder(187);
  SummingHandler handler;
  const long warmup = Pump(stream, reader, decoder, handler);  // buffers grow here
  ASSERT_GT(warmup, 1000);

  const long before = g_allocations.load();
  long decoded = 0;
  for (int round = 0; round < 5; ++round) decoded += Pump(stream, reader, decoder, handler);
  const long allocations = g_allocations.load() - before;
  EXPECT_EQ(decoded, 5 * warmup);
  EXPECT_EQ(allocations, 0) << "allocations during " << decoded << " decoded messages";
  EXPECT_EQ(decoder.counters().total_errors(), 0u);
  EXPECT_GT(handler.sum, 0);
}

TEST(NoAllocationTest, SteadyStateEncodingAllocatesNothing) {
  std::string out;
  out.reserve(1 << 16);
  const long before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) {
    out.clear();
    const bool ok =
        EncodeServerMessage(TickByTickBidAsk{2001,
                                             1754925330 + i,
                                             21500.25,
                                             21500.5,
                                             Decimal::FromInt(3),
                                             Decimal::FromInt(5),
                                             {}},
                            187, out)
            .ok() &&
        EncodeServerMessage(TickByTickLast{2002,
                                           TickByTickType::kLast,
                                           1754925330,
                                           21500.5,
                                           Decimal::FromInt(1),
                                           {},
                                           "CME",
                                           ""},
                            187, out)
            .ok() &&
        EncodeServerMessage(TickByTickMidPoint{2003, 1754925330, 21500.375}, 187, out).ok();
    ASSERT_TRUE(ok);
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
}

}  // namespace
}  // namespace ibstream::protocol::no_alloc_test
