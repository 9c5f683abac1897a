#include "recorder/view_builder.h"

#include <string>
#include <utility>

namespace ibstream::recorder {

namespace {

// "bid_ask, mid_point: tick-by-tick limit 3 reached".
std::string FallbackReason(const ContractState& c, TickType kind) {
  std::string types;
  std::string reason;
  for (const auto& [type, route] : c.routes) {
    if (route.route != reliability::StreamRoute::kFallback || FallbackKind(type) != kind) {
      continue;
    }
    if (!types.empty()) types += ", ";
    types += TickTypeName(type);
    if (reason.empty()) reason = route.reason;
  }
  return types.empty() ? std::string() : types + ": " + reason;
}

StreamView StreamViewOf(const ContractState& c, const StreamState& s,
                        const reliability::ReliabilityCore& core, TimePoint now) {
  StreamView sv;
  sv.key = s.key;
  if (IsTickByTick(s.key.type)) {
    sv.route = "tick_by_tick";
  } else {
    sv.route = "fallback";
    sv.route_reason =
        s.retire_at ? "kept until the tick-by-tick stream delivers or its first-data timeout passes"
                    : FallbackReason(c, s.key.type);
  }
  sv.subscribed = s.subscribed;
  sv.request_id = s.req_id;
  sv.ticks = s.ticks;
  sv.backfilled_ticks = s.backfilled;
  sv.last_tick_received = s.last_received;
  sv.last_exchange_time = s.last_exchange;
  sv.error_count = s.errors;
  sv.last_error = s.last_error;
  sv.interrupted_since = s.interrupted_since;
  sv.interruption_cause = s.interruption_cause;
  sv.health = core.Metrics(s.key, now);
  return sv;
}

ContractView ContractViewOf(const ContractState& c, const reliability::ReliabilityCore& core,
                            TimePoint now) {
  ContractView cv;
  cv.key = c.cache_key;
  cv.from_api = c.from_api;
  cv.contract_id = c.contract_id;
  cv.description = c.config.Describe();
  cv.symbol = c.config.symbol;
  cv.sec_type = c.config.sec_type;
  cv.exchange = c.config.exchange;
  cv.currency = c.config.currency;
  if (c.details) {
    cv.symbol = c.details->contract.symbol;
    cv.sec_type = c.details->contract.sec_type;
    cv.exchange = c.details->contract.exchange;
    cv.currency = c.details->contract.currency;
    cv.local_symbol = c.details->contract.local_symbol;
    cv.last_trade_date = c.details->contract.last_trade_date_or_contract_month;
    cv.time_zone_id = c.details->time_zone_id;
    cv.trading_hours = c.details->trading_hours;
    cv.liquid_hours = c.details->liquid_hours;
  }
  cv.resolved = c.details.has_value();
  cv.resolve_error = c.resolve_error;
  cv.calendar_error = c.calendar_error;
  cv.details_updated_at = c.details_at;
  cv.market = c.calendar.StateAt(now);
  cv.calendar = c.shared_calendar;
  cv.status = c.contract_id != 0 ? core.ContractStatus(c.contract_id, now)
                                 : reliability::HealthStatus::kUnknown;
  cv.rolled_from = c.rolled_from;
  cv.rolled_at = c.rolled_at;
  cv.buffer_hours = c.config.buffer_hours;
  cv.priority = c.config.priority;
  cv.expected_types = c.config.tick_types;
  cv.depth_rows = c.config.depth_rows;
  for (TickType type : c.config.tick_types) {
    auto it = c.routes.find(type);
    if (it == c.routes.end()) continue;
    RouteView rv;
    rv.type = type;
    rv.route = std::string(reliability::StreamRouteName(it->second.route));
    rv.reason = it->second.reason;
    if (it->second.route == reliability::StreamRoute::kTickByTick) rv.recorded_as = type;
    if (it->second.route == reliability::StreamRoute::kFallback)
      rv.recorded_as = FallbackKind(type);
    cv.routes.push_back(std::move(rv));
  }
  for (const auto& [type, s] : c.streams) cv.streams.push_back(StreamViewOf(c, s, core, now));
  return cv;
}

}  // namespace

std::shared_ptr<RecorderView> BuildView(const ViewInputs& inputs, const LoopContext& ctx,
                                        const ContractRegistry& registry,
                                        const StreamSession& session, const StreamRouter& router) {
  const TimePoint now = inputs.now;
  auto view = std::make_shared<RecorderView>();
  view->depth = inputs.depth;
  view->now = now;
  view->started_at = inputs.started_at;
  // Ready means able to record: storage open and accepting writes.
  view->ready = ctx.store != nullptr && !ctx.store->writer().suspended();
  view->overall = ctx.core.OverallStatus(now);
  session.FillGatewayView(view->gateway);

  auto& st = view->storage;
  st.path = ctx.options.config.storage.path;
  auto& writer = ctx.store->writer();
  st.accepted_position = writer.accepted_position();
  st.durable_position = writer.durable_position();
  st.rejected_queue_full = writer.rejected_queue_full();
  st.rejected_suspended = writer.rejected_suspended();
  st.lost_on_write_error = writer.lost_on_write_error();
  st.suspended = writer.suspended();
  st.low_space = inputs.storage_low_space;
  st.available_bytes = inputs.available_bytes;
  st.recovered_corrupt_files = ctx.store->recovery_report().files_quarantined;
  st.gap_ledger_damaged_files = ctx.store->ledger_damage().quarantined.size();

  const reliability::StreamPlan& plan = router.plan();
  view->plan.tick_by_tick_limit = router.allowance().Describe();
  view->plan.market_data_lines = router.market_data_lines();
  view->plan.tick_by_tick_used = plan.tick_by_tick_used;
  view->plan.lines_used = plan.lines_used;
  for (const auto& p : plan.streams) {
    switch (p.route) {
      case reliability::StreamRoute::kTickByTick:
        ++view->plan.tick_by_tick_streams;
        break;
      case reliability::StreamRoute::kFallback:
        ++view->plan.fallback_streams;
        break;
      case reliability::StreamRoute::kUnserved:
        ++view->plan.unserved_streams;
        break;
    }
  }

  view->counters = ctx.counters;
  view->counters.alerts_fired = inputs.alerts_fired;
  for (const auto& contract : registry.contracts()) {
    view->contracts.push_back(ContractViewOf(*contract, ctx.core, now));
  }
  auto gaps = ctx.store->ledger().List();
  constexpr size_t kMaxGaps = 500;
  if (gaps.size() > kMaxGaps) gaps.erase(gaps.begin(), gaps.end() - kMaxGaps);
  view->gaps = std::move(gaps);
  for (const storage::GapRecord& gap : view->gaps) {
    if (auto fill = ctx.gap_fills.find(gap.id); fill != ctx.gap_fills.end()) {
      view->gap_fills.emplace(gap.id, fill->second);
    }
  }
  view->alerts = ctx.core.FiringAlerts();
  return view;
}

}  // namespace ibstream::recorder
