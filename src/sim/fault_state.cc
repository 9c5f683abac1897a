#include "sim/fault_state.h"

namespace ibstream::sim {

bool FaultState::WithholdsLiveData(int32_t client_id, const Subscription& sub,
                                   const SimContract& c) const {
  if (connectivity_lost > 0 || nightly_reset > 0 || competing > 0) return true;
  if (!farms_down.empty() && farms_down.count(c.farm)) return true;
  for (const ActiveFault& f : active) {
    if (f.spec.kind != FaultKind::kSilence) continue;
    if (f.spec.client_id && *f.spec.client_id != client_id) continue;
    if (f.spec.con_id && *f.spec.con_id != c.con_id()) continue;
    if (!f.spec.tick_type.empty() &&
        f.spec.tick_type !=
            (sub.mkt_data ? std::string_view("mkt_data") : TickTypeIbName(sub.type))) {
      continue;
    }
    return true;
  }
  return false;
}

}  // namespace ibstream::sim
