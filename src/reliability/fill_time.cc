#include "reliability/fill_time.h"

#include <algorithm>
#include <deque>
#include <utility>

namespace ibstream::reliability {

Duration MinimumPacedDuration(const HistoricalPacingLimits& limits, int requests, bool bid_ask) {
  if (requests <= 1) return Duration{0};
  const int weight = bid_ask && limits.bid_ask_counts_double ? 2 : 1;
  const int burst = std::max(1, limits.max_per_contract_burst);
  // Each request is sent at the earliest time both rules allow, given the ones before it.
  std::vector<TimePoint> sent;
  sent.reserve(static_cast<size_t>(requests));
  std::deque<TimePoint> in_window;  // the requests whose weight still counts, oldest first
  const TimePoint origin{};
  for (int i = 0; i < requests; ++i) {
    TimePoint at = sent.empty() ? origin : sent.back();
    if (static_cast<int>(sent.size()) >= burst) {
      at = std::max(at, sent[sent.size() - static_cast<size_t>(burst)] + limits.burst_window);
    }
    // The weight in (at - window, at] plus this request must stay within the window's budget;
    // a request heavier than the whole budget goes once the window is empty.
    const int budget = std::max(limits.max_per_window, weight);
    while (!in_window.empty() && static_cast<int>(in_window.size()) * weight + weight > budget) {
      at = std::max(at, in_window.front() + limits.window);
      in_window.pop_front();
    }
    while (!in_window.empty() && in_window.front() + limits.window <= at) in_window.pop_front();
    in_window.push_back(at);
    sent.push_back(at);
  }
  return sent.back() - origin;
}

Duration GapFillTiming::least_time() const {
  if (round_trip <= Duration{0}) return pacing_minimum;
  return std::max(pacing_minimum + round_trip, std::max(requests_needed, 1) * round_trip);
}

std::optional<double> GapFillTiming::ratio_to_minimum() const {
  const Duration least = least_time();
  if (least <= Duration{0}) return std::nullopt;
  return std::chrono::duration<double>(time_to_fill()).count() /
         std::chrono::duration<double>(least).count();
}

FillHistogram::FillHistogram(std::vector<double> upper_bounds)
    : bounds(std::move(upper_bounds)), counts(bounds.size(), 0) {}

void FillHistogram::Observe(double value) {
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (value <= bounds[i]) ++counts[i];
  }
  sum += value;
  ++count;
}

void FillTimeStats::Observe(const GapFillTiming& fill) {
  seconds.Observe(std::chrono::duration<double>(fill.time_to_fill()).count());
  if (auto r = fill.ratio_to_minimum()) ratio.Observe(*r);
}

}  // namespace ibstream::reliability
