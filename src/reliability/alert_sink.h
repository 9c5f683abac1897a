// Where decided alerts go. The notification part implements this (log, webhook, SMTP); the
// reliability core only decides.
#pragma once

#include <span>

#include "model/alert.h"

namespace ibstream::reliability {

class AlertSink {
 public:
  virtual ~AlertSink() = default;

  // One group of alerts decided in the same evaluation for the same contract (or, with no
  // contract, process-wide): new firings and resolutions, in rule order. Called on the thread
  // that runs the reliability core's Evaluate(); it must not block (queue the delivery). The
  // span is valid only during the call.
  virtual void Deliver(std::span<const Alert> group) = 0;
};

}  // namespace ibstream::reliability
