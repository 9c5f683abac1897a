#include "reliability/stream_plan.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <utility>

namespace ibstream::reliability {
namespace {

// bid_ask, last, all_last, mid_point; anything else after them.
int TypeRank(TickType type) {
  if (type == TickType::kBidAsk) return 0;
  if (type == TickType::kLast) return 1;
  if (type == TickType::kAllLast) return 2;
  if (type == TickType::kMidPoint) return 3;
  return 4 + static_cast<int>(type);
}

std::string Label(const WantedStream& w) {
  const std::string who = w.symbol.empty() ? std::to_string(w.stream.contract_id) : w.symbol;
  return who + " " + std::string(TickTypeName(w.stream.type));
}

std::string RouteText(const std::optional<StreamRoute>& route, std::string_view absent) {
  return route ? std::string(StreamRouteName(*route)) : std::string(absent);
}

// A contract's place in the plan and its streams (indices into the sorted list).
struct ContractSlot {
  std::tuple<int, int, int64_t> order;
  std::vector<size_t> streams;
};

}  // namespace

std::string_view StreamRouteName(StreamRoute route) {
  switch (route) {
    case StreamRoute::kTickByTick:
      return "tick_by_tick";
    case StreamRoute::kFallback:
      return "fallback";
    case StreamRoute::kUnserved:
      return "unserved";
  }
  return "unserved";
}

const PlannedStream* StreamPlan::Find(const StreamKey& stream) const {
  for (const PlannedStream& p : streams) {
    if (p.wanted.stream == stream) return &p;
  }
  return nullptr;
}

std::optional<StreamRoute> StreamPlan::RouteOf(const StreamKey& stream) const {
  const PlannedStream* p = Find(stream);
  return p == nullptr ? std::nullopt : std::optional<StreamRoute>(p->route);
}

bool StreamPlan::NeedsMarketData(int64_t contract_id) const {
  return std::find(market_data_contracts.begin(), market_data_contracts.end(), contract_id) !=
         market_data_contracts.end();
}

bool StreamPlan::AllTickByTick() const {
  return std::all_of(streams.begin(), streams.end(),
                     [](const PlannedStream& p) { return p.route == StreamRoute::kTickByTick; });
}

StreamPlan PlanStreams(std::vector<WantedStream> wanted, const StreamBudget& budget) {
  StreamPlan plan;
  plan.budget = budget;
  const int slots = budget.tick_by_tick_limit ? std::max(0, *budget.tick_by_tick_limit)
                                              : std::numeric_limits<int>::max();
  const int lines = std::max(0, budget.market_data_lines);

  // A contract is placed by its best priority and earliest configuration order.
  std::map<int64_t, std::pair<int, int>> contract_rank;
  for (const WantedStream& w : wanted) {
    auto [it, inserted] =
        contract_rank.try_emplace(w.stream.contract_id, w.priority, w.config_order);
    if (!inserted) {
      it->second.first = std::min(it->second.first, w.priority);
      it->second.second = std::min(it->second.second, w.config_order);
    }
  }
  auto key = [&](const WantedStream& w) {
    const auto& [priority, order] = contract_rank.at(w.stream.contract_id);
    return std::make_tuple(priority, order, w.stream.contract_id, TypeRank(w.stream.type));
  };
  std::stable_sort(wanted.begin(), wanted.end(),
                   [&](const WantedStream& a, const WantedStream& b) { return key(a) < key(b); });

  std::set<StreamKey> seen;
  std::vector<ContractSlot> contracts;
  for (WantedStream& w : wanted) {
    if (!seen.insert(w.stream).second) continue;
    PlannedStream p;
    p.wanted = std::move(w);
    if (!IsTickByTick(p.wanted.stream.type)) {
      p.reason = "not a tick-by-tick kind";
      plan.streams.push_back(std::move(p));
      continue;
    }
    if (contracts.empty() || std::get<2>(contracts.back().order) != p.wanted.stream.contract_id) {
      const auto& [priority, order] = contract_rank.at(p.wanted.stream.contract_id);
      contracts.push_back({{priority, order, p.wanted.stream.contract_id}, {}});
    }
    contracts.back().streams.push_back(plan.streams.size());
    plan.streams.push_back(std::move(p));
  }

  // 1. One line per contract, in order, while lines remain.
  const std::string no_line = "no market-data line left (" + std::to_string(lines) + ")";
  size_t served = 0;
  for (const ContractSlot& c : contracts) {
    const bool has_line = static_cast<int>(served) < lines;
    if (has_line) ++served;
    for (size_t i : c.streams) {
      plan.streams[i].route = has_line ? StreamRoute::kFallback : StreamRoute::kUnserved;
      if (!has_line) plan.streams[i].reason = no_line;
    }
  }

  // 2. Tick-by-tick for the streams of served contracts, in order, while slots and lines allow.
  int lines_used = static_cast<int>(served);
  const std::string slots_reason =
      "tick-by-tick limit " +
      (budget.tick_by_tick_limit ? std::to_string(slots) : std::string("(none)")) + " reached";
  const std::string lines_reason =
      "no market-data line left for tick-by-tick (" + std::to_string(lines) + ")";
  for (size_t c = 0; c < served; ++c) {
    size_t on_fallback = contracts[c].streams.size();
    for (size_t i : contracts[c].streams) {
      PlannedStream& p = plan.streams[i];
      // The contract's last fallback stream takes over its reqMktData line.
      const int cost = on_fallback == 1 ? 0 : 1;
      if (plan.tick_by_tick_used >= slots) {
        p.reason = slots_reason;
      } else if (lines_used + cost > lines) {
        p.reason = lines_reason;
      } else {
        p.route = StreamRoute::kTickByTick;
        ++plan.tick_by_tick_used;
        lines_used += cost;
        --on_fallback;
      }
    }
    if (on_fallback > 0) plan.market_data_contracts.push_back(std::get<2>(contracts[c].order));
  }
  plan.lines_used = lines_used;
  return plan;
}

std::string_view PlanStepKindName(PlanStepKind kind) {
  switch (kind) {
    case PlanStepKind::kStartMarketData:
      return "start_market_data";
    case PlanStepKind::kStopMarketData:
      return "stop_market_data";
    case PlanStepKind::kStartTickByTick:
      return "start_tick_by_tick";
    case PlanStepKind::kStopTickByTick:
      return "stop_tick_by_tick";
  }
  return "start_market_data";
}

std::string RouteChangeText(const RouteChange& change) {
  std::string text = Label(change.wanted) + ": " + RouteText(change.from, "(new)") + " -> " +
                     RouteText(change.to, "(removed)");
  if (!change.reason.empty()) text += " (" + change.reason + ")";
  return text;
}

PlanDiff DiffPlans(const StreamPlan& before, const StreamPlan& after) {
  PlanDiff diff;
  auto is_tbt = [](const StreamPlan& plan, const StreamKey& key) {
    return plan.RouteOf(key) == StreamRoute::kTickByTick;
  };
  for (const PlannedStream& p : after.streams) {
    const std::optional<StreamRoute> from = before.RouteOf(p.wanted.stream);
    if (from != p.route) diff.changes.push_back({p.wanted, from, p.route, p.reason});
  }
  for (const PlannedStream& p : before.streams) {
    if (after.Find(p.wanted.stream) == nullptr) {
      diff.changes.push_back({p.wanted, p.route, std::nullopt, std::string()});
    }
  }

  auto stop_tbt = [&](const StreamKey& key) {
    diff.steps.push_back({PlanStepKind::kStopTickByTick, key.contract_id, key});
  };
  // A contract whose reqMktData ends and one of whose streams moves to tick-by-tick hands over.
  auto hands_over = [&](int64_t contract) {
    return std::any_of(after.streams.begin(), after.streams.end(), [&](const PlannedStream& p) {
      return p.wanted.stream.contract_id == contract && p.route == StreamRoute::kTickByTick &&
             !is_tbt(before, p.wanted.stream);
    });
  };
  std::vector<int64_t> stop_md_late;
  // 1. What nothing replaces.
  for (const PlannedStream& p : before.streams) {
    if (p.route == StreamRoute::kTickByTick &&
        after.RouteOf(p.wanted.stream) != StreamRoute::kFallback &&
        !is_tbt(after, p.wanted.stream)) {
      stop_tbt(p.wanted.stream);
    }
  }
  for (int64_t contract : before.market_data_contracts) {
    if (after.NeedsMarketData(contract)) continue;
    if (hands_over(contract)) {
      stop_md_late.push_back(contract);
    } else {
      diff.steps.push_back({PlanStepKind::kStopMarketData, contract, std::nullopt});
    }
  }
  // 2. New reqMktData.
  for (int64_t contract : after.market_data_contracts) {
    if (!before.NeedsMarketData(contract)) {
      diff.steps.push_back({PlanStepKind::kStartMarketData, contract, std::nullopt});
    }
  }
  // 3. Tick-by-tick streams moving to the fallback.
  for (const PlannedStream& p : before.streams) {
    if (p.route == StreamRoute::kTickByTick &&
        after.RouteOf(p.wanted.stream) == StreamRoute::kFallback) {
      stop_tbt(p.wanted.stream);
    }
  }
  // 4. New and upgraded tick-by-tick streams.
  for (const PlannedStream& p : after.streams) {
    if (p.route == StreamRoute::kTickByTick && !is_tbt(before, p.wanted.stream)) {
      diff.steps.push_back(
          {PlanStepKind::kStartTickByTick, p.wanted.stream.contract_id, p.wanted.stream});
    }
  }
  // 5. reqMktData whose streams all moved to tick-by-tick.
  for (int64_t contract : stop_md_late) {
    diff.steps.push_back({PlanStepKind::kStopMarketData, contract, std::nullopt});
  }
  return diff;
}

}  // namespace ibstream::reliability
