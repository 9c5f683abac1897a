#include "recorder/historical_pacer.h"

#include <algorithm>
#include <vector>

namespace ibstream::recorder {

int HistoricalPacer::WeightOf(const HistoricalRequestKey& key) const {
  return limits_.bid_ask_counts_double && key.what_to_show == "BID_ASK" ? 2 : 1;
}

int HistoricalPacer::WeightInWindow(TimePoint now) const {
  int weight = 0;
  for (const Sent& s : sent_) {
    if (s.at > now - limits_.window) weight += s.weight;
  }
  return weight;
}

TimePoint HistoricalPacer::EarliestSend(const HistoricalRequestKey& key, TimePoint now) const {
  TimePoint earliest = now;

  // Identical request: wait out the cooldown after the last identical one.
  for (const Sent& s : sent_) {
    if (s.key == key) earliest = std::max(earliest, s.at + limits_.identical_cooldown);
  }

  // Same contract and kind: at most max_per_contract_burst in any burst_window. If the window
  // ending at `earliest` is full, wait until its oldest entry leaves it.
  std::vector<TimePoint> same;
  for (const Sent& s : sent_) {
    if (s.key.contract_id == key.contract_id && s.key.what_to_show == key.what_to_show) {
      same.push_back(s.at);
    }
  }
  if (static_cast<int>(same.size()) >= limits_.max_per_contract_burst) {
    // The request would be the (max+1)-th within the window unless it comes after the
    // max-th most recent one has aged out.
    const TimePoint pivot = same[same.size() - static_cast<size_t>(limits_.max_per_contract_burst)];
    earliest = std::max(earliest, pivot + limits_.burst_window);
  }

  // Global window: the weight in (t - window, t] plus this request must stay <= max_per_window.
  const int weight = WeightOf(key);
  int total = 0;
  for (const Sent& s : sent_) total += s.weight;
  // Walk from the oldest entry, dropping entries until the remainder leaves room.
  auto it = sent_.begin();
  while (it != sent_.end() && total + weight > limits_.max_per_window) {
    const TimePoint leaves_at = it->at + limits_.window;
    if (leaves_at > earliest) earliest = leaves_at;
    total -= it->weight;
    ++it;
  }
  return earliest;
}

std::vector<std::pair<TimePoint, int>> HistoricalPacer::RecentSends(TimePoint now) const {
  std::vector<std::pair<TimePoint, int>> out;
  for (const Sent& s : sent_) {
    if (s.at > now - limits_.window) out.emplace_back(s.at, s.weight);
  }
  return out;
}

void HistoricalPacer::Restore(const std::vector<std::pair<TimePoint, int>>& sends) {
  for (const auto& [at, weight] : sends) sent_.push_back(Sent{HistoricalRequestKey{}, at, weight});
  std::stable_sort(sent_.begin(), sent_.end(),
                   [](const Sent& a, const Sent& b) { return a.at < b.at; });
}

void HistoricalPacer::AssumeSpent(TimePoint now) {
  sent_.push_back(Sent{HistoricalRequestKey{}, now, limits_.max_per_window});
  std::stable_sort(sent_.begin(), sent_.end(),
                   [](const Sent& a, const Sent& b) { return a.at < b.at; });
}

void HistoricalPacer::RecordSent(const HistoricalRequestKey& key, TimePoint at) {
  sent_.push_back(Sent{key, at, WeightOf(key)});
  const Duration horizon =
      std::max({limits_.window, limits_.burst_window, limits_.identical_cooldown});
  while (!sent_.empty() && sent_.front().at + horizon <= at) sent_.pop_front();
}

}  // namespace ibstream::recorder
