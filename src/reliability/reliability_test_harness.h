// Test-only: a fake IB side that, with a market function (a real MarketCalendar or a constant),
// drives ReliabilityCore second by second with a ManualClock: a whole trading week runs in well
// under a second.
//
// The fake gateway serves a subscription by sending one tick per second while the contract's
// market trades; it can be told to go down, to lose a subscription silently, to answer
// requests with an error code, or to report a competing session (10197).
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "calendar/market_status.h"
#include "common/clock.h"
#include "model/alert.h"
#include "reliability/reliability_core.h"

namespace ibstream::reliability::testing {

class CapturingSink : public AlertSink {
 public:
  void Deliver(std::span<const Alert> group) override {
    for (const Alert& a : group) {
      alerts.push_back(a);
      delivered_at.push_back(clock != nullptr ? clock->Now() : a.starts_at);
    }
  }
  // When the first alert of `rule` in `state` was delivered.
  std::optional<TimePoint> FirstDelivery(std::string_view rule,
                                         AlertState state = AlertState::kFiring) const {
    for (size_t i = 0; i < alerts.size(); ++i) {
      if (alerts[i].rule == rule && alerts[i].state == state) return delivered_at[i];
    }
    return std::nullopt;
  }
  int Count(std::string_view rule, AlertState state = AlertState::kFiring) const {
    return static_cast<int>(std::count_if(alerts.begin(), alerts.end(), [&](const Alert& a) {
      return a.rule == rule && a.state == state;
    }));
  }
  const Clock* clock = nullptr;
  std::vector<Alert> alerts;
  std::vector<TimePoint> delivered_at;
};

struct TimedAction {
  TimePoint at;
  Action action;
};

class Harness {
 public:
  using MarketFn = std::function<calendar::MarketState(int64_t contract_id, TimePoint t)>;

  Harness(ReliabilityOptions options, MarketFn market, TimePoint start,
          std::vector<StreamKey> streams, const ContractReliabilityOptions& contract = {})
      : clock(start), core(std::move(options), sink), market_(std::move(market)) {
    sink.clock = &clock;
    for (const StreamKey& s : streams) {
      core.AddStream(s, contract);
      streams_.push_back(s);
      contracts_.insert(s.contract_id);
    }
  }

  // --- the fake IB side ---
  bool gateway_accepts = true;  // connect attempts succeed
  Duration connect_delay = std::chrono::seconds(2);
  std::map<StreamKey, int> refuse;  // requests answered with this code
  std::set<StreamKey> competing;    // requests answered with 10197, no data
  std::set<StreamKey> live;         // subscriptions IB serves
  std::set<StreamKey> muted;        // served but silent (a dead subscription)
  bool connected = false;

  void DropConnection() {
    connected = false;
    live.clear();
    core.OnConnectionDown(clock.Now());
  }
  // IB drops a subscription without telling anyone.
  void LoseSubscriptionSilently(const StreamKey& s) { live.erase(s); }

  // One second of virtual time: market state, ticks, due events, then Evaluate.
  void Step() {
    clock.Advance(std::chrono::seconds(1));
    const TimePoint now = clock.Now();
    for (int64_t id : contracts_) core.OnMarketState(id, market_(id, now), now);
    if (connected) {
      for (const StreamKey& s : live) {
        if (!muted.contains(s) && calendar::IsTrading(market_(s.contract_id, now).status)) {
          core.OnTick(s, now);
          last_tick[s] = now;
          ++ticks;
        }
      }
    }
    while (!pending_.empty() && pending_.begin()->first <= now) {
      auto fn = std::move(pending_.begin()->second);
      pending_.erase(pending_.begin());
      fn();
    }
    Decisions d = core.Evaluate(now);
    for (const BreakerEvent& e : d.breaker_events) breaker_events.push_back(e);
    for (const Action& a : d.actions) Apply(a, now);
  }

  void RunUntil(TimePoint end) {
    while (clock.Now() < end) Step();
  }

  // Actions of `kind` (optionally for one stream / reason) within [from, to).
  std::vector<TimedAction> Actions(ActionKind kind, TimePoint from = TimePoint::min(),
                                   TimePoint to = TimePoint::max()) const {
    std::vector<TimedAction> out;
    for (const TimedAction& a : actions) {
      if (a.action.kind == kind && a.at >= from && a.at < to) out.push_back(a);
    }
    return out;
  }
  std::vector<TimedAction> Resubscribes(const StreamKey& s, TimePoint from = TimePoint::min(),
                                        TimePoint to = TimePoint::max()) const {
    std::vector<TimedAction> out;
    for (const TimedAction& a : Actions(ActionKind::kResubscribe, from, to)) {
      if (a.action.stream == s) out.push_back(a);
    }
    return out;
  }

  ManualClock clock;
  CapturingSink sink;
  ReliabilityCore core;
  std::vector<TimedAction> actions;
  std::vector<BreakerEvent> breaker_events;
  std::map<StreamKey, TimePoint> last_tick;
  int64_t ticks = 0;

 private:
  void At(TimePoint t, std::function<void()> fn) { pending_.emplace(t, std::move(fn)); }

  void Apply(const Action& a, TimePoint now) {
    actions.push_back({now, a});
    switch (a.kind) {
      case ActionKind::kReconnect:
        connected = false;
        live.clear();
        if (gateway_accepts) {
          At(now + connect_delay, [this] {
            connected = true;
            core.OnConnectionUp(clock.Now());
          });
        } else {
          At(now + connect_delay, [this] { core.OnConnectionDown(clock.Now()); });
        }
        break;
      case ActionKind::kResubscribe: {
        const StreamKey s = *a.stream;
        live.erase(s);
        if (auto it = refuse.find(s); it != refuse.end()) {
          core.OnIbError(it->second, s, now);
        } else if (competing.contains(s)) {
          core.OnSubscribed(s, now);
          core.OnIbError(10197, s, now);
        } else {
          live.insert(s);
          muted.erase(s);
          core.OnSubscribed(s, now);
        }
        break;
      }
      case ActionKind::kWait:
        break;
    }
  }

  MarketFn market_;
  std::vector<StreamKey> streams_;
  std::set<int64_t> contracts_;
  std::multimap<TimePoint, std::function<void()>> pending_;
};

}  // namespace ibstream::reliability::testing
