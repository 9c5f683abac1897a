// The one way the cluster part opens a libnats connection and words libnats' errors, shared by the
// publisher's link (jetstream_link.h) and the consumers (jetstream_consumer.h).
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ibstream::cluster {

// "<what>: <libnats status text> (<libnats' last error detail>)".
std::string NatsError(natsStatus status, std::string_view what);

struct NatsConnectOptions {
  std::string url;
  std::string name;  // the connection's name, as the server lists it
  std::chrono::milliseconds timeout{5000};
  std::string credentials_file;  // empty: none
};

// Connects; once connected, libnats reconnects on its own for as long as it takes (every 250 ms).
// The caller owns the connection (natsConnection_Destroy). Unavailable, with NatsError's text, when
// the server cannot be reached.
Result<natsConnection*> ConnectNats(const NatsConnectOptions& options);

}  // namespace ibstream::cluster
