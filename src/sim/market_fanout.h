// The live markets and their subscriptions: each market's events are generated second by second
// up to the clock and fanned out to the tick-by-tick and reqMktData subscriptions that may see
// them (faults permitting), the quotes published on the reqMktData grid also to the market depth
// subscriptions (DepthServer), and every tick is written to the truth file.
//
// Threading: owned by the loop thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "sim/catalog.h"
#include "sim/client_session.h"
#include "sim/client_sessions.h"
#include "sim/depth_server.h"
#include "sim/fault_state.h"
#include "sim/market.h"
#include "sim/sim_counters.h"
#include "sim/tick_generator.h"
#include "sim/truth_writer.h"

namespace ibstream::sim {

// reqMktData is published like IB's: changes are aggregated on a grid of simulated time.
inline constexpr int64_t kMktDataGridNs = 250'000'000;

// One market as the loop generates it.
struct MarketRuntime {
  std::unique_ptr<SimMarket> market;
  std::vector<MarketEvent> events;
  size_t next = 0;
  int64_t second = 0;  // the second `events` belong to
  std::vector<std::pair<ClientSession*, Subscription*>> subs;
  bool has_quote = false;
  MarketEvent last_quote;
  bool has_trade = false;
  MarketEvent last_trade;  // the last reported trade
  int64_t last_trade_second = 0;
  // Reported trade sizes since the session opened (or since the simulator started).
  Decimal day_volume = Decimal::FromInt(0);
  // reqMktData publishing: changes since the last publish wait for the grid instant
  // `publish_ns` (the first grid instant at or after the first of them).
  bool publish_pending = false;
  int64_t publish_ns = 0;
  bool traded = false;  // a reported trade since the last publish
  bool has_published_quote = false;
  MarketEvent published_quote;
  // Replay: the first second without events, ever (MarketSource::EndSecondOf); INT64_MAX for a
  // market that never ends. `ended`: the loop reached it and ended the subscriptions.
  int64_t end_second = INT64_MAX;
  bool ended = false;
};

class MarketFanout {
 public:
  struct Options {
    size_t send_buffer_bytes = 16u << 20;
    int history_days = 30;
    bool quiet = false;
  };

  // Everything referenced must outlive this.
  MarketFanout(Options options, const TickGenerator& generator, const FaultState& faults,
               ClientSessions& sessions, SimCounters& counters);

  MarketFanout(const MarketFanout&) = delete;
  MarketFanout& operator=(const MarketFanout&) = delete;

  // Builds one market per catalog contract, generated from `start`. Errors: a contract whose
  // calendar cannot be built.
  [[nodiscard]] Status Build(const Catalog& catalog, TimePoint start);
  // Where every tick goes besides the clients (not owned; null: none).
  void set_truth(TruthWriter* truth) {
    truth_ = truth;
    depth_.set_truth(truth);
  }

  // Records a subscription start, refusal or end of `s` in the truth file (nothing when no truth
  // is written). `symbol` is looked up by `con_id` when empty.
  void RecordSubscription(SubscriptionEvent event, const ClientSession& s, int32_t req_id,
                          int32_t con_id, std::string_view stream, TimePoint now,
                          std::string_view reason = {}, std::string_view symbol = {});
  // Records the end of every tick-by-tick and reqMktData subscription `s` still has, for `reason`
  // (before they are dropped; depth subscriptions: DepthServer::RecordEnds).
  void RecordSubscriptionsEnd(const ClientSession& s, TimePoint now, std::string_view reason);

  // Generates and emits the markets' events up to `now` (those at `now` included), stopping after
  // the first second generated at or past `deadline` on `steady` (real time); returns how many
  // seconds the slowest market still trails `now` (0: caught up). `now` may lie before the
  // clock's time (the instant of a fault transition): the markets then stop there.
  int64_t Pump(TimePoint now, const SteadyClock& steady, SteadyTimePoint deadline);
  // How many seconds the slowest market trails `now` (0: every event up to `now` is out, its
  // reqMktData grid instants published).
  int64_t Lag(TimePoint now) const;

  // The market of `con_id`; null when none.
  MarketRuntime* Find(int32_t con_id);

  // Sends a new reqMktData subscription the market's current quote and last trade (with the
  // day's volume and the trade's time), as IB does before the first update.
  void SendCurrent(ClientSession& s, Subscription& sub, const SimContract& c);

  // Whether the replayed market of `con_id` has ended at `now` (its end second has come, whether
  // or not the loop has generated up to it); false for a generated market.
  bool EndedAt(int32_t con_id, TimePoint now);
  // Sends kReplayEndedCode for `req_id` about the ended market of `c`.
  void SendEnded(ClientSession& s, int32_t req_id, const SimContract& c);

  // The market depth subscriptions, fed at the reqMktData grid instants where the quote changed.
  DepthServer& depth() { return depth_; }

  // Subscriptions were added or removed: the fan-out lists are rebuilt before the next delivery.
  void MarkDirty() { subs_dirty_ = true; }
  void RebuildIfDirty();

  // The sessions whose send buffer overflowed since the last call (they are no longer fed).
  std::vector<ClientSession*> TakeOverflowed() { return std::exchange(overflowed_, {}); }

 private:
  enum class Step { kCaughtUp, kSkipped, kGenerated };
  // Moves `m` to its next second up to `now_second`: skips closed or unobserved time, or
  // generates the second's events.
  Step NextSecond(MarketRuntime& m, int64_t now_second);
  void Emit(MarketRuntime& m, const MarketEvent& e);
  // The loop reached `m`'s end: its last reqMktData changes are published, then every live
  // tick-by-tick, reqMktData and depth subscription of it gets kReplayEndedCode and is ended.
  void EndMarket(MarketRuntime& m);
  // Publishes `m`'s pending reqMktData changes when their grid instant is at or before `up_to_ns`
  // (every event up to `up_to_ns` has been emitted).
  void PublishDue(MarketRuntime& m, int64_t up_to_ns);
  // One grid instant: the top of book when it changed since the last publish, the last trade
  // when one happened, to every reqMktData subscription that may see them; and one truth tick
  // of kind Quote and/or Trade with the number of subscriptions it went to.
  void Publish(MarketRuntime& m);
  // TICK_PRICE bid/ask (with sizes) for prices that changed, TICK_SIZE for sizes alone.
  void SendQuote(ClientSession& s, Subscription& sub, const MarketEvent& q);
  // TICK_PRICE last, TICK_SIZE last size and volume, TICK_STRING 45 (the trade's second).
  void SendTrade(ClientSession& s, Subscription& sub, const MarketRuntime& m);
  bool CanDeliver(const ClientSession& s, const Subscription& sub, const SimContract& c) const;
  void CheckBackpressure(ClientSession& s);

  Options options_;
  const TickGenerator& generator_;
  const FaultState& faults_;
  ClientSessions& sessions_;
  SimCounters& counters_;
  TruthWriter* truth_ = nullptr;
  std::vector<std::unique_ptr<MarketRuntime>> markets_;
  std::unordered_map<int32_t, MarketRuntime*> by_con_id_;
  size_t pump_first_ = 0;  // the market a bounded poll starts with (rotates while behind)
  bool subs_dirty_ = false;
  std::vector<ClientSession*> overflowed_;
  DepthServer depth_;
};

}  // namespace ibstream::sim
