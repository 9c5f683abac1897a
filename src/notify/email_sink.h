// Delivers notifications as plain-text e-mail through an SMTP server (libcurl, smtp:// or
// smtps://; STARTTLS is used when the server offers it).
//
// One message per notification on the sink's own thread. A connection error, a timeout or a 4xx
// reply is retried with backoff; a 5xx reply (e.g. a refused recipient) is given up on.
#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "notify/delivery_worker.h"
#include "notify/email_message.h"
#include "notify/sink.h"

namespace ibstream::notify {

struct EmailOptions {
  // smtp://host[:port] or smtps://host[:port].
  std::string smtp_url;
  EmailAddresses addresses;
  // Empty: no login.
  std::string username;
  std::string password;
  // Per attempt, the whole SMTP exchange included.
  Duration timeout = std::chrono::seconds(30);
  // False: resolved alerts are left out (a group of only resolved alerts is not sent).
  bool send_resolved = true;
  DeliveryOptions delivery;
};

class EmailSink final : public AlertSink {
 public:
  // `clock` dates the messages and must outlive the sink.
  EmailSink(EmailOptions options, const Clock& clock);

  std::string_view name() const override { return "email"; }
  void Submit(const AlertGroup& group) override;
  SinkCounters counters() const override { return worker_.counters(); }
  bool WaitIdle(std::chrono::milliseconds timeout) override { return worker_.WaitIdle(timeout); }

 private:
  DeliveryOutcome Send(const AlertGroup& group) const;

  const EmailOptions options_;
  const Clock& clock_;
  // Last, so its thread stops before the members it uses are destroyed.
  DeliveryWorker worker_;
};

}  // namespace ibstream::notify
