#include "storage/column_query.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "storage/closed_file.h"
#include "storage/layout.h"
#include "storage/query_internal.h"
#include "storage/tick_codec.h"

namespace ibstream::storage {
namespace {

constexpr double kColumnNaN = std::numeric_limits<double>::quiet_NaN();

// Interns exchanges or conditions as codes numbered in order of first appearance. The last value
// is remembered: the same exchange usually follows itself.
class ColumnCategories {
 public:
  explicit ColumnCategories(std::vector<std::string>* names) : names_(names) {}
  int32_t Code(std::string_view value) {
    if (last_code_ >= 0 && value == (*names_)[static_cast<size_t>(last_code_)]) return last_code_;
    auto it = codes_.find(value);
    if (it == codes_.end()) {
      names_->emplace_back(value);
      it = codes_.emplace(names_->back(), static_cast<int32_t>(names_->size() - 1)).first;
    }
    last_code_ = it->second;
    return last_code_;
  }

 private:
  std::vector<std::string>* names_;
  std::map<std::string, int32_t, std::less<>> codes_;
  int32_t last_code_ = -1;
};

// The attribute bits each kind defines.
uint8_t ColumnAttributeMask(TickType type) {
  switch (type) {
    case TickType::kLast:
    case TickType::kAllLast:
      return kAttrPastLimit | kAttrUnreported;
    case TickType::kBidAsk:
      return kAttrBidPastLow | kAttrAskPastHigh;
    default:
      return 0;
  }
}

// A stored size as a double: Decimal::ToDouble (the correctly rounded value), without its text
// round trip where the division is exact already: a mantissa below 2^53 and a power of ten up to
// 10^22 are exact doubles, so their IEEE quotient is the correctly rounded value.
double ColumnSizeToDouble(const Decimal& value) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  constexpr int64_t kExactMantissa = int64_t{1} << 53;
  const int64_t m = value.mantissa();
  if (value.is_set() && m < kExactMantissa && m > -kExactMantissa && value.scale() >= 0 &&
      value.scale() <= 22) {
    return static_cast<double>(m) / kPow10[value.scale()];
  }
  return value.ToDouble();
}

// Writes decoded records into the rows of a request's columns through raw pointers. Rows are
// written by index, so the workers of a query (one hour each) fill their own stretches of rows at
// once; growing the columns (Reserve) needs every writer stopped.
class ColumnWriter {
 public:
  ColumnWriter(const ColumnQueryRequest& request, TickColumnData* out)
      : columns_(request.columns), out_(out) {
    std::fill(std::begin(type_index_), std::end(type_index_), int8_t{-1});
    for (size_t i = 0; i < request.types.size(); ++i) {
      const auto kind = static_cast<uint8_t>(request.types[i]);
      type_index_[kind] = static_cast<int8_t>(i);
      for (uint32_t bit = 1; bit <= kAllTickColumns; bit <<= 1) {
        if (KindStoresColumn(request.types[i], static_cast<TickColumn>(bit))) stores_[kind] |= bit;
      }
      attribute_mask_[kind] = ColumnAttributeMask(request.types[i]);
    }
  }

  // Makes room for `rows` rows in every requested column, without mapping its pages: PopulateRows
  // maps each stretch just before it is written.
  void Reserve(size_t rows) {
    ForEachColumn([&](auto& values) { values.Reserve(rows, false); });
    capacity_ = rows;
    ForEachColumn([&](auto& values) { capacity_ = std::min(capacity_, values.capacity()); });
  }
  size_t capacity() const { return capacity_; }

  // Maps the pages of rows [first, first + count) in every requested column.
  void PopulateRows(size_t first, size_t count) {
    ForEachColumn([&](auto& values) { values.PopulateRows(first, count); });
  }

