#include "cluster/nats_tail.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "cluster/jetstream_consumer.h"
#include "cluster/tail_dedup.h"
#include "cluster/wire.h"

namespace ibstream::cluster {
namespace {

void PauseTail(std::chrono::milliseconds wait, const std::atomic<bool>& stop) {
  while (wait.count() > 0 && !stop.load()) {
    const auto step = std::min(wait, std::chrono::milliseconds(50));
    std::this_thread::sleep_for(step);
    wait -= step;
  }
}

}  // namespace

Result<NatsTailStats> RunNatsTail(const NatsTailOptions& options, const std::atomic<bool>& stop) {
  if (options.url.empty()) return InvalidArgument("no NATS server given (--nats)");
  if (!ValidSubjectPrefix(options.subject_prefix)) {
    return InvalidArgument("bad subject prefix '" + options.subject_prefix + "'");
  }
  if (options.contract_id <= 0) return InvalidArgument("no contract given (--contract)");
  ConsumerOptions consumer_options;
  consumer_options.url = options.url;
  consumer_options.credentials_file = options.credentials_file;
  consumer_options.stream = options.stream;
  consumer_options.filter_subject =
      options.subject_prefix + ".*." + std::to_string(options.contract_id) + ".*";
  JetStreamConsumer consumer(std::move(consumer_options));
  TailDedup dedup(options.switch_after);
  NatsTailStats stats;
  std::string last_error;
  bool ready = false;
  while (!stop.load()) {
    if (!consumer.subscribed()) {
      const Status connected = consumer.Connect();
      if (!connected.ok()) {
        ++stats.fetch_errors;
        if (connected.message() != last_error) {
          spdlog::warn("event=nats_tail_error error=\"{}\"", connected.message());
        }
        last_error = connected.message();
        PauseTail(options.retry_interval, stop);
        continue;
      }
      if (!ready && options.on_ready) options.on_ready();
      ready = true;
    }
    auto batch = consumer.Fetch(256, options.fetch_wait);
    if (!batch.ok()) {
      ++stats.fetch_errors;
      PauseTail(options.retry_interval, stop);
      continue;
    }
    for (const FetchedMessage& m : *batch) {
      ++stats.messages;
      auto subject = ParseSubject(options.subject_prefix, m.subject);
      auto tick = DecodeTickBody(m.data);
      if (!subject.ok() || !tick.ok() || subject->kind != MessageKind::kTick ||
          tick->tick.stream() != subject->stream) {
        ++stats.bad_messages;
        spdlog::warn("event=nats_tail_bad_message subject={} bytes={}", m.subject, m.data.size());
        continue;
      }
      const auto& types = options.types;
      if (!types.empty() && std::find(types.begin(), types.end(), tick->tick.type) == types.end()) {
        continue;
      }
      const std::vector<Tick> out = dedup.Offer(subject->recorder_id, tick->tick);
      if (out.empty()) ++stats.copies;
      for (const Tick& t : out) {
        ++stats.printed;
        if (options.on_tick && !options.on_tick(subject->recorder_id, t)) return stats;
      }
    }
  }
  return stats;
}

}  // namespace ibstream::cluster
