#include "reliability/depth_plan.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace ibstream::reliability {

const PlannedDepth* DepthPlan::Find(int64_t contract_id) const {
  for (const PlannedDepth& p : contracts) {
    if (p.wanted.contract_id == contract_id) return &p;
  }
  return nullptr;
}

bool DepthPlan::Granted(int64_t contract_id) const {
  const PlannedDepth* p = Find(contract_id);
  return p != nullptr && p->granted;
}

std::vector<PlannedDepth> DepthPlan::Refused() const {
  std::vector<PlannedDepth> out;
  for (const PlannedDepth& p : contracts) {
    if (!p.granted) out.push_back(p);
  }
  return out;
}

DepthPlan PlanDepth(std::vector<WantedDepth> wanted, int market_depth_limit) {
  DepthPlan plan;
  plan.limit = std::max(0, market_depth_limit);
  std::stable_sort(wanted.begin(), wanted.end(), [](const WantedDepth& a, const WantedDepth& b) {
    return std::tie(a.priority, a.config_order, a.contract_id) <
           std::tie(b.priority, b.config_order, b.contract_id);
  });
  std::set<int64_t> seen;
  for (WantedDepth& w : wanted) {
    if (!seen.insert(w.contract_id).second) continue;  // its best place is taken already
    PlannedDepth p;
    p.wanted = std::move(w);
    p.granted = plan.used < plan.limit;
    if (p.granted) {
      ++plan.used;
    } else {
      p.reason = "market depth limit " + std::to_string(plan.limit) + " reached";
    }
    plan.contracts.push_back(std::move(p));
  }
  return plan;
}

std::string_view DepthStepKindName(DepthStepKind kind) {
  return kind == DepthStepKind::kStopDepth ? "stop_depth" : "start_depth";
}

std::vector<DepthStep> DiffDepthPlans(const DepthPlan& before, const DepthPlan& after) {
  const auto same_request = [](const WantedDepth& a, const WantedDepth& b) {
    return a.rows == b.rows && a.smart == b.smart;
  };
  std::vector<DepthStep> steps;
  for (const PlannedDepth& old : before.contracts) {
    if (!old.granted) continue;
    const PlannedDepth* now = after.Find(old.wanted.contract_id);
    if (now == nullptr || !now->granted || !same_request(old.wanted, now->wanted)) {
      steps.push_back(
          {DepthStepKind::kStopDepth, old.wanted.contract_id, old.wanted.rows, old.wanted.smart});
    }
  }
  for (const PlannedDepth& now : after.contracts) {
    if (!now.granted) continue;
    const PlannedDepth* old = before.Find(now.wanted.contract_id);
    if (old == nullptr || !old->granted || !same_request(old->wanted, now.wanted)) {
      steps.push_back(
          {DepthStepKind::kStartDepth, now.wanted.contract_id, now.wanted.rows, now.wanted.smart});
    }
  }
  return steps;
}

std::string RefusedDepthText(const PlannedDepth& planned) {
  const std::string who = planned.wanted.symbol.empty() ? std::to_string(planned.wanted.contract_id)
                                                        : planned.wanted.symbol;
  return who + " depth: " + (planned.granted ? std::string("recorded") : planned.reason);
}

}  // namespace ibstream::reliability