  // Writes row `row` (< capacity()); exchanges and conditions are coded by `exchanges` and
  // `conditions`.
  void Write(size_t row, const TickRecordView& r, ColumnCategories* exchanges,
             ColumnCategories* conditions) {
    TickColumnData& c = *out_;
    const auto kind = static_cast<uint8_t>(r.type);
    const uint32_t stored = stores_[kind];
    const uint32_t want = columns_;
    auto number = [&](uint32_t column, PodColumn<double>& values, double value) {
      if ((want & column) != 0) {
        values.mutable_data()[row] = (stored & column) != 0 ? value : kColumnNaN;
      }
    };
    auto size = [&](uint32_t column, PodColumn<double>& values, const Decimal& value) {
      if ((want & column) != 0) {
        values.mutable_data()[row] =
            (stored & column) != 0 && value.is_set() ? ColumnSizeToDouble(value) : kColumnNaN;
      }
    };
    if ((want & kColumnType) != 0) c.type.mutable_data()[row] = type_index_[kind];
    if ((want & kColumnExchangeTime) != 0) c.exchange_time_ns.mutable_data()[row] = r.exchange_ns;
    if ((want & kColumnReceiveTime) != 0) c.receive_time_ns.mutable_data()[row] = r.receive_ns;
    if ((want & kColumnSequence) != 0) c.sequence.mutable_data()[row] = r.sequence;
    if ((want & kColumnSource) != 0) c.source.mutable_data()[row] = static_cast<int8_t>(r.source);
    number(kColumnPrice, c.price, r.price);
    size(kColumnSize, c.size, r.size);
    number(kColumnBidPrice, c.bid_price, r.bid_price);
    size(kColumnBidSize, c.bid_size, r.bid_size);
    number(kColumnAskPrice, c.ask_price, r.ask_price);
    size(kColumnAskSize, c.ask_size, r.ask_size);
    size(kColumnVolume, c.volume, r.volume);
    if ((want & kColumnExchange) != 0) {
      c.exchange.mutable_data()[row] =
          (stored & kColumnExchange) != 0 ? exchanges->Code(r.exchange) : -1;
    }
    if ((want & kColumnSpecialConditions) != 0) {
      c.special_conditions.mutable_data()[row] =
          (stored & kColumnSpecialConditions) != 0 ? conditions->Code(r.special_conditions) : -1;
    }
    if ((want & kColumnAttributes) != 0) {
      c.attributes.mutable_data()[row] = r.attributes & attribute_mask_[kind];
    }
  }

  // Renumbers the codes of rows [first, first + count) of a category column: code k becomes
  // to[k] (-1 stays).
  static void Recode(PodColumn<int32_t>* values, size_t first, size_t count,
                     const std::vector<int32_t>& to) {
    int32_t* v = values->mutable_data() + first;
    for (size_t i = 0; i < count; ++i) {
      if (v[i] >= 0) v[i] = to[static_cast<size_t>(v[i])];
    }
  }

  // Gives the columns their row count; call once, after the last Write.
  void Finish(size_t rows) {
    ForEachColumn([&](auto& values) { values.SetSize(rows); });
    out_->rows = rows;
  }

 private:
  // Calls fn(column) for each requested column.
  template <typename Fn>
  void ForEachColumn(Fn fn) {
    TickColumnData& c = *out_;
    auto each = [&](uint32_t column, auto& values) {
      if ((columns_ & column) != 0) fn(values);
    };
    each(kColumnType, c.type);
    each(kColumnExchangeTime, c.exchange_time_ns);
    each(kColumnReceiveTime, c.receive_time_ns);
    each(kColumnSequence, c.sequence);
    each(kColumnSource, c.source);
    each(kColumnPrice, c.price);
    each(kColumnSize, c.size);
    each(kColumnBidPrice, c.bid_price);
    each(kColumnBidSize, c.bid_size);
    each(kColumnAskPrice, c.ask_price);
    each(kColumnAskSize, c.ask_size);
    each(kColumnVolume, c.volume);
    each(kColumnExchange, c.exchange);
    each(kColumnSpecialConditions, c.special_conditions);
    each(kColumnAttributes, c.attributes);
  }

  uint32_t columns_;
  TickColumnData* out_;
  int8_t type_index_[256];
  uint32_t stores_[256] = {};
  uint8_t attribute_mask_[256] = {};
  size_t capacity_ = 0;
};

// One hour's records, decompressed into one arena, ordered by key and deduplicated (Order), then
// written to their rows (Write). The buffers are kept from hour to hour.
class ColumnHourReader {
 public:
  ByteBuffer* arena() { return &arena_; }
  void Clear() {
    arena_.clear();
    keys_.clear();
    kept_.clear();
  }
  // A record of the arena, at `offset`, read in file order.
  void Add(size_t offset) { keys_.emplace_back(OrderKeyOfRecord(arena_.data() + offset), offset); }

