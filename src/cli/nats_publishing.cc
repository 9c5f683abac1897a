#include "cli/nats_publishing.h"

#include <nlohmann/json.hpp>

#include "fs/file_system.h"

namespace ibstream::cli {

Result<std::shared_ptr<std::atomic<int64_t>>> LoadJournalHold(const config::Config& config) {
  const std::string path = cluster::CursorPath(config.storage.path, config.nats.recorder_id);
  auto from = cluster::KeepJournalsFromCursor(fs::PosixFileSystem(), path);
  if (!from.ok()) return from.status().WithContext("nats cursor");
  return std::make_shared<std::atomic<int64_t>>(*from);
}

Result<std::unique_ptr<cluster::Publisher>> StartNatsPublisher(
    const config::Config& config, const Clock& clock, const recorder::Recorder& recorder,
    std::shared_ptr<std::atomic<int64_t>> hold) {
  storage::Store* store = recorder.store();
  if (store == nullptr) return FailedPrecondition("storage is not open");
  cluster::PublisherOptions options;
  options.url = config.nats.url;
  options.stream = config.nats.stream;
  options.subject_prefix = config.nats.subject_prefix;
  options.recorder_id = config.nats.recorder_id;
  options.credentials_file = config.nats.credentials_file;
  options.duplicate_window =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.nats.duplicate_window);
  options.store_root = config.storage.path;
  options.accepted_position = [store] { return store->writer().accepted_position(); };
  options.durable_position = [store] { return store->writer().durable_position(); };
  options.list_gaps = [store] { return store->ledger().List(); };
  options.keep_journals_from = std::move(hold);
  return cluster::Publisher::Start(fs::PosixFileSystem(), clock, std::move(options));
}

void PublishAlerts(cluster::Publisher& publisher, std::span<const Alert> group) {
  for (const Alert& alert : group) {
    cluster::Event event;
    event.time =
        alert.state == AlertState::kResolved && alert.ends_at ? *alert.ends_at : alert.starts_at;
    event.has_contract = alert.contract_id.has_value();
    event.contract_id = alert.contract_id.value_or(0);
    event.category = cluster::EventCategory::kAlert;
    event.severity = static_cast<uint8_t>(alert.severity);
    event.state = alert.state == AlertState::kResolved ? cluster::EventState::kResolved
                                                       : cluster::EventState::kFiring;
    event.name = alert.rule;
    event.summary = alert.summary;
    publisher.PublishEvent(std::move(event));
  }
}

void WriteNatsMetrics(const cluster::PublisherStats& s, http::PrometheusWriter& w) {
  w.Family("ibstream_nats_connected", "gauge", "1 while the NATS publisher is connected.");
  w.Sample(s.connected ? 1 : 0);
  w.Family("ibstream_nats_published_total", "counter",
           "Messages JetStream acknowledged, by kind (duplicates included).");
  w.Sample(static_cast<double>(s.ticks_published), {{"kind", "tick"}});
  w.Sample(static_cast<double>(s.gaps_published), {{"kind", "gap"}});
  w.Sample(static_cast<double>(s.events_published), {{"kind", "event"}});
  w.Family("ibstream_nats_duplicates_total", "counter",
           "Acknowledgments JetStream marked duplicate (republished after a restart).");
  w.Sample(static_cast<double>(s.duplicates));
  w.Family("ibstream_nats_publish_errors_total", "counter",
           "Failed connects, failed or timed-out publish batches, failed cursor saves.");
  w.Sample(static_cast<double>(s.publish_errors));
  w.Family("ibstream_nats_events_dropped_total", "counter",
           "Events dropped because the publisher's event queue was full.");
  w.Sample(static_cast<double>(s.events_dropped));
  w.Family("ibstream_nats_publish_lag_ticks", "gauge",
           "Durable ticks of this run not yet acknowledged by JetStream.");
  w.Sample(static_cast<double>(s.lag_ticks));
  w.Family("ibstream_nats_publish_lag_seconds", "gauge",
           "Receive-time age of the publisher's position while it is behind; 0 when caught up.");
  w.Sample(s.lag_seconds);
  w.Family("ibstream_nats_backlog_journals", "gauge",
           "Journal files at or after the publisher's cursor.");
  w.Sample(static_cast<double>(s.backlog_journals));
  w.Family("ibstream_nats_cursor_record", "gauge",
           "The publisher's cursor: index of the next tick record in its journal file.");
  w.Sample(static_cast<double>(s.cursor.record),
           {{"journal_hour", std::to_string(s.cursor.hour_ns / 1000000000)},
            {"generation", std::to_string(s.cursor.generation)}});
}

std::string NatsStatusJson(const cluster::PublisherStats& s) {
  nlohmann::json nats = {
      {"connected", s.connected},
      {"ticks_published", s.ticks_published},
      {"gaps_published", s.gaps_published},
      {"events_published", s.events_published},
      {"duplicates", s.duplicates},
      {"publish_errors", s.publish_errors},
      {"events_dropped", s.events_dropped},
      {"lag_ticks", s.lag_ticks},
      {"lag_seconds", s.lag_seconds},
      {"backlog_journals", s.backlog_journals},
      {"cursor",
       {{"journal_hour", FormatIsoUtc(FromUnixNanos(s.cursor.hour_ns))},
        {"generation", s.cursor.generation},
        {"salvaged", s.cursor.salvaged},
        {"record", s.cursor.record}}},
      {"last_error", s.last_error},
  };
  return nlohmann::json{{"nats", nats}}.dump();
}

}  // namespace ibstream::cli
