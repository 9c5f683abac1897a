#include "cli/daemon.h"

#include <signal.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>

#include "cli/nats_publishing.h"
#include "cli/recorder_api_adapter.h"
#include "cli/user_hints.h"
#include "common/json_text.h"
#include "formats/v3_live_output.h"
#include "fs/descriptor_budget.h"
#include "fs/file_system.h"
#include "http/recorder_api.h"
#include "http/server.h"
#include "notify/from_config.h"
#include "recorder/recorder.h"

namespace ibstream::cli {
namespace {

// The soft descriptor limit the daemon raises itself to (the hard limit permitting): the same
// as the systemd unit's LimitNOFILE.
constexpr uint64_t kDescriptorCeiling = 65536;

// Hands the reliability core's alert groups to the notifier's queue, and to the NATS
// publisher's once it runs (never blocks).
class NotifierSink final : public reliability::AlertSink {
 public:
  explicit NotifierSink(notify::Notifier& notifier) : notifier_(notifier) {}
  void Deliver(std::span<const Alert> group) override {
    if (!notifier_.Notify(group)) spdlog::warn("event=alert_dropped count={}", group.size());
    std::lock_guard lock(publisher_mu_);
    if (publisher_ != nullptr) PublishAlerts(*publisher_, group);  // queues, never blocks
  }
  // Set once the publisher runs; cleared before it stops (after this returns, Deliver no longer
  // uses the old one).
  void SetPublisher(cluster::Publisher* publisher) {
    std::lock_guard lock(publisher_mu_);
    publisher_ = publisher;
  }

