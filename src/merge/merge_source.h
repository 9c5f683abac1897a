// Where `ibstream merge` reads a recorder's data: its ticks, its gap ledger and what it recorded.
//
// The merge reads every source through this interface, so that a source other than a local store
// (a JetStream consumer holding what a recorder published) can be added without touching the
// merge. `OpenStoreSource` reads a recorder's local store (read-only: it works on a store a
// recorder is writing).
//
// A source is used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "merge/merge_decision.h"
#include "model/tick.h"
#include "storage/gap_ledger.h"
#include "storage/query.h"

namespace ibstream::merge {

class MergeSource {
 public:
  virtual ~MergeSource() = default;

  // The recorder's name, as merged gap records cite it ("a", "gw-live").
  virtual const std::string& name() const = 0;

  // Every stream the source holds ticks or gap records of, sorted.
  virtual const std::vector<StreamKey>& streams() const = 0;

  // Its gap records (all streams). They stay valid as long as the source.
  virtual const std::vector<storage::GapRecord>& gaps() const = 0;

  // What its gap ledger had damaged (empty when clean).
  virtual const storage::LedgerDamage& ledger_damage() const = 0;

  // [first, last] exchange time of its ticks of `stream`; none when it holds none. Errors: the
  // source cannot be read at all.
  virtual Result<std::optional<Extent>> StreamExtent(const StreamKey& stream) = 0;

  // Appends to `out[i]` the ticks of `streams[i]` (sorted, no duplicates) with exchange time in
  // [from, to), in (exchange time, receive time, sequence) order. Damaged data is skipped and
  // listed in `stats` (never an error); an error means nothing could be read.
  virtual Status ReadTicks(const std::vector<StreamKey>& streams, TimePoint from, TimePoint to,
                           std::vector<std::vector<Tick>>* out, storage::QueryStats* stats) = 0;
};

// A recorder's local store under `root`, named `name`. NotFound when `root` is not a store.
// Reads the gap ledger once, without writing (damaged records are skipped and described in
// ledger_damage()). `fs` must outlive the source.
Result<std::unique_ptr<MergeSource>> OpenStoreSource(fs::FileSystem* fs, std::string name,
                                                     std::string root);

}  // namespace ibstream::merge
