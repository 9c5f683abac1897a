#include "python/tick_columns.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fs/file_system.h"
#include "recorder/gap_fill.h"
#include "reliability/fill_time.h"
#include "storage/column_query.h"
#include "storage/gap_ledger.h"

namespace ibstream::python {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

constexpr const char* kFieldNames[kTickFieldCount] = {
    "type",       "exchange_time", "receive_time", "sequence",           "source",
    "price",      "size",          "bid_price",    "bid_size",           "ask_price",
    "ask_size",   "volume",        "exchange",     "special_conditions", "past_limit",
    "unreported", "bid_past_low",  "ask_past_high"};

bool IsTrade(TickType type) { return type == TickType::kLast || type == TickType::kAllLast; }
bool HasBidAsk(TickType type) { return type == TickType::kBidAsk || type == TickType::kQuote; }

double SizeOrNaN(const Decimal& d) { return d.is_set() ? d.ToDouble() : kNaN; }

// Interns short strings (exchanges, conditions) as category codes.
class Categories {
 public:
  explicit Categories(std::vector<std::string>* names) : names_(names) {}
  int32_t Code(const std::string& value) {
    auto it = codes_.find(value);
    if (it != codes_.end()) return it->second;
    const int32_t code = static_cast<int32_t>(names_->size());
    names_->push_back(value);
    codes_.emplace(value, code);
    return code;
  }

 private:
  std::vector<std::string>* names_;
  std::unordered_map<std::string, int32_t> codes_;
};

}  // namespace

const char* TickFieldName(TickField field) { return kFieldNames[static_cast<int>(field)]; }

bool KindStoresField(TickType type, TickField field) {
  switch (field) {
    case TickField::kType:
      return false;
    case TickField::kExchangeTime:
    case TickField::kReceiveTime:
    case TickField::kSequence:
    case TickField::kSource:
      return true;
    case TickField::kPrice:
      return IsTrade(type) || type == TickType::kTrade || type == TickType::kMidPoint;
    case TickField::kSize:
      return IsTrade(type) || type == TickType::kTrade;
    case TickField::kBidPrice:
    case TickField::kBidSize:
    case TickField::kAskPrice:
    case TickField::kAskSize:
      return HasBidAsk(type);
    case TickField::kVolume:
      return type == TickType::kTrade;
    case TickField::kExchange:
    case TickField::kSpecialConditions:
    case TickField::kPastLimit:
    case TickField::kUnreported:
      return IsTrade(type);
    case TickField::kBidPastLow:
    case TickField::kAskPastHigh:
      return type == TickType::kBidAsk;
  }
  return false;
}

std::vector<TickField> TickFieldsOf(const std::vector<TickType>& types) {
  std::vector<TickField> fields;
  for (int i = 0; i < kTickFieldCount; ++i) {
    const auto field = static_cast<TickField>(i);
    bool shown = field == TickField::kType && types.size() > 1;
    for (TickType type : types) shown = shown || KindStoresField(type, field);
    if (shown) fields.push_back(field);
  }
  return fields;
}

namespace {

// The storage column that holds a field (the flags are bits of the attributes column).
uint32_t StorageColumnOf(TickField field) {
  switch (field) {
    case TickField::kType:
      return storage::kColumnType;
    case TickField::kExchangeTime:
      return storage::kColumnExchangeTime;
    case TickField::kReceiveTime:
      return storage::kColumnReceiveTime;
    case TickField::kSequence:
      return storage::kColumnSequence;
    case TickField::kSource:
      return storage::kColumnSource;
    case TickField::kPrice:
      return storage::kColumnPrice;
    case TickField::kSize:
      return storage::kColumnSize;
    case TickField::kBidPrice:
      return storage::kColumnBidPrice;
    case TickField::kBidSize:
      return storage::kColumnBidSize;
    case TickField::kAskPrice:
      return storage::kColumnAskPrice;
    case TickField::kAskSize:
      return storage::kColumnAskSize;
    case TickField::kVolume:
      return storage::kColumnVolume;
    case TickField::kExchange:
      return storage::kColumnExchange;
    case TickField::kSpecialConditions:
      return storage::kColumnSpecialConditions;
    case TickField::kPastLimit:
    case TickField::kUnreported:
    case TickField::kBidPastLow:
    case TickField::kAskPastHigh:
      return storage::kColumnAttributes;
  }
  return 0;
}

// The flag columns asked for, from the attribute bits (which hold only the bits each row's kind
// defines), in one pass over them.
void FlagsFromAttributes(const PodColumn<uint8_t>& attributes,
                         const std::vector<std::pair<uint8_t, PodColumn<uint8_t>*>>& flags) {
  const size_t rows = attributes.size();
  const uint8_t* in = attributes.data();
  for (const auto& [bit, column] : flags) column->Reserve(rows);
  constexpr size_t kBlock = 4096;  // rows read once from the cache for every flag
  for (size_t start = 0; start < rows; start += kBlock) {
    const size_t end = std::min(rows, start + kBlock);
    for (const auto& [bit, column] : flags) {
      uint8_t* out = column->mutable_data();
      for (size_t i = start; i < end; ++i) out[i] = (in[i] & bit) != 0;
    }
  }
  for (const auto& [bit, column] : flags) column->SetSize(rows);
}

}  // namespace

