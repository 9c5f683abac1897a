// Our own JSON-lines export: every field of a Tick, exact.
//
// One object per line, '\n'-terminated, keys in this order:
//   contract_id, tick_type ("bid_ask" | "last" | "all_last" | "mid_point"),
//   source ("live" | "backfill"), exchange_time (ISO 8601 UTC, "2025-08-01T01:04:51Z"),
//   exchange_time_ns, receive_time_ns, sequence, then by tick type
//   bid_ask:        bid_price, bid_size, ask_price, ask_size, bid_past_low, ask_past_high
//   last, all_last: price, size, exchange, special_conditions, past_limit, unreported
//   mid_point:      price
// Prices are JSON numbers in Python-repr form (shortest round-trip digits, "23260.0"); a
// non-finite price is null. Sizes are strings holding the exact decimal IB sent ("4", "0.0001");
// an unset size is null. Times in ns are integers. Strings are JSON-escaped; invalid UTF-8 bytes
// become U+FFFD.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "model/tick.h"

namespace ibstream::formats {

// "live" / "backfill".
std::string_view TickSourceName(TickSource source);

// Appends the JSON line of `tick`, '\n' included.
void AppendJsonl(const Tick& tick, std::string& out);

// Appends FormatIsoUtc(t) ("2025-08-01T01:04:51.5Z") without the stream formatting behind it.
void AppendIsoUtc(TimePoint t, std::string& out);

}  // namespace ibstream::formats
