#include "cluster/jetstream_link.h"

#include <nats/nats.h>

#include "cluster/nats_connect.h"
#include "cluster/wire.h"

namespace ibstream::cluster {

namespace {

void AckHandler(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* closure) {
  auto* link = static_cast<JetStreamLink*>(closure);
  if (ack != nullptr) {
    link->RecordAck(ack->Duplicate, nullptr);
  } else {
    const char* text = error != nullptr && error->ErrText != nullptr
                           ? error->ErrText
                           : (error != nullptr ? natsStatus_GetText(error->Err) : "no ack");
    link->RecordAck(false, text);
  }
  natsMsg_Destroy(msg);
}

}  // namespace

JetStreamLink::JetStreamLink(LinkOptions options) : options_(std::move(options)) {}

JetStreamLink::~JetStreamLink() { Close(); }

void JetStreamLink::RecordAck(bool duplicate, const char* error) {
  if (error != nullptr) {
    {
      std::lock_guard lock(error_mu_);
      last_ack_error_ = error;
    }
    failed_acks_.fetch_add(1);
    return;
  }
  if (duplicate) duplicate_acks_.fetch_add(1);
  acks_.fetch_add(1);
}

Status JetStreamLink::Connect() {
  Close();
  auto connection = ConnectNats(
      {options_.url, "ibstream-publisher", options_.ack_timeout, options_.credentials_file});
  if (!connection.ok()) return connection.status();
  nc_ = *connection;
  jsOptions js_opts;
  jsOptions_Init(&js_opts);
  js_opts.Wait = options_.ack_timeout.count();
  js_opts.PublishAsync.MaxPending = static_cast<int64_t>(options_.window);
  js_opts.PublishAsync.AckHandler = AckHandler;
  js_opts.PublishAsync.AckHandlerClosure = this;
  js_opts.PublishAsync.StallWait = options_.ack_timeout.count();
  natsStatus s = natsConnection_JetStream(&js_, nc_, &js_opts);
  if (s != NATS_OK) {
    const std::string message = NatsError(s, "JetStream context");
    Close();
    return Unavailable(message);
  }
  Status stream = EnsureStream();
  if (!stream.ok()) Close();
  return stream;
}

Status JetStreamLink::EnsureStream() {
  jsStreamInfo* info = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, js_, options_.stream.c_str(), nullptr, &err);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return Status::Ok();
  }
  if (s != NATS_NOT_FOUND && err != JSStreamNotFoundErr) {
    return Unavailable(NatsError(s, "stream info of " + options_.stream));
  }
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = options_.stream.c_str();
  const char* subjects[] = {options_.stream_subjects.c_str()};
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.Duplicates =
      std::chrono::duration_cast<std::chrono::nanoseconds>(options_.duplicate_window).count();
  s = js_AddStream(&info, js_, &config, nullptr, &err);
  if (s != NATS_OK) {
    return Unavailable(NatsError(s, "create stream " + options_.stream + " (error code " +
                                        std::to_string(static_cast<int>(err)) + ")"));
  }
  jsStreamInfo_Destroy(info);
  return Status::Ok();
}

void JetStreamLink::Close() {
  if (js_ != nullptr) {
    natsMsgList pending = {};
    if (js_PublishAsyncGetPendingList(&pending, js_) == NATS_OK) natsMsgList_Destroy(&pending);
    jsCtx_Destroy(js_);
    js_ = nullptr;
  }
  if (nc_ != nullptr) {
    natsConnection_Close(nc_);
    natsConnection_Destroy(nc_);
    nc_ = nullptr;
  }
}

Status JetStreamLink::PublishAll(const std::vector<OutMessage>& messages, uint64_t* duplicates) {
  *duplicates = 0;
  if (js_ == nullptr) return Unavailable("not connected");
  const uint64_t acks_before = acks_.load();
  const uint64_t dups_before = duplicate_acks_.load();
  const uint64_t failed_before = failed_acks_.load();
  natsStatus s = NATS_OK;
  for (const OutMessage& m : messages) {
    natsMsg* msg = nullptr;
    s = natsMsg_Create(&msg, m.subject.c_str(), nullptr, m.body.data(),
                       static_cast<int>(m.body.size()));
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, kMsgIdHeader, m.id.c_str());
    if (s == NATS_OK && m.source != nullptr) s = natsMsgHeader_Set(msg, kSourceHeader, m.source);
    if (s == NATS_OK) s = js_PublishMsgAsync(js_, &msg, nullptr);
    if (msg != nullptr) natsMsg_Destroy(msg);  // still ours only when the publish failed
    if (s != NATS_OK) break;
  }
  if (s == NATS_OK) {
    jsPubOptions opts;
    jsPubOptions_Init(&opts);
    opts.MaxWait = options_.ack_timeout.count();
    s = js_PublishAsyncComplete(js_, &opts);
  }
  if (s != NATS_OK) {
    const std::string message = NatsError(s, "publish");
    natsMsgList pending = {};
    if (js_PublishAsyncGetPendingList(&pending, js_) == NATS_OK) natsMsgList_Destroy(&pending);
    return Unavailable(message);
  }
  *duplicates = duplicate_acks_.load() - dups_before;
  const uint64_t failed = failed_acks_.load() - failed_before;
  if (failed > 0 || acks_.load() - acks_before < messages.size()) {
    std::lock_guard lock(error_mu_);
    return Unavailable(std::to_string(failed) + " of " + std::to_string(messages.size()) +
                       " messages not acknowledged: " + last_ack_error_);
  }
  return Status::Ok();
}

}  // namespace ibstream::cluster
