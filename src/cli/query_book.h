// `ibstream query --book`: the market-depth book of a contract at an instant, rebuilt from the
// stored depth records (storage/order_book.h).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "common/clock.h"
#include "storage/order_book.h"

namespace ibstream::cli {

struct BookQuery {
  std::string data;  // the store
  int64_t contract = 0;
  TimePoint at;
  int rows = 0;  // per side; 0: all
  Duration lookback = std::chrono::hours(24);
  bool json = false;
};

// Renders a book read at `query.at`: a table for people, or one JSON object (json = true):
//   {"contract_id":495512563,"at":"2025-08-21T14:00:02Z","rows":10,"restarted":true,
//    "last_update":"...","records":3,"rejected":0,
//    "bids":[{"position":0,"price":10.0,"size":"5","market_maker":""}],"asks":[...]}
std::string RenderBook(const BookQuery& query, const storage::BookAt& book);

// Reads and prints the book to `out` (stdout when null); notes on stderr. The exit status: 0 for
// a sound book, 1 when the book may be wrong (damaged data skipped, records that did not fit, or
// no restart marker in the lookback window while records were found), 2 when nothing could be
// done (no such store, I/O error, no depth record of the contract in the window).
int RunBookQuery(const BookQuery& query, std::FILE* out);

}  // namespace ibstream::cli
