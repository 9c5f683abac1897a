// The recorder API's market-depth endpoint: the book of a contract at an instant, rebuilt from
// the stored depth records (storage/order_book.h). Internal to src/http.
#pragma once

#include "http/api_state.h"
#include "http/http_types.h"

namespace ibstream::http {

// GET /v1/book/{conId}?at=T&rows=N[&lookback_seconds=S]: the book at T (ISO 8601; default the
// recorder's now), N rows per side (default all), rebuilt from the last book restart within S
// seconds before T (default 86400). 400 for a bad parameter, 404 when the window holds no depth
// record of the contract, 500 when the store could not be read.
//   {"contract_id":495512563,"at":"...","rows":10,"restarted":true,"last_update":"...",
//    "records":3,"rejected":0,"complete":true,
//    "bids":[{"position":0,"price":6400.25,"size":"5","market_maker":""}],"asks":[...]}
// `complete` is false when damaged data was skipped or records did not fit the book, or when no
// restart was found in the window (the book may lack rows).
Response Book(ApiState& api, const Request& request);

}  // namespace ibstream::http
