// Internal to the client: IB's top-of-book stream (reqMktData: TICK_PRICE, TICK_SIZE,
// TICK_STRING) folded into the domain's fallback stream kinds, `quote` and `trade` (what
// SubscribeMarketData hands to TickHandlers::tick). Pure: no I/O, time comes in with each message.
// Not part of the client's public interface (client.h). Not thread-safe: one per subscription, used
// on the client's thread.
//
// The rules (IB tick types in parentheses):
// - A `quote` is the whole current top of book (bid and ask price and size), emitted whenever one
//   of the four changes: a bid (1) or ask (2) price, which carries its size, or a bid (0) or ask
//   (3) size. A message that repeats the known value emits nothing. Its exchange time is the
//   receive time (IB sends no time with quotes).
// - A `trade` is the last price (4, carrying its size) and size (5) with the day's volume (8),
//   emitted on each last timestamp (string 45, whole unix seconds), which is its exchange time. A
//   last price/size update followed by another one with no 45 in between is emitted when the
//   second arrives, stamped with its own receive time, so no trade is lost to a missing 45. A
//   last size repeating the known size is not an update.
// - Everything else (high, low, close, delayed types, other strings) is ignored.
#pragma once

#include <cstdint>
#include <optional>

#include "common/clock.h"
#include "common/decimal.h"
#include "model/tick.h"
#include "protocol/server_messages.h"

namespace ibstream::client {

class MarketDataTicks {
 public:
  explicit MarketDataTicks(int64_t contract_id) : contract_id_(contract_id) {}

  // Each folds one message in; true when `out` now holds a tick to deliver (every field
  // overwritten: source live, sequence 0, receive_time `received`). At most one tick per message.
  bool OnTickPrice(const protocol::TickPrice& m, TimePoint received, Tick& out);
  bool OnTickSize(const protocol::TickSize& m, TimePoint received, Tick& out);
  bool OnTickString(const protocol::TickString& m, TimePoint received, Tick& out);

  // Last timestamps (45) that were not whole unix seconds; such a trade is stamped with its
  // receive time.
  uint64_t bad_timestamps() const { return bad_timestamps_; }

 private:
  struct PendingTrade {
    double price = 0;
    Decimal size;
    uint8_t attributes = 0;
    TimePoint received;
  };

  void Quote(TimePoint received, Tick& out) const;
  void Trade(const PendingTrade& t, TimePoint exchange_time, TimePoint received, Tick& out) const;
  // A new last price/size update: the one still pending (no 45 came for it) is emitted into `out`
  // stamped with its receive time, and the new one waits for its 45.
  bool NewLast(PendingTrade next, TimePoint received, Tick& out);

  int64_t contract_id_;
  double bid_price_ = 0;
  double ask_price_ = 0;
  Decimal bid_size_;
  Decimal ask_size_;
  bool have_last_ = false;
  double last_price_ = 0;
  Decimal last_size_;
  Decimal volume_;
  std::optional<PendingTrade> pending_;
  uint64_t bad_timestamps_ = 0;
};

}  // namespace ibstream::client
