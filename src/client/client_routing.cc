// Client::Impl, routing of what is not a data reply: ERR_MSG to its request or as a connection
// notice (326 ends the session), CURRENT_TIME replies in order (shared with the probe),
// reqMarketDataType.
#include <string>
#include <type_traits>
#include <variant>

#include "client/client_impl.h"

namespace ibstream::client {

namespace {

constexpr int32_t kClientIdInUseCode = 326;

}  // namespace

void Client::Impl::OnError(const protocol::ErrorMessage& m) {
  auto it = m.id == -1 ? requests_.end() : requests_.find(m.id);
  if (it == requests_.end()) {
    ConnectionNotice notice;
    notice.kind = NoticeKindForCode(m.code);
    notice.id = m.id;
    notice.code = m.code;
    notice.text.assign(m.text);
    notice.farm.assign(FarmNameFromText(m.text));
    notice.received = clock_.Now();
    ++stats_.notices;
    if (callbacks_.on_notice) callbacks_.on_notice(notice);
    if (m.code == kClientIdInUseCode) {
      Status detail = FailedPrecondition("client id " + std::to_string(options_.client_id) +
                                         " is already in use (IB error 326): " + notice.text);
      if (state_ == State::kHandshaking) {
        FailConnect(DisconnectReason::kClientIdInUse, detail);
      } else {
        Close(DisconnectReason::kClientIdInUse, detail);
      }
    }
    return;
  }
  ++stats_.request_errors;
  RequestError error{m.id, m.code, std::string(m.text)};
  PendingRequest& request = it->second;
  if (auto* tbt = std::get_if<TickByTickRequest>(&request.value)) {
    if (tbt->handlers.error) tbt->handlers.error(error);
    return;
  }
  if (auto* md = std::get_if<MarketDataRequest>(&request.value)) {
    if (md->handlers.error) md->handlers.error(error);
    return;
  }
  if (auto* depth = std::get_if<MarketDepthRequest>(&request.value)) {
    if (depth->handlers.error) depth->handlers.error(error);
    return;
  }
  PendingRequest done = std::move(it->second);
  EraseRequest(m.id);
  Status status = StatusFromRequestError(error);
  done.FailOneShot(status);
}

void Client::Impl::RequestCurrentTime(std::function<void(Result<TimePoint>)> done) {
  if (!Ready(done)) return;
  if (!EncodeOrFail(protocol::ReqCurrentTime{}, done)) return;
  time_waiters_.push_back(TimeWaiter{false, std::move(done), clock_.Now()});
}

void Client::Impl::OnCurrentTime(const protocol::CurrentTime& m) {
  if (time_waiters_.empty()) {
    ++stats_.unroutable_messages;
    return;
  }
  TimeWaiter waiter = std::move(time_waiters_.front());
  time_waiters_.pop_front();
  if (callbacks_.on_server_time) {
    callbacks_.on_server_time(ServerTimeSample{waiter.sent, clock_.Now(), FromUnixSeconds(m.time)});
  }
  if (waiter.probe) {
    probe_outstanding_ = false;
    probe_deadline_timer_.cancel();
    ScheduleProbe();
    return;
  }
  if (waiter.done) waiter.done(FromUnixSeconds(m.time));
}

void Client::Impl::SetMarketDataType(int32_t type) {
  SendRequest(protocol::ReqMarketDataType{type});
}

}  // namespace ibstream::client