 private:
  notify::Notifier& notifier_;
  std::mutex publisher_mu_;
  cluster::Publisher* publisher_ = nullptr;  // guarded by publisher_mu_
};

spdlog::level::level_enum LevelOf(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::kTrace:
      return spdlog::level::trace;
    case config::LogLevel::kDebug:
      return spdlog::level::debug;
    case config::LogLevel::kInfo:
      return spdlog::level::info;
    case config::LogLevel::kWarn:
      return spdlog::level::warn;
    case config::LogLevel::kError:
      return spdlog::level::err;
    case config::LogLevel::kCritical:
      return spdlog::level::critical;
    case config::LogLevel::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

// The sections of `a` and `b` that differ, other than the contract list.
std::string ChangedSections(const config::Config& a, const config::Config& b) {
  std::string out;
  auto check = [&out](bool same, const char* name) {
    if (same) return;
    if (!out.empty()) out += ",";
    out += name;
  };
  check(a.profile == b.profile, "profile");
  check(a.gateway == b.gateway, "gateway");
  check(a.storage == b.storage, "storage");
  check(a.http == b.http, "http");
  check(a.reliability == b.reliability, "reliability");
  check(a.alerts == b.alerts, "alerts");
  check(a.backfill == b.backfill, "backfill");
  check(a.logging == b.logging, "logging");
  return out;
}

// SIGHUP reloads, for /metrics: every reload, and those that changed nothing because the file
// could not be read, did not check or could not be applied.
struct ReloadCounters {
  std::atomic<uint64_t> reloads{0};
  std::atomic<uint64_t> failed{0};
};

void WriteReloadMetrics(const ReloadCounters& c, http::PrometheusWriter& w) {
  w.Family("ibstream_config_reloads_total", "counter", "SIGHUP reloads of the configuration.");
  w.Sample(static_cast<double>(c.reloads.load()));
  w.Family("ibstream_config_reload_failures_total", "counter",
           "SIGHUP reloads refused (unreadable, invalid or not applicable); nothing changed.");
  w.Sample(static_cast<double>(c.failed.load()));
}

// SIGHUP: applies the configuration's contract list again (see RunDaemon).
void Reload(const DaemonOptions& options, recorder::Recorder& recorder, ReloadCounters& counters) {
  if (!options.reload_config) {
    spdlog::warn("event=reload_skipped reason=\"nothing to reload (no configuration source)\"");
    return;
  }
  sd_notify(0, "RELOADING=1");
  spdlog::info("event=reload_started signal=SIGHUP");
  Result<config::Config> loaded = options.reload_config();
  bool applied = false;
  const bool any_contract =
      loaded.ok() && std::any_of(loaded->contracts.begin(), loaded->contracts.end(),
                                 [](const config::ContractConfig& c) { return c.enabled; });
  if (!loaded.ok()) {
    spdlog::error("event=reload_failed action=\"recording goes on unchanged\" error=\"{}\"",
                  loaded.status().message());
  } else if (!any_contract) {
    // As at start: an empty list is far more often a broken or half-written file than a wish to
    // stop recording everything (stop the recorder for that).
    spdlog::error(
        "event=reload_failed action=\"recording goes on unchanged\" error=\"the configuration "
        "lists no enabled contract\"");
  } else {
    const std::string changed = ChangedSections(options.config, *loaded);
    if (!changed.empty()) {
      spdlog::warn(
          "event=reload_needs_restart sections={} reason=\"only [[contracts]] are "
          "applied while running\"",
          changed);
    }
    auto summary = recorder.ReloadContracts(loaded->contracts);
    applied = summary.ok();
    if (!summary.ok()) {
      spdlog::error("event=reload_failed error=\"{}\"", summary.status().ToString());
    }
  }
  sd_notify(0, "READY=1\nSTATUS=recording");
  counters.reloads.fetch_add(1);
  if (!applied) counters.failed.fetch_add(1);
  if (options.on_reloaded) options.on_reloaded(applied);
}

// storage.v3_output: the original's v3 files, written from the recorder's tick fan-out (live
// ticks only; backfilled ticks do not pass the fan-out) on their own thread, so a slow disk costs
// v3 data (counted), never recording. Null when not configured.
Result<std::unique_ptr<formats::V3LiveOutput>> StartV3Output(const config::StorageConfig& storage,
                                                             const Clock& clock) {
  if (!storage.v3_output.any()) return std::unique_ptr<formats::V3LiveOutput>();
  formats::V3LiveOutputOptions options;
  options.writer.base_dir = storage.V3Path();
  options.writer.json = storage.v3_output.json;
  options.writer.protobuf = storage.v3_output.protobuf;
  auto output = std::make_unique<formats::V3LiveOutput>(std::move(options), clock);
  IBSTREAM_RETURN_IF_ERROR(output->Start());
  spdlog::info("event=v3_output_started path={}/v3 json={} protobuf={}", storage.V3Path(),
               storage.v3_output.json, storage.v3_output.protobuf);
  return output;
}

// The v3 output's counters under /metrics.
void WriteV3Metrics(const formats::V3LiveOutput& output, http::PrometheusWriter& w) {
  const formats::V3LiveOutputStats s = output.stats();
  w.Family("ibstream_v3_output_ticks_written_total", "counter",
           "Ticks written to the v3 live output.");
  w.Sample(static_cast<double>(s.written));
  w.Family("ibstream_v3_output_ticks_dropped_total", "counter",
           "Ticks the v3 live output dropped (its queue was full); they are in the store.");
  w.Sample(static_cast<double>(s.dropped));
  w.Family("ibstream_v3_output_write_errors_total", "counter",
           "Failed writes, flushes and closes of v3 files.");
  w.Sample(static_cast<double>(s.write_errors));
  w.Family("ibstream_v3_output_depth_skipped_total", "counter",
           "Market-depth records the v3 live output skipped (v3 has no depth shape).");
  w.Sample(static_cast<double>(s.depth_skipped));
}

// Logs what the v3 output lost since the last check (once per check, not per tick).
void ReportV3Losses(const formats::V3LiveOutput& output, uint64_t& dropped_seen,
                    uint64_t& errors_seen) {
  const formats::V3LiveOutputStats s = output.stats();
  if (s.dropped > dropped_seen) {
    spdlog::warn("event=v3_output_dropped ticks={} total={} reason=\"queue full\"",
                 s.dropped - dropped_seen, s.dropped);
    dropped_seen = s.dropped;
  }
  if (s.write_errors > errors_seen) {
    spdlog::error("event=v3_output_write_failed errors={} total={} last_error=\"{}\"",
                  s.write_errors - errors_seen, s.write_errors, s.last_error);
    errors_seen = s.write_errors;
  }
}

// The pattern flag %* of the JSON log format: the message as a JSON string, quotes included.
// Messages carry quoted key="value" text and gateway text, so %v cannot be inserted raw.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    text_.clear();
    AppendJsonString(std::string_view(msg.payload.data(), msg.payload.size()), text_);
    dest.append(text_.data(), text_.data() + text_.size());
  }

  std::unique_ptr<spdlog::custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }

 private:
  std::string text_;  // reused: a formatter is used by one sink under its lock
};

void StopV3Output(formats::V3LiveOutput& output) {
  const Status stopped = output.Stop();
  const formats::V3LiveOutputStats s = output.stats();
  spdlog::info(
      "event=v3_output_stopped written={} dropped={} write_errors={} protobuf_skipped={} "
      "depth_skipped={} last_error=\"{}\"",
      s.written, s.dropped, s.write_errors, s.protobuf_skipped, s.depth_skipped, s.last_error);
  if (!stopped.ok()) spdlog::error("event=v3_output_failed error=\"{}\"", stopped.ToString());
}

