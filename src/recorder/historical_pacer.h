// IB's pacing rules for historical-data requests, as a pure decision.
//
// IB rejects historical requests with error 162 ("pacing violation") when a client makes
//   - more than 60 requests in any 10-minute window,
//   - 6 or more requests for the same contract and tick kind within 2 seconds,
//   - an identical request within 15 seconds,
// and counts a BID_ASK request twice. The pacer keeps a margin below each limit and answers the
// earliest time a request may be sent; it never sends anything itself.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "reliability/fill_time.h"

namespace ibstream::recorder {

// The limits live with the pure pacing arithmetic (reliability/fill_time.h).
using HistoricalPacingLimits = reliability::HistoricalPacingLimits;

// What makes two historical requests "the same" for IB's rules.
struct HistoricalRequestKey {
  int64_t contract_id = 0;
  std::string what_to_show;  // "TRADES", "BID_ASK", "MIDPOINT"
  std::string start;         // IB's startDateTime text ("" when end is used)
  std::string end;           // IB's endDateTime text
  int number_of_ticks = 0;

  friend bool operator==(const HistoricalRequestKey&, const HistoricalRequestKey&) = default;
};

// Not thread-safe: owned by the recorder's event loop.
class HistoricalPacer {
 public:
  explicit HistoricalPacer(HistoricalPacingLimits limits = {}) : limits_(limits) {}

  const HistoricalPacingLimits& limits() const { return limits_; }

  // The earliest time >= now at which `key` may be sent without violating any rule.
  TimePoint EarliestSend(const HistoricalRequestKey& key, TimePoint now) const;

  // Records that `key` was sent at `at`. Entries older than every window are forgotten.
  void RecordSent(const HistoricalRequestKey& key, TimePoint at);

  // Requests counted in the 10-minute window ending at `now` (BID_ASK counted twice).
  int WeightInWindow(TimePoint now) const;

  // The requests of the window ending at `now`, oldest first, with their weights: what a
  // restarted recorder must still count (pacer_state.h keeps them across a restart).
  std::vector<std::pair<TimePoint, int>> RecentSends(TimePoint now) const;
  // Counts requests sent before a restart (`at`, weight) toward the window; they match no
  // request for the per-contract and identical-request rules.
  void Restore(const std::vector<std::pair<TimePoint, int>>& sends);
  // Takes the whole window's budget as spent at `now`: nothing is sent before now + window
  // (what a recorder assumes when it cannot know what was sent before it started).
  void AssumeSpent(TimePoint now);

 private:
  struct Sent {
    HistoricalRequestKey key;
    TimePoint at;
    int weight;
  };
  int WeightOf(const HistoricalRequestKey& key) const;

  HistoricalPacingLimits limits_;
  std::deque<Sent> sent_;  // in send order
};

}  // namespace ibstream::recorder
