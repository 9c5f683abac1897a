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
  kDepth = 7,  // one change of the market-depth book (reqMktDepth), or a book restart marker
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

// Every kind the store can hold: the stream kinds and `kDepth`. Depth is kept out of
// kAllStreamKinds because its records are book changes, not ticks: readers ask for it by name.
inline constexpr TickType kAllStoredKinds[] = {
    TickType::kBidAsk, TickType::kLast,  TickType::kAllLast, TickType::kMidPoint,
    TickType::kQuote,  TickType::kTrade, TickType::kDepth};

// Whether `type` is one of IB's four tick-by-tick kinds.
bool IsTickByTick(TickType type);
// The fallback kind that records `type` when it has no tick-by-tick slot: bid_ask and mid_point
// become quote, last and all_last become trade; quote and trade are themselves.
TickType FallbackKind(TickType type);

// The storage names: "bid_ask", "last", "all_last", "mid_point" (the original's), "quote",
// "trade", "depth".
std::string_view TickTypeName(TickType type);
// IB's request names: "BidAsk", "Last", "AllLast", "MidPoint"; "Quote" and "Trade" for the
// fallback kinds and "Depth" (never sent to IB as tick-by-tick names; the simulator's truth uses
// them).
std::string_view TickTypeIbName(TickType type);
// Accepts either naming of any of the seven stored kinds ("bid_ask" or "BidAsk", "depth" or
// "Depth"); anything else is InvalidArgument naming the allowed values.
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

// A market-depth record's change to the book (kDepth only). The first three are IB's
// insert/update/delete of the row at a position of one side; kReset is ours: the book restarted
// (the subscription began or began again), so a reader empties both sides before what follows.
enum class BookOperation : uint8_t { kInsert = 0, kUpdate = 1, kDelete = 2, kReset = 3 };
enum class BookSide : uint8_t { kAsk = 0, kBid = 1 };

// "insert", "update", "delete", "reset"; "ask", "bid".
std::string_view BookOperationName(BookOperation operation);
std::string_view BookSideName(BookSide side);

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

  // Depth only: the row change. `price` and `size` are the row's (a delete or reset carries 0
  // and unset), `exchange` its market maker or exchange (UPDATE_MKT_DEPTH_L2; empty for L1).
  BookOperation book_operation = BookOperation::kInsert;
  BookSide book_side = BookSide::kAsk;
  int32_t book_position = 0;  // 0 is the best row

  // Last/AllLast only (and Depth's market maker).
  std::string exchange;
  std::string special_conditions;

  StreamKey stream() const { return {contract_id, type}; }

  friend bool operator==(const Tick&, const Tick&) = default;
};

}  // namespace ibstream
