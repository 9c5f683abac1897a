// A durable pull consumer of a JetStream stream: the libnats side of `ibstream merge --nats` and
// `ibstream tail`. Fetches batches, acknowledges by reply subject. Used by one thread; libnats
// reconnects on its own after the connection is lost (a fetch meanwhile fails or times out).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

// libnats' handles, without its header.
struct __natsConnection;
struct __jsCtx;
struct __natsSubscription;

namespace ibstream::cluster {

struct ConsumerOptions {
  std::string url;
  std::string credentials_file;
  std::string stream;
  std::string filter_subject;  // e.g. "<prefix>.>"
  // The durable consumer's name: the server keeps its position (what was acknowledged). Empty: an
  // ephemeral consumer starting at new messages, without acknowledgments (a live tail).
  std::string durable;
  // How long the server waits for an acknowledgment before delivering a message again.
  std::chrono::milliseconds ack_wait{std::chrono::minutes(10)};
  // Deliveries not yet acknowledged the server allows (the merge holds a window of them).
  int64_t max_ack_pending = 1'000'000;
  std::chrono::milliseconds timeout{5000};
};

struct FetchedMessage {
  std::string subject;
  std::string data;
  std::string reply;  // the acknowledgment subject (empty for an ephemeral consumer)
};

// The stream sequence of the message a JetStream acknowledgment subject (a delivery's reply)
// belongs to; none when `reply` is not one. Deliveries of the same message share it.
std::optional<uint64_t> AckStreamSequence(std::string_view reply);

class JetStreamConsumer {
 public:
  explicit JetStreamConsumer(ConsumerOptions options);
  ~JetStreamConsumer();
  JetStreamConsumer(const JetStreamConsumer&) = delete;
  JetStreamConsumer& operator=(const JetStreamConsumer&) = delete;

  // Connects and binds to the consumer (created when missing). Unavailable with libnats' reason
  // (the server down, the stream missing); the consumer stays closed and may Connect again.
  Status Connect();
  bool subscribed() const { return sub_ != nullptr; }
  // The subscription's inbox, where the server delivers what pull requests ask for (empty when
  // not subscribed). For tests that send pull requests of their own.
  std::string inbox() const;
  // True while the connection to the server is up.
  bool connected() const;
  void Close();

  // Up to `batch` messages, waiting up to `wait` for the first. An empty list: none arrived in
  // time. Unavailable on a failure (the connection down): the caller retries later. Deliveries
  // the subscription already holds (of an earlier pull request) come first, without waiting.
  Result<std::vector<FetchedMessage>> Fetch(int batch, std::chrono::milliseconds wait);

  // Acknowledges the deliveries (their reply subjects) and flushes them to the server.
  Status Ack(const std::vector<std::string>& replies);
  // Hands the deliveries back: the server delivers them again at once (a graceful stop).
  Status Nak(const std::vector<std::string>& replies);

  // What the durable consumer still has for anyone: messages not yet delivered, and deliveries
  // not yet acknowledged (by this process or one before it).
  struct Pending {
    uint64_t undelivered = 0;
    uint64_t unacknowledged = 0;
  };
  Result<Pending> PendingCounts();

 private:
  Status Reply(const std::vector<std::string>& replies, const char* body);
  // One libnats fetch appended to `out`; false when none arrived in time.
  Result<bool> FetchSome(int batch, std::chrono::milliseconds wait,
                         std::vector<FetchedMessage>* out);

  const ConsumerOptions options_;
  __natsConnection* nc_ = nullptr;
  __jsCtx* js_ = nullptr;
  __natsSubscription* sub_ = nullptr;
};

}  // namespace ibstream::cluster
