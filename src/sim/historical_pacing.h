// IB's historical-data pacing rules, as a pure decision (docs/IB-LIMITS.md §3.1):
//   * an identical request within 15 s,
//   * 6 or more requests for the same contract, exchange and data type within 2 s,
//   * more than 60 requests within 10 minutes (BID_ASK requests count double)
// are pacing violations (error 162). Refused requests are not counted. Account-wide: one pacer
// serves every client of the simulator. Not thread-safe (owned by the simulator's loop).
#pragma once

#include <deque>
#include <optional>
#include <string>

#include "common/clock.h"

namespace ibstream::sim {

struct HistoricalRequestKey {
  // conId + exchange + whatToShow: the "same contract" rule's key.
  std::string contract_key;
  // Every field of the request except its id: the "identical request" rule's key.
  std::string identity;
  // 2 for BID_ASK, else 1.
  int weight = 1;
};

class HistoricalPacer {
 public:
  // nullopt when `request` may run at `now` (it is then counted), else the violation's text.
  std::optional<std::string> Admit(const HistoricalRequestKey& request, TimePoint now);

 private:
  struct Entry {
    TimePoint at;
    HistoricalRequestKey key;
  };
  std::deque<Entry> recent_;  // the last 10 minutes of admitted requests, oldest first
};

}  // namespace ibstream::sim
