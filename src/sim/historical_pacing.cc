#include "sim/historical_pacing.h"

namespace ibstream::sim {

std::optional<std::string> HistoricalPacer::Admit(const HistoricalRequestKey& request,
                                                  TimePoint now) {
  using std::chrono::seconds;
  while (!recent_.empty() && recent_.front().at <= now - seconds(600)) recent_.pop_front();
  int weight = 0;
  int same_contract = 0;
  for (const Entry& e : recent_) {
    weight += e.key.weight;
    if (e.at > now - seconds(15) && e.key.identity == request.identity) {
      return "Historical data request pacing violation: identical request within 15 seconds";
    }
    if (e.at > now - seconds(2) && e.key.contract_key == request.contract_key) ++same_contract;
  }
  if (same_contract >= 5) {
    return "Historical data request pacing violation: 6 or more requests for the same contract "
           "within 2 seconds";
  }
  if (weight + request.weight > 60) {
    return "Historical data request pacing violation: more than 60 requests within 10 minutes";
  }
  recent_.push_back(Entry{now, request});
  return std::nullopt;
}

}  // namespace ibstream::sim