// The signals the daemon handles (SIGTERM and SIGINT stop it, SIGHUP reloads), blocked in the
// calling thread and every thread it starts later.
sigset_t BlockDaemonSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// The running daemon's main thread: every half second, a pending SIGHUP reloads, v3 output
// losses are reported (when `v3_output` is not null) and systemd's watchdog, when enabled, is
// pinged (it expects one at least every WatchdogSec/2). Returns on SIGTERM or SIGINT, or when
// options.run_for has passed.
void ServeUntilStopped(const DaemonOptions& options, const sigset_t& signals,
                       recorder::Recorder& recorder, ReloadCounters& reload_counters,
                       const formats::V3LiveOutput* v3_output) {
  uint64_t watchdog_usec = 0;
  const bool watchdog = sd_watchdog_enabled(0, &watchdog_usec) > 0;
  const TimePoint started = options.clock->Now();
  uint64_t v3_dropped_seen = 0;
  uint64_t v3_errors_seen = 0;
  for (;;) {
    timespec timeout{0, 500'000'000};
    const int sig = sigtimedwait(&signals, nullptr, &timeout);
    if (sig == SIGTERM || sig == SIGINT) {
      spdlog::info("event=stopping signal={}", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      return;
    }
    if (sig == SIGHUP) Reload(options, recorder, reload_counters);
    if (v3_output != nullptr) ReportV3Losses(*v3_output, v3_dropped_seen, v3_errors_seen);
    if (watchdog) sd_notify(0, "WATCHDOG=1");
    if (options.run_for > Duration::zero() && options.clock->Now() - started >= options.run_for) {
      spdlog::info("event=stopping reason=run_for_elapsed");
      return;
    }
  }
}

}  // namespace

void ConfigureLogging(const config::LoggingConfig& logging) {
  spdlog::set_level(LevelOf(logging.level));
  if (logging.json) {
    // One JSON object per line; the message itself is the event's key=value text, escaped.
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":%*})");
    spdlog::set_formatter(std::move(formatter));
  } else {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  }
}

