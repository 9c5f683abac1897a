// Completeness of a store against the simulator's ground truth (`ibstream verify --truth`).
//
// For each stream, the truth's ticks inside the stream's window are compared with the stored
// ticks of that window, second by second (IB's exchange second), as multisets of their content:
// prices, sizes (by value), attributes, exchange and special conditions. Receive times, arrival
// order and the live/backfill flag are not content. A truth tick counts whether or not the
// simulator delivered it: a tick the recorder was not sent (a disconnect, a farm outage) is one
// it had to fill from IB's history.
//
// Which streams: every stream a client asked for (the truth's subscription records, served or
// refused), those of which the truth says at least one tick was delivered, or the ones given in
// `streams`. A stream asked for is never left out: one that stored nothing while its market was
// open is 0%. The window of a stream asked for: from the first whole second after its first ask
// to the stop (the footer's end; without a footer the file's last instant), or to the cancel that
// ended its last subscription when nothing asked for it again; a subscription dropped by the
// simulator (a disconnect) or refused keeps the stream judged to the stop, except a capacity
// refusal (10190, 101: the recorder records it through the reqMktData fallback, judged as its
// own kinds): from it until the stream is served again nothing is owed. A market
// closed for part of the window has no truth tick there, so only open-market time weighs; a window
// with no truth tick at all is 100%. Without subscription records (a version 1 truth) the window is
// the whole seconds strictly between the stream's first and last delivered tick. `from`/`to`
// override every window. Stored ticks outside the window are ignored.
//
// Missing = truth ticks without a stored match; extra = stored ticks without a truth match (data
// that never happened, e.g. a duplicate backfill). The check passes when every stream's
// completeness (live + backfill) reaches `min_completeness` and nothing is extra.
//
// The recorder's route log (storage/route_log.h) says which kinds it needed over which intervals
// (verify/route_spans.h): a configured stream on tick-by-tick needs its own kind, one on the
// fallback its contract's fallback kind. A stream the route log knows is owed only over the whole
// seconds it was needed (and its window is narrowed to them); a fallback kind no route needed in
// its window is not judged (unless named). A store without route records (recorded by an older
// version) is judged as the truth asks: a "MktData" line asks for both fallback kinds.
//
// The reqMktData fallback kinds, quote and trade, are sampled streams (IB publishes a top-of-book
// snapshot about every 250 ms; a backfill from IB's tick history is richer than that), so they
// are judged by COVERAGE, not by multiset content. A subscription record naming "MktData" asks
// for both the quote and the trade stream of its contract (its window is judged from its first
// ask like any stream, within the intervals the routes needed it).
// For these streams the unit is the truth second with data: a second with quote (trade) truth
// records is covered when the store holds at least one quote (trade) tick of that contract with
// exchange time in [s, s+2) (a live quote carries its receive time, which may cross into the next
// second); `expected`, `delivered`, `matched`, `matched_live` and `missing` count such seconds,
// `stored` and `stored_live` count ticks, and stored ticks are never extra. The report's total adds
// each stream's counts as they are (ticks and seconds alike).
//
// Market depth (kind depth) is judged by SEQUENCE per reqMktDepth subscription, with the book it
// builds: see verify/depth_completeness.h. Updates lost with a dropped connection cannot be filled
// (IB keeps no depth history): they are missing, and counted as `lost`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "model/tick.h"
#include "storage/query.h"
#include "storage/verify.h"
#include "verify/route_spans.h"