  // Appends the journal's records of the hour (checked when they were scanned).
  void AddJournalRecords(std::string_view records) {
    const size_t base = arena_.size();
    arena_.Append(records);
    TickRecordView record;
    for (size_t at = base; at < arena_.size();) {
      auto used = DecodeTickRecord(arena_.view().substr(at), &record);
      if (!used.ok()) break;  // cannot happen: each was decoded before it was kept
      Add(at);
      at += *used;
    }
  }

  // Orders the records and applies the deduplication rule (dropped ones counted in *stats);
  // returns how many rows the hour writes.
  size_t Order(QueryStats* stats) {
    query_internal::SortOrderKeys(&keys_);
    kept_.reserve(keys_.size());
    size_t i = 0;
    while (i < keys_.size()) {
      // A group: one exchange time. Only a group with a backfilled tick or two equal keys can
      // hold a tick the deduplication rule drops.
      size_t j = i + 1;
      bool may_drop = keys_[i].first.source != static_cast<uint8_t>(TickSource::kLive);
      while (j < keys_.size() && keys_[j].first.exchange_ns == keys_[i].first.exchange_ns) {
        may_drop = may_drop || keys_[j].first.source != static_cast<uint8_t>(TickSource::kLive) ||
                   keys_[j].first == keys_[j - 1].first;
        ++j;
      }
      if (may_drop) {
        KeepDeduplicated(i, j, stats);
      } else {
        for (size_t k = i; k < j; ++k) kept_.push_back(keys_[k].second);
      }
      i = j;
    }
    return kept_.size();
  }

  // Writes the kept records to rows first, first + 1, ...; the exchanges and conditions are
  // coded by the hour's own categories.
  void Write(ColumnWriter* writer, size_t first, ColumnCategories* exchanges,
             ColumnCategories* conditions) {
    TickRecordView record;
    size_t row = first;
    for (size_t offset : kept_) {
      // Each record was decoded when it was read: decoding it again cannot fail.
      (void)DecodeTickRecord(arena_.view().substr(offset), &record);
      writer->Write(row++, record, exchanges, conditions);
    }
  }

 private:
  // The rule of query.h on keys_[i, j), applied to Ticks decoded for the purpose.
  void KeepDeduplicated(size_t i, size_t j, QueryStats* stats) {
    group_.resize(j - i);
    for (size_t k = i; k < j; ++k) {
      (void)DecodeTick(arena_.view().substr(keys_[k].second), &group_[k - i]);
    }
    keep_.assign(j - i, true);
    query_internal::MarkDuplicatesInGroup(group_, 0, j - i, &keep_, stats);
    for (size_t k = i; k < j; ++k) {
      if (keep_[k - i]) kept_.push_back(keys_[k].second);
    }
  }

  ByteBuffer arena_;
  std::vector<std::pair<TickOrderKey, size_t>> keys_;
  std::vector<size_t> kept_;
  std::vector<Tick> group_;
  std::vector<bool> keep_;
};

// What one hour found: its statistics, its rows and the names its category codes stand for.
struct HourOutcome {
  QueryStats stats;
  size_t first_row = 0;
  size_t rows = 0;
  std::vector<std::string> exchange_names;
  std::vector<std::string> condition_names;
};

// Hands each hour its first row, in hour order: hour h's rows follow hour h - 1's, whose count is
// known once h - 1 is ordered; a worker waits only for earlier hours.
class RowTickets {
 public:
  size_t Take(size_t hour, size_t rows) {
    std::unique_lock lock(mu_);
    turn_.wait(lock, [&] { return next_hour_ == hour; });
    const size_t first = next_row_;
    next_row_ += rows;
    ++next_hour_;
    turn_.notify_all();
    return first;
  }
  size_t rows() const { return next_row_; }  // once every hour has taken its ticket