Status ReadTickColumnsFromColumns(const TickRequest& request, TickColumns* c,
                                  storage::QueryStats* stats) {
  c->fields = TickFieldsOf(request.types);
  c->exact = false;
  storage::ColumnQueryRequest query;
  query.contract_id = request.contract_id;
  query.types = request.types;
  query.from = request.from;
  query.to = request.to;
  query.columns = 0;
  for (TickField f : c->fields) query.columns |= StorageColumnOf(f);
  query.threads = request.threads;
  storage::TickColumnData data;
  IBSTREAM_RETURN_IF_ERROR(
      storage::QueryTickColumns(fs::PosixFileSystem(), request.root, query, &data, stats));
  c->type = std::move(data.type);
  c->exchange_time_ns = std::move(data.exchange_time_ns);
  c->receive_time_ns = std::move(data.receive_time_ns);
  c->sequence = std::move(data.sequence);
  c->source = std::move(data.source);
  c->price = std::move(data.price);
  c->size = std::move(data.size);
  c->bid_price = std::move(data.bid_price);
  c->bid_size = std::move(data.bid_size);
  c->ask_price = std::move(data.ask_price);
  c->ask_size = std::move(data.ask_size);
  c->volume = std::move(data.volume);
  c->exchange = std::move(data.exchange);
  c->special_conditions = std::move(data.special_conditions);
  c->exchange_names = std::move(data.exchange_names);
  c->condition_names = std::move(data.condition_names);
  std::vector<std::pair<uint8_t, PodColumn<uint8_t>*>> flags;
  for (TickField f : c->fields) {
    if (f == TickField::kPastLimit) flags.emplace_back(kAttrPastLimit, &c->past_limit);
    if (f == TickField::kUnreported) flags.emplace_back(kAttrUnreported, &c->unreported);
    if (f == TickField::kBidPastLow) flags.emplace_back(kAttrBidPastLow, &c->bid_past_low);
    if (f == TickField::kAskPastHigh) flags.emplace_back(kAttrAskPastHigh, &c->ask_past_high);
  }
  FlagsFromAttributes(data.attributes, flags);
  return Status::Ok();
}

Status ReadTickColumns(const TickRequest& request, TickColumns* c, storage::QueryStats* stats) {
  if (request.exact) return ReadTickColumnsFromTicks(request, c, stats);
  return ReadTickColumnsFromColumns(request, c, stats);
}

