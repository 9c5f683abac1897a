// The market-depth planner: which contract asking for depth gets one of the account's
// market-depth subscriptions (reqMktDepth), given IB's allowance (3 by default; 309 past it,
// docs/IB-LIMITS.md §3.2).
//
// Pure: PlanDepth() and DiffDepthPlans() read no clock and keep no state, like the stream plan
// (stream_plan.h); re-planning after a contract is tracked, untracked or rolled is planning again
// and diffing. Depth takes no market-data line and has no fallback: a contract left without a
// depth slot records no depth, and the plan says why so the recorder can warn about it.
//
// Order: contract priority (1 first), then configuration order, then contract id (total).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ibstream::reliability {

// One contract that wants market depth.
struct WantedDepth {
  int64_t contract_id = 0;
  int rows = 0;        // rows per side to ask for (numRows)
  bool smart = false;  // isSmartDepth
  int priority = 100;  // 1 first
  int config_order = 0;
  std::string symbol;  // for texts only; empty: the contract id is shown

  friend bool operator==(const WantedDepth&, const WantedDepth&) = default;
};

struct PlannedDepth {
  WantedDepth wanted;
  bool granted = false;
  // Why it is not granted; empty when it is. "market depth limit 3 reached".
  std::string reason;

  friend bool operator==(const PlannedDepth&, const PlannedDepth&) = default;
};

struct DepthPlan {
  int limit = 3;  // the allowance planned with (negative counts as 0)
  // Every distinct contract (a repeated one counts once, at its best place), in planning order.
  std::vector<PlannedDepth> contracts;
  int used = 0;  // granted subscriptions

  // The contract's entry, or null when it wants no depth.
  const PlannedDepth* Find(int64_t contract_id) const;
  bool Granted(int64_t contract_id) const;
  // The contracts left without depth, in planning order.
  std::vector<PlannedDepth> Refused() const;

  friend bool operator==(const DepthPlan&, const DepthPlan&) = default;
};

// Plans `wanted` within `market_depth_limit` subscriptions (see the top of this file).
DepthPlan PlanDepth(std::vector<WantedDepth> wanted, int market_depth_limit);

enum class DepthStepKind {
  kStopDepth,   // cancelMktDepth for `contract_id`
  kStartDepth,  // reqMktDepth for `contract_id` with `rows` and `smart`
};

// "stop_depth", "start_depth".
std::string_view DepthStepKindName(DepthStepKind kind);

struct DepthStep {
  DepthStepKind kind = DepthStepKind::kStartDepth;
  int64_t contract_id = 0;
  int rows = 0;
  bool smart = false;

  friend bool operator==(const DepthStep&, const DepthStep&) = default;
};

// What to cancel and request to go from `before` to `after`: every stop first (in `before`'s
// order), so that the slots they free are there for the starts (in `after`'s order). A granted
// contract whose rows or smart flag changed is stopped and started again.
std::vector<DepthStep> DiffDepthPlans(const DepthPlan& before, const DepthPlan& after);

// "MNQ depth: market depth limit 3 reached" (a refused contract, for logs and the warning).
std::string RefusedDepthText(const PlannedDepth& planned);

}  // namespace ibstream::reliability
