// The recorder's read API (src/http) over a running `ibstream merge --nats`: the merged store
// stands in for a recorder's store, the merge's progress for its state.
//
// MergeApi is the http::RecorderApiSource of a merge. Its view has one contract per merged
// contract (its streams are the merged streams, route "merged", last exchange time the last
// second decided), the merged gap ledger as its gaps, NATS as its "gateway" (up while the
// consumer is connected) and the merged store as its storage. Queries read the merged store;
// live subscribers get every tick a merge decides, once it is durable, in exchange-time order.
// Commands (backfill, retry, track, untrack) are refused: a merged store is written by the merge
// alone. Status (`StatusJson`, under "merge" in /v1/status) and `WriteMetrics` (/metrics) show the
// merge itself: the recorders it reads and how far behind the newest each is, ticks merged, the
// merged gaps and how far each stream is decided.
//
// Threads: OnProgress and OnMerged are called by the merge's thread (the callbacks of
// cluster::NatsMergeOptions, see Attach); everything else from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cluster/nats_merge.h"
#include "common/clock.h"
#include "fs/file_system.h"
#include "http/prometheus.h"
#include "http/recorder_api_source.h"
#include "merge/merge_state.h"
#include "merge/merger.h"
#include "recorder/tick_fanout.h"

namespace ibstream::cli {

struct MergeApiOptions {
  std::string out;       // the merged store
  std::string nats_url;  // shown in the status
};

class MergeApi final : public http::RecorderApiSource {
 public:
  // `fs` and `clock` must outlive this object. Reads the merged store's state and gaps as they are.
  MergeApi(fs::FileSystem* fs, const Clock& clock, MergeApiOptions options);
  MergeApi(const MergeApi&) = delete;
  MergeApi& operator=(const MergeApi&) = delete;

  // Chains OnProgress and OnMerged into `options` (an after_merge already set still runs, first).
  // `this` must outlive the merge.
  void Attach(cluster::NatsMergeOptions* options);

  // The merge's thread: the progress after a fetch; a merge's report once it is durable (reads
  // the merged state and ledger again, and hands the decided ticks to live subscribers).
  void OnProgress(const cluster::NatsMergeProgress& progress);
  void OnMerged(const merge::MergeReport& report);

  // {"merge":{...}}: the members appended to /v1/status.
  std::string StatusJson() const;
  // ibstream_merge_* families for /metrics.
  void WriteMetrics(http::PrometheusWriter& w) const;
  // Live subscribers now (SSE and WebSocket clients).
  size_t live_subscribers() const { return fanout_.subscriber_count(); }
  // Ticks handed to live subscribers, and live hand-overs whose query of the store failed.
  uint64_t live_ticks() const;
  uint64_t live_errors() const;

  // http::RecorderApiSource
  std::shared_ptr<const recorder::RecorderView> View() const override;
  Status Query(const std::vector<StreamKey>& streams, TimePoint from, TimePoint to,
               const std::function<Status(const Tick&)>& sink,
               storage::QueryStats* stats) const override;
  uint64_t Subscribe(recorder::TickFanout::Filter filter,
                     recorder::TickFanout::Consumer consumer) override;
  void Unsubscribe(uint64_t id) override;
  Status RequestBackfill(const StreamKey& stream, TimePoint from, TimePoint to) override;
  Status RetryGap(uint64_t gap_id) override;
  Result<recorder::ContractChange> Track(std::string_view contract_toml) override;
  Result<recorder::ContractChange> Untrack(std::string_view id) override;
  Result<std::shared_ptr<const calendar::MarketCalendar>> Calendar(
      int64_t contract_id) const override;
  TimePoint Now() const override { return clock_.Now(); }

 private:
  // Reads merge/state.json and the merged ledger again (the merge's thread).
  void ReadStore();
  void PublishDecided(const merge::MergeReport& report);

  fs::FileSystem* fs_;
  const Clock& clock_;
  const MergeApiOptions options_;
  const TimePoint started_at_;
  recorder::TickFanout fanout_;

  mutable std::mutex mu_;  // guards everything below
  cluster::NatsMergeProgress progress_;
  merge::MergeState state_;
  std::vector<storage::GapRecord> gaps_;
  std::map<StreamKey, uint64_t> merged_ticks_;  // by stream, this run
  uint64_t merged_total_ = 0;
  std::string store_error_;  // the last failure reading the merged store's state or ledger
  uint64_t live_ticks_ = 0;
  uint64_t live_errors_ = 0;
};

}  // namespace ibstream::cli