Status ReadTickColumnsFromTicks(const TickRequest& request, TickColumns* c,
                                storage::QueryStats* stats) {
  c->fields = TickFieldsOf(request.types);
  c->exact = request.exact;
  // Bit f of `shown`: the frame has field f; bit f of stores[kind]: the kind stores field f.
  uint32_t shown = 0;
  for (TickField f : c->fields) shown |= 1u << static_cast<int>(f);
  uint32_t stores[256] = {};
  int8_t type_index[256];
  std::fill(std::begin(type_index), std::end(type_index), int8_t{-1});
  for (size_t i = 0; i < request.types.size(); ++i) {
    const auto kind = static_cast<uint8_t>(request.types[i]);
    type_index[kind] = static_cast<int8_t>(i);
    for (int f = 0; f < kTickFieldCount; ++f) {
      if (KindStoresField(request.types[i], static_cast<TickField>(f))) stores[kind] |= 1u << f;
    }
  }
  auto has = [&](TickField f) { return (shown >> static_cast<int>(f)) & 1u; };
  Categories exchanges(&c->exchange_names);
  Categories conditions(&c->condition_names);

  auto sink = [&](const Tick& t) -> Status {
    const uint32_t stored = stores[static_cast<uint8_t>(t.type)];
    auto kind_has = [&](TickField f) { return (stored >> static_cast<int>(f)) & 1u; };
    if (has(TickField::kType)) c->type.push_back(type_index[static_cast<uint8_t>(t.type)]);
    c->exchange_time_ns.push_back(ToUnixNanos(t.exchange_time));
    c->receive_time_ns.push_back(ToUnixNanos(t.receive_time));
    c->sequence.push_back(t.sequence);
    c->source.push_back(static_cast<int8_t>(t.source));
    auto number = [&](TickField f, PodColumn<double>& column, double value) {
      if (has(f)) column.push_back(kind_has(f) ? value : kNaN);
    };
    auto size = [&](TickField f, PodColumn<double>& column, const Decimal& value) {
      if (has(f)) column.push_back(kind_has(f) ? SizeOrNaN(value) : kNaN);
    };
    auto exact = [&](TickField f, std::vector<Decimal>& column, const Decimal& value) {
      if (c->exact && has(f)) column.push_back(kind_has(f) ? value : Decimal::Unset());
    };
    auto flag = [&](TickField f, PodColumn<uint8_t>& column, uint8_t bit) {
      if (has(f)) column.push_back(kind_has(f) && (t.attributes & bit) != 0);
    };
    number(TickField::kPrice, c->price, t.price);
    size(TickField::kSize, c->size, t.size);
    exact(TickField::kSize, c->exact_size, t.size);
    number(TickField::kBidPrice, c->bid_price, t.bid_price);
    size(TickField::kBidSize, c->bid_size, t.bid_size);
    exact(TickField::kBidSize, c->exact_bid_size, t.bid_size);
    number(TickField::kAskPrice, c->ask_price, t.ask_price);
    size(TickField::kAskSize, c->ask_size, t.ask_size);
    exact(TickField::kAskSize, c->exact_ask_size, t.ask_size);
    size(TickField::kVolume, c->volume, t.volume);
    exact(TickField::kVolume, c->exact_volume, t.volume);
    if (has(TickField::kExchange)) {
      c->exchange.push_back(kind_has(TickField::kExchange) ? exchanges.Code(t.exchange) : -1);
    }
    if (has(TickField::kSpecialConditions)) {
      c->special_conditions.push_back(
          kind_has(TickField::kSpecialConditions) ? conditions.Code(t.special_conditions) : -1);
    }
    flag(TickField::kPastLimit, c->past_limit, kAttrPastLimit);
    flag(TickField::kUnreported, c->unreported, kAttrUnreported);
    flag(TickField::kBidPastLow, c->bid_past_low, kAttrBidPastLow);
    flag(TickField::kAskPastHigh, c->ask_past_high, kAttrAskPastHigh);
    return Status::Ok();
  };

  storage::QueryRequest query;
  for (TickType type : request.types) query.streams.push_back({request.contract_id, type});
  query.from = request.from;
  query.to = request.to;
  return storage::QueryTicks(fs::PosixFileSystem(), request.root, query, sink, stats);
}

namespace {

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

// The fill columns of one gap: what `ibstream gaps --json` shows as its "fill" (the same
// condition, the same figures), or NaT and NaN.
void AppendFill(const storage::GapRecord& g, GapColumns* c) {
  if (!g.fill || g.state != storage::BackfillState::kFilled) {
    c->queued_at_ns.push_back(kNaTNanos);
    c->filled_at_ns.push_back(kNaTNanos);
    for (std::vector<double>* column :
         {&c->time_to_fill_seconds, &c->requests, &c->requests_needed, &c->pacing_minimum_seconds,
          &c->round_trip_seconds, &c->least_time_seconds, &c->ratio_to_minimum}) {
      column->push_back(kNaN);
    }
    return;
  }
  const reliability::GapFillTiming fill = recorder::FillTiming(*g.fill);
  c->queued_at_ns.push_back(ToUnixNanos(fill.queued_at));
  c->filled_at_ns.push_back(ToUnixNanos(fill.filled_at));
  c->time_to_fill_seconds.push_back(Seconds(fill.time_to_fill()));
  c->requests.push_back(fill.requests);
  c->requests_needed.push_back(fill.requests_needed);
  c->pacing_minimum_seconds.push_back(Seconds(fill.pacing_minimum));
  c->round_trip_seconds.push_back(Seconds(fill.round_trip));
  c->least_time_seconds.push_back(Seconds(fill.least_time()));
  c->ratio_to_minimum.push_back(fill.ratio_to_minimum().value_or(kNaN));
}

}  // namespace

Status ReadGapColumns(const GapRequest& request, GapColumns* c, storage::LedgerDamage* damage) {
  auto gaps = storage::GapLedger::ReadAllReporting(fs::PosixFileSystem(), request.root, damage);
  if (!gaps.ok()) return gaps.status();
  for (const storage::GapRecord& g : *gaps) {
    if (request.contract_id && g.stream.contract_id != *request.contract_id) continue;
    if (g.end <= request.from || g.start >= request.to) continue;
    c->id.push_back(g.id);
    c->contract_id.push_back(g.stream.contract_id);
    c->tick_type.emplace_back(TickTypeName(g.stream.type));
    c->start_ns.push_back(ToUnixNanos(g.start));
    c->end_ns.push_back(ToUnixNanos(g.end));
    c->cause.push_back(g.cause);
    c->backfill.emplace_back(storage::BackfillStateName(g.state));
    c->reason.push_back(g.reason);
    c->updated_at_ns.push_back(ToUnixNanos(g.updated_at));
    AppendFill(g, c);
  }
  return Status::Ok();
}

}  // namespace ibstream::python
