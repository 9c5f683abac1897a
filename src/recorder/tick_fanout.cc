#include "recorder/tick_fanout.h"

#include <algorithm>

namespace ibstream::recorder {

bool TickFanout::Filter::Matches(const Tick& tick) const {
  if (contract_id && *contract_id != tick.contract_id) return false;
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

void TickFanout::Publish(const Tick& tick) {
  const std::shared_ptr<const List> list = list_.load();
  std::vector<uint64_t> done;
  for (const auto& subscriber : *list) {
    if (!subscriber->filter.Matches(tick)) continue;
    if (!subscriber->consumer(tick)) done.push_back(subscriber->id);
  }
  for (uint64_t id : done) Unsubscribe(id);
}

size_t TickFanout::subscriber_count() const { return list_.load()->size(); }

}  // namespace ibstream::recorder