 private:
  std::mutex mu_;
  std::condition_variable turn_;
  size_t next_hour_ = 0;
  size_t next_row_ = 0;
};

void AddStats(QueryStats* to, QueryStats&& from) {
  to->closed_files_read += from.closed_files_read;
  to->journals_read += from.journals_read;
  to->ticks_returned += from.ticks_returned;
  to->duplicates_dropped += from.duplicates_dropped;
  to->backfill_overlaps_dropped += from.backfill_overlaps_dropped;
  to->backfill_repeats_dropped += from.backfill_repeats_dropped;
  to->corrupt_files += from.corrupt_files;
  to->skipped_bytes += from.skipped_bytes;
  for (SkippedData& s : from.skipped) to->skipped.push_back(std::move(s));
}

// Numbers the hours' category names in order of first appearance over the whole answer and
// renumbers each hour's codes whose numbers change.
void MergeCategories(std::vector<std::string> HourOutcome::*names, PodColumn<int32_t>* codes,
                     std::vector<HourOutcome>* outcomes, std::vector<std::string>* merged) {
  ColumnCategories numbers(merged);
  std::vector<int32_t> to;
  for (HourOutcome& hour : *outcomes) {
    to.clear();
    bool same = true;
    for (const std::string& name : hour.*names) {
      const int32_t code = numbers.Code(name);
      same = same && code == static_cast<int32_t>(to.size());
      to.push_back(code);
    }
    if (!same) ColumnWriter::Recode(codes, hour.first_row, hour.rows, to);
  }
}

// How many records the indexes of the hour's closed files hold in frames that overlap [lo, hi):
// at least as many as a read of the hour returns from them. What cannot be opened counts nothing
// here (the read reports it).
size_t IndexedRowsOfHour(fs::FileSystem* fs, const std::string& root, int64_t hour,
                         const std::set<StreamKey>& wanted, int64_t lo, int64_t hi) {
  const std::string dir = ClosedHourDir(root, FromUnixNanos(hour));
  auto names = fs->ListDir(dir);
  if (!names.ok()) return 0;
  size_t rows = 0;
  for (const std::string& name : *names) {
    auto stream = ParseClosedFileName(name);
    if (!stream || !wanted.count(*stream)) continue;
    auto reader = ClosedFileReader::Open(fs, fs::JoinPath(dir, name));
    if (!reader.ok()) continue;
    for (const ClosedFrameInfo& frame : (*reader)->frames()) {
      if (frame.max_exchange_ns >= lo && frame.min_exchange_ns < hi) rows += frame.tick_count;
    }
  }
  return rows;
}

Status CheckColumnRequest(const ColumnQueryRequest& request) {
  if (request.types.empty()) return InvalidArgument("column query: no tick types");
  std::set<TickType> seen;
  for (TickType type : request.types) {
    if (type == TickType::kDepth) {
      return InvalidArgument("column query: depth records are book changes, not ticks");
    }
    if (!seen.insert(type).second) return InvalidArgument("column query: a type is repeated");
  }
  return Status::Ok();
}

}  // namespace

bool KindStoresColumn(TickType type, TickColumn column) {
  const bool trade = type == TickType::kLast || type == TickType::kAllLast;
  const bool quote = type == TickType::kBidAsk || type == TickType::kQuote;
  switch (column) {
    case kColumnType:
    case kColumnExchangeTime:
    case kColumnReceiveTime:
    case kColumnSequence:
    case kColumnSource:
      return true;
    case kColumnPrice:
      return trade || type == TickType::kTrade || type == TickType::kMidPoint;
    case kColumnSize:
      return trade || type == TickType::kTrade;
    case kColumnBidPrice:
    case kColumnBidSize:
    case kColumnAskPrice:
    case kColumnAskSize:
      return quote;
    case kColumnVolume:
      return type == TickType::kTrade;
    case kColumnExchange:
    case kColumnSpecialConditions:
      return trade;
    case kColumnAttributes:
      return trade || type == TickType::kBidAsk;
  }
  return false;
}

