#include "reliability/alert_rules.h"

#include <algorithm>
#include <utility>

namespace ibstream::reliability {

using calendar::IsTrading;
using calendar::MarketStatus;
using calendar::MarketStatusName;

namespace {

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += ",";
    out += p;
  }
  return out;
}

std::string Seconds(Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

AlertCondition Condition(std::string_view rule, std::optional<int64_t> contract_id,
                         std::string summary, std::map<std::string, std::string> labels) {
  return AlertCondition{std::string(rule), contract_id, std::move(summary), std::move(labels),
                        std::nullopt};
}

// A contract's streams folded into what its rules look at.
struct ContractFacts {
  std::vector<TickType> stale, competing, breaker_open, exhausted, refused, advisory;
  Duration max_silence{0};
  int retries = 0;
  int priority = 1;
  MarketStatus status = MarketStatus::kUnknown;
  std::optional<int> refused_code, advisory_code;
};

ContractFacts Aggregate(const std::vector<StreamAlertFacts>& streams) {
  ContractFacts f;
  for (const StreamAlertFacts& s : streams) {
    const StreamHealth& h = s.health;
    f.status = h.market_status;
    f.priority = s.priority;
    // A capacity refusal is no fault of the stream: the plan's capacity warning explains it.
    if (s.capacity_code) continue;
    if (h.flow == DataFlow::kStale && !s.refused_code) {
      f.stale.push_back(s.type);
      f.max_silence = std::max(f.max_silence, h.silence);
    }
    if (s.competing) f.competing.push_back(s.type);
    if (!s.breaker_closed && !s.refused_code) f.breaker_open.push_back(s.type);
    f.retries += s.retries_last_hour;
    if (s.retries_exhausted && IsTrading(h.market_status) && !s.refused_code) {
      f.exhausted.push_back(s.type);
    }
    if (s.refused_code) {
      f.refused.push_back(s.type);
      f.refused_code = s.refused_code;
    } else if (s.advisory_code) {
      f.advisory.push_back(s.type);
      f.advisory_code = s.advisory_code;
    }
  }
  return f;
}

// A per-contract condition naming the affected streams.
AlertCondition ContractCondition(int64_t contract_id, const ContractFacts& f, std::string_view rule,
                                 std::string summary, const std::vector<TickType>& types,
                                 std::optional<AlertSeverity> severity = std::nullopt,
                                 std::optional<int> code = std::nullopt) {
  std::vector<std::string> streams;
  for (TickType t : types) streams.emplace_back(TickTypeName(t));
  AlertCondition c;
  c.rule = std::string(rule);
  c.contract_id = contract_id;
  c.summary = std::to_string(contract_id) + " " + Join(streams) + ": " + std::move(summary);
  c.labels = {{"streams", Join(streams)},
              {"market_status", std::string(MarketStatusName(f.status))},
              {"priority", std::to_string(f.priority)}};
  if (code) c.labels["code"] = std::to_string(*code);
  c.severity = severity;
  return c;
}

void AppendPermissionAlerts(int64_t contract_id, const ContractFacts& f,
                            std::vector<AlertCondition>& out) {
  if (!f.refused.empty()) {
    out.push_back(ContractCondition(
        contract_id, f, rules::kPermissionDenied,
        "request refused (IB " + std::to_string(*f.refused_code) + "); retried only hourly",
        f.refused, std::nullopt, f.refused_code));
  } else if (!f.advisory.empty()) {
    out.push_back(ContractCondition(
        contract_id, f, rules::kPermissionDenied,
        "delayed or partial market data (IB " + std::to_string(*f.advisory_code) + ")", f.advisory,
        AlertSeverity::kWarning, f.advisory_code));
  }
}

// The streams a plan does not record by tick-by-tick, in plan order.
std::vector<const PlannedStream*> OffTickByTick(const StreamPlan& plan) {
  std::vector<const PlannedStream*> out;
  for (const PlannedStream& p : plan.streams) {
    if (p.route != StreamRoute::kTickByTick) out.push_back(&p);
  }
  return out;
}

bool SameOffTickByTick(const std::vector<const PlannedStream*>& a,
                       const std::vector<const PlannedStream*>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const PlannedStream* x, const PlannedStream* y) {
                      return x->wanted.stream == y->wanted.stream && x->route == y->route &&
                             x->reason == y->reason;
                    });
}

std::string StreamLabel(const PlannedStream& p) {
  const WantedStream& w = p.wanted;
  return (w.symbol.empty() ? std::to_string(w.stream.contract_id) : w.symbol) + " " +
         std::string(TickTypeName(w.stream.type));
}

