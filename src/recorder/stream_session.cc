#include "recorder/stream_session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "calendar/open_time.h"
#include "recorder/backfill_runner.h"
#include "recorder/contract_registry.h"
#include "reliability/clock_offset.h"

namespace ibstream::recorder {

StreamSession::StreamSession(LoopContext& ctx, client::EventLoop& loop, ContractRegistry& registry,
                             BackfillRunner& backfill, TickFanout& fanout,
                             std::function<void()> evaluate_now)
    : ctx_(ctx),
      loop_(loop),
      registry_(registry),
      backfill_(backfill),
      fanout_(fanout),
      evaluate_now_(std::move(evaluate_now)) {}

void StreamSession::MakeClient(client::ClientOptions client_options) {
  client_options_ = client_options;
  client::ClientCallbacks callbacks;
  callbacks.on_notice = [this](const client::ConnectionNotice& n) { OnNotice(n); };
  callbacks.on_disconnected = [this](const client::DisconnectEvent& e) { OnDisconnected(e); };
  callbacks.on_protocol_error = [](const client::ProtocolErrorEvent& e) {
    spdlog::error("event=protocol_error total={} error=\"{}\"", e.total_errors, e.error.ToString());
  };
  callbacks.on_server_time = [this](const client::ServerTimeSample& s) { OnServerTime(s); };
  client_ = std::make_unique<client::Client>(loop_, ctx_.clock, client_options, callbacks);
}

void StreamSession::OnServerTime(const client::ServerTimeSample& sample) {
  ctx_.core.OnClockSkew(
      reliability::ProvenClockOffset(sample.sent, sample.received, sample.server_time));
}

void StreamSession::Execute(const reliability::Action& action, TimePoint now) {
  switch (action.kind) {
    case reliability::ActionKind::kReconnect:
      Connect(now, action.reason);
      break;
    case reliability::ActionKind::kResubscribe: {
      if (!action.stream || !connected_) break;
      ContractState* c = registry_.Find(action.stream->contract_id);
      StreamState* s = registry_.FindStream(*action.stream);
      if (!c || !s) break;
      const bool first = action.reason == "first_subscription" || action.reason == "restore";
      if (!first) {
        ++ctx_.counters.resubscribes;
        Interrupt(*s, now, action.reason);
      }
      spdlog::info("event=subscribe stream={} reason={}", ToString(s->key), action.reason);
      if (IsTickByTick(s->key.type)) {
        Subscribe(*c, *s, now);
      } else {
        SubscribeFallback(*c, *s, /*fresh=*/!first);
        ctx_.core.OnSubscribed(s->key, now);
      }
      break;
    }
    case reliability::ActionKind::kWait:
      spdlog::debug("event=wait target={} until={} reason={}",
                    action.stream ? ToString(*action.stream) : "gateway",
                    action.at == TimePoint::max() ? "market_change" : FormatIsoUtc(action.at),
                    action.reason);
      break;
  }
}

void StreamSession::StopStream(StreamState& s) {
  if (s.interrupted_since && (s.last_exchange || s.asked_at)) {
    // Stopped while interrupted (moved to another route after a capacity refusal, retired,
    // untracked): what it lost until now is a gap like any other, backfilled from IB's history.
    if (ContractState* c = registry_.Find(s.key.contract_id)) {
      const TimePoint now = ctx_.clock.Now();
      const TimePoint start = s.last_exchange ? *s.last_exchange : *s.asked_at;
      const std::string cause =
          s.interruption_cause.empty() ? "stopped_while_interrupted" : s.interruption_cause;
      if (now > start) OpenGapsInOpenTime(*c, s.key, start, now, cause, now);
    }
    s.interrupted_since.reset();
    s.interruption_cause.clear();
  }
  if (s.req_id != 0 && client_) {
    if (IsTickByTick(s.key.type)) {
      CancelTickByTick(s.req_id);
    } else if (!MarketDataShared(s)) {
      client_->CancelMarketData(s.req_id);
    }
  }
  s.req_id = 0;
  s.subscribed = false;
  ctx_.core.RemoveStream(s.key);
}

bool StreamSession::MarketDataShared(const StreamState& s) const {
  for (const auto& c : registry_.contracts()) {
    for (const auto* streams : {&c->streams, &c->retiring}) {
      for (const auto& [type, other] : *streams) {
        if (&other != &s && !IsTickByTick(type) && other.req_id == s.req_id) {
          return true;
        }
      }
    }
  }
  return false;
}

void StreamSession::CancelTickByTick(int32_t req_id) {
  client_->CancelTickByTick(req_id);
  cancelled_.push_back({req_id, last_tick_by_tick_sent_});
  constexpr size_t kKeep = 256;  // far more than IB's allowance, and the requests in flight
  if (cancelled_.size() > kKeep) cancelled_.pop_front();
}

int StreamSession::TickByTickActiveAt(int32_t req_id) const {
  int active = 0;
  for (const auto& c : registry_.contracts()) {
    for (const auto* streams : {&c->streams, &c->retiring}) {
      for (const auto& [type, s] : *streams) {
        if (IsTickByTick(type) && s.subscribed && s.req_id != 0 && s.req_id < req_id) {
          ++active;
        }
      }
    }
  }
  // Cancelled after `req_id` went out: IB still ran them when it answered.
  for (const Cancelled& x : cancelled_) {
    if (x.req_id < req_id && x.last_sent >= req_id &&
        std::find(refused_.begin(), refused_.end(), x.req_id) == refused_.end()) {
      ++active;
    }
  }
  return active;
}

void StreamSession::Shutdown() {
  for (auto& c : registry_.contracts()) {
    for (auto& [type, s] : c->streams) {
      if (s.req_id != 0 && client_) {
        if (IsTickByTick(type)) {
          CancelTickByTick(s.req_id);
        } else if (!MarketDataShared(s)) {
          client_->CancelMarketData(s.req_id);
        }
      }
      s.req_id = 0;
    }
  }
  if (client_) client_->Disconnect();
}

void StreamSession::FillGatewayView(GatewayView& g) const {
  g.connected = connected_;
  g.state = std::string(reliability::GatewayStateName(ctx_.core.gateway_state()));
  g.host = client_options_.host;
  g.port = connected_ ? session_.port : 0;
  g.client_id = client_options_.client_id;
  g.server_version = connected_ ? session_.server_version : 0;
  if (connected_) g.connected_since = connected_since_;
  g.down_since = down_since_;
  g.last_disconnect_reason = last_disconnect_reason_;
  g.connections = connections_;
  g.connect_attempts = connect_attempts_;
  const client::ClientStats stats = client_->stats();
  g.messages_sent = stats.messages_sent;
  g.protocol_errors = stats.protocol_errors;
  g.unknown_messages = stats.protocol.unknown_ids_skipped;
}

void StreamSession::Connect(TimePoint now, const std::string& reason) {
  if (connecting_ || connected_ || ctx_.stopping) return;
  connecting_ = true;
  ++connect_attempts_;
  spdlog::info("event=connect_attempt reason={} host={} client_id={}", reason, client_options_.host,
               client_options_.client_id);
  (void)now;
  client_->Connect([this](const client::ConnectResult& r) { OnConnected(r); });
}

void StreamSession::OnConnected(const client::ConnectResult& r) {
  const TimePoint now = ctx_.clock.Now();
  connecting_ = false;
  if (ctx_.stopping) return;
  if (!r.status.ok()) {
    last_disconnect_reason_ = std::string(client::DisconnectReasonName(r.failure));
    spdlog::warn("event=connect_failed reason={} error=\"{}\"", last_disconnect_reason_,
                 r.status.ToString());
    ctx_.core.OnConnectionDown(now);
    if (!down_since_) down_since_ = now;
    if (r.failure == client::DisconnectReason::kClientIdInUse) {
      // Error 326: the gateway keeps the other session; pick the next id.
      client::ClientOptions next = client_options_;
      ++next.client_id;
      spdlog::warn("event=client_id_in_use next_client_id={}", next.client_id);
      MakeClient(next);
    }
    return;
  }
  connected_ = true;
  session_ = r.session;
  connected_since_ = now;
  down_since_.reset();
  if (connections_++ > 0) ++ctx_.counters.reconnects;
  spdlog::info("event=connected host={} port={} client_id={} server_version={}", r.session.host,
               r.session.port, r.session.client_id, r.session.server_version);
  ctx_.core.OnConnectionUp(now);
  for (auto& contract : registry_.contracts()) {
    ContractState& c = *contract;
    for (auto& [type, s] : c.streams) {
      s.req_id = 0;
      s.subscribed = false;
    }
    if (!c.resolving && (c.contract_id == 0 || now >= c.next_resolve_at)) {
      registry_.Resolve(c, now);
    }
  }
  // Resubscribe now rather than at the evaluation timer's next tick (up to a second later):
  // recovery is measured from the gateway being back.
  evaluate_now_();
}

void StreamSession::OnDisconnected(const client::DisconnectEvent& e) {
  const TimePoint now = ctx_.clock.Now();
  const bool was_connected = connected_;
  connected_ = false;
  connecting_ = false;
  last_disconnect_reason_ = std::string(client::DisconnectReasonName(e.reason));
  if (ctx_.stopping) return;
  if (was_connected) ++ctx_.counters.sessions_lost;
  down_since_ = now;
  last_down_at_ = now;
  spdlog::warn("event=disconnected reason={} detail=\"{}\"", last_disconnect_reason_,
               e.detail.ToString());
  ctx_.core.OnConnectionDown(now);
  for (auto& c : registry_.contracts()) {
    c->resolving = false;
    for (auto& [type, s] : c->streams) {
      s.req_id = 0;
      s.subscribed = false;
      Interrupt(s, now, "disconnect_" + last_disconnect_reason_);
    }
  }
  backfill_.OnDisconnected();
}

void StreamSession::OnNotice(const client::ConnectionNotice& n) {
  const TimePoint now = ctx_.clock.Now();
  ++ctx_.counters.ib_errors[n.code];
  spdlog::info("event=ib_notice code={} kind={} farm={} text=\"{}\"", n.code,
               client::NoticeKindName(n.kind), n.farm, n.text);
  ctx_.core.OnIbError(n.code, std::nullopt, now);
  switch (n.kind) {
    case client::NoticeKind::kConnectivityLost:
      connectivity_lost_at_ = now;
      [[fallthrough]];
    case client::NoticeKind::kServerLinkBroken:
    case client::NoticeKind::kMarketDataFarmBroken:
      for (auto& c : registry_.contracts()) {
        for (auto& [type, s] : c->streams) {
          Interrupt(s, now, std::string(client::NoticeKindName(n.kind)));
        }
      }
      break;
    case client::NoticeKind::kRestoredDataLost:
      // Subscriptions are gone on IB's side; the core asks for every stream again (and the
      // depth recorder its market depth, seeing data_losses() change).
      ++data_losses_;
      for (auto& c : registry_.contracts()) {
        for (auto& [type, s] : c->streams) {
          s.req_id = 0;
          s.subscribed = false;
          Interrupt(s, now, "restored_data_lost");
        }
      }
      break;
    case client::NoticeKind::kRestoredDataMaintained:
      // The subscriptions kept running; tick streams close their interruption with their next
      // tick. The depth recorder records its silence, seeing data_kept_restorations() change.
      ++data_kept_restorations_;
      restored_data_kept_at_ = now;
      break;
    case client::NoticeKind::kSocketPortReset:
      client_->Disconnect();
      break;
    default:
      break;
  }
}

void StreamSession::Subscribe(ContractState& c, StreamState& s, TimePoint now) {
  if (s.req_id != 0) CancelTickByTick(s.req_id);
  const StreamKey key = s.key;
  client::TickHandlers handlers;
  // The client fills in the tick (type as subscribed, receive time on the recorder's clock, which
  // it shares); the stream's key names the contract even while a roll re-resolves it.
  handlers.tick = [this, key](const Tick& tick) {
    scratch_ = tick;  // copy-assignment reuses scratch_'s buffers: no allocation per tick
    scratch_.contract_id = key.contract_id;
    OnLiveTick(key);
  };
  handlers.error = [this, key](const client::RequestError& e) { OnStreamError(key, e); };
  s.req_id = client_->SubscribeTicks(c.request, key.type, std::move(handlers));
  last_tick_by_tick_sent_ = std::max(last_tick_by_tick_sent_, s.req_id);
  s.subscribed = true;
  s.delivering = false;
  if (!s.last_exchange && !s.asked_at && c.calendar.has_information()) {
    // What the stream owes starts now while its market trades, else at the next opening.
    const calendar::MarketState market = c.calendar.StateAt(now);
    if (calendar::IsTrading(market.status)) {
      s.asked_at = now;
    } else if (market.next_open) {
      s.asked_at = *market.next_open;
    }
  }
  ctx_.core.OnSubscribed(key, now);
}

void StreamSession::SubscribeFallback(ContractState& c, StreamState& s, bool fresh) {
  if (!fresh) {
    for (auto& [type, other] : c.streams) {
      if (&other != &s && !IsTickByTick(type) && other.req_id != 0 && other.subscribed) {
        s.req_id = other.req_id;  // the contract's reqMktData serves this kind too
        s.subscribed = true;
        return;
      }
    }
  }
  // A new request: the running one (if any) is cancelled, its streams move to the new one.
  int32_t previous = s.req_id;
  for (auto& [type, other] : c.streams) {
    if (!IsTickByTick(type) && other.req_id != 0) previous = other.req_id;
  }
  if (previous != 0) client_->CancelMarketData(previous);
  const int64_t contract_id = s.key.contract_id;
  client::TickHandlers handlers;
  handlers.tick = [this, contract_id](const Tick& tick) {
    scratch_ = tick;  // copy-assignment reuses scratch_'s buffers: no allocation per tick
    scratch_.contract_id = contract_id;
    OnLiveTick(StreamKey{contract_id, tick.type});
  };
  auto id = std::make_shared<int32_t>(0);
  handlers.error = [this, contract_id, id](const client::RequestError& e) {
    OnMarketDataError(contract_id, *id, e);
  };
  *id = client_->SubscribeMarketData(c.request, std::move(handlers));
  for (auto& [type, other] : c.streams) {
    if (IsTickByTick(type)) continue;
    if (&other == &s || (previous != 0 && other.req_id == previous)) {
      other.req_id = *id;
      other.subscribed = true;
      other.delivering = false;
    }
  }
  spdlog::info("event=market_data_subscribe contract={} request={}", contract_id, *id);
}

void StreamSession::OnMarketDataError(int64_t contract_id, int32_t req_id,
                                      const client::RequestError& e) {
  const auto error_class = reliability::ClassifyIbError(e.code);
  if (reliability::IsCapacitySignal(error_class)) {
    ++ctx_.counters.ib_errors[e.code];
    spdlog::warn("event=capacity_refused contract={} request=market_data code={} text=\"{}\"",
                 contract_id, e.code, e.text);
    if (on_capacity_) on_capacity_(StreamKey{contract_id, TickType::kQuote}, e.code, 0);
    return;
  }
  ContractState* c = registry_.Find(contract_id);
  if (!c) return;
  std::vector<StreamKey> keys;
  for (const auto& [type, s] : c->streams) {
    if (!IsTickByTick(type) && s.req_id == req_id) keys.push_back(s.key);
  }
  for (const StreamKey& key : keys) OnStreamError(key, e);
}

void StreamSession::CancelRequest(StreamState& s) {
  if (s.req_id == 0) return;
  const int32_t id = s.req_id;
  if (IsTickByTick(s.key.type)) {
    CancelTickByTick(id);
  } else {
    client_->CancelMarketData(id);
    if (ContractState* c = registry_.Find(s.key.contract_id)) {
      for (auto& [type, other] : c->streams) {
        if (!IsTickByTick(type) && other.req_id == id) {
          other.req_id = 0;
          other.subscribed = false;
        }
      }
    }
  }
  s.req_id = 0;
  s.subscribed = false;
}

void StreamSession::OnStreamError(const StreamKey& key, const client::RequestError& e) {
  const TimePoint now = ctx_.clock.Now();
  ++ctx_.counters.ib_errors[e.code];
  StreamState* s = registry_.FindStream(key);
  if (!s) return;
  ++s->errors;
  s->last_error = std::to_string(e.code) + ": " + e.text;
  spdlog::warn("event=stream_error stream={} code={} text=\"{}\"", ToString(key), e.code, e.text);
  if (reliability::IsCapacitySignal(reliability::ClassifyIbError(e.code)) && on_capacity_) {
    // Capacity, not permission: the stream router moves the stream to another route.
    if (IsTickByTick(key.type)) {
      refused_.push_back(e.req_id);
      constexpr size_t kKeep = 256;
      if (refused_.size() > kKeep) refused_.pop_front();
    }
    on_capacity_(key, e.code, TickByTickActiveAt(e.req_id));
    return;
  }
  ctx_.core.OnIbError(e.code, key, now);
  const auto error_class = reliability::ClassifyIbError(e.code);
  if (error_class == reliability::IbErrorClass::kCompetingSession ||
      reliability::IsTerminalForRequest(error_class)) {
    Interrupt(*s, now, "ib_error_" + std::to_string(e.code));
  }
  if (reliability::IsTerminalForRequest(error_class) ||
      error_class == reliability::IbErrorClass::kRequestRejected) {
    CancelRequest(*s);
  }
}

void StreamSession::OnLiveTick(const StreamKey& key) {
  StreamState* s = registry_.FindStream(key);
  if (!s) return;
  const TimePoint now = scratch_.receive_time;
  ++ctx_.counters.ticks_received;
  scratch_.sequence = ++s->sequence;
  ctx_.core.OnTick(key, now);
  auto position = ctx_.store->writer().Append(scratch_);
  fanout_.Publish(scratch_, position.ok() ? TickOrigin::kLive : TickOrigin::kRefused);
  if (!position.ok()) {
    Interrupt(*s, now, "storage_" + std::string(StatusCodeName(position.status().code())));
    return;
  }
  ++ctx_.counters.ticks_stored;
  ++s->ticks;
  s->delivering = true;
  s->last_received = now;
  if (s->interrupted_since) CloseInterruption(key, *s, scratch_, now);
  s->last_exchange = scratch_.exchange_time;
  if (s->ticks == 1) {
    ContractState* c = registry_.Find(key.contract_id);
    if (c && !c->retiring.empty()) registry_.DropRetiring(*c);
  }
}

void StreamSession::CloseInterruption(const StreamKey& key, StreamState& s, const Tick& first,
                                      TimePoint now) {
  const std::string cause = s.interruption_cause;
  s.interrupted_since.reset();
  s.interruption_cause.clear();
  // A stream interrupted before it ever stored a tick (silent from its subscription, or cut off
  // before its first tick) lost everything since it was asked for, or since its market opened
  // after that; an interruption that ended before the opening lost nothing.
  if (!s.last_exchange && !s.asked_at) return;
  // Even an interruption shorter than a second may have lost ticks of the last stored second
  // after the last one received, or of the first second before the first one received: the gap
  // is never empty, at least that second, and the backfill reconciles it (queries drop the
  // backfilled ticks that live ones match).
  const TimePoint start =
      s.last_exchange ? *s.last_exchange : std::chrono::floor<std::chrono::seconds>(*s.asked_at);
  if (!s.last_exchange && first.exchange_time < start) return;
  const TimePoint end = std::max(start, first.exchange_time);
  ContractState* c = registry_.Find(key.contract_id);
  if (!c) return;
  // The backfill stores the boundary seconds whole: queries already drop the backfilled ticks
  // that live ticks of the same second match (storage/query.h, rule 2). Filtering them here as
  // well removed legitimate repeats (a second trade identical to a live one) twice over, and
  // could not see the live ticks of the last second that arrive after the first one.
  OpenGapsInOpenTime(*c, key, start, end, cause, now);
}

void StreamSession::OpenGapsInOpenTime(const ContractState& c, const StreamKey& key,
                                       TimePoint first, TimePoint last, const std::string& cause,
                                       TimePoint now) {
  // [first, last] in whole seconds, inclusive, as the ledger keeps it. Closed time (a halt, a
  // weekend, a holiday) lost nothing: one gap per open stretch, none when nothing is open.
  const TimePoint start = std::chrono::floor<std::chrono::seconds>(first);
  const TimePoint end = std::chrono::floor<std::chrono::seconds>(last) + std::chrono::seconds(1);
  const std::vector<calendar::TimeSpan> open =
      calendar::ClipToOpenTime(c.calendar, calendar::TimeSpan{start, end});
  for (const calendar::TimeSpan& piece : open) {
    backfill_.OpenGap(c, key, piece.start, piece.end - Duration(1), cause, now);
  }
}

}  // namespace ibstream::recorder