Status QueryTickColumns(fs::FileSystem* fs, const std::string& root,
                        const ColumnQueryRequest& request, TickColumnData* out, QueryStats* stats) {
  QueryStats ignored;
  if (stats == nullptr) stats = &ignored;
  *stats = QueryStats();
  IBSTREAM_RETURN_IF_ERROR(CheckColumnRequest(request));
  if (request.to <= request.from) return Status::Ok();
  std::set<StreamKey> wanted;
  for (TickType type : request.types) wanted.insert({request.contract_id, type});

  // Journals first, as QueryTicks: their matching records, bucketed by hour.
  std::map<int64_t, std::string> journal_records;
  size_t rows = 0;
  IBSTREAM_RETURN_IF_ERROR(query_internal::ScanQueryJournals(
      fs, root, wanted, ToUnixNanos(request.from), ToUnixNanos(request.to),
      [&](const TickRecordView& record, std::string_view bytes) {
        journal_records[query_internal::HourOfNanos(record.exchange_ns)].append(bytes);
        ++rows;
      },
      stats));
  std::set<int64_t> hours;
  for (const auto& [hour, records] : journal_records) hours.insert(hour);
  IBSTREAM_RETURN_IF_ERROR(
      query_internal::ListClosedHours(fs, root, request.from, request.to, &hours, stats));

  // The columns are sized once: every record of the frames that overlap the range (the indexes
  // say how many) plus the journals'. Damage found here is found again, and reported, below.
  const int64_t lo = ToUnixNanos(request.from);
  const int64_t hi = ToUnixNanos(request.to);
  for (int64_t hour : hours) rows += IndexedRowsOfHour(fs, root, hour, wanted, lo, hi);
  const std::vector<int64_t> hour_list(hours.begin(), hours.end());
  const size_t automatic =
      std::min<size_t>(kMaxAutomaticColumnThreads, std::thread::hardware_concurrency());
  const size_t workers = std::max<size_t>(
      1, std::min(request.threads != 0 ? request.threads : automatic, hour_list.size()));
  ColumnWriter writer(request, out);
  // The pages of each hour's rows are mapped just before the hour is written (by its worker, in
  // parallel): the zeroed lines are still in the cache when the rows are written.
  writer.Reserve(rows);

  // Each worker takes the next hour, reads and orders it, takes its first row, then writes it.
  // A worker that needs more rows than reserved (a file that appeared since the count) grows the
  // columns while no other worker writes.
  std::vector<HourOutcome> outcomes(hour_list.size());
  std::atomic<size_t> next_hour{0};
  RowTickets tickets;
  std::shared_mutex growing;
  std::mutex failure_mu;
  std::exception_ptr failure;
  auto keep_failure = [&] {  // the first exception of any worker, rethrown once all have ended
    std::lock_guard lock(failure_mu);
    if (!failure) failure = std::current_exception();
  };
  auto work = [&] {
    ColumnHourReader reader;
    for (size_t h = next_hour++; h < hour_list.size(); h = next_hour++) {
      HourOutcome& outcome = outcomes[h];
      size_t rows_of_hour = 0;
      try {
        reader.Clear();
        query_internal::ReadClosedFilesOfHour(
            fs, root, hour_list[h], wanted,
            [&](const ClosedFileReader& file) {
              return file.ReadRangeRecords(
                  request.from, request.to, reader.arena(),
                  [&](size_t offset, const TickRecordView&) { reader.Add(offset); });
            },
            &outcome.stats);
        auto it = journal_records.find(hour_list[h]);
        if (it != journal_records.end()) reader.AddJournalRecords(it->second);
        rows_of_hour = reader.Order(&outcome.stats);
      } catch (...) {
        keep_failure();
      }
      // Every hour takes its ticket, even one that failed: later hours wait for it.
      outcome.first_row = tickets.Take(h, rows_of_hour);
      outcome.rows = rows_of_hour;
      if (rows_of_hour == 0) continue;
      try {
        const size_t end = outcome.first_row + rows_of_hour;
        std::shared_lock lock(growing);
        if (end > writer.capacity()) {
          lock.unlock();
          {
            std::unique_lock grow(growing);
            if (end > writer.capacity()) {
              writer.Reserve(std::max(end, 2 * writer.capacity()));
            }
          }
          lock.lock();
        }
        writer.PopulateRows(outcome.first_row, rows_of_hour);
        ColumnCategories exchanges(&outcome.exchange_names);
        ColumnCategories conditions(&outcome.condition_names);
        reader.Write(&writer, outcome.first_row, &exchanges, &conditions);
        outcome.stats.ticks_returned += rows_of_hour;
      } catch (...) {
        keep_failure();
      }
    }
  };
  std::vector<std::thread> threads;
  try {
    for (size_t i = 1; i < workers; ++i) threads.emplace_back(work);
  } catch (const std::system_error&) {
    // No more threads to be had: the ones started and this one read every hour all the same.
  }
  work();
  for (std::thread& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);

  for (HourOutcome& outcome : outcomes) AddStats(stats, std::move(outcome.stats));
  if ((request.columns & kColumnExchange) != 0) {
    MergeCategories(&HourOutcome::exchange_names, &out->exchange, &outcomes, &out->exchange_names);
  }
  if ((request.columns & kColumnSpecialConditions) != 0) {
    MergeCategories(&HourOutcome::condition_names, &out->special_conditions, &outcomes,
                    &out->condition_names);
  }
  writer.Finish(tickets.rows());
  return Status::Ok();
}

}  // namespace ibstream::storage