// "on the fallback: ES last, AAPL bid_ask (tick-by-tick limit 3 reached)", one group per route
// and reason in plan order, joined by "; ".
std::string CapacitySummary(const std::vector<const PlannedStream*>& off) {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const PlannedStream* p : off) {
    const std::string head =
        std::string(p->route == StreamRoute::kFallback ? "on the fallback" : "not recorded") + "|" +
        p->reason;
    auto it =
        std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == head; });
    if (it == groups.end()) it = groups.insert(groups.end(), {head, {}});
    it->second.push_back(StreamLabel(*p));
  }
  std::string out;
  for (const auto& [head, streams] : groups) {
    std::string names;
    for (const std::string& s : streams) names += (names.empty() ? "" : ", ") + s;
    const size_t bar = head.find('|');
    if (!out.empty()) out += "; ";
    out += head.substr(0, bar) + ": " + names + " (" + head.substr(bar + 1) + ")";
  }
  return out;
}

}  // namespace

std::optional<AlertSeverity> GatewayDownSeverity(MarketStatus market_status,
                                                 std::optional<TimePoint> next_open,
                                                 Duration escalate_before_open,
                                                 AlertSeverity configured, TimePoint now) {
  if (IsTrading(market_status) || market_status == MarketStatus::kUnknown) return configured;
  // Over a weekend or holiday no connection is tried before the pre-open attempt (a minute
  // before the open): a session that is down then says nothing about the gateway yet.
  if (market_status == MarketStatus::kWeekend || market_status == MarketStatus::kHoliday) {
    return std::nullopt;
  }
  if (next_open && now >= *next_open - escalate_before_open) return configured;
  return std::min(configured, AlertSeverity::kWarning);
}

void AppendGatewayAlerts(const GatewayAlertFacts& facts, const AlertOptions& options, TimePoint now,
                         std::vector<AlertCondition>& out) {
  const MarketStatus status = facts.market_status;
  const bool resting = status == MarketStatus::kWeekend || status == MarketStatus::kHoliday;
  const std::string status_name(MarketStatusName(status));
  const std::optional<AlertSeverity> down_severity =
      facts.session_up
          ? std::nullopt
          : GatewayDownSeverity(status, facts.next_open, options.gateway_down_escalate_before_open,
                                options.gateway_down.severity, now);
  if (down_severity) {
    std::string summary = "gateway session down since " +
                          FormatIsoUtc(facts.down_since.value_or(now)) + " while the market is " +
                          status_name;
    if (!IsTrading(status) && facts.next_open) {
      summary += "; next open " + FormatIsoUtc(*facts.next_open);
    }
    AlertCondition c = Condition(rules::kGatewayDown, std::nullopt, std::move(summary),
                                 {{"market_status", status_name}});
    c.severity = down_severity;
    out.push_back(std::move(c));
  }
  if (facts.session_up && facts.ib_link_lost_since && !resting) {
    out.push_back(Condition(
        rules::kGatewayLostIb, std::nullopt,
        "gateway lost its connection to IB (1100) at " + FormatIsoUtc(*facts.ib_link_lost_since),
        {{"code", "1100"}}));
  }
  if (!facts.breaker_closed) {
    out.push_back(Condition(rules::kCircuitOpen, std::nullopt, "gateway connect breaker is open",
                            {{"target", "gateway"}}));
  }
  if (facts.retries_last_hour > options.frequent_reconnections_per_hour) {
    // Connect attempts, not reconnects: a gateway that refuses every attempt made no reconnect.
    const std::string retries = std::to_string(facts.retries_last_hour);
    const std::string lost = std::to_string(facts.sessions_lost_last_hour);
    out.push_back(
        Condition(rules::kFrequentReconnections, std::nullopt,
                  retries + " connect attempts in the last hour (" + lost + " sessions lost)",
                  {{"retries", retries}, {"connect_attempts", retries}, {"sessions_lost", lost}}));
  }
  if (facts.retries_exhausted && IsTrading(status)) {
    out.push_back(Condition(rules::kRetriesExhausted, std::nullopt,
                            "gateway reconnect strategy exhausted; still retrying",
                            {{"target", "gateway"}}));
  }
}

void AppendContractAlerts(int64_t contract_id, const std::vector<StreamAlertFacts>& streams,
                          const AlertOptions& options, std::vector<AlertCondition>& out) {
  const ContractFacts f = Aggregate(streams);
  if (!f.stale.empty()) {
    out.push_back(ContractCondition(contract_id, f, rules::kDataStaleDuringTrading,
                                    "no data for " + Seconds(f.max_silence) +
                                        " s while the market is " +
                                        std::string(MarketStatusName(f.status)),
                                    f.stale));
  }
  if (!f.competing.empty()) {
    out.push_back(ContractCondition(
        contract_id, f, rules::kCompetingSession,
        "no market data during a competing session (10197): the account is logged in elsewhere",
        f.competing, std::nullopt, 10197));
  }
  if (!f.breaker_open.empty()) {
    out.push_back(ContractCondition(contract_id, f, rules::kCircuitOpen,
                                    "circuit breaker open after repeated failures",
                                    f.breaker_open));
  }
  if (f.retries > options.frequent_reconnections_per_hour) {
    out.push_back(ContractCondition(contract_id, f, rules::kFrequentReconnections,
                                    std::to_string(f.retries) + " resubscribes in the last hour",
                                    {}));
  }
  if (!f.exhausted.empty()) {
    out.push_back(ContractCondition(contract_id, f, rules::kRetriesExhausted,
                                    "retry strategy exhausted while trading; still retrying",
                                    f.exhausted));
  }
  AppendPermissionAlerts(contract_id, f, out);
}

