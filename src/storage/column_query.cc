#include "storage/column_query.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string_view>
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

// Writes decoded records into the columns of a request, row by row through raw pointers (the
// columns are reserved; a row past the reservation grows them all first).
class ColumnFiller {
 public:
  ColumnFiller(const ColumnQueryRequest& request, TickColumnData* out)
      : columns_(request.columns),
        out_(out),
        exchanges_(&out->exchange_names),
        conditions_(&out->condition_names) {
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

  // Makes room for `rows` rows in every requested column.
  void Reserve(size_t rows) {
    ForEachColumn([&](auto& values) { values.Reserve(rows); });
    capacity_ = rows;
    ForEachColumn([&](auto& values) { capacity_ = std::min(capacity_, values.capacity()); });
  }

  void Append(const TickRecordView& r) {
    if (rows_ == capacity_) [[unlikely]]
      Reserve(std::max<size_t>(1024, 2 * rows_));
    TickColumnData& c = *out_;
    const size_t row = rows_;
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
          (stored & kColumnExchange) != 0 ? exchanges_.Code(r.exchange) : -1;
    }
    if ((want & kColumnSpecialConditions) != 0) {
      c.special_conditions.mutable_data()[row] =
          (stored & kColumnSpecialConditions) != 0 ? conditions_.Code(r.special_conditions) : -1;
    }
    if ((want & kColumnAttributes) != 0) {
      c.attributes.mutable_data()[row] = r.attributes & attribute_mask_[kind];
    }
    rows_ = row + 1;
  }

  // Gives the columns their row count; call once, after the last Append.
  void Finish() {
    ForEachColumn([&](auto& values) { values.SetSize(rows_); });
    out_->rows = rows_;
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
  ColumnCategories exchanges_;
  ColumnCategories conditions_;
  int8_t type_index_[256];
  uint32_t stores_[256] = {};
  uint8_t attribute_mask_[256] = {};
  size_t rows_ = 0;
  size_t capacity_ = 0;
};

// One hour's records, decompressed into one arena and ordered by key, then deduplicated and
// appended to the columns. The buffers are kept from hour to hour.
class ColumnHourReader {
 public:
  ColumnHourReader(ColumnFiller* filler, QueryStats* stats) : filler_(filler), stats_(stats) {}

  std::string* arena() { return &arena_; }
  void Clear() {
    arena_.clear();
    keys_.clear();
  }
  // A record of the arena, at `offset`, read in file order.
  void Add(size_t offset) { keys_.emplace_back(OrderKeyOfRecord(arena_.data() + offset), offset); }

  // Appends the journal's records of the hour (checked when they were scanned).
  void AddJournalRecords(std::string_view records) {
    const size_t base = arena_.size();
    arena_.append(records);
    TickRecordView record;
    for (size_t at = base; at < arena_.size();) {
      auto used = DecodeTickRecord(std::string_view(arena_).substr(at), &record);
      if (!used.ok()) break;  // cannot happen: each was decoded before it was kept
      Add(at);
      at += *used;
    }
  }

  void Emit() {
    query_internal::SortOrderKeys(&keys_);
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
        EmitDeduplicated(i, j);
      } else {
        for (size_t k = i; k < j; ++k) EmitRecord(keys_[k].second);
      }
      i = j;
    }
  }

 private:
  void EmitRecord(size_t offset) {
    TickRecordView record;
    if (!DecodeTickRecord(std::string_view(arena_).substr(offset), &record).ok()) return;
    filler_->Append(record);
    ++stats_->ticks_returned;
  }

  // The rule of query.h on keys_[i, j), applied to Ticks decoded for the purpose.
  void EmitDeduplicated(size_t i, size_t j) {
    group_.resize(j - i);
    for (size_t k = i; k < j; ++k) {
      (void)DecodeTick(std::string_view(arena_).substr(keys_[k].second), &group_[k - i]);
    }
    keep_.assign(j - i, true);
    query_internal::MarkDuplicatesInGroup(group_, 0, j - i, &keep_, stats_);
    for (size_t k = i; k < j; ++k) {
      if (keep_[k - i]) EmitRecord(keys_[k].second);
    }
  }

  ColumnFiller* filler_;
  QueryStats* stats_;
  std::string arena_;
  std::vector<std::pair<TickOrderKey, size_t>> keys_;
  std::vector<Tick> group_;
  std::vector<bool> keep_;
};

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
  ColumnFiller filler(request, out);
  filler.Reserve(rows);

  ColumnHourReader hour_reader(&filler, stats);
  for (int64_t hour : hours) {
    hour_reader.Clear();
    query_internal::ReadClosedFilesOfHour(
        fs, root, hour, wanted,
        [&](const ClosedFileReader& reader) {
          return reader.ReadRangeRecords(
              request.from, request.to, hour_reader.arena(),
              [&](size_t offset, const TickRecordView&) { hour_reader.Add(offset); });
        },
        stats);
    auto it = journal_records.find(hour);
    if (it != journal_records.end()) {
      hour_reader.AddJournalRecords(it->second);
      journal_records.erase(it);
    }
    hour_reader.Emit();
  }
  filler.Finish();
  return Status::Ok();
}

}  // namespace ibstream::storage
