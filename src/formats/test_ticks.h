// Ticks for the formats tests and benchmark (test-only header).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

#include "common/decimal.h"
#include "formats/v3_record.h"
#include "model/tick.h"

namespace ibstream::formats::testing {

inline constexpr int64_t kMnq = 711280073;

// The seed of a randomized test: `fixed` (so runs are deterministic) unless the environment sets
// IBSTREAM_TEST_SEED to explore others. Tests print it with SCOPED_TRACE, so a failure names it.
inline uint64_t TestSeed(uint64_t fixed) {
  const char* text = std::getenv("IBSTREAM_TEST_SEED");
  return text != nullptr && *text != '\0' ? std::stoull(text) : fixed;
}

// The bid/ask tick of the original's first verbatim record (docs/ORIGINAL.md §3.3).
inline Tick VerbatimBidAsk() {
  Tick tick;
  tick.contract_id = kMnq;
  tick.type = TickType::kBidAsk;
  tick.exchange_time = FromUnixMicros(1754010291904089);
  tick.receive_time = FromUnixMicros(1754010291904096);
  tick.bid_price = 23260.0;
  tick.bid_size = Decimal::FromInt(4);
  tick.ask_price = 23260.5;
  tick.ask_size = Decimal::FromInt(2);
  return tick;
}

// The last tick of the second verbatim record.
inline Tick VerbatimLast() {
  Tick tick;
  tick.contract_id = kMnq;
  tick.type = TickType::kLast;
  tick.exchange_time = FromUnixMicros(1754010291911017);
  tick.receive_time = FromUnixMicros(1754010291911022);
  tick.price = 23261.0;
  tick.size = Decimal::FromInt(10);
  return tick;
}

// A random tick of a random type with the fields v3 can hold (whole-µs times, prices on a
// quarter-point grid or arbitrary, decimal sizes, type-appropriate flags).
inline Tick RandomV3Tick(std::mt19937_64& random) {
  std::uniform_int_distribution<int> type_index(0, 5);
  std::uniform_int_distribution<int64_t> micros(1'600'000'000'000'000, 1'900'000'000'000'000);
  std::uniform_int_distribution<int64_t> small(0, 100000);
  std::uniform_int_distribution<int> scale(0, 4);
  std::uniform_real_distribution<double> price(0.0001, 50000.0);
  const auto random_price = [&]() {
    return random() % 2 ? static_cast<double>(small(random)) * 0.25 : price(random);
  };
  const auto random_size = [&]() {
    return random() % 8 == 0 ? Decimal::Unset() : Decimal::FromParts(small(random), scale(random));
  };
  Tick tick;
  tick.contract_id = static_cast<int64_t>(random() % 2'000'000'000);
  tick.type = kAllStreamKinds[type_index(random)];
  tick.exchange_time = FromUnixMicros(micros(random) / 1'000'000 * 1'000'000);
  tick.receive_time = FromUnixMicros(micros(random));
  switch (tick.type) {
    case TickType::kQuote:
      tick.bid_price = random_price();
      tick.ask_price = random_price();
      tick.bid_size = random_size();
      tick.ask_size = random_size();
      break;
    case TickType::kTrade:
      tick.price = random_price();
      tick.size = random_size();
      tick.volume = random_size();
      break;
    case TickType::kBidAsk:
      tick.bid_price = random_price();
      tick.ask_price = random_price();
      tick.bid_size = random_size();
      tick.ask_size = random_size();
      tick.attributes = static_cast<uint8_t>(random() % 4) << 2;  // bid past low, ask past high
      break;
    case TickType::kLast:
    case TickType::kAllLast:
      tick.price = random_price();
      tick.size = random_size();
      tick.attributes = random() % 2 ? kAttrUnreported : 0;
      break;
    case TickType::kMidPoint:
    case TickType::kDepth:  // not among kAllStreamKinds
      tick.price = random_price();
      break;
  }
  return tick;
}

}  // namespace ibstream::formats::testing
