#include "notify/notifier.h"

#include <algorithm>

namespace ibstream::notify {

namespace {

DeliveryOptions DispatchOptions(const NotifierOptions& options) {
  DeliveryOptions dispatch;
  dispatch.queue_capacity = options.queue_capacity;
  dispatch.retries = 0;
  return dispatch;
}

}  // namespace

Notifier::Notifier(NotifierOptions options, std::vector<std::unique_ptr<AlertSink>> sinks)
    : steady_clock_(*options.steady_clock),
      sinks_(std::move(sinks)),
      dispatcher_("notifier", DispatchOptions(options), SystemClock::Instance(),
                  [this](const AlertGroup& group) {
                    for (const auto& sink : sinks_) sink->Submit(group);
                    return DeliveryOutcome::Delivered();
                  }) {}

Notifier::~Notifier() { Stop(); }

bool Notifier::Notify(std::span<const Alert> group) {
  if (group.empty()) return true;
  if (!dispatcher_.Enqueue(AlertGroup(group.begin(), group.end()))) return false;
  accepted_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

NotifierCounters Notifier::counters() const {
  NotifierCounters counters;
  counters.accepted = accepted_.load(std::memory_order_relaxed);
  counters.dropped = dispatcher_.counters().dropped;
  for (const auto& sink : sinks_) counters.sinks += sink->counters();
  return counters;
}

std::vector<std::pair<std::string, SinkCounters>> Notifier::SinkCountersByName() const {
  std::vector<std::pair<std::string, SinkCounters>> out;
  for (const auto& sink : sinks_) out.emplace_back(std::string(sink->name()), sink->counters());
  return out;
}

bool Notifier::WaitIdle(std::chrono::milliseconds timeout) {
  const SteadyTimePoint deadline = steady_clock_.Now() + timeout;
  if (!dispatcher_.WaitIdle(timeout)) return false;
  for (const auto& sink : sinks_) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady_clock_.Now());
    if (!sink->WaitIdle(std::max(left, std::chrono::milliseconds(0)))) return false;
  }
  return true;
}

void Notifier::Stop() { dispatcher_.Stop(); }

}  // namespace ibstream::notify
