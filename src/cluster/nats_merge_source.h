// What `ibstream merge --nats` holds of one recorder between fetching its messages and acking
// them: a `merge::MergeSource` over the ticks and gap records received from JetStream and not
// yet acknowledged, plus the decision of how far a continuous merge may go.
//
// Ticks are keyed by their journal position (wire.h), so a message delivered twice (JetStream
// redelivers what was not acknowledged in time; a publisher republishes after a crash once the
// duplicate window has passed) is held once. Every delivery's reply subject is kept so that all
// of them are acknowledged together.
//
// Not thread-safe: the merge loop owns its sources.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cluster/wire.h"
#include "common/clock.h"
#include "merge/merge_source.h"
#include "merge/merge_state.h"

namespace ibstream::cluster {

class BufferedSource final : public merge::MergeSource {
 public:
  // `settle`: see settled_latest().
  BufferedSource(std::string recorder_id, Duration settle);

  // A tick delivered with reply subject `reply` (empty: nothing to acknowledge).
  void AddTick(const DecodedTick& tick, std::string reply);
  // A gap record snapshot; the newest snapshot (by updated_at, then state) of a gap id is used.
  void AddGap(const storage::GapRecord& gap, std::string reply);

  // Drops what the merged store has decided (per stream, exchange time before `merged_to`) and
  // returns the reply subjects of the dropped deliveries, to be acknowledged. A gap snapshot is
  // dropped once its whole range is decided; a stream absent from `state` keeps everything.
  std::vector<std::string> TakeDecided(const merge::MergeState& state);

  // Drops everything held and returns every reply subject (all of it decided, or to hand back).
  std::vector<std::string> TakeAll();

  // Calls `fn` with the reply subject of every delivery held (nothing is dropped).
  void ForEachReply(const std::function<void(const std::string&)>& fn) const;

  // Where a continuous merge's view of this recorder starts: per stream, the point the merged
  // store was decided to. A recorder that delivers ticks of a stream again after a restart of the
  // merge is taken to have recorded it since then (its earlier ticks were acknowledged).
  void SetDecidedPoints(const merge::MergeState& state);

  // The newest exchange time of any tick received (since this object was made).
  std::optional<TimePoint> latest() const { return latest_; }
  // The newest exchange time this recorder is known to have been recording through. When its
  // ticks jump forward by more than kJump (it was silent: quiet, or disconnected and now back),
  // this stays at the tick before the jump until its ticks are `settle` past the jump: the gap
  // record of an outage reaches NATS after the recorder is back, and a second must not be
  // decided before it arrives.
  std::optional<TimePoint> settled_latest() const;
  static constexpr Duration kJump = std::chrono::seconds(2);
  size_t buffered_ticks() const { return ticks_.size(); }
  size_t buffered_gaps() const { return gaps_.size(); }

  // merge::MergeSource
  const std::string& name() const override { return name_; }
  const std::vector<StreamKey>& streams() const override { return streams_; }
  const std::vector<storage::GapRecord>& gaps() const override { return gap_list_; }
  const storage::LedgerDamage& ledger_damage() const override { return no_damage_; }
  Result<std::optional<merge::Extent>> StreamExtent(const StreamKey& stream) override;
  Status ReadTicks(const std::vector<StreamKey>& streams, TimePoint from, TimePoint to,
                   std::vector<std::vector<Tick>>* out, storage::QueryStats* stats) override;

 private:
  struct HeldTick {
    Tick tick;
    std::vector<std::string> replies;
  };
  struct HeldGap {
    storage::GapRecord gap;
    std::vector<std::string> replies;
  };
  struct Seen {
    TimePoint first;
    TimePoint last;
  };
  void Rebuild();

  std::string name_;
  std::map<JournalPosition, HeldTick> ticks_;
  std::map<uint64_t, HeldGap> gaps_;  // by gap id
  std::map<StreamKey, Seen> seen_;    // every tick received, per stream
  std::map<StreamKey, TimePoint> decided_;
  Duration settle_;
  std::optional<TimePoint> latest_;
  std::optional<TimePoint> jump_from_;  // the newest tick before an unsettled jump
  TimePoint jump_to_;                   // the first tick after it
  std::vector<StreamKey> streams_;
  std::vector<storage::GapRecord> gap_list_;
  storage::LedgerDamage no_damage_;
};

// How far a continuous merge may decide: the newest (settled) tick time of every recorder that is
// keeping up (within `max_lag` of the newest recorder), the oldest of those, less `hold_back` (gap
// records reach NATS after the ticks around them), floored to a second. None when no recorder
// has delivered a tick. A recorder more than `max_lag` behind is taken as down: waiting for it
// would stop the merge; its seconds are then decided without it.
std::optional<TimePoint> ChooseMergeEnd(std::span<const std::optional<TimePoint>> latest,
                                        Duration hold_back, Duration max_lag);

}  // namespace ibstream::cluster
