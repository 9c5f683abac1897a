// Delivers notifications as Alertmanager-style JSON (webhook_payload.h) by HTTP POST.
//
// One POST per notification on the sink's own thread. A 2xx answer is delivered; a connection
// error, a timeout, 408, 429 or 5xx is retried with backoff; any other status is given up on.
#pragma once

#include <string>

#include "common/clock.h"
#include "notify/delivery_worker.h"
#include "notify/sink.h"
#include "notify/webhook_payload.h"

namespace ibstream::notify {

struct WebhookOptions {
  // http:// or https://.
  std::string url;
  // Per attempt, connecting included.
  Duration timeout = std::chrono::seconds(10);
  // False: resolved alerts are left out (a group of only resolved alerts is not sent).
  bool send_resolved = true;
  DeliveryOptions delivery;
  WebhookPayloadOptions payload;
};

class WebhookSink final : public AlertSink {
 public:
  // `clock` must outlive the sink.
  WebhookSink(WebhookOptions options, const Clock& clock);

  std::string_view name() const override { return "webhook"; }
  void Submit(const AlertGroup& group) override;
  SinkCounters counters() const override { return worker_.counters(); }
  bool WaitIdle(std::chrono::milliseconds timeout) override { return worker_.WaitIdle(timeout); }

 private:
  DeliveryOutcome Post(const AlertGroup& group) const;

  const WebhookOptions options_;
  // Last, so its thread stops before the members it uses are destroyed.
  DeliveryWorker worker_;
};

}  // namespace ibstream::notify
