// `ibstream merge`: several recorders' data of the same contracts into one store in the normal
// on-disk format (query, verify, gaps, the Python and HTTP readers read it unchanged).
//
// Per stream (contract and kind) and exchange second, the merged store takes the ticks of ONE
// source that covered the second (merge_decision.h: live, else a completed backfill; the source
// of the previous second when it still covers), all of them and in order; two sources are never
// mixed within a second. Where no source covered a second, the merged gap ledger gets a record
// (state "failed": nothing will backfill it here) whose cause joins the sources' causes
// ("disconnect+recorder_restart") and whose reason names every recorder and why it lost the
// second ("lost by every recorder: a (disconnect: ...), b (not recording)"). Consecutive
// seconds with the same reason make one record.
//
// Damaged source data (a closed file failing its checks, damaged journal records) is skipped and
// listed in the report; the seconds it may have held (that stream's hour for a closed file, the
// journal's hour for every stream) count as kDamaged for that source, so another source that
// covers them is taken; when none does, the damaged source's readable ticks are taken and the
// second is recorded as a merged gap.
//
// Market depth is not merged (MergeReport::depth_not_merged lists its streams): a depth record
// changes the book its recorder's subscription built since its last reset, so one recorder's
// records cannot continue another's book, and taking a second from another recorder would store
// a book that never existed. The merged store holds no depth; read depth from a recorder's store.
//
// Incremental: the merged store keeps, per stream, how far it was merged (merge_state.h); a
// later run starts there, appends, and extends a merged gap left open at that point. The merged
// store must be written by one merge at a time, and by nothing else: a directory that is not empty
// and holds no merge state is refused.
//
// Threads: runs on the caller's thread (plus the output store's writer thread).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "merge/merge_source.h"
#include "model/tick.h"
#include "storage/query.h"

namespace ibstream::merge {

struct MergeOptions {
  // The merged store's root: absent or empty (created), or one a merge wrote.
  std::string out;
  // The range of exchange time to merge, in whole seconds. Without `start`: where the last run
  // stopped, else the first second any source recorded. Without `end`: one second past the last
  // second any source recorded. A stream never goes back before where it was merged to.
  std::optional<TimePoint> start;
  std::optional<TimePoint> end;
  std::optional<int64_t> contract;  // only this contract's streams
  int zstd_level = 3;
};

struct StreamMergeReport {
  StreamKey stream;
  TimePoint from;  // the seconds decided this run: [from, to)
  TimePoint to;
  uint64_t ticks = 0;
  uint64_t gap_seconds = 0;      // seconds no source covered
  uint64_t damaged_seconds = 0;  // ... of which a damaged source's readable ticks were taken
  uint64_t switches = 0;         // times the chosen source changed
  std::map<std::string, uint64_t> seconds_by_source;
};

struct SourceDamage {
  std::string source;
  std::vector<storage::SkippedData> skipped;  // one entry per damaged path
  uint64_t skipped_bytes = 0;
  storage::LedgerDamage ledger;
};

struct MergeReport {
  std::vector<StreamMergeReport> streams;
  uint64_t ticks = 0;
  uint64_t gap_records_added = 0;
  uint64_t gap_records_extended = 0;
  std::vector<SourceDamage> damage;  // sources with damaged data (only those)
  // Market-depth streams the sources hold (of the contract asked for), left out: see above.
  std::vector<StreamKey> depth_not_merged;

  bool damaged() const { return !damage.empty(); }
};

// Merges `sources` (at least one; names unique; merged gap records cite at most 64 bytes of a
// name and 256 of each source's reason) into the store at options.out. `fs` and `clock`
// (the merged store's writer clock and the gap records' update times) are used for the output
// store. Errors: a source that cannot be read at all, the merged store cannot be opened or
// written, an unreadable merge state; damage in a source is not an error (see the report).
Result<MergeReport> MergeStores(fs::FileSystem* fs, const Clock& clock,
                                const std::vector<MergeSource*>& sources,
                                const MergeOptions& options);

}  // namespace ibstream::merge
