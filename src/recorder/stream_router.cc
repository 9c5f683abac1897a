#include "recorder/stream_router.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "recorder/contract_registry.h"
#include "recorder/route_records.h"

namespace ibstream::recorder {

namespace {

using reliability::StreamRoute;

// The least time an upgraded stream's fallback keeps recording when the tick-by-tick stream
// stays silent (a market that does not trade now): long enough for a live market's first tick
// even when IB answers slowly. Until then the switch holds one market-data line more.
constexpr Duration kUpgradeOverlap = std::chrono::seconds(60);
// The recorder judges a stream silent only `first_data_timeout` after its request (a verifying
// resubscribe; its gap runs from the request and is backfilled). A fallback retired before that
// verdict would stop recording live what then becomes a backfill, so it is kept this much longer
// than the timeout: the request may wait for IB's 15 s re-request spacing (a stream asked for
// again soon after it stopped), and the verdict is reached at the next evaluation.
constexpr Duration kUpgradeVerdictMargin = std::chrono::seconds(20);
// How long it keeps recording once the tick-by-tick stream delivers.
constexpr Duration kUpgradeSettle = std::chrono::seconds(1);

// How long the fallback of `c`'s upgraded streams keeps recording if they stay silent.
Duration UpgradeOverlap(const ContractState& c) {
  return std::max(kUpgradeOverlap, c.config.first_data_timeout + kUpgradeVerdictMargin);
}

std::string Label(const ContractState& c) {
  if (c.details && !c.details->contract.local_symbol.empty()) {
    return c.details->contract.local_symbol;
  }
  return c.config.symbol.empty() ? std::to_string(c.contract_id) : c.config.symbol;
}

}  // namespace

StreamRouter::StreamRouter(LoopContext& ctx, ContractRegistry& registry)
    : ctx_(ctx), registry_(registry), allowance_(ctx.options.config.gateway.tick_by_tick_limit) {}

int StreamRouter::market_data_lines() const {
  const int configured = ctx_.options.config.gateway.market_data_lines;
  return lines_ceiling_ ? std::min(configured, *lines_ceiling_) : configured;
}

reliability::StreamPlan StreamRouter::PlanNow() const {
  std::vector<reliability::WantedStream> wanted;
  int order = 0;
  for (const auto& c : registry_.contracts()) {
    ++order;
    if (c->contract_id == 0 || !c->details) continue;  // planned once resolved
    for (TickType type : c->config.tick_types) {
      if (!IsTickByTick(type)) continue;
      reliability::WantedStream w;
      w.stream = StreamKey{c->contract_id, type};
      w.priority = c->config.priority;
      w.config_order = order;
      w.symbol = Label(*c);
      wanted.push_back(std::move(w));
    }
  }
  reliability::StreamBudget budget;
  // A month being rolled away from keeps its subscriptions until the new month delivers, as
  // before; its slots are not subtracted (the roll would otherwise move streams to the fallback
  // and back). Should IB refuse the overlap, the 10190 re-plans like any other.
  budget.tick_by_tick_limit = allowance_.EffectiveLimit();
  budget.market_data_lines = market_data_lines();
  return reliability::PlanStreams(std::move(wanted), budget);
}

void StreamRouter::Replan(TimePoint now) {
  if (ctx_.stopping) return;
  // Accepted: subscribed and delivering on the current request (a request not answered yet may
  // still be refused; ticks of an earlier request, before a reconnect, prove nothing about it).
  int delivering = 0;
  for (const auto& c : registry_.contracts()) {
    for (const auto* streams : {&c->streams, &c->retiring}) {
      for (const auto& [type, s] : *streams) {
        if (IsTickByTick(type) && s.subscribed && s.delivering) ++delivering;
      }
    }
  }
  allowance_.OnAccepted(delivering);
  allowance_.Refresh(now);
  reliability::StreamPlan next = PlanNow();
  if (!planned_ || !(next == plan_)) {
    const reliability::PlanDiff diff = reliability::DiffPlans(plan_, next);
    for (const auto& change : diff.changes) {
      spdlog::warn("event=stream_route change=\"{}\" tick_by_tick_limit=\"{}\" lines={}",
                   reliability::RouteChangeText(change), allowance_.Describe(),
                   market_data_lines());
    }
    if (!diff.changes.empty() && ctx_.store != nullptr) {
      RecordRoutes(*ctx_.store, ToRouteRecord(diff, !routes_recorded_, now));
      routes_recorded_ = true;
    }
    Apply(next, now);
    ctx_.core.OnStreamPlan(next, now);
    plan_ = std::move(next);
    planned_ = true;
  }
  EndUpgrades(now);
}

void StreamRouter::Apply(const reliability::StreamPlan& next, TimePoint now) {
  std::vector<ContractState*> contracts;
  for (const auto& c : registry_.contracts()) {
    if (c->contract_id != 0 && c->details) contracts.push_back(c.get());
  }
  // The routes, and the stream kinds each contract needs under them.
  struct Needs {
    std::set<TickType> tick_by_tick;
    std::set<TickType> fallback;
  };
  std::map<ContractState*, Needs> needs;
  for (ContractState* c : contracts) {
    c->routes.clear();
    Needs& n = needs[c];
    for (TickType type : c->config.tick_types) {
      RouteState route;
      if (const reliability::PlannedStream* p = next.Find(StreamKey{c->contract_id, type})) {
        route.route = p->route;
        route.reason = p->reason;
      } else {
        route.reason = "not a tick-by-tick kind";
      }
      c->routes[type] = route;
      if (route.route == StreamRoute::kTickByTick) n.tick_by_tick.insert(type);
      if (route.route == StreamRoute::kFallback) n.fallback.insert(FallbackKind(type));
    }
  }
  // 1. The fallback streams first: a stream moving off tick-by-tick is recorded before its
  //    tick-by-tick subscription is cancelled.
  for (ContractState* c : contracts) {
    for (TickType kind : needs[c].fallback) {
      // A fallback kept for upgrades and needed again is not retiring any more, but the upgraded
      // streams it waited for and that still run are still waited for when it retires again.
      StreamState& s = registry_.AddStream(*c, kind, now);
      s.retire_at.reset();
    }
  }
  // 2. Tick-by-tick streams no longer planned stop (freeing their slots), then 3. the new ones
  //    start; the fallback they replace is kept until they deliver.
  for (ContractState* c : contracts) {
    std::vector<TickType> stop;
    for (const auto& [type, s] : c->streams) {
      if (IsTickByTick(type) && !needs[c].tick_by_tick.contains(type)) {
        stop.push_back(type);
      }
    }
    for (TickType type : stop) {
      spdlog::info("event=stream_stop stream={} reason=replanned",
                   ToString(StreamKey{c->contract_id, type}));
      registry_.RemoveStream(*c, type);
    }
  }
  for (ContractState* c : contracts) {
    for (TickType type : needs[c].tick_by_tick) {
      if (c->streams.contains(type)) continue;
      registry_.AddStream(*c, type, now);
      auto fallback = c->streams.find(FallbackKind(type));
      if (fallback != c->streams.end() && !needs[c].fallback.contains(fallback->first)) {
        // Kept for the latest upgrade's verdict: a fallback already retiring (an earlier upgrade,
        // perhaps delivering and shortened to kUpgradeSettle) takes this stream on with its own
        // overlap, and waits for it to deliver too.
        StreamState& f = fallback->second;
        const TimePoint deadline = now + UpgradeOverlap(*c);
        f.retire_at = f.retire_at ? std::max(*f.retire_at, deadline) : deadline;
        if (std::find(f.replaced_by.begin(), f.replaced_by.end(), type) == f.replaced_by.end()) {
          f.replaced_by.push_back(type);
        }
      }
    }
    c->streams_started = true;
  }
  // 4. Fallback streams nothing needs and no upgrade waits for stop now.
  for (ContractState* c : contracts) {
    std::vector<TickType> stop;
    for (const auto& [type, s] : c->streams) {
      if (!IsTickByTick(type) && !needs[c].fallback.contains(type) && !s.retire_at) {
        stop.push_back(type);
      }
    }
    for (TickType type : stop) {
      spdlog::info("event=stream_stop stream={} reason=replanned",
                   ToString(StreamKey{c->contract_id, type}));
      registry_.RemoveStream(*c, type);
    }
  }
}

void StreamRouter::EndUpgrades(TimePoint now) {
  for (const auto& c : registry_.contracts()) {
    std::vector<TickType> done;
    for (auto& [type, s] : c->streams) {
      if (!s.retire_at) continue;
      const bool delivered =
          std::all_of(s.replaced_by.begin(), s.replaced_by.end(), [&](TickType t) {
            auto it = c->streams.find(t);
            return it == c->streams.end() || it->second.ticks > 0;
          });
      if (now >= *s.retire_at) {
        done.push_back(type);
      } else if (delivered && !s.replaced_by.empty()) {
        // Delivering: keep the fallback a little longer, so that what it was still aggregating
        // (IB sends reqMktData every 250 ms) reaches storage too.
        s.retire_at = std::min(*s.retire_at, now + kUpgradeSettle);
        s.replaced_by.clear();
      }
    }
    for (TickType type : done) {
      // A fallback whose tick-by-tick streams delivered had its list of them cleared above.
      spdlog::info(
          "event=fallback_retired stream={} reason={}", ToString(StreamKey{c->contract_id, type}),
          c->streams.at(type).replaced_by.empty() ? "tick_by_tick_delivering" : "overlap_elapsed");
      registry_.RemoveStream(*c, type);
    }
  }
}

void StreamRouter::OnCapacityRefused(const StreamKey& key, int code, int active, TimePoint now) {
  ContractState* c = registry_.Find(key.contract_id);
  if (c == nullptr) return;
  if (IsTickByTick(key.type)) {
    if (code == 101) {
      lines_ceiling_ = std::max(0, plan_.lines_used - 1);
    } else {
      allowance_.OnLimitReached(active, now);
    }
    spdlog::warn("event=capacity_refused stream={} code={} tick_by_tick_limit=\"{}\" lines={}",
                 ToString(key), code, allowance_.Describe(), market_data_lines());
    registry_.RemoveStream(*c, key.type);
  } else {
    lines_ceiling_ = std::max(0, plan_.lines_used - 1);
    spdlog::warn("event=capacity_refused contract={} request=market_data code={} lines={}",
                 key.contract_id, code, market_data_lines());
    std::vector<TickType> fallback;
    for (const auto& [type, s] : c->streams) {
      if (!IsTickByTick(type)) fallback.push_back(type);
    }
    for (TickType type : fallback) registry_.RemoveStream(*c, type);
  }
  planned_ = false;  // what runs no longer matches the plan: apply it again
  Replan(now);
}

}  // namespace ibstream::recorder
