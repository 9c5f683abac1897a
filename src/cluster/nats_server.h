// For tests and the benchmark: a nats-server with JetStream that the test starts itself on
// loopback (a free port, its store in a directory the caller owns), and a reader of a stream.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace ibstream::cluster::testing {

// nats-server on PATH, or in /usr/sbin (Debian's package puts it there); empty when absent.
std::string FindNatsServer();

class NatsServer {
 public:
  // `binary`: FindNatsServer(); `store_dir`: JetStream's directory (created by the server). Picks
  // the free port every start uses (url() is known before the first start).
  NatsServer(std::string binary, std::string store_dir);
  // Stop().
  ~NatsServer();
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  // Starts the server and waits up to
  // 20 s for it to answer a client. Its output goes to <store_dir>.log.
  Status Start();
  // SIGTERM to the process this object started, then waits for it. Idempotent.
  void Stop();
  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string url() const;

 private:
  std::string binary_;
  std::string store_dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// One message of a stream as stored.
struct StoredMessage {
  uint64_t sequence = 0;
  std::string subject;
  std::string id;      // Nats-Msg-Id
  std::string source;  // Ibs-Source, empty when absent
  std::string data;
};

// The stream's message count (Unavailable while the server does not answer).
Result<uint64_t> StreamMessageCount(const std::string& url, const std::string& stream);
// Every message of the stream, by sequence.
Result<std::vector<StoredMessage>> ReadStream(const std::string& url, const std::string& stream);

}  // namespace ibstream::cluster::testing