namespace ibstream::verify {

struct CompletenessOptions {
  std::string truth_path;
  // Only these streams (empty: every stream the truth delivered).
  std::vector<StreamKey> streams;
  // Overrides of every stream's window (exchange time; `from` inclusive, `to` exclusive).
  std::optional<TimePoint> from;
  std::optional<TimePoint> to;
  // Percent, 0..100.
  double min_completeness = 100;
  // How many missing seconds each stream lists.
  size_t max_missing_seconds = 5;
};

struct StreamCompleteness {
  StreamKey stream;
  // A fallback kind (quote, trade), judged by coverage of the truth's seconds; the counts below
  // marked "truth ticks" are then seconds.
  bool by_coverage = false;
  // Market depth, judged by sequence per subscription (verify/depth_completeness.h): the counts
  // are depth updates.
  bool by_sequence = false;
  std::string symbol;
  TimePoint from;  // the window, by exchange time: [from, to)
  TimePoint to;
  std::optional<TimePoint> first_ask;  // the first subscription record of the stream, if any
  // The whole seconds the recorder's route log says the stream was needed (the window is within
  // them); nullopt when the route log does not know the stream.
  std::optional<std::vector<NeedSpan>> needed;
  uint64_t expected = 0;      // truth ticks in the window
  uint64_t delivered = 0;     // ... of which the simulator delivered
  uint64_t stored_live = 0;   // stored live ticks in the window
  uint64_t stored = 0;        // stored ticks in the window, live + backfill
  uint64_t matched_live = 0;  // truth ticks matched by a live tick
  uint64_t matched = 0;       // truth ticks matched by a live or backfilled tick
  uint64_t missing = 0;       // expected - matched
  uint64_t extra = 0;         // stored - matched
  // Depth only: missing updates sent to a subscription the connection then dropped (lost: IB
  // keeps no depth history to fill them), and the books compared at the end of each interval.
  uint64_t lost = 0;
  uint64_t books_checked = 0;
  uint64_t books_differ = 0;
  std::vector<TimePoint> first_missing_seconds;

  // Percent of the truth ticks stored (100 when the truth has none).
  double live_completeness() const;
  double completeness() const;
};

struct CompletenessReport {
  std::vector<StreamCompleteness> streams;  // by stream key
  StreamCompleteness total;                 // sums (stream and window left empty)
  bool truth_complete = false;              // the truth file has its footer
  double min_completeness = 100;
  // Damaged store data the comparison could not read (one entry per path): the counts above
  // may be low because of it.
  std::vector<storage::SkippedData> skipped;

  // Every stream reaches min_completeness (a depth stream counting its lost updates as reported),
  // nothing is extra, no depth book differs and nothing was skipped as damaged.
  bool ok() const;
};

// Reads the truth file and the store's route log, queries the store under `root` and compares.
// Errors: an unreadable or malformed truth file, a store that cannot be queried. A damaged route
// log is listed in `skipped` (the check fails).
Result<CompletenessReport> CheckCompleteness(fs::FileSystem* fs, const std::string& root,
                                             const CompletenessOptions& options);

// One line per stream and one for the total, for people:
//   "711202509/bid_ask MNQ 2025-08-11T20:50:01Z..2025-08-11T20:55:00Z: 1200/1200 (100.00%),
//    live 1180 (98.33%), missing 0, extra 0"
std::vector<std::string> DescribeCompleteness(const CompletenessReport& report);

// The JSON document: {"ok":..,"min_completeness":..,"truth_complete":..,"streams":[{..}],
// "total":{..}}, serialized compactly (indent < 0) or pretty.
std::string CompletenessJson(const CompletenessReport& report, int indent);

// The storage::VerifyCheck adapter: runs CheckCompleteness and reports, as problems, each stream
// below the threshold or with extra ticks. The report stays readable after Run().
class CompletenessCheck final : public storage::VerifyCheck {
 public:
  explicit CompletenessCheck(CompletenessOptions options) : options_(std::move(options)) {}

  std::string name() const override { return "completeness"; }
  Status Run(fs::FileSystem* fs, const std::string& root,
             std::vector<std::string>* problems) override;

  // Set once Run() succeeded.
  const std::optional<CompletenessReport>& report() const { return report_; }

 private:
  CompletenessOptions options_;
  std::optional<CompletenessReport> report_;
};

}  // namespace ibstream::verify