void AppendTimezoneAlerts(const std::map<int64_t, std::string>& unknown_zones,
                          std::vector<AlertCondition>& out) {
  for (const auto& [contract, zone] : unknown_zones) {
    out.push_back(Condition(rules::kTimezoneUnknown, contract,
                            "unknown time zone id '" + zone + "': market status cannot be known",
                            {{"zone_id", zone}}));
  }
}

void AppendDiskAlerts(std::optional<uint64_t> free_bytes, std::optional<uint64_t> total_bytes,
                      const AlertOptions& options, std::vector<AlertCondition>& out) {
  if (!free_bytes || !total_bytes || *total_bytes == 0) return;
  const double fraction = static_cast<double>(*free_bytes) / static_cast<double>(*total_bytes);
  if (*free_bytes < options.disk_low_free_bytes || fraction < options.disk_low_free_fraction) {
    out.push_back(Condition(rules::kDiskLow, std::nullopt,
                            std::to_string(*free_bytes >> 20) + " MiB free",
                            {{"free_bytes", std::to_string(*free_bytes)}}));
  }
}

void AppendStorageSuspendedAlerts(bool suspended, std::string_view cause,
                                  std::vector<AlertCondition>& out) {
  if (!suspended) return;
  out.push_back(Condition(
      rules::kStorageError, std::nullopt,
      "storage writing suspended" + (cause.empty() ? std::string() : ": " + std::string(cause)),
      {{"suspended", "true"}}));
}

void AppendClockSkewAlerts(std::optional<Duration> offset, const AlertOptions& options,
                           std::vector<AlertCondition>& out) {
  if (!offset ||
      (*offset <= options.clock_skew_threshold && -*offset <= options.clock_skew_threshold)) {
    return;
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*offset).count();
  out.push_back(Condition(rules::kClockSkew, std::nullopt,
                          "local clock off by " + std::to_string(ms) + " ms",
                          {{"offset_ms", std::to_string(ms)}}));
}

std::optional<AlertCondition> GapDetectedAlert(int64_t contract_id, TimePoint start, TimePoint end,
                                               std::string_view cause,
                                               const AlertOptions& options) {
  if (end - start < options.gap_min_duration) return std::nullopt;
  return Condition(
      rules::kGapDetected, contract_id,
      "gap of " + Seconds(end - start) + " s from " + FormatIsoUtc(start) + " (" +
          std::string(cause) + ")",
      {{"start", FormatIsoUtc(start)}, {"end", FormatIsoUtc(end)}, {"cause", std::string(cause)}});
}

AlertCondition BackfillFailedAlert(int64_t contract_id, std::string_view reason) {
  return Condition(rules::kBackfillFailed, contract_id, "backfill failed: " + std::string(reason),
                   {{"reason", std::string(reason)}});
}

AlertCondition StorageErrorAlert(std::string_view message) {
  return Condition(rules::kStorageError, std::nullopt, "storage error: " + std::string(message),
                   {});
}

}  // namespace ibstream::reliability

namespace ibstream::reliability {

std::optional<Alert> StreamCapacityAlert(const StreamPlan& previous, const StreamPlan& current,
                                         TimePoint now) {
  const std::vector<const PlannedStream*> before = OffTickByTick(previous);
  const std::vector<const PlannedStream*> after = OffTickByTick(current);
  if (SameOffTickByTick(before, after)) return std::nullopt;
  Alert alert;
  alert.rule = std::string(rules::kStreamCapacity);
  alert.severity = AlertSeverity::kWarning;
  alert.starts_at = now;
  if (after.empty()) {
    alert.state = AlertState::kResolved;
    alert.ends_at = now;
    alert.summary = "every stream is on tick-by-tick again";
    return alert;
  }
  alert.state = AlertState::kFiring;
  std::vector<std::string> fallback, unserved;
  for (const PlannedStream* p : after) {
    (p->route == StreamRoute::kFallback ? fallback : unserved).push_back(StreamLabel(*p));
  }
  alert.summary = std::to_string(after.size()) + " of " + std::to_string(current.streams.size()) +
                  " streams not on tick-by-tick: " + CapacitySummary(after);
  const StreamBudget& b = current.budget;
  alert.labels = {
      {"fallback", Join(fallback)},
      {"unserved", Join(unserved)},
      {"tick_by_tick_used", std::to_string(current.tick_by_tick_used)},
      {"tick_by_tick_limit",
       b.tick_by_tick_limit ? std::to_string(*b.tick_by_tick_limit) : std::string("none")},
      {"market_data_lines_used", std::to_string(current.lines_used)},
      {"market_data_lines", std::to_string(b.market_data_lines)},
  };
  return alert;
}

}  // namespace ibstream::reliability
