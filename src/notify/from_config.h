// The sinks and the Notifier a configuration asks for.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <vector>

#include "common/clock.h"
#include "config/config.h"
#include "notify/notifier.h"
#include "notify/sink.h"

namespace ibstream::notify {

struct SinkContext {
  // Dates e-mail and scales backoff; must outlive the sinks.
  const Clock* clock = &SystemClock::Instance();
  // For the log sink; null: spdlog's default logger.
  std::shared_ptr<spdlog::logger> logger;
  // The payload's externalURL, e.g. "http://127.0.0.1:8851/" (the dashboard); may be empty.
  std::string external_url;
};

// Always the log sink (logging.json picks its format); with alerts.enabled also the webhook
// (when alerts.webhook_url is set) and e-mail (when alerts.smtp_url is set), with
// alerts.timeout, alerts.retries and alerts.send_resolved. alerts.enabled = false leaves only the
// log line.
std::vector<std::unique_ptr<AlertSink>> MakeSinks(const config::Config& config,
                                                  const SinkContext& context);

std::unique_ptr<Notifier> MakeNotifier(const config::Config& config, const SinkContext& context);

}  // namespace ibstream::notify
