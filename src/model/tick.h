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

// IB's four tick-by-tick kinds. The numbers are our own, stable on disk; they are not IB's
// wire codes (see protocol/ for those).
enum class TickType : uint8_t {
  kBidAsk = 1,
  kLast = 2,
  kAllLast = 3,
  kMidPoint = 4,
};
inline constexpr TickType kAllTickTypes[] = {TickType::kBidAsk, TickType::kLast, TickType::kAllLast,
                                             TickType::kMidPoint};

// The original's storage names: "bid_ask", "last", "all_last", "mid_point".
std::string_view TickTypeName(TickType type);
// IB's request names: "BidAsk", "Last", "AllLast", "MidPoint".
std::string_view TickTypeIbName(TickType type);
// Accepts either naming ("bid_ask" or "BidAsk"); anything else is InvalidArgument naming the
// allowed values.
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

  // BidAsk: bid and ask. Last/AllLast: `price` and `size`. MidPoint: `price` only.
  double price = 0;
  Decimal size;
  double bid_price = 0;
  double ask_price = 0;
  Decimal bid_size;
  Decimal ask_size;

  // Last/AllLast only.
  std::string exchange;
  std::string special_conditions;

  StreamKey stream() const { return {contract_id, type}; }

  friend bool operator==(const Tick&, const Tick&) = default;
};

}  // namespace ibstream
