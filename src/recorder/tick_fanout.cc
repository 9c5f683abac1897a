#include "recorder/tick_fanout.h"

#include <algorithm>

namespace ibstream::recorder {

const char* TickOriginName(TickOrigin origin) {
  switch (origin) {
    case TickOrigin::kLive:
      return "live";
    case TickOrigin::kBackfilled:
      return "backfilled";
    case TickOrigin::kRefused:
      return "refused";
  }
  return "unknown";
}

bool TickFanout::Filter::Matches(const Tick& tick, TickOrigin origin) const {
  if (contract_id && *contract_id != tick.contract_id) return false;
  if (source && *source != tick.source) return false;
  if (!origins.empty() && std::find(origins.begin(), origins.end(), origin) == origins.end()) {
    return false;
  }
  return types.empty() || std::find(types.begin(), types.end(), tick.type) != types.end();
}

uint64_t TickFanout::Subscribe(Filter filter, Consumer consumer) {
  std::lock_guard lock(write_mutex_);
  const uint64_t id = next_id_++;
  auto next = std::make_shared<List>(*list_.load());
  next->push_back(
      std::make_shared<const Subscriber>(Subscriber{id, std::move(filter), std::move(consumer)}));
  list_.store(std::move(next));
  return id;
}

void TickFanout::Unsubscribe(uint64_t id) {
  std::lock_guard lock(write_mutex_);
  auto next = std::make_shared<List>(*list_.load());
  std::erase_if(*next, [id](const auto& s) { return s->id == id; });
  list_.store(std::move(next));
}

void TickFanout::Publish(const Tick& tick, TickOrigin origin) {
  const std::shared_ptr<const List> list = list_.load();
  std::vector<uint64_t> done;
  for (const auto& subscriber : *list) {
    if (!subscriber->filter.Matches(tick, origin)) continue;
    if (!subscriber->consumer(tick, origin)) done.push_back(subscriber->id);
  }
  for (uint64_t id : done) Unsubscribe(id);
}

size_t TickFanout::subscriber_count() const { return list_.load()->size(); }

}  // namespace ibstream::recorder
