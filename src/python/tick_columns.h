// The columns of the Python module: ticks and gaps read from a store with the storage part's own
// readers (storage::QueryTicks, storage::GapLedger::ReadAll), laid out as one array per field so
// that the binding can hand each array to numpy without a Python object per row.
//
// Nothing here knows Python; module.cc turns these columns into numpy arrays.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/decimal.h"
#include "common/status.h"
#include "model/tick.h"
#include "python/pod_column.h"
#include "storage/gap_ledger.h"
#include "storage/query.h"

namespace ibstream::python {

// The fields of a tick, in the order the DataFrame shows them. Each kind stores some of them
// (TickFieldsOf); the time, sequence and source fields belong to every kind.
enum class TickField : uint8_t {
  kType,  // only when several kinds are read
  kExchangeTime,
  kReceiveTime,
  kSequence,
  kSource,
  kPrice,
  kSize,
  kBidPrice,
  kBidSize,
  kAskPrice,
  kAskSize,
  kVolume,
  kExchange,
  kSpecialConditions,
  kPastLimit,
  kUnreported,
  kBidPastLow,
  kAskPastHigh,
};
inline constexpr int kTickFieldCount = 18;

// "exchange_time", "bid_price", ... (the column names, as in `ibstream query --format csv`).
const char* TickFieldName(TickField field);

// Whether `type` stores `field` (kType excepted: it depends on the request, not the kind).
bool KindStoresField(TickType type, TickField field);

// The fields a frame of the kinds `types` shows, in column order: the union of what each kind
// stores, with kType first when there are several kinds.
std::vector<TickField> TickFieldsOf(const std::vector<TickType>& types);

// Ticks of one contract as columns. Only the vectors of `fields` are filled; a row whose kind
// does not store a shown field holds NaN (numbers), false (flags) or -1 (category codes).
// Times are Unix nanoseconds (UTC).
struct TickColumns {
  std::vector<TickField> fields;
  bool exact = false;  // also keep the exact decimals of sizes and volumes

  PodColumn<int8_t> type;  // index into `types` of the request
  PodColumn<int64_t> exchange_time_ns;
  PodColumn<int64_t> receive_time_ns;
  PodColumn<uint64_t> sequence;
  PodColumn<int8_t> source;  // TickSource values: 0 live, 1 backfill
  PodColumn<double> price, size, bid_price, bid_size, ask_price, ask_size, volume;
  // With `exact`: the sizes and volumes as stored (unset where the double is NaN).
  std::vector<Decimal> exact_size, exact_bid_size, exact_ask_size, exact_volume;
  // Codes into exchange_names / condition_names; -1 where the kind has no such field.
  PodColumn<int32_t> exchange, special_conditions;
  std::vector<std::string> exchange_names, condition_names;
  PodColumn<uint8_t> past_limit, unreported, bid_past_low, ask_past_high;

  size_t rows() const { return exchange_time_ns.size(); }
};

struct TickRequest {
  std::string root;
  int64_t contract_id = 0;
  std::vector<TickType> types;  // at least one
  TimePoint from;               // inclusive (IB time)
  TimePoint to;                 // exclusive
  bool exact = false;
  size_t threads = 1;  // hours read at once by the column reader (0: one per core)
};

// Reads the request into *columns (which must be empty). Damaged data is skipped and listed in
// *stats (as `ibstream query --data` reports it). Without `exact`, with the column reader
// (storage::QueryTickColumns, no Tick per row); with it, ReadTickColumnsFromTicks. Both return
// the same rows and statistics as storage::QueryTicks; an error is what it would return.
Status ReadTickColumns(const TickRequest& request, TickColumns* columns,
                       storage::QueryStats* stats);

// The two routes of ReadTickColumns, exposed for tests: storage::QueryTicks with a Tick per row
// (also fills the exact decimals when request.exact), and storage::QueryTickColumns (never exact).
Status ReadTickColumnsFromTicks(const TickRequest& request, TickColumns* columns,
                                storage::QueryStats* stats);
Status ReadTickColumnsFromColumns(const TickRequest& request, TickColumns* columns,
                                  storage::QueryStats* stats);

// Unix nanoseconds that numpy's datetime64[ns] reads as NaT.
inline constexpr int64_t kNaTNanos = std::numeric_limits<int64_t>::min();

// The gap ledger as columns, in id order.
struct GapColumns {
  std::vector<uint64_t> id;
  std::vector<int64_t> contract_id;
  std::vector<std::string> tick_type;
  std::vector<int64_t> start_ns, end_ns, updated_at_ns;
  std::vector<std::string> cause, backfill, reason;
  // How a filled gap was filled, as the ledger's FILL record kept it and `ibstream gaps --json`
  // shows it under "fill" (http/gap_fill_json.h): only for gaps whose backfill is "filled" and
  // whose ledger kept the timing; otherwise kNaTNanos and NaN. Durations in seconds;
  // ratio_to_minimum is also NaN when there is no least time to compare against.
  std::vector<int64_t> queued_at_ns, filled_at_ns;
  std::vector<double> time_to_fill_seconds, requests, requests_needed, pacing_minimum_seconds,
      round_trip_seconds, least_time_seconds, ratio_to_minimum;

  size_t rows() const { return id.size(); }
};

struct GapRequest {
  std::string root;
  std::optional<int64_t> contract_id;  // all contracts when unset
  TimePoint from;                      // gaps that end after `from`
  TimePoint to;                        // and start before `to`
};

// Reads the ledger without writing (GapLedger::ReadAllReporting); damaged records are skipped and
// described in *damage.
Status ReadGapColumns(const GapRequest& request, GapColumns* columns,
                      storage::LedgerDamage* damage);

}  // namespace ibstream::python
