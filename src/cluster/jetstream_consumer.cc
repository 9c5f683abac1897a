#include "cluster/jetstream_consumer.h"

#include <nats/nats.h>

#include <algorithm>
#include <charconv>

#include "cluster/nats_connect.h"

namespace ibstream::cluster {
namespace {

int64_t Nanos(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

}  // namespace

JetStreamConsumer::JetStreamConsumer(ConsumerOptions options) : options_(std::move(options)) {}

JetStreamConsumer::~JetStreamConsumer() { Close(); }

Status JetStreamConsumer::Connect() {
  Close();
  auto connection =
      ConnectNats({options_.url, "ibstream-consumer", options_.timeout, options_.credentials_file});
  if (!connection.ok()) return connection.status();
  nc_ = *connection;
  jsOptions js_opts;
  jsOptions_Init(&js_opts);
  js_opts.Wait = options_.timeout.count();
  natsStatus s = natsConnection_JetStream(&js_, nc_, &js_opts);
  if (s != NATS_OK) {
    const std::string message = NatsError(s, "JetStream context");
    Close();
    return Unavailable(message);
  }
  jsSubOptions sub_opts;
  jsSubOptions_Init(&sub_opts);
  sub_opts.Stream = options_.stream.c_str();
  sub_opts.Config.FilterSubject = options_.filter_subject.c_str();
  sub_opts.Config.AckPolicy = options_.durable.empty() ? js_AckNone : js_AckExplicit;
  sub_opts.Config.AckWait = Nanos(options_.ack_wait);
  sub_opts.Config.MaxAckPending = options_.max_ack_pending;
  if (options_.durable.empty()) {
    sub_opts.Config.DeliverPolicy = js_DeliverNew;
    sub_opts.Config.InactiveThreshold = Nanos(std::chrono::minutes(5));
  } else {
    sub_opts.Config.DeliverPolicy = js_DeliverAll;
  }
  jsErrCode err = static_cast<jsErrCode>(0);
  s = js_PullSubscribe(&sub_, js_, options_.filter_subject.c_str(),
                       options_.durable.empty() ? nullptr : options_.durable.c_str(), &js_opts,
                       &sub_opts, &err);
  if (s != NATS_OK) {
    const std::string message = NatsError(s, "consume stream " + options_.stream + " (error code " +
                                                 std::to_string(static_cast<int>(err)) + ")");
    Close();
    return Unavailable(message);
  }
  return Status::Ok();
}

std::string JetStreamConsumer::inbox() const {
  if (sub_ == nullptr) return {};
  const char* subject = natsSubscription_GetSubject(sub_);
  return subject == nullptr ? std::string() : std::string(subject);
}

bool JetStreamConsumer::connected() const {
  return nc_ != nullptr && natsConnection_Status(nc_) == NATS_CONN_STATUS_CONNECTED;
}

void JetStreamConsumer::Close() {
  if (sub_ != nullptr) {
    // Destroying alone keeps a durable consumer (and its position) on the server (libnats 3.4);
    // Unsubscribe would delete it. An ephemeral one is removed.
    if (options_.durable.empty()) natsSubscription_Unsubscribe(sub_);
    natsSubscription_Destroy(sub_);
    sub_ = nullptr;
  }
  if (js_ != nullptr) {
    jsCtx_Destroy(js_);
    js_ = nullptr;
  }
  if (nc_ != nullptr) {
    natsConnection_Close(nc_);
    natsConnection_Destroy(nc_);
    nc_ = nullptr;
  }
}

Result<std::vector<FetchedMessage>> JetStreamConsumer::Fetch(int batch,
                                                             std::chrono::milliseconds wait) {
  if (sub_ == nullptr) return Unavailable("not connected");
  std::vector<FetchedMessage> out;
  // libnats 3.4's fetch overruns its array of `batch` messages when the subscription already
  // holds more than half a batch of deliveries (of an earlier pull request the server answered
  // after that fetch returned) and more arrive: it lowers the batch it compares with by what it
  // took first and then reads on past the array (fixed upstream in nats.c 3.8.3, PR 749). What
  // is held is taken first, one message per fetch (never overrun: it takes that message, or
  // asks the server for one), and only an empty subscription gets a fetch of `batch`.
  int held = 0;
  while (static_cast<int>(out.size()) < batch &&
         natsSubscription_GetPending(sub_, &held, nullptr) == NATS_OK && held > 0) {
    auto one = FetchSome(1, std::chrono::milliseconds(1), &out);
    if (!one.ok()) return one.status();
    if (!*one) break;
  }
  if (!out.empty()) return out;
  auto fetched = FetchSome(batch, wait, &out);
  if (!fetched.ok()) return fetched.status();
  return out;
}

Result<bool> JetStreamConsumer::FetchSome(int batch, std::chrono::milliseconds wait,
                                          std::vector<FetchedMessage>* out) {
  natsMsgList list = {};
  jsErrCode err = static_cast<jsErrCode>(0);
  const natsStatus s = natsSubscription_Fetch(&list, sub_, batch, wait.count(), &err);
  if (s == NATS_TIMEOUT) return false;
  if (s != NATS_OK) return Unavailable(NatsError(s, "fetch"));
  out->reserve(out->size() + static_cast<size_t>(list.Count));
  for (int i = 0; i < list.Count; ++i) {
    natsMsg* msg = list.Msgs[i];
    FetchedMessage m;
    m.subject = natsMsg_GetSubject(msg);
    m.data.assign(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
    const char* reply = natsMsg_GetReply(msg);
    if (reply != nullptr) m.reply = reply;
    out->push_back(std::move(m));
  }
  natsMsgList_Destroy(&list);
  return list.Count > 0;
}

Status JetStreamConsumer::Ack(const std::vector<std::string>& replies) {
  return Reply(replies, "+ACK");
}

Status JetStreamConsumer::Nak(const std::vector<std::string>& replies) {
  return Reply(replies, "-NAK");
}

Status JetStreamConsumer::Reply(const std::vector<std::string>& replies, const char* body) {
  if (replies.empty()) return Status::Ok();
  if (nc_ == nullptr) return Unavailable("not connected");
  for (const std::string& reply : replies) {
    if (reply.empty()) continue;
    const natsStatus s = natsConnection_PublishString(nc_, reply.c_str(), body);
    if (s != NATS_OK) return Unavailable(NatsError(s, "acknowledge"));
  }
  const natsStatus s = natsConnection_FlushTimeout(nc_, options_.timeout.count());
  if (s != NATS_OK) return Unavailable(NatsError(s, "acknowledge"));
  return Status::Ok();
}

std::optional<uint64_t> AckStreamSequence(std::string_view reply) {
  std::vector<std::string_view> tokens;
  while (true) {
    const size_t dot = reply.find('.');
    tokens.push_back(reply.substr(0, dot));
    if (dot == std::string_view::npos) break;
    reply.remove_prefix(dot + 1);
  }
  // $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<tm>.<pending>, or with a domain and an
  // account hash after ACK (and a token at the end): 11 or 12 tokens.
  size_t index = 0;
  if (tokens.size() == 9) {
    index = 5;
  } else if (tokens.size() == 11 || tokens.size() == 12) {
    index = 7;
  } else {
    return std::nullopt;
  }
  if (tokens[0] != "$JS" || tokens[1] != "ACK") return std::nullopt;
  uint64_t value = 0;
  const std::string_view digits = tokens[index];
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return std::nullopt;
  }
  return value;
}

Result<JetStreamConsumer::Pending> JetStreamConsumer::PendingCounts() {
  if (js_ == nullptr || options_.durable.empty()) return Unavailable("no durable consumer");
  jsConsumerInfo* info = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetConsumerInfo(&info, js_, options_.stream.c_str(),
                                          options_.durable.c_str(), nullptr, &err);
  if (s != NATS_OK) return Unavailable(NatsError(s, "consumer info"));
  Pending pending;
  pending.undelivered = info->NumPending;
  pending.unacknowledged = static_cast<uint64_t>(std::max<int64_t>(info->NumAckPending, 0));
  jsConsumerInfo_Destroy(info);
  return pending;
}

}  // namespace ibstream::cluster
