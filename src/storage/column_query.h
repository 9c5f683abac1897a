// A range query (query.h) of one contract that returns columns instead of Ticks: one array per
// field, for readers that analyse many ticks at once (the Python module's DataFrames).
//
// Same ticks, same order, same deduplication and the same damage reporting as QueryTicks (both
// share the walk over journals and closed files, the ordering and the deduplication of
// query_internal.h, and the record decoder of tick_codec.h). What differs is the cost per tick:
// records are decoded from the decompressed frames straight into the columns, without a Tick,
// its strings or a copy of it; only ticks that may be duplicates (an exchange time holding a
// backfilled tick or two records with equal order keys) are decoded into Ticks to apply the rule.
// The columns are sized once per query from the closed files' indexes and the journals' records.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "model/tick.h"
#include "storage/pod_column.h"
#include "storage/query.h"

namespace ibstream::storage {

// The columns a query fills (bits of ColumnQueryRequest::columns).
enum TickColumn : uint32_t {
  kColumnType = 1u << 0,
  kColumnExchangeTime = 1u << 1,
  kColumnReceiveTime = 1u << 2,
  kColumnSequence = 1u << 3,
  kColumnSource = 1u << 4,
  kColumnPrice = 1u << 5,
  kColumnSize = 1u << 6,
  kColumnBidPrice = 1u << 7,
  kColumnBidSize = 1u << 8,
  kColumnAskPrice = 1u << 9,
  kColumnAskSize = 1u << 10,
  kColumnVolume = 1u << 11,
  kColumnExchange = 1u << 12,
  kColumnSpecialConditions = 1u << 13,
  kColumnAttributes = 1u << 14,
};
inline constexpr uint32_t kAllTickColumns = (1u << 15) - 1;

// Whether a record of `type` stores the field of `column` (FORMAT.md §2): prices for last,
// all_last, mid_point and trade; sizes for last, all_last and trade; bid and ask for bid_ask and
// quote; volume for trade; exchange, conditions and attributes for last and all_last, attributes
// for bid_ask. Times, sequence, source and type belong to every kind.
bool KindStoresColumn(TickType type, TickColumn column);

// The most threads ColumnQueryRequest::threads = 0 uses.
inline constexpr size_t kMaxAutomaticColumnThreads = 8;

struct ColumnQueryRequest {
  int64_t contract_id = 0;
  std::vector<TickType> types;  // distinct; depth (a book change, not a tick) is refused
  TimePoint from;               // inclusive (IB time)
  TimePoint to;                 // exclusive
  uint32_t columns = kAllTickColumns;
  // Hours are read by up to this many threads at once (0: one per core, at most
  // kMaxAutomaticColumnThreads: each holds an hour's records). The answer is the same for any
  // number; `fs` must allow calls from several threads when it is not 1.
  size_t threads = 1;
};

// One row per tick. Only the columns of the request are filled; each filled column has rows()
// values. Where a row's kind does not store a field (KindStoresColumn): NaN for numbers, -1 for
// codes, 0 for attributes.
struct TickColumnData {
  PodColumn<int8_t> type;  // index into the request's types
  PodColumn<int64_t> exchange_time_ns;
  PodColumn<int64_t> receive_time_ns;
  PodColumn<uint64_t> sequence;
  PodColumn<int8_t> source;  // TickSource: 0 live, 1 backfill
  PodColumn<double> price, bid_price, ask_price;
  // Decimal::ToDouble of the stored size; NaN when unset.
  PodColumn<double> size, bid_size, ask_size, volume;
  // Codes into exchange_names / condition_names, numbered in order of first appearance.
  PodColumn<int32_t> exchange, special_conditions;
  std::vector<std::string> exchange_names, condition_names;
  PodColumn<uint8_t> attributes;  // TickAttribute bits the kind defines
  size_t rows = 0;
};

// Reads the request into *out (which must be empty). Errors: InvalidArgument for a request
// without types, with a repeated type or with depth; an error listing the store's top
// directories. Damage is skipped and listed in *stats exactly as QueryTicks does; `stats` may be
// null. Not thread-safe on one TickColumnData; several queries may run at once.
Status QueryTickColumns(fs::FileSystem* fs, const std::string& root,
                        const ColumnQueryRequest& request, TickColumnData* out, QueryStats* stats);

}  // namespace ibstream::storage
