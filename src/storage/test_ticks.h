// Helpers shared by the storage tests.
#pragma once

#include "model/tick.h"

namespace ibstream::storage::testing {

inline constexpr int64_t kHour0 = 1755784800;  // 2025-08-21T14:00:00Z

// A tick whose every field is derived from `sequence`, so a test can rebuild what it wrote.
inline Tick MakeTick(int64_t contract, TickType type, int64_t exchange_seconds, uint64_t sequence,
                     TickSource source = TickSource::kLive) {
  Tick t;
  t.contract_id = contract;
  t.type = type;
  t.source = source;
  t.exchange_time = FromUnixSeconds(exchange_seconds);
  t.receive_time =
      FromUnixNanos(exchange_seconds * 1000000000 + 1000 + static_cast<int64_t>(sequence));
  t.sequence = sequence;
  if (type == TickType::kBidAsk || type == TickType::kQuote) {
    t.bid_price = 23260.0 + static_cast<double>(sequence % 7) * 0.25;
    t.ask_price = t.bid_price + 0.25;
    t.bid_size = Decimal::FromInt(static_cast<int64_t>(1 + sequence % 5));
    t.ask_size = Decimal::FromParts(static_cast<int64_t>(15 + sequence % 3), 1);
    if (type == TickType::kBidAsk) t.attributes = sequence % 11 == 0 ? kAttrBidPastLow : 0;
  } else if (type == TickType::kTrade) {
    t.price = 23261.0 + static_cast<double>(sequence % 5) * 0.25;
    t.size = Decimal::FromInt(static_cast<int64_t>(1 + sequence % 4));
    t.volume = Decimal::FromInt(static_cast<int64_t>(1000 + sequence));
  } else {
    t.price = 23261.0 + static_cast<double>(sequence % 5) * 0.25;
    t.size = Decimal::FromInt(static_cast<int64_t>(1 + sequence % 4));
    t.exchange = "CME";
    t.special_conditions = sequence % 3 == 0 ? "T" : "";
  }
  return t;
}

}  // namespace ibstream::storage::testing
