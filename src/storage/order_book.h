// The market-depth book rebuilt from stored depth records (TickType::kDepth, FORMAT.md §2).
//
// IB sends depth as operations by position on one side: insert a row at a position (the rows from
// there down move one deeper), update the row at a position, delete the row at a position (the
// rows below move up). The recorder stores each operation as it arrives, and a reset record
// (BookOperation::kReset) whenever the subscription starts or starts again, so the book of an
// instant is: the last reset at or before it, then every operation after it, in order.
//
// OrderBookBuilder is pure (no I/O, no clock); ReadBookAt() runs a storage query and feeds it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/decimal.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "model/tick.h"
#include "storage/query.h"

namespace ibstream::storage {

struct BookRow {
  double price = 0;
  Decimal size;
  std::string market_maker;  // UPDATE_MKT_DEPTH_L2's market maker or exchange; empty for L1

  friend bool operator==(const BookRow&, const BookRow&) = default;
};

// Row 0 is the best row of its side (the highest bid, the lowest ask).
struct OrderBook {
  std::vector<BookRow> bids;
  std::vector<BookRow> asks;

  friend bool operator==(const OrderBook&, const OrderBook&) = default;
};

// Applies depth records to a book. Not thread-safe; copyable.
class OrderBookBuilder {
 public:
  // Applies one record. A reset empties both sides. An operation that does not fit the book (an
  // insert past the end, an update or delete of a row that is not there, a record of another kind)
  // is InvalidArgument naming it; the book is unchanged and `rejected()` counts it: a book built
  // from a damaged or partial history says so instead of guessing.
  [[nodiscard]] Status Apply(const Tick& record);

  const OrderBook& book() const { return book_; }
  // Whether a reset was applied: the book is known to have started empty.
  bool restarted() const { return restarted_; }
  uint64_t applied() const { return applied_; }
  uint64_t rejected() const { return rejected_; }
  // The time of the last record applied (reset included); nullopt before any.
  std::optional<TimePoint> last_update() const { return last_update_; }

 private:
  OrderBook book_;
  bool restarted_ = false;
  uint64_t applied_ = 0;
  uint64_t rejected_ = 0;
  std::optional<TimePoint> last_update_;
};

// Keeps the first `rows` rows of each side (all when `rows` is 0 or negative).
OrderBook TopRows(const OrderBook& book, int rows);

struct BookAtOptions {
  // How far before `at` the reader looks for the last reset. A book older than this is rebuilt
  // from the records inside the window only and flagged (BookAt::restarted false).
  Duration lookback = std::chrono::hours(24);
  int rows = 0;  // rows per side to keep; 0: all
};

struct BookAt {
  OrderBook book;
  bool restarted = false;                // a reset inside the window: the book is complete
  uint64_t records = 0;                  // records applied after the last reset
  uint64_t rejected = 0;                 // records that did not fit (see OrderBookBuilder::Apply)
  std::optional<TimePoint> last_update;  // the last record at or before `at` (in the window)
  bool data_complete = true;             // false: the query skipped damaged data (logged)
};

// The book of `contract_id` at `at` (records with exchange time <= at) from the store at `root`.
// Errors are the query's (I/O); an empty store gives an empty book with restarted false.
Result<BookAt> ReadBookAt(fs::FileSystem* fs, const std::string& root, int64_t contract_id,
                          TimePoint at, const BookAtOptions& options);

// ReadBookAt over any query with QueryTicks' contract (e.g. a running recorder's, which also sees
// what it has not written to disk yet).
using TickQueryFn = std::function<Status(const QueryRequest&,
                                         const std::function<Status(const Tick&)>&, QueryStats*)>;
Result<BookAt> BookAtFromQuery(const TickQueryFn& query, int64_t contract_id, TimePoint at,
                               const BookAtOptions& options);

}  // namespace ibstream::storage
