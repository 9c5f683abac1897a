// Our own CSV export: every field of a Tick, one row per tick, RFC 4180.
//
// A header row, then rows with the same 20 columns:
//   contract_id,tick_type,source,exchange_time,exchange_time_ns,receive_time_ns,sequence,
//   price,size,bid_price,bid_size,ask_price,ask_size,exchange,special_conditions,
//   past_limit,unreported,bid_past_low,ask_past_high,volume
// Columns that do not belong to the tick's type are empty (bid_ask fills the bid/ask columns and
// bid_past_low/ask_past_high; last and all_last fill price, size, exchange, special_conditions,
// past_limit/unreported; mid_point fills price; quote fills the bid/ask columns; trade fills
// price, size and volume). Prices are in Python-repr form ("23260.0"),
// empty when not finite; sizes are the exact decimal, empty when unset; flags are true/false.
// RFC 4180: records end with CRLF; a field containing a comma, a double quote, CR or LF is
// enclosed in double quotes with inner quotes doubled.
#pragma once

#include <string>
#include <string_view>

#include "model/tick.h"

namespace ibstream::formats {

// Appends the header row, CRLF included.
void AppendCsvHeader(std::string& out);

// Appends the row of `tick`, CRLF included.
void AppendCsvRow(const Tick& tick, std::string& out);

// Appends one field, quoted if RFC 4180 requires it.
void AppendCsvField(std::string_view field, std::string& out);

}  // namespace ibstream::formats
