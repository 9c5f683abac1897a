// One connection to NATS with its JetStream context: the only code that calls libnats (besides
// the tests' own inspection of a stream). Used by the publisher thread only: not thread-safe,
// except that libnats delivers acknowledgments on its own thread (counted in atomics here).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"

// libnats' handles, without its header.
struct __natsConnection;
struct __jsCtx;

namespace ibstream::cluster {

struct LinkOptions {
  std::string url;
  std::string credentials_file;
  std::string stream;
  std::string stream_subjects;  // "<prefix>.>"
  std::chrono::milliseconds duplicate_window{std::chrono::minutes(2)};
  size_t window = 1024;
  std::chrono::milliseconds ack_timeout{5000};
};

struct OutMessage {
  std::string subject;
  std::string id;  // Nats-Msg-Id
  std::string body;
  const char* source;  // Ibs-Source header value, or null
};

class JetStreamLink {
 public:
  explicit JetStreamLink(LinkOptions options);
  ~JetStreamLink();
  JetStreamLink(const JetStreamLink&) = delete;
  JetStreamLink& operator=(const JetStreamLink&) = delete;

  // Connects (libnats then reconnects on its own) and creates the stream when it is missing.
  // Unavailable with libnats' reason on failure; the link stays closed.
  Status Connect();
  bool connected() const { return js_ != nullptr; }
  void Close();

  // Publishes the messages asynchronously and waits (up to ack_timeout) until JetStream has
  // acknowledged every one. Ok only when all were acknowledged; *duplicates counts the
  // acknowledgments marked duplicate. On failure the unacknowledged messages are discarded (the
  // caller publishes the batch again, under the same ids).
  Status PublishAll(const std::vector<OutMessage>& messages, uint64_t* duplicates);

  // Called on libnats' thread with each acknowledgment (`error` null) or failure.
  void RecordAck(bool duplicate, const char* error);

 private:
  Status EnsureStream();

  const LinkOptions options_;
  __natsConnection* nc_ = nullptr;
  __jsCtx* js_ = nullptr;
  // Written by libnats' acknowledgment thread.
  std::atomic<uint64_t> acks_{0};
  std::atomic<uint64_t> duplicate_acks_{0};
  std::atomic<uint64_t> failed_acks_{0};
  std::mutex error_mu_;
  std::string last_ack_error_;  // guarded by error_mu_
};

}  // namespace ibstream::cluster
