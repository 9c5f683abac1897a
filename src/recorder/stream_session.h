// The gateway session: the connection (connect, reconnect, a new client id on 326), the
// subscriptions of every stream (tick-by-tick, or the contract's one reqMktData for its fallback
// streams `quote` and `trade`), the live ticks (stored, then fanned out), and the
// interruptions they suffer (disconnects, IB notices, request errors, ticks storage refused). When
// an interrupted stream's next live tick is stored, the stretch in between becomes a gap for the
// backfill runner if the market traded in it. Loop thread only (see recorder.h); not thread-safe.
#pragma once

#include <deque>
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
  // Connections made so far (a change means the gateway's subscriptions were lost and made anew),
  // and when the last one was lost.
  uint64_t connections() const { return connections_; }
  std::optional<TimePoint> last_down_at() const { return last_down_at_; }
  // IB's 1101 notices so far (connectivity restored, data lost: every request of the connection
  // is gone although the socket stayed up), and when IB last reported connectivity lost (1100).
  uint64_t data_losses() const { return data_losses_; }
  std::optional<TimePoint> connectivity_lost_at() const { return connectivity_lost_at_; }
  // IB's 1102 notices so far (connectivity restored, data maintained: the requests kept running,
  // but nothing came since the 1100), and when IB sent the last one.
  uint64_t data_kept_restorations() const { return data_kept_restorations_; }
  std::optional<TimePoint> restored_data_kept_at() const { return restored_data_kept_at_; }

  // IB refused a stream's request for capacity (10190 tick-by-tick limit, 101 market-data lines):
  // `handler` re-plans (the stream router). Such a refusal is not an error of the stream: the
  // reliability core does not hear of it (no permission alert, no retry). `active` is how many
  // tick-by-tick subscriptions IB was running when it refused (those sent before the refused
  // request and not cancelled before it went out); 0 for a reqMktData refusal.
  using CapacityHandler = std::function<void(const StreamKey&, int code, int active)>;
  void SetCapacityHandler(CapacityHandler handler) { on_capacity_ = std::move(handler); }

  // Carries out one of the reliability core's actions: reconnect, (re)subscribe a stream, wait.
  // (Re)subscribing a fallback stream asks for its contract's reqMktData (one for the contract's
  // fallback streams: a first subscription joins one already running).
  void Execute(const reliability::Action& action, TimePoint now);

  // A stream that stops being recorded: its subscription cancelled (a reqMktData once no other
  // fallback stream uses it), no longer judged.
  // Its request id is cleared.
  void StopStream(StreamState& s);

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
  // An answer to reqCurrentTime (the client's liveness probe): the local clock's offset from
  // IB's that it proves (reliability/clock_offset.h) goes to the core (clock_skew).
  void OnServerTime(const client::ServerTimeSample& sample);
  void Subscribe(ContractState& c, StreamState& s, TimePoint now);
  // Subscribe() of a fallback stream: the contract's reqMktData, shared by its fallback streams.
  // `fresh`: a new request even when one runs (a resubscription).
  void SubscribeFallback(ContractState& c, StreamState& s, bool fresh);
  // cancelTickByTickData, remembered for TickByTickActiveAt.
  void CancelTickByTick(int32_t req_id);
  // Tick-by-tick subscriptions IB ran when it processed request `req_id` (requests leave in id
  // order).
  int TickByTickActiveAt(int32_t req_id) const;
  void OnMarketDataError(int64_t contract_id, int32_t req_id, const client::RequestError& e);
  // Cancels the stream's request (for a fallback stream: the reqMktData, which every fallback
  // stream sharing it loses too) and marks them unsubscribed.
  void CancelRequest(StreamState& s);
  // Another fallback stream (of any contract state, retiring ones included) uses `req_id`.
  bool MarketDataShared(const StreamState& s) const;
  void OnStreamError(const StreamKey& key, const client::RequestError& e);
  void OnLiveTick(const StreamKey& key);
  void CloseInterruption(const StreamKey& key, StreamState& s, const Tick& first, TimePoint now);
  // Opens a gap for each open stretch of [first, last] (whole seconds, inclusive) by the
  // contract's calendar (calendar/open_time.h); none when the market was closed throughout.
  void OpenGapsInOpenTime(const ContractState& c, const StreamKey& key, TimePoint first,
                          TimePoint last, const std::string& cause, TimePoint now);

  LoopContext& ctx_;
  client::EventLoop& loop_;
  ContractRegistry& registry_;
  BackfillRunner& backfill_;
  TickFanout& fanout_;
  std::function<void()> evaluate_now_;
  CapacityHandler on_capacity_;
  // Tick-by-tick cancellations, with the newest tick-by-tick request sent before each (the last
  // 256): what IB still ran when it answered a later request.
  struct Cancelled {
    int32_t req_id = 0;
    int32_t last_sent = 0;
  };
  std::deque<Cancelled> cancelled_;
  // Tick-by-tick requests IB refused for capacity (the last 256): never running, so never counted
  // as active when a later request is refused, although the stream's removal cancels them.
  std::deque<int32_t> refused_;
  int32_t last_tick_by_tick_sent_ = 0;

  std::unique_ptr<client::Client> client_;
  client::ClientOptions client_options_;
  Tick scratch_;  // the tick being handled (reused: no allocation per tick)

  bool connected_ = false;
  bool connecting_ = false;
  client::SessionInfo session_;
  TimePoint connected_since_;
  std::optional<TimePoint> down_since_;
  std::optional<TimePoint> last_down_at_;  // never reset: the last disconnect's time
  std::string last_disconnect_reason_;
  uint64_t connections_ = 0;
  uint64_t data_losses_ = 0;
  std::optional<TimePoint> connectivity_lost_at_;  // never reset: the last 1100's time
  uint64_t data_kept_restorations_ = 0;
  std::optional<TimePoint> restored_data_kept_at_;  // never reset: the last 1102's time
  uint64_t connect_attempts_ = 0;
};

}  // namespace ibstream::recorder
