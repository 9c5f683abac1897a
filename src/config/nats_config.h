// [nats]: publishing what the recorder stores to NATS JetStream (docs/CLUSTER.md). Off by
// default: a single machine needs none of it.
#pragma once

#include <string>

#include "common/clock.h"

namespace ibstream::config {

struct NatsConfig {
  bool enabled = false;
  std::string url = "nats://127.0.0.1:4222";
  // The JetStream stream; created (subjects "<subject_prefix>.>") when missing.
  std::string stream = "IBSTREAM";
  // Subjects are <subject_prefix>.<recorder_id>.<conId>.<kind>, .gaps and .events.
  std::string subject_prefix = "ibstream";
  // Names this recorder in subjects and message ids; required when enabled, unique per recorder.
  std::string recorder_id;
  // A NATS user credentials file (JWT and NKey seed); empty: none.
  std::string credentials_file;
  // JetStream's duplicate window for a stream the recorder creates.
  Duration duplicate_window = std::chrono::minutes(2);

  friend bool operator==(const NatsConfig&, const NatsConfig&) = default;
};

}  // namespace ibstream::config
