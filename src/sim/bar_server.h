// Bars as the simulator serves them: reqHistoricalData (with keepUpToDate) / cancelHistoricalData
// and reqRealTimeBars / cancelRealTimeBars, built with bar_builder.h from the very ticks the
// markets generate, so a bar always agrees with the ticks inside it.
//
// Historical bars cover [end - duration, end), end being endDateTime (or the clock's time when
// empty), never the current (incomplete) second; bars are aligned to multiples of the bar size
// from local midnight in the contract's time zone (daily bars: local calendar days) and only
// bars holding a source tick are sent. useRTH keeps liquid hours only. The answer is one
// HISTORICAL_DATA (dates as formatDate 1 "yyyyMMdd HH:mm:ss <zone>" or 2 epoch seconds; daily
// bars "yyyyMMdd"). keepUpToDate then sends HISTORICAL_DATA_UPDATE for the bar in progress at
// every 5 s of simulated time at which it holds a tick. Real-time bars are 5 s TRADES, MIDPOINT,
// BID or ASK bars sent when the clock passes their end, dated by their start.
//
// Errors: 321 for a bad bar size, duration, whatToShow or formatDate and for keepUpToDate with
// an endDateTime; 162 for a duration too long for the bar size (IB's step sizes), HMDS down and
// pacing violations (the historical ticks' pacer, account-wide); 322 for a request id in use.
//
// Threading: owned by the loop thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "protocol/requests.h"
#include "sim/bar_builder.h"
#include "sim/catalog.h"
#include "sim/client_session.h"
#include "sim/client_sessions.h"
#include "sim/fault_state.h"
#include "sim/historical_pacing.h"
#include "sim/market_fanout.h"
#include "sim/sim_counters.h"
#include "sim/tick_generator.h"

namespace ibstream::sim {

// The real-time bar length, the only one IB serves.
inline constexpr int64_t kRealTimeBarSeconds = 5;
// Seconds of a historical window scanned at once: a request with more is answered over several
// polls (this many seconds per poll) so a long window never stalls the loop.
inline constexpr int64_t kBarScanBudgetSeconds = 20000;

// Internal to BarServer: one finished bar, and a reqHistoricalData being answered.
struct BuiltBar {
  std::string date;
  BarValues values;
};
struct BarJob {
  uint64_t session_id = 0;
  int32_t req_id = 0;
  int32_t con_id = 0;
  BarKind kind = BarKind::kTrades;
  int64_t bar_seconds = 60;
  bool use_rth = false;
  int32_t format_date = 1;
  bool keep_up_to_date = false;
  int64_t start = 0;  // the window [start, end), Unix seconds
  int64_t end = 0;
  int64_t cursor = 0;  // the next second to scan
  BarAccumulator acc{BarKind::kTrades};
  int64_t bucket = 0;  // the bar being built (valid with have_bucket)
  bool have_bucket = false;
  std::vector<BuiltBar> bars;
};

class BarServer {
 public:
  // Everything referenced must outlive this.
  BarServer(const Clock& clock, const TickGenerator& generator, MarketFanout& markets,
            const FaultState& faults, const ClientSessions& sessions, HistoricalPacer& pacer,
            SimCounters& counters)
      : clock_(clock),
        generator_(generator),
        markets_(markets),
        faults_(faults),
        sessions_(sessions),
        pacer_(pacer),
        counters_(counters) {}

  BarServer(const BarServer&) = delete;
  BarServer& operator=(const BarServer&) = delete;

  // reqHistoricalData of the resolved contract `c`: HISTORICAL_DATA (and, with keepUpToDate, a
  // subscription) or an error.
  void AnswerHistoricalData(ClientSession& s, const protocol::ReqHistoricalData& r,
                            const SimContract& c);
  // reqRealTimeBars of the resolved contract `c`: a subscription or an error.
  void StartRealTimeBars(ClientSession& s, const protocol::ReqRealTimeBars& r,
                         const SimContract& c);
  // cancelHistoricalData / cancelRealTimeBars: the subscription ends; an unknown id is ignored.
  void Cancel(ClientSession& s, int32_t req_id);

  // Answers the pending long reqHistoricalData (kBarScanBudgetSeconds per poll when `bounded`,
  // all of them otherwise), then sends every real-time bar and keepUpToDate update due at `now`
  // (the loop calls this at each poll, after the markets reached `now`). Drops the requests and
  // subscriptions of closed sessions.
  void Poll(TimePoint now, bool bounded);

  // Open keepUpToDate and real-time bar subscriptions across the sessions.
  int active() const { return static_cast<int>(subs_.size()); }
  // reqHistoricalData still being answered.
  int pending() const { return static_cast<int>(jobs_.size()); }

 private:
  struct Subscription {
    int32_t con_id = 0;
    BarKind kind = BarKind::kTrades;
    bool real_time = false;
    bool use_rth = false;
    int64_t bar_seconds = kRealTimeBarSeconds;
    int32_t format_date = 2;
    int64_t next_boundary = 0;  // Unix second of the next 5 s instant to report at
    // keepUpToDate: the bar in progress (its start) and the ticks added to it so far (up to
    // `filled_to`, exclusive).
    BarAccumulator in_progress{BarKind::kTrades};
    int64_t bucket = -1;
    int64_t filled_to = 0;
  };
  using Key = std::pair<uint64_t, int32_t>;  // session id, request id

  // 322 when `req_id` is in use in the session (a bar subscription or a pending request); true
  // when refused.
  bool RefuseDuplicate(ClientSession& s, int32_t req_id);
  // The session with id `id` when it is open, else null.
  ClientSession* OpenSession(uint64_t id) const;
  // Sends the finished `job`'s HISTORICAL_DATA and starts its keepUpToDate subscription.
  void Finish(ClientSession& s, const BarJob& job);
  void SendDue(ClientSession& s, int32_t req_id, Subscription& sub, int64_t now_second);
  // A replayed recording that ended before `sub`'s next bar starts: kReplayEndedCode for
  // `req_id`, and true (the caller ends or never starts the subscription).
  bool EndIfOver(ClientSession& s, int32_t req_id, const Subscription& sub);

  const Clock& clock_;
  const TickGenerator& generator_;
  MarketFanout& markets_;
  const FaultState& faults_;
  const ClientSessions& sessions_;
  HistoricalPacer& pacer_;
  SimCounters& counters_;
  std::map<Key, Subscription> subs_;
  std::vector<BarJob> jobs_;  // oldest first
};

}  // namespace ibstream::sim
