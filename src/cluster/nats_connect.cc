#include "cluster/nats_connect.h"

namespace ibstream::cluster {

std::string NatsError(natsStatus status, std::string_view what) {
  std::string out(what);
  out.append(": ").append(natsStatus_GetText(status));
  natsStatus last = NATS_OK;
  const char* detail = nats_GetLastError(&last);
  if (detail != nullptr && *detail != '\0') out.append(" (").append(detail).append(")");
  return out;
}

Result<natsConnection*> ConnectNats(const NatsConnectOptions& options) {
  natsOptions* opts = nullptr;
  natsStatus s = natsOptions_Create(&opts);
  if (s == NATS_OK) s = natsOptions_SetURL(opts, options.url.c_str());
  if (s == NATS_OK) s = natsOptions_SetName(opts, options.name.c_str());
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, options.timeout.count());
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 250);
  if (s == NATS_OK && !options.credentials_file.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(opts, options.credentials_file.c_str(), nullptr);
  }
  natsConnection* connection = nullptr;
  if (s == NATS_OK) s = natsConnection_Connect(&connection, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) {
    const std::string message = NatsError(s, "connect to " + options.url);
    natsConnection_Destroy(connection);
    return Unavailable(message);
  }
  return connection;
}

}  // namespace ibstream::cluster
