#include "notify/sink.h"

#include <algorithm>
#include <iterator>

namespace ibstream::notify {

AlertGroup FilterResolved(const AlertGroup& group, bool send_resolved) {
  if (send_resolved) return group;
  AlertGroup firing;
  std::copy_if(group.begin(), group.end(), std::back_inserter(firing),
               [](const Alert& alert) { return alert.state == AlertState::kFiring; });
  return firing;
}

}  // namespace ibstream::notify
