#include "storage/order_book.h"

#include <utility>

#include "storage/query.h"

namespace ibstream::storage {
namespace {

std::string Describe(const Tick& r, size_t rows) {
  return std::string(BookOperationName(r.book_operation)) + " at " +
         std::string(BookSideName(r.book_side)) + " position " + std::to_string(r.book_position) +
         " of a side with " + std::to_string(rows) + " rows";
}

}  // namespace

Status OrderBookBuilder::Apply(const Tick& r) {
  if (r.type != TickType::kDepth) {
    ++rejected_;
    return InvalidArgument("not a depth record: " + std::string(TickTypeName(r.type)));
  }
  if (r.book_operation == BookOperation::kReset) {
    book_ = OrderBook();
    restarted_ = true;
    ++applied_;
    last_update_ = r.exchange_time;
    return Status::Ok();
  }
  std::vector<BookRow>& rows = r.book_side == BookSide::kBid ? book_.bids : book_.asks;
  const auto position = static_cast<size_t>(r.book_position < 0 ? 0 : r.book_position);
  const bool fits =
      r.book_position >= 0 && (r.book_operation == BookOperation::kInsert ? position <= rows.size()
                                                                          : position < rows.size());
  if (!fits) {
    ++rejected_;
    return InvalidArgument("depth record does not fit the book: " + Describe(r, rows.size()));
  }
  const auto at = rows.begin() + static_cast<std::ptrdiff_t>(position);
  switch (r.book_operation) {
    case BookOperation::kInsert:
      rows.insert(at, BookRow{r.price, r.size, r.exchange});
      break;
    case BookOperation::kUpdate:
      *at = BookRow{r.price, r.size, r.exchange};
      break;
    case BookOperation::kDelete:
      rows.erase(at);
      break;
    case BookOperation::kReset:
      break;  // handled above
  }
  ++applied_;
  last_update_ = r.exchange_time;
  return Status::Ok();
}

OrderBook TopRows(const OrderBook& book, int rows) {
  OrderBook out = book;
  if (rows <= 0) return out;
  const auto n = static_cast<size_t>(rows);
  if (out.bids.size() > n) out.bids.resize(n);
  if (out.asks.size() > n) out.asks.resize(n);
  return out;
}

Result<BookAt> ReadBookAt(fs::FileSystem* fs, const std::string& root, int64_t contract_id,
                          TimePoint at, const BookAtOptions& options) {
  return BookAtFromQuery(
      [fs, &root](const QueryRequest& request, const std::function<Status(const Tick&)>& sink,
                  QueryStats* stats) { return QueryTicks(fs, root, request, sink, stats); },
      contract_id, at, options);
}

Result<BookAt> BookAtFromQuery(const TickQueryFn& query, int64_t contract_id, TimePoint at,
                               const BookAtOptions& options) {
  // The records of the window, kept from the last reset on (a reset drops what came before it).
  std::vector<Tick> since_reset;
  bool reset_seen = false;
  QueryStats stats;
  QueryRequest request{{StreamKey{contract_id, TickType::kDepth}},
                       at - options.lookback,
                       at + std::chrono::nanoseconds(1)};
  const Status status = query(
      request,
      [&](const Tick& t) {
        if (t.book_operation == BookOperation::kReset) {
          since_reset.clear();
          reset_seen = true;
        }
        since_reset.push_back(t);
        return Status::Ok();
      },
      &stats);
  if (!status.ok()) return status;
  OrderBookBuilder builder;
  for (const Tick& t : since_reset) (void)builder.Apply(t);  // rejections are counted
  BookAt out;
  out.book = TopRows(builder.book(), options.rows);
  out.restarted = reset_seen;
  out.records = builder.applied();
  out.rejected = builder.rejected();
  // The last record at or before `at`, whether it fitted the book or not.
  if (!since_reset.empty()) out.last_update = since_reset.back().exchange_time;
  out.data_complete = stats.complete();
  return out;
}

}  // namespace ibstream::storage
