#include "notify/from_config.h"

#include "notify/email_sink.h"
#include "notify/log_sink.h"
#include "notify/webhook_sink.h"

namespace ibstream::notify {

std::vector<std::unique_ptr<AlertSink>> MakeSinks(const config::Config& config,
                                                  const SinkContext& context) {
  const config::AlertsConfig& alerts = config.alerts;
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(std::make_unique<LogSink>(context.logger, LogSinkOptions{config.logging.json}));
  if (!alerts.enabled) return sinks;
  DeliveryOptions delivery;
  delivery.retries = alerts.retries;
  if (!alerts.webhook_url.empty()) {
    WebhookOptions options;
    options.url = alerts.webhook_url;
    options.timeout = alerts.timeout;
    options.send_resolved = alerts.send_resolved;
    options.delivery = delivery;
    options.payload.external_url = context.external_url;
    sinks.push_back(std::make_unique<WebhookSink>(std::move(options), *context.clock));
  }
  if (!alerts.smtp_url.empty()) {
    EmailOptions options;
    options.smtp_url = alerts.smtp_url;
    options.addresses = {alerts.smtp_from, alerts.smtp_to};
    options.username = alerts.smtp_username;
    options.password = alerts.smtp_password;
    options.timeout = alerts.timeout;
    options.send_resolved = alerts.send_resolved;
    options.delivery = delivery;
    sinks.push_back(std::make_unique<EmailSink>(std::move(options), *context.clock));
  }
  return sinks;
}

std::unique_ptr<Notifier> MakeNotifier(const config::Config& config, const SinkContext& context) {
  return std::make_unique<Notifier>(NotifierOptions{}, MakeSinks(config, context));
}

}  // namespace ibstream::notify