int RunDaemon(const DaemonOptions& options) {
  const config::Config& config = options.config;
  ConfigureLogging(config.logging);

  // Descriptors: the soft limit goes up to the hard one (systemd starts services at 1024), and
  // HTTP clients get only what storage, the gateway and the logs leave (below).
  uint64_t descriptor_limit = UINT64_MAX;
  if (auto limits = fs::RaiseDescriptorLimit(kDescriptorCeiling); limits.ok()) {
    descriptor_limit = limits->soft;
    spdlog::info("event=descriptor_limit soft={} hard={} soft_at_start={}", limits->soft,
                 limits->hard, limits->soft_before);
  } else {
    spdlog::warn("event=descriptor_limit_unknown error=\"{}\"", limits.status().ToString());
  }

  // Blocked before any thread starts, so that only sigtimedwait sees them.
  const sigset_t signals = BlockDaemonSignals();

  const std::string base_url =
      "http://" + config.http.listen.host + ":" + std::to_string(config.http.listen.port) + "/";
  notify::SinkContext sink_context;
  sink_context.clock = options.clock;
  sink_context.external_url = base_url;
  std::unique_ptr<notify::Notifier> notifier = notify::MakeNotifier(config, sink_context);
  NotifierSink alert_sink(*notifier);

  recorder::RecorderOptions recorder_options;
  recorder_options.config = config;
  // [nats]: the store keeps the journals the publisher's cursor has not passed.
  std::shared_ptr<std::atomic<int64_t>> journal_hold;
  if (config.nats.enabled) {
    auto hold = LoadJournalHold(config);
    if (!hold.ok()) {
      std::cerr << options.name << ": " << hold.status().ToString() << "\n";
      return 1;
    }
    journal_hold = *hold;
    recorder_options.keep_journals_from = [journal_hold] {
      return FromUnixNanos(journal_hold->load());
    };
  }
  auto recorder = std::make_unique<recorder::Recorder>(recorder_options, *options.clock,
                                                       fs::PosixFileSystem(), alert_sink);
  // Subscribed before the recorder starts, so that the v3 files miss no tick.
  Result<std::unique_ptr<formats::V3LiveOutput>> v3_output =
      StartV3Output(config.storage, *options.clock);
  if (!v3_output.ok()) {
    std::cerr << options.name << ": storage.v3_output: " << v3_output.status().ToString() << "\n";
    return 1;
  }
  if (*v3_output) {
    // What storage took, live and backfilled (a backfilled tick goes to the file of its own
    // hour, reopened when closed); a tick storage refused is not written.
    recorder::TickFanout::Filter stored;
    stored.origins = {recorder::TickOrigin::kLive, recorder::TickOrigin::kBackfilled};
    recorder->fanout().Subscribe(
        std::move(stored), [output = v3_output->get()](const Tick& tick, recorder::TickOrigin) {
          output->Offer(tick);  // a full queue drops the tick (counted), never blocks the recorder
          return true;
        });
  }
  if (Status st = recorder->Start(); !st.ok()) {
    std::cerr << options.name << ": " << st.ToString() << "\n";
    return 1;
  }

  std::unique_ptr<cluster::Publisher> publisher;
  if (config.nats.enabled) {
    auto started = StartNatsPublisher(config, *options.clock, *recorder, journal_hold);
    if (!started.ok()) {
      std::cerr << options.name << ": nats: " << started.status().ToString() << "\n";
      recorder->Stop();
      return 1;
    }
    publisher = std::move(*started);
    alert_sink.SetPublisher(publisher.get());
    spdlog::info("event=nats_publishing url={} stream={} recorder_id={}", config.nats.url,
                 config.nats.stream, config.nats.recorder_id);
  }

  http::Router router;
  http::RecorderApiOptions api_options;
  if (*v3_output) {
    api_options.extra_metrics = [output = v3_output->get()](http::PrometheusWriter& w) {
      WriteV3Metrics(*output, w);
    };
  }
  // The server's own counters, once it exists (the router it serves is built first).
  auto server_counters = std::make_shared<std::atomic<const http::ServerCounters*>>(nullptr);
  auto reload_counters = std::make_shared<ReloadCounters>();
  api_options.extra_metrics = [other = std::move(api_options.extra_metrics), server_counters,
                               reload_counters, nats = publisher.get()](http::PrometheusWriter& w) {
    if (other) other(w);
    WriteReloadMetrics(*reload_counters, w);
    if (const http::ServerCounters* c = server_counters->load()) http::WriteServerMetrics(*c, w);
    if (nats != nullptr) WriteNatsMetrics(nats->stats(), w);
  };
  if (publisher != nullptr) {
    api_options.extra_status = [nats = publisher.get()] { return NatsStatusJson(nats->stats()); };
  }
  http::RegisterRecorderApi(router, RecorderApiSourceFor(*recorder), api_options);
  http::ServerOptions server_options;
  server_options.host = config.http.listen.host;
  server_options.port = config.http.listen.port;
  server_options.bearer_token = config.http.bearer_token;
  server_options.max_ws_queued_bytes = static_cast<size_t>(config.http.ws_queue_bytes);
  server_options.max_ws_message_bytes = static_cast<size_t>(config.http.ws_max_message_bytes);
  size_t streams = 0;
  for (const auto& c : config.contracts) streams += c.tick_types.size();
  const uint64_t reserved = fs::ReservedDescriptors(streams);
  const auto configured_connections = static_cast<size_t>(config.http.max_connections);
  server_options.max_connections =
      fs::ConnectionLimitWithin(configured_connections, descriptor_limit, reserved);
  // The count above does not see descriptors held elsewhere (inherited ones, refusals in flight):
  // clients also never keep one of the `reserved` highest numbers.
  server_options.descriptor_ceiling = fs::DescriptorCeiling(descriptor_limit, reserved);
  if (server_options.max_connections < configured_connections) {
    spdlog::warn(
        "event=http_connection_limit_lowered configured={} limit={} descriptor_limit={} "
        "reserved={}",
        configured_connections, server_options.max_connections, descriptor_limit, reserved);
  }
  server_options.log_warning = [](const std::string& line) { spdlog::warn("{}", line); };
  http::Server server(std::move(router), server_options);
  server_counters->store(&server.counters());
  if (Status st = server.Start(); !st.ok()) {
    std::cerr << options.name << ": " << st.ToString() << "\n";
    if (std::string hint = PortInUseHint(st.message(), options.http_port_hint); !hint.empty()) {
      std::cerr << options.name << ": " << hint << "\n";
    }
    alert_sink.SetPublisher(nullptr);
    publisher.reset();
    recorder->Stop();
    return 1;
  }
  const std::string url =
      "http://" + config.http.listen.host + ":" + std::to_string(server.port()) + "/";
  spdlog::info("event=started http={} storage={} contracts={}", url, config.storage.path,
               config.contracts.size());
  if (options.on_ready) options.on_ready(url);
  sd_notify(0, "READY=1\nSTATUS=recording");

  ServeUntilStopped(options, signals, *recorder, *reload_counters, v3_output->get());
  sd_notify(0, "STOPPING=1");
  server.Stop();
  // The publisher reads the recorder's store: it stops first (what it has not published is
  // published by the next run, from its cursor).
  alert_sink.SetPublisher(nullptr);
  publisher.reset();
  recorder->Stop();
  if (*v3_output) StopV3Output(**v3_output);  // the recorder publishes no more ticks
  notifier->WaitIdle(std::chrono::milliseconds(500));
  notifier->Stop();
  return 0;
}

}  // namespace ibstream::cli
