// The gateway session: the connection (connect, reconnect, a new client id on 326), the
// tick-by-tick subscriptions of every stream, the live ticks (stored, then fanned out), and the
// interruptions they suffer (disconnects, IB notices, request errors, ticks storage refused). When
// an interrupted stream's next live tick is stored, the stretch in between becomes a gap for the
// backfill runner if the market traded in it. Loop thread only (see recorder.h); not thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "client/client.h"
#include "client/event_loop.h"
#include "recorder/contract_state.h"
#include "recorder/loop_context.h"
#include "recorder/recorder_view.h"
#include "recorder/tick_fanout.h"
#include "reliability/reliability_core.h"

namespace ibstream::recorder {

class BackfillRunner;
class ContractRegistry;

class StreamSession {
 public:
  // Every reference must outlive the session (all are owned by Recorder::Impl; the parts'
  // references may be bound before those parts are constructed, and are used only later).
  // `evaluate_now` runs one evaluation of the loop at once (after a connection comes up, so
  // that streams are subscribed again without waiting for the timer).
  StreamSession(LoopContext& ctx, client::EventLoop& loop, ContractRegistry& registry,
                BackfillRunner& backfill, TickFanout& fanout, std::function<void()> evaluate_now);

  StreamSession(const StreamSession&) = delete;
  StreamSession& operator=(const StreamSession&) = delete;

  // (Re)creates the client with these options (not connected). Loop thread, or before the loop
  // runs.
  void MakeClient(client::ClientOptions client_options);

  // Null before Start and after ResetClient.
  client::Client* client() const { return client_.get(); }
  bool connected() const { return connected_; }

  // Carries out one of the reliability core's actions: reconnect, (re)subscribe a stream, wait.
  void Execute(const reliability::Action& action, TimePoint now);

  // A stream that stops being recorded: its subscription cancelled, no longer judged.
  void StopStream(const StreamState& s);

  // Stop(): every subscription cancelled, the gateway disconnected. ctx.stopping is set first.
  void Shutdown();

  // Destroys the client (after the loop has stopped).
  void ResetClient() { client_.reset(); }

  // The connection's part of the view.
  void FillGatewayView(GatewayView& g) const;

 private:
  void Connect(TimePoint now, const std::string& reason);
  void OnConnected(const client::ConnectResult& r);
  void OnDisconnected(const client::DisconnectEvent& e);
  void OnNotice(const client::ConnectionNotice& n);
  void Subscribe(ContractState& c, StreamState& s, TimePoint now);
  void OnStreamError(const StreamKey& key, const client::RequestError& e);
  void OnLiveTick(const StreamKey& key);
  void CloseInterruption(const StreamKey& key, StreamState& s, const Tick& first, TimePoint now);

  LoopContext& ctx_;
  client::EventLoop& loop_;
  ContractRegistry& registry_;
  BackfillRunner& backfill_;
  TickFanout& fanout_;
  std::function<void()> evaluate_now_;

  std::unique_ptr<client::Client> client_;
  client::ClientOptions client_options_;
  Tick scratch_;  // the tick being handled (reused: no allocation per tick)

  bool connected_ = false;
  bool connecting_ = false;
  client::SessionInfo session_;
  TimePoint connected_since_;
  std::optional<TimePoint> down_since_;
  std::string last_disconnect_reason_;
  uint64_t connections_ = 0;
  uint64_t connect_attempts_ = 0;
};

}  // namespace ibstream::recorder
