#include "cluster/nats_merge_source.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace ibstream::cluster {

BufferedSource::BufferedSource(std::string recorder_id, Duration settle)
    : name_(std::move(recorder_id)), settle_(settle) {}

std::optional<TimePoint> BufferedSource::settled_latest() const {
  if (jump_from_ && *latest_ < jump_to_ + settle_) return jump_from_;
  return latest_;
}

void BufferedSource::AddTick(const DecodedTick& tick, std::string reply) {
  auto [it, inserted] = ticks_.try_emplace(tick.position, HeldTick{tick.tick, {}});
  if (!reply.empty()) it->second.replies.push_back(std::move(reply));
  if (!inserted) return;
  const StreamKey stream = tick.tick.stream();
  const TimePoint t = tick.tick.exchange_time;
  auto [seen, fresh] = seen_.try_emplace(stream, Seen{t, t});
  if (!fresh) {
    seen->second.first = std::min(seen->second.first, t);
    seen->second.last = std::max(seen->second.last, t);
  }
  if (latest_ && t > *latest_) {
    if (jump_from_ && t >= jump_to_ + settle_) jump_from_.reset();  // the last jump has settled
    if (!jump_from_ && t - *latest_ > kJump) {
      jump_from_ = *latest_;
      jump_to_ = t;
    }
  }
  latest_ = latest_ ? std::max(*latest_, t) : t;
  if (fresh) Rebuild();
}

void BufferedSource::AddGap(const storage::GapRecord& gap, std::string reply) {
  auto [it, inserted] = gaps_.try_emplace(gap.id, HeldGap{gap, {}});
  if (!inserted) {
    const storage::GapRecord& held = it->second.gap;
    if (std::tie(gap.updated_at, gap.state) > std::tie(held.updated_at, held.state)) {
      it->second.gap = gap;
    }
  }
  if (!reply.empty()) it->second.replies.push_back(std::move(reply));
  Rebuild();
}

std::vector<std::string> BufferedSource::TakeDecided(const merge::MergeState& state) {
  std::vector<std::string> replies;
  auto decided = [&](const StreamKey& stream, TimePoint t, bool inclusive) {
    auto it = state.streams.find(stream);
    if (it == state.streams.end()) return false;
    return inclusive ? t <= it->second.merged_to : t < it->second.merged_to;
  };
  for (auto it = ticks_.begin(); it != ticks_.end();) {
    if (decided(it->second.tick.stream(), it->second.tick.exchange_time, false)) {
      for (std::string& r : it->second.replies) replies.push_back(std::move(r));
      it = ticks_.erase(it);
    } else {
      ++it;
    }
  }
  bool gaps_changed = false;
  for (auto it = gaps_.begin(); it != gaps_.end();) {
    if (decided(it->second.gap.stream, it->second.gap.end, true)) {
      for (std::string& r : it->second.replies) replies.push_back(std::move(r));
      it = gaps_.erase(it);
      gaps_changed = true;
    } else {
      ++it;
    }
  }
  if (gaps_changed) Rebuild();
  return replies;
}

std::vector<std::string> BufferedSource::TakeAll() {
  std::vector<std::string> replies;
  for (auto& [position, held] : ticks_) {
    for (std::string& r : held.replies) replies.push_back(std::move(r));
  }
  for (auto& [id, held] : gaps_) {
    for (std::string& r : held.replies) replies.push_back(std::move(r));
  }
  ticks_.clear();
  gaps_.clear();
  Rebuild();
  return replies;
}

void BufferedSource::ForEachReply(const std::function<void(const std::string&)>& fn) const {
  for (const auto& [position, held] : ticks_) {
    for (const std::string& r : held.replies) fn(r);
  }
  for (const auto& [id, held] : gaps_) {
    for (const std::string& r : held.replies) fn(r);
  }
}

void BufferedSource::SetDecidedPoints(const merge::MergeState& state) {
  decided_.clear();
  for (const auto& [stream, saved] : state.streams) decided_[stream] = saved.merged_to;
}

void BufferedSource::Rebuild() {
  std::set<StreamKey> streams;
  for (const auto& [stream, seen] : seen_) streams.insert(stream);
  gap_list_.clear();
  for (const auto& [id, held] : gaps_) {
    streams.insert(held.gap.stream);
    gap_list_.push_back(held.gap);
  }
  streams_.assign(streams.begin(), streams.end());
}

Result<std::optional<merge::Extent>> BufferedSource::StreamExtent(const StreamKey& stream) {
  auto it = seen_.find(stream);
  if (it == seen_.end()) return std::optional<merge::Extent>();
  merge::Extent extent;
  extent.first = it->second.first;
  extent.last = it->second.last;
  extent.first_tick = it->second.first;
  extent.last_tick = it->second.last;
  auto decided = decided_.find(stream);
  if (decided != decided_.end() && decided->second < extent.first) {
    extent.first = decided->second;
  }
  return std::optional<merge::Extent>(extent);
}

Status BufferedSource::ReadTicks(const std::vector<StreamKey>& streams, TimePoint from,
                                 TimePoint to, std::vector<std::vector<Tick>>* out,
                                 storage::QueryStats*) {
  out->resize(streams.size());
  std::vector<size_t> sizes_before;
  for (const auto& list : *out) sizes_before.push_back(list.size());
  for (const auto& [position, held] : ticks_) {
    const Tick& tick = held.tick;
    if (tick.exchange_time < from || tick.exchange_time >= to) continue;
    const auto it = std::lower_bound(streams.begin(), streams.end(), tick.stream());
    if (it == streams.end() || *it != tick.stream()) continue;
    (*out)[static_cast<size_t>(it - streams.begin())].push_back(tick);
  }
  for (size_t i = 0; i < out->size(); ++i) {
    auto& list = (*out)[i];
    std::sort(list.begin() + static_cast<std::ptrdiff_t>(sizes_before[i]), list.end(),
              [](const Tick& a, const Tick& b) {
                return std::tie(a.exchange_time, a.receive_time, a.sequence) <
                       std::tie(b.exchange_time, b.receive_time, b.sequence);
              });
  }
  return Status::Ok();
}

std::optional<TimePoint> ChooseMergeEnd(std::span<const std::optional<TimePoint>> latest,
                                        Duration hold_back, Duration max_lag) {
  std::optional<TimePoint> newest;
  for (const auto& t : latest) {
    if (t) newest = newest ? std::max(*newest, *t) : *t;
  }
  if (!newest) return std::nullopt;
  TimePoint oldest = *newest;
  for (const auto& t : latest) {
    if (t && *t >= *newest - max_lag) oldest = std::min(oldest, *t);
  }
  return std::chrono::floor<std::chrono::seconds>(oldest - hold_back);
}

}  // namespace ibstream::cluster
