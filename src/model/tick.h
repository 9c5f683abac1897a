// The domain vocabulary shared by every part: what a recorded tick is.
//
// A Tick is what the recorder stores, the simulator generates and exports render. It is a plain
// value type; copying is cheap (strings are short enough for the small-string buffer).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/decimal.h"
#include "common/status.h"

namespace ibstream {

// The stream kinds. The numbers are our own, stable on disk; they are not IB's wire codes (see
// protocol/ for those).
//
// The first four are IB's tick-by-tick kinds. `kQuote` and `kTrade` are the fallback kinds: a
// stream without a tick-by-tick slot records through IB's reqMktData (top of book), stored as
// its own kind and never mixed into the tick-by-tick ones.
enum class TickType : uint8_t {
  kBidAsk = 1,
  kLast = 2,
  kAllLast = 3,
  kMidPoint = 4,
  kQuote = 5,  // top-of-book snapshot after a change: bid/ask price and size
  kTrade = 6,  // last trade: price, size, cumulative day volume
};
// The four tick-by-tick kinds (what a contract's `tick_types` may name).
inline constexpr TickType kAllTickTypes[] = {TickType::kBidAsk, TickType::kLast, TickType::kAllLast,
                                             TickType::kMidPoint};
// The two reqMktData fallback kinds.
inline constexpr TickType kFallbackTickTypes[] = {TickType::kQuote, TickType::kTrade};
// Every stream kind, tick-by-tick first.
inline constexpr TickType kAllStreamKinds[] = {TickType::kBidAsk,  TickType::kLast,
                                               TickType::kAllLast, TickType::kMidPoint,
                                               TickType::kQuote,   TickType::kTrade};

// Whether `type` is one of IB's four tick-by-tick kinds.
bool IsTickByTick(TickType type);
// The fallback kind that records `type` when it has no tick-by-tick slot: bid_ask and mid_point
// become quote, last and all_last become trade; quote and trade are themselves.
TickType FallbackKind(TickType type);

// The storage names: "bid_ask", "last", "all_last", "mid_point" (the original's), "quote",
// "trade".
std::string_view TickTypeName(TickType type);
// IB's request names: "BidAsk", "Last", "AllLast", "MidPoint"; "Quote" and "Trade" for the
// fallback kinds (never sent to IB as tick-by-tick names; the simulator's truth uses them).
std::string_view TickTypeIbName(TickType type);
// Accepts either naming of any of the six kinds ("bid_ask" or "BidAsk", "quote" or "Quote");
// anything else is InvalidArgument naming the allowed values.
Result<TickType> ParseTickType(std::string_view text);

// Whether a tick came from the live stream or was filled in later from IB's history.
enum class TickSource : uint8_t {
  kLive = 0,
  kBackfill = 1,
};

// Attribute bits, independent of IB's (differently ordered) wire masks.
enum TickAttribute : uint8_t {
  kAttrPastLimit = 1 << 0,    // Last/AllLast
  kAttrUnreported = 1 << 1,   // Last/AllLast
  kAttrBidPastLow = 1 << 2,   // BidAsk
  kAttrAskPastHigh = 1 << 3,  // BidAsk
};

// One stream: a contract and a tick type.
struct StreamKey {
  int64_t contract_id = 0;
  TickType type = TickType::kBidAsk;

  friend bool operator==(const StreamKey&, const StreamKey&) = default;
  friend auto operator<=>(const StreamKey&, const StreamKey&) = default;
};

// "711280073/bid_ask".
std::string ToString(const StreamKey& key);

struct Tick {
  int64_t contract_id = 0;
  TickType type = TickType::kBidAsk;
  TickSource source = TickSource::kLive;
  uint8_t attributes = 0;  // TickAttribute bits

  // IB's exchange time (whole seconds from IB; nanoseconds here for generality).
  TimePoint exchange_time;
  // Local receive time, nanosecond resolution (for backfilled ticks: when the backfill arrived).
  TimePoint receive_time;
  // Arrival order within the stream, strictly increasing as ticks are received.
  uint64_t sequence = 0;

  // BidAsk and Quote: bid and ask. Last/AllLast: `price` and `size`. MidPoint: `price` only.
  // Trade: `price`, `size` and `volume`.
  //
  // A live Quote's exchange_time is its receive time (IB sends no quote time); a live Trade's
  // is IB's last-trade timestamp (tick string 45, whole seconds). Backfilled ones carry IB's
  // historical tick time.
  double price = 0;
  Decimal size;
  double bid_price = 0;
  double ask_price = 0;
  Decimal bid_size;
  Decimal ask_size;
  // Trade only: IB's cumulative day volume when known, unset otherwise.
  Decimal volume;

  // Last/AllLast only.
  std::string exchange;
  std::string special_conditions;

  StreamKey stream() const { return {contract_id, type}; }

  friend bool operator==(const Tick&, const Tick&) = default;
};

}  // namespace ibstream
