// ReliabilityCore's evaluation cycle: what Evaluate(now) decides for the gateway session and each
// stream (reconnect, resubscribe, wait), and the facts it hands the alert rules (alert_rules.h).
// The events that feed it and the read-only views are in reliability_core.cc.
#include <algorithm>
#include <map>
#include <utility>

#include "reliability/alert_rules.h"
#include "reliability/reliability_core.h"

namespace ibstream::reliability {

using calendar::IsTrading;
using calendar::MarketState;

void ReliabilityCore::Wait(std::optional<TimePoint>& last, std::optional<StreamKey> stream,
                           TimePoint at, std::string reason, Decisions& out) {
  if (last == at) return;
  last = at;
  out.actions.push_back(Action{ActionKind::kWait, stream, at, std::move(reason)});
}

void ReliabilityCore::Request(StreamRecord& r, TimePoint now, std::string reason, RequestKind kind,
                              Decisions& out) {
  const RetryTarget target = RetryTarget::Stream(r.key);
  out.actions.push_back(Action{ActionKind::kResubscribe, r.key, now, std::move(reason)});
  r.sub = SubState::kRequested;
  r.requested_at = now;
  r.ever_requested = true;
  r.last_wait.reset();
  switch (kind) {
    case RequestKind::kFirst:
      retry_.NoteRequest(target, now);
      break;
    case RequestKind::kProbe:
      retry_.RecordProbe(target, now);
      break;
    case RequestKind::kRetry:
      retry_.AttemptStarted(target, now);
      r.attempt_unjudged = true;
      break;
  }
}

void ReliabilityCore::EvaluateGateway(TimePoint now, Decisions& out) {
  const RetryTarget target = RetryTarget::Gateway();
  const MarketState market = GatewayMarket();
  const bool trading = IsTrading(market.status);

  if (gateway_ == GatewayState::kConnecting) {
    if (now - connect_started_at_ < options_.retry.attempt_timeout) return;
    ConnectFailed(now);
  }
  if (gateway_ == GatewayState::kUp) {
    const auto lost = monitor_.ib_link_lost_since();
    if (lost && trading && now - *lost >= options_.lost_ib_reconnect_after) {
      // The gateway lost IB long ago and data is expected: cycle the session.
      SessionLost(now);
      out.actions.push_back(Action{ActionKind::kReconnect, std::nullopt, now, "ib_link_lost"});
      retry_.AttemptStarted(target, now);
      gateway_ = GatewayState::kConnecting;
      connect_started_at_ = now;
    }
    return;
  }
  // Down.
  if (!down_since_) down_since_ = now;
  if (!connect_attempted_) {
    out.actions.push_back(Action{ActionKind::kReconnect, std::nullopt, now, "initial_connect"});
    connect_attempted_ = true;
    gateway_ = GatewayState::kConnecting;
    connect_started_at_ = now;
    return;
  }
  RetryDecision d = retry_.Decide(target, market, now);
  if (d.verdict == RetryVerdict::kIdle) {
    retry_.ReportFailure(target, FailureKind::kConnectionLost, market.status, now);
    d = retry_.Decide(target, market, now);
  }
  if (d.verdict == RetryVerdict::kWait) {
    Wait(gateway_last_wait_, std::nullopt, d.at.value_or(TimePoint::max()),
         d.pre_open ? "pre_open" : "backoff", out);
    return;
  }
  if (d.verdict != RetryVerdict::kAttemptNow) return;
  std::optional<BreakerTransition> t;
  const bool allowed = gateway_breaker_.AllowAttempt(now, trading, &t);
  RecordBreaker(target, t);
  if (!allowed) {
    const TimePoint until =
        gateway_breaker_.opened_at().value_or(now) + options_.breaker_recovery_timeout;
    Wait(gateway_last_wait_, std::nullopt, until, "breaker_open", out);
    return;
  }
  out.actions.push_back(Action{ActionKind::kReconnect, std::nullopt, now,
                               d.pre_open ? "pre_open" : "connection_lost"});
  retry_.AttemptStarted(target, now);
  gateway_last_wait_.reset();
  gateway_ = GatewayState::kConnecting;
  connect_started_at_ = now;
}

void ReliabilityCore::EvaluateStream(StreamRecord& r, TimePoint now, Decisions& out) {
  const RetryTarget target = RetryTarget::Stream(r.key);
  const MarketState market = monitor_.market_state(r.key.contract_id);
  const bool trading = IsTrading(market.status);

  switch (r.sub) {
    case SubState::kRequested:
      if (now - r.requested_at < options_.retry.attempt_timeout) return;
      // Never acknowledged: treat as rejected and request again per the strategy.
      r.sub = SubState::kNeedsSubscribe;
      StreamFailed(r, FailureKind::kRequestRejected, now);
      break;
    case SubState::kNeedsSubscribe:
      if (!r.failing) {
        const TimePoint earliest = retry_.EarliestRequest(target);
        if (now < earliest) {
          Wait(r.last_wait, r.key, earliest, "rerequest_spacing", out);
          return;
        }
        Request(r, now, r.ever_requested ? "restore" : "first_subscription", RequestKind::kFirst,
                out);
        return;
      }
      break;
    case SubState::kRefused:
      break;
    case SubState::kCapacity:
      return;
    case SubState::kActive:
      if (trading && !r.failing) {
        const StreamHealth h = monitor_.AssessFlow(r.key, now);
        if (h.flow == DataFlow::kStale) {
          FailureKind kind = FailureKind::kStaleData;
          if (h.issue == StreamIssue::kCompetingSession) kind = FailureKind::kCompetingSession;
          if (h.issue == StreamIssue::kFarmDown) kind = FailureKind::kFarmDown;
          StreamFailed(r, kind, now);
        } else if (h.flow == DataFlow::kSilent && !r.probe_used &&
                   h.issue != StreamIssue::kFarmDown && now >= retry_.EarliestRequest(target)) {
          // Nothing since the market opened, the link came back or the request went out:
          // one verifying resubscribe, long before the stream counts as stale.
          r.probe_used = true;
          Request(r, now, "verify_after_restart", RequestKind::kProbe, out);
          return;
        }
      }
      if (!r.failing) return;
      break;
  }

  const RetryDecision d = retry_.Decide(target, market, now);
  switch (d.verdict) {
    case RetryVerdict::kIdle:
    case RetryVerdict::kInFlight:
      return;
    case RetryVerdict::kWait:
      Wait(r.last_wait, r.key, d.at.value_or(TimePoint::max()), d.pre_open ? "pre_open" : "backoff",
           out);
      return;
    case RetryVerdict::kAttemptNow:
      break;
  }
  if (r.attempt_unjudged) {
    // The previous attempt brought no data before this one became due: it failed.
    RecordBreaker(target, r.breaker.RecordFailure(now));
    r.attempt_unjudged = false;
  }
  std::optional<BreakerTransition> t;
  const bool allowed = r.breaker.AllowAttempt(now, trading, &t);
  RecordBreaker(target, t);
  if (!allowed) {
    const TimePoint until = r.breaker.opened_at().value_or(now) + options_.breaker_recovery_timeout;
    Wait(r.last_wait, r.key, until, "breaker_open", out);
    return;
  }
  const RetryStatus status = retry_.Status(target);
  Request(r, now, d.pre_open ? "pre_open" : std::string(FailureKindName(status.failure)),
          RequestKind::kRetry, out);
}

GatewayAlertFacts ReliabilityCore::GatewayFacts(TimePoint now) const {
  const RetryTarget gateway = RetryTarget::Gateway();
  const RetryStatus retry = retry_.Status(gateway);
  GatewayAlertFacts f;
  f.session_up = gateway_ == GatewayState::kUp;
  f.down_since = down_since_;
  f.ib_link_lost_since = monitor_.ib_link_lost_since();
  const calendar::MarketState market = GatewayMarket();
  f.market_status = market.status;
  f.next_open = market.next_open;
  f.breaker_closed = gateway_breaker_.state() == BreakerState::kClosed;
  f.retries_last_hour = retry_.RetriesInLastHour(gateway, now);
  f.sessions_lost_last_hour =
      static_cast<int>(std::count_if(sessions_lost_.begin(), sessions_lost_.end(),
                                     [&](TimePoint t) { return t > now - std::chrono::hours(1); }));
  f.retries_exhausted = retry.failing && retry.exhausted;
  return f;
}

StreamAlertFacts ReliabilityCore::StreamFacts(const StreamRecord& r, TimePoint now) const {
  const RetryTarget target = RetryTarget::Stream(r.key);
  const RetryStatus retry = retry_.Status(target);
  StreamAlertFacts f;
  f.type = r.key.type;
  f.health = monitor_.AssessFlow(r.key, now);
  f.priority = r.options.priority;
  f.competing = r.competing_since.has_value();
  f.breaker_closed = r.breaker.state() == BreakerState::kClosed;
  f.retries_last_hour = retry_.RetriesInLastHour(target, now);
  f.retries_exhausted = retry.failing && retry.exhausted;
  f.refused_code = r.refused_code;
  f.capacity_code = r.capacity_code;
  f.advisory_code = r.advisory_code;
  return f;
}

void ReliabilityCore::ObserveAlerts(TimePoint now) {
  const AlertOptions& ao = options_.alerts;
  std::vector<AlertCondition> conditions;
  AppendGatewayAlerts(GatewayFacts(now), ao, now, conditions);
  std::map<int64_t, std::vector<StreamAlertFacts>> by_contract;
  for (const auto& [key, r] : streams_) by_contract[key.contract_id].push_back(StreamFacts(r, now));
  for (const auto& [key, options] : watched_) {
    // Watched streams (market depth): their flow only; their owner restores them.
    StreamAlertFacts f;
    f.type = key.type;
    f.health = monitor_.AssessFlow(key, now);
    f.priority = options.priority;
    by_contract[key.contract_id].push_back(f);
  }
  for (const auto& [contract, streams] : by_contract) {
    AppendContractAlerts(contract, streams, ao, conditions);
  }
  AppendTimezoneAlerts(timezone_problems_, conditions);
  AppendStorageSuspendedAlerts(storage_suspended_, storage_suspended_cause_, conditions);
  AppendDiskAlerts(disk_free_bytes_, disk_total_bytes_, ao, conditions);
  AppendClockSkewAlerts(clock_skew_, ao, conditions);
  for (AlertCondition& c : conditions) alerts_.Observe(std::move(c));
  alerts_.Evaluate(now);
  if (!capacity_pending_.empty()) {
    if (options_.alerts.enabled) sink_.Deliver(capacity_pending_);
    capacity_pending_.clear();
  }
}

Decisions ReliabilityCore::Evaluate(TimePoint now) {
  Decisions out;
  EvaluateGateway(now, out);
  if (gateway_ == GatewayState::kUp && monitor_.ib_link_ok()) {
    for (auto& [key, r] : streams_) EvaluateStream(r, now, out);
  }
  ObserveAlerts(now);
  out.breaker_events = std::move(breaker_events_);
  breaker_events_.clear();
  return out;
}

}  // namespace ibstream::reliability
