// MergeSource over a recorder's local store (merge_source.h).
#include <algorithm>
#include <map>
#include <set>

#include "merge/merge_source.h"
#include "storage/inventory.h"
#include "storage/layout.h"

namespace ibstream::merge {
namespace {

class StoreSource final : public MergeSource {
 public:
  StoreSource(fs::FileSystem* fs, std::string name, std::string root)
      : fs_(fs), name_(std::move(name)), root_(std::move(root)) {}

  Status Open() {
    IBSTREAM_RETURN_IF_ERROR(storage::CheckIsStore(fs_, root_));
    auto inventory = storage::ReadInventory(fs_, root_);
    if (!inventory.ok()) return inventory.status();
    inventory_ = std::move(*inventory);
    auto gaps = storage::GapLedger::ReadAllReporting(fs_, root_, &ledger_damage_);
    if (!gaps.ok()) return gaps.status().WithContext("gap ledger of " + root_);
    gaps_ = std::move(*gaps);
    std::set<StreamKey> streams;
    for (const auto& [key, extent] : inventory_.streams) streams.insert(key);
    for (const storage::GapRecord& gap : gaps_) streams.insert(gap.stream);
    streams_.assign(streams.begin(), streams.end());
    return Status::Ok();
  }

  const std::string& name() const override { return name_; }
  const std::vector<StreamKey>& streams() const override { return streams_; }
  const std::vector<storage::GapRecord>& gaps() const override { return gaps_; }
  const storage::LedgerDamage& ledger_damage() const override { return ledger_damage_; }

  // The inventory's bounds are whole hours for closed files: the exact first and last tick are
  // found by reading the hours at either end (the first hour that holds any tick, going inwards).
  // An hour whose data was partly skipped as damaged counts as recorded whole: its readable ticks
  // cannot tell where the recording began or ended.
  Result<std::optional<Extent>> StreamExtent(const StreamKey& stream) override {
    auto it = inventory_.streams.find(stream);
    if (it == inventory_.streams.end()) return std::optional<Extent>();
    const TimePoint lo = storage::HourStart(it->second.first);
    const TimePoint hi = it->second.last;
    Extent extent;
    std::optional<TimePoint> first;
    for (TimePoint hour = lo; hour <= hi && !extent.first_tick; hour += storage::kStoreHour) {
      auto bounds = Bounds(stream, hour);
      if (!bounds.ok()) return bounds.status();
      if (bounds->damaged && !first) first = hour;
      if (bounds->first) {
        extent.first_tick = bounds->first;
        if (!first) first = bounds->first;
      }
    }
    if (!first) return std::optional<Extent>();
    std::optional<TimePoint> last;
    for (TimePoint hour = storage::HourStart(hi); hour >= lo && !extent.last_tick;
         hour -= storage::kStoreHour) {
      auto bounds = Bounds(stream, hour);
      if (!bounds.ok()) return bounds.status();
      if (bounds->damaged && !last) last = hour + storage::kStoreHour - std::chrono::nanoseconds(1);
      if (bounds->last) {
        extent.last_tick = bounds->last;
        if (!last) last = bounds->last;
      }
    }
    extent.first = *first;
    extent.last = std::max(*first, last.value_or(*first));
    return std::optional<Extent>(extent);
  }

  Status ReadTicks(const std::vector<StreamKey>& streams, TimePoint from, TimePoint to,
                   std::vector<std::vector<Tick>>* out, storage::QueryStats* stats) override {
    out->resize(streams.size());
    storage::QueryRequest request;
    request.streams = streams;
    request.from = from;
    request.to = to;
    return storage::QueryTicks(
        fs_, root_, request,
        [&](const Tick& tick) {
          const auto it = std::lower_bound(streams.begin(), streams.end(), tick.stream());
          if (it != streams.end() && *it == tick.stream()) {
            (*out)[static_cast<size_t>(it - streams.begin())].push_back(tick);
          }
          return Status::Ok();
        },
        stats);
  }

 private:
  struct HourBounds {
    std::optional<TimePoint> first;
    std::optional<TimePoint> last;
    bool damaged = false;  // some of the hour's data was skipped as damaged
  };

  // The first and last exchange time of `stream` in the hour starting at `hour` (each hour read
  // once: with one hour of data the first and the last hour are the same).
  Result<HourBounds> Bounds(const StreamKey& stream, TimePoint hour) {
    auto known = bounds_.find({stream, hour});
    if (known != bounds_.end()) return known->second;
    storage::QueryRequest request;
    request.streams = {stream};
    request.from = hour;
    request.to = hour + storage::kStoreHour;
    HourBounds bounds;
    storage::QueryStats stats;
    IBSTREAM_RETURN_IF_ERROR(storage::QueryTicks(
        fs_, root_, request,
        [&](const Tick& tick) {
          if (!bounds.first) bounds.first = tick.exchange_time;
          bounds.last = tick.exchange_time;
          return Status::Ok();
        },
        &stats));
    bounds.damaged = !stats.complete();
    bounds_[{stream, hour}] = bounds;
    return bounds;
  }

  fs::FileSystem* fs_;
  std::string name_;
  std::string root_;
  storage::StoreInventory inventory_;
  std::vector<storage::GapRecord> gaps_;
  storage::LedgerDamage ledger_damage_;
  std::vector<StreamKey> streams_;
  std::map<std::pair<StreamKey, TimePoint>, HourBounds> bounds_;
};

}  // namespace

Result<std::unique_ptr<MergeSource>> OpenStoreSource(fs::FileSystem* fs, std::string name,
                                                     std::string root) {
  auto source = std::make_unique<StoreSource>(fs, std::move(name), std::move(root));
  IBSTREAM_RETURN_IF_ERROR(source->Open());
  return std::unique_ptr<MergeSource>(std::move(source));
}

}  // namespace ibstream::merge
