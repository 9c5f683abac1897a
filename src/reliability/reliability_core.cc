#include "reliability/reliability_core.h"

#include <algorithm>

#include "reliability/ib_error_class.h"

namespace ibstream::reliability {

using calendar::IsTrading;
using calendar::MarketState;
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

}  // namespace

std::string_view ActionKindName(ActionKind kind) {
  switch (kind) {
    case ActionKind::kReconnect:
      return "reconnect";
    case ActionKind::kResubscribe:
      return "resubscribe";
    case ActionKind::kWait:
      return "wait";
  }
  return "wait";
}

std::string_view GatewayStateName(GatewayState state) {
  switch (state) {
    case GatewayState::kDown:
      return "down";
    case GatewayState::kConnecting:
      return "connecting";
    case GatewayState::kUp:
      return "up";
  }
  return "down";
}

ReliabilityCore::ReliabilityCore(ReliabilityOptions options, AlertSink& sink)
    : options_(std::move(options)),
      retry_(options_.retry, options_.seed),
      alerts_(options_.alerts, sink),
      gateway_breaker_(
          BreakerOptions{options_.gateway_breaker_threshold, options_.breaker_recovery_timeout}) {}

void ReliabilityCore::AddStream(const StreamKey& stream,
                                const ContractReliabilityOptions& options) {
  monitor_.AddStream(stream, options);
  retry_.SetContractOverride(stream.contract_id, options.retry_strategy);
  auto [it, inserted] = streams_.try_emplace(stream);
  if (!std::binary_search(contracts_.begin(), contracts_.end(), stream.contract_id)) {
    contracts_.insert(std::upper_bound(contracts_.begin(), contracts_.end(), stream.contract_id),
                      stream.contract_id);
  }
  StreamRecord& r = it->second;
  r.key = stream;
  r.options = options;
  if (inserted) {
    r.breaker = StreamCircuitBreaker(
        BreakerOptions{options.circuit_breaker_threshold, options_.breaker_recovery_timeout});
  }
}

void ReliabilityCore::RemoveStream(const StreamKey& stream) {
  if (streams_.erase(stream) == 0) return;
  monitor_.RemoveStream(stream);
  retry_.Forget(RetryTarget::Stream(stream));
  for (const auto& [key, record] : streams_) {
    if (key.contract_id == stream.contract_id) return;
  }
  auto it = std::lower_bound(contracts_.begin(), contracts_.end(), stream.contract_id);
  if (it != contracts_.end() && *it == stream.contract_id) contracts_.erase(it);
}

ReliabilityCore::StreamRecord* ReliabilityCore::Find(const StreamKey& stream) {
  auto it = streams_.find(stream);
  return it == streams_.end() ? nullptr : &it->second;
}

BreakerState ReliabilityCore::BreakerStateOf(const RetryTarget& target) const {
  if (target.is_gateway()) return gateway_breaker_.state();
  auto it = streams_.find(*target.stream);
  return it == streams_.end() ? BreakerState::kClosed : it->second.breaker.state();
}

void ReliabilityCore::RecordBreaker(const RetryTarget& target, std::optional<BreakerTransition> t) {
  if (t) breaker_events_.push_back(BreakerEvent{target, *t});
}

// --- market --------------------------------------------------------------------------------

MarketState ReliabilityCore::GatewayMarket() const {
  // The session serves every contract: it follows the most demanding of their markets.
  if (contracts_.empty()) return MarketState{};
  bool any_trading = false, any_break = false, any_unknown = false, any_closed = false;
  bool any_holiday = false;
  std::optional<TimePoint> next_open;
  for (int64_t id : contracts_) {
    const MarketState s = monitor_.market_state(id);
    any_trading |= IsTrading(s.status);
    any_break |= s.status == MarketStatus::kBreak;
    any_unknown |= s.status == MarketStatus::kUnknown;
    any_closed |= s.status == MarketStatus::kClosed;
    any_holiday |= s.status == MarketStatus::kHoliday;
    if (s.next_open && (!next_open || *s.next_open < *next_open)) next_open = s.next_open;
  }
  MarketState g;
  g.next_open = next_open;
  if (any_trading) {
    g.status = MarketStatus::kOpen;
  } else if (any_break) {
    g.status = MarketStatus::kBreak;
  } else if (any_unknown) {
    g.status = MarketStatus::kUnknown;
  } else if (any_closed) {
    g.status = MarketStatus::kClosed;
  } else {
    g.status = any_holiday ? MarketStatus::kHoliday : MarketStatus::kWeekend;
  }
  return g;
}

// --- events --------------------------------------------------------------------------------

void ReliabilityCore::OnMarketState(int64_t contract_id, const MarketState& state, TimePoint now) {
  const bool was_trading = IsTrading(monitor_.market_state(contract_id).status);
  monitor_.OnMarketState(contract_id, state, now);
  if (!was_trading && IsTrading(state.status)) {
    // A new trading period: each stream may verify its data flow once more.
    for (auto& [key, r] : streams_) {
      if (key.contract_id == contract_id) r.probe_used = false;
    }
  }
}

void ReliabilityCore::OnTick(const StreamKey& stream, TimePoint now) {
  monitor_.OnData(stream, now);
  StreamRecord* r = Find(stream);
  if (r == nullptr) return;
  r->probe_used = false;
  r->competing_since.reset();
  if (r->sub != SubState::kActive) r->sub = SubState::kActive;
  if (r->failing || r->attempt_unjudged || r->refused_code ||
      r->breaker.consecutive_failures() > 0) {
    StreamSucceeded(*r, now);
  }
}

void ReliabilityCore::StreamSucceeded(StreamRecord& r, TimePoint now) {
  const RetryTarget target = RetryTarget::Stream(r.key);
  if (r.failing) retry_.ReportSuccess(target, now);
  r.failing = false;
  r.attempt_unjudged = false;
  r.refused_code.reset();
  r.last_wait.reset();
  RecordBreaker(target, r.breaker.RecordSuccess(now));
}

void ReliabilityCore::StreamFailed(StreamRecord& r, FailureKind kind, TimePoint now) {
  const RetryTarget target = RetryTarget::Stream(r.key);
  const MarketStatus status = monitor_.market_state(r.key.contract_id).status;
  if (!r.failing || r.attempt_unjudged) {
    // The failure that starts an episode, or the verdict on the last attempt: one breaker
    // failure each.
    RecordBreaker(target, r.breaker.RecordFailure(now));
    r.attempt_unjudged = false;
  }
  r.failing = true;
  retry_.ReportFailure(target, kind, status, now);
}

void ReliabilityCore::OnConnectionUp(TimePoint now) {
  if (gateway_ == GatewayState::kUp) return;
  gateway_ = GatewayState::kUp;
  ever_connected_ = true;
  connect_attempted_ = true;
  down_since_.reset();
  gateway_last_wait_.reset();
  monitor_.OnSocketUp(now);
  retry_.ReportSuccess(RetryTarget::Gateway(), now);
  RecordBreaker(RetryTarget::Gateway(), gateway_breaker_.RecordSuccess(now));
  for (auto& [key, r] : streams_) {
    if (r.sub != SubState::kRefused) r.sub = SubState::kNeedsSubscribe;
    r.probe_used = false;
  }
}

void ReliabilityCore::SessionLost(TimePoint now) {
  gateway_ = GatewayState::kDown;
  down_since_ = now;
  monitor_.OnSocketDown(now);
  for (auto& [key, r] : streams_) {
    r.competing_since.reset();
    r.last_wait.reset();
    if (r.sub == SubState::kRefused) continue;  // its maintenance schedule survives
    r.sub = SubState::kNeedsSubscribe;
    if (r.failing) retry_.Abandon(RetryTarget::Stream(key));
    r.failing = false;
    r.attempt_unjudged = false;
  }
  retry_.ReportFailure(RetryTarget::Gateway(), FailureKind::kConnectionLost, GatewayMarket().status,
                       now);
  RecordBreaker(RetryTarget::Gateway(), gateway_breaker_.RecordFailure(now));
}

void ReliabilityCore::ConnectFailed(TimePoint now) {
  gateway_ = GatewayState::kDown;
  if (!down_since_) down_since_ = now;
  retry_.ReportFailure(RetryTarget::Gateway(), FailureKind::kConnectionLost, GatewayMarket().status,
                       now);
  RecordBreaker(RetryTarget::Gateway(), gateway_breaker_.RecordFailure(now));
}

void ReliabilityCore::OnConnectionDown(TimePoint now) {
  switch (gateway_) {
    case GatewayState::kUp:
      SessionLost(now);
      break;
    case GatewayState::kConnecting:
      ConnectFailed(now);
      break;
    case GatewayState::kDown:
      break;
  }
}

void ReliabilityCore::OnIbError(int code, std::optional<StreamKey> stream, TimePoint now) {
  const IbErrorClass cls = ClassifyIbError(code);
  if (stream) {
    StreamRecord* r = Find(*stream);
    if (r == nullptr) {
      ++ignored_ib_codes_;
      return;
    }
    ++r->error_count;
    r->last_error_code = code;
    switch (cls) {
      case IbErrorClass::kCompetingSession:
        monitor_.OnStreamError(r->key, cls, code, now);
        if (!r->competing_since) r->competing_since = now;
        if (r->sub == SubState::kRequested) r->sub = SubState::kActive;
        StreamFailed(*r, FailureKind::kCompetingSession, now);
        return;
      case IbErrorClass::kPermissionDenied:
      case IbErrorClass::kLimitReached:
        monitor_.OnStreamError(r->key, cls, code, now);
        r->sub = SubState::kRefused;
        r->refused_code = code;
        StreamFailed(*r, FailureKind::kPermissionDenied, now);
        return;
      case IbErrorClass::kAdvisory:
        monitor_.OnStreamError(r->key, cls, code, now);
        r->advisory_code = code;
        return;
      case IbErrorClass::kRequestRejected:
      case IbErrorClass::kSocketLost:
        monitor_.OnStreamError(r->key, IbErrorClass::kRequestRejected, code, now);
        r->sub = SubState::kNeedsSubscribe;
        StreamFailed(*r, FailureKind::kRequestRejected, now);
        return;
      default:
        ++ignored_ib_codes_;
        return;
    }
  }
  switch (cls) {
    case IbErrorClass::kIbLinkLost:
      monitor_.OnConnectionNotice(cls, now);
      return;
    case IbErrorClass::kIbLinkRestoredDataLost:
      // Subscriptions were dropped by IB: request every stream again (not a retry).
      monitor_.OnConnectionNotice(cls, now);
      for (auto& [key, r] : streams_) {
        r.probe_used = false;
        if (r.sub == SubState::kRefused) continue;
        r.sub = SubState::kNeedsSubscribe;
        if (r.failing) retry_.Abandon(RetryTarget::Stream(key));
        r.failing = false;
        r.attempt_unjudged = false;
      }
      return;
    case IbErrorClass::kIbLinkRestoredDataKept:
    case IbErrorClass::kFarmOk: {
      const bool recovering =
          cls == IbErrorClass::kIbLinkRestoredDataKept || monitor_.farm_down_since().has_value();
      monitor_.OnConnectionNotice(cls, now);
      if (recovering) {
        for (auto& [key, r] : streams_) r.probe_used = false;
      }
      return;
    }
    case IbErrorClass::kFarmDown:
      monitor_.OnConnectionNotice(cls, now);
      return;
    case IbErrorClass::kSocketLost:
    case IbErrorClass::kClientIdInUse:
      OnConnectionDown(now);
      return;
    default:
      ++ignored_ib_codes_;
      return;
  }
}

void ReliabilityCore::OnSubscribed(const StreamKey& stream, TimePoint now) {
  StreamRecord* r = Find(stream);
  if (r == nullptr) return;
  if (r->sub == SubState::kRequested || r->sub == SubState::kNeedsSubscribe) {
    r->sub = SubState::kActive;
  }
  monitor_.OnSubscribed(stream, now);
  retry_.AttemptCompleted(RetryTarget::Stream(stream), now);
}

void ReliabilityCore::OnGapDetected(int64_t contract_id, TimePoint start, TimePoint end,
                                    std::string_view cause, TimePoint now) {
  if (end - start < options_.alerts.gap_min_duration) return;
  AlertCondition c;
  c.rule = std::string(rules::kGapDetected);
  c.contract_id = contract_id;
  c.summary = "gap of " + Seconds(end - start) + " s from " + FormatIsoUtc(start) + " (" +
              std::string(cause) + ")";
  c.labels = {
      {"start", FormatIsoUtc(start)}, {"end", FormatIsoUtc(end)}, {"cause", std::string(cause)}};
  alerts_.Raise(std::move(c), now);
}

void ReliabilityCore::OnBackfillFailed(int64_t contract_id, std::string_view reason,
                                       TimePoint now) {
  AlertCondition c;
  c.rule = std::string(rules::kBackfillFailed);
  c.contract_id = contract_id;
  c.summary = "backfill failed: " + std::string(reason);
  c.labels = {{"reason", std::string(reason)}};
  alerts_.Raise(std::move(c), now);
}

void ReliabilityCore::OnStorageError(std::string_view message, TimePoint now) {
  AlertCondition c;
  c.rule = std::string(rules::kStorageError);
  c.summary = "storage error: " + std::string(message);
  alerts_.Raise(std::move(c), now);
}

void ReliabilityCore::OnStorageSuspended(bool suspended, std::string_view cause) {
  storage_suspended_ = suspended;
  storage_suspended_cause_ = suspended ? std::string(cause) : std::string();
}

void ReliabilityCore::OnDiskSpace(uint64_t free_bytes, uint64_t total_bytes) {
  disk_free_bytes_ = free_bytes;
  disk_total_bytes_ = total_bytes;
}

void ReliabilityCore::OnClockSkew(Duration offset) { clock_skew_ = offset; }

void ReliabilityCore::OnTimezoneProblem(int64_t contract_id, std::optional<std::string> zone_id) {
  if (zone_id) {
    timezone_problems_[contract_id] = *zone_id;
  } else {
    timezone_problems_.erase(contract_id);
  }
}

// --- decisions -----------------------------------------------------------------------------

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

void ReliabilityCore::ObserveAlerts(TimePoint now) {
  const AlertOptions& ao = options_.alerts;
  const MarketState gateway_market = GatewayMarket();
  const bool resting = gateway_market.status == MarketStatus::kWeekend ||
                       gateway_market.status == MarketStatus::kHoliday;
  const bool any_trading = IsTrading(gateway_market.status);

  if (gateway_ != GatewayState::kUp && !resting) {
    AlertCondition c;
    c.rule = std::string(rules::kGatewayDown);
    c.summary = "gateway session down since " + FormatIsoUtc(down_since_.value_or(now)) +
                " while the market is " + std::string(MarketStatusName(gateway_market.status));
    c.labels = {{"market_status", std::string(MarketStatusName(gateway_market.status))}};
    alerts_.Observe(std::move(c));
  }
  if (gateway_ == GatewayState::kUp && !monitor_.ib_link_ok() && !resting) {
    AlertCondition c;
    c.rule = std::string(rules::kGatewayLostIb);
    c.summary = "gateway lost its connection to IB (1100) at " +
                FormatIsoUtc(*monitor_.ib_link_lost_since());
    c.labels = {{"code", "1100"}};
    alerts_.Observe(std::move(c));
  }
  const RetryTarget gateway = RetryTarget::Gateway();
  if (gateway_breaker_.state() != BreakerState::kClosed) {
    alerts_.Observe(AlertCondition{std::string(rules::kCircuitOpen),
                                   std::nullopt,
                                   "gateway connect breaker is open",
                                   {{"target", "gateway"}},
                                   std::nullopt});
  }
  const int gateway_retries = retry_.RetriesInLastHour(gateway, now);
  if (gateway_retries > ao.frequent_reconnections_per_hour) {
    alerts_.Observe(AlertCondition{std::string(rules::kFrequentReconnections),
                                   std::nullopt,
                                   std::to_string(gateway_retries) + " reconnects in the last hour",
                                   {{"retries", std::to_string(gateway_retries)}},
                                   std::nullopt});
  }
  const RetryStatus gateway_retry = retry_.Status(gateway);
  if (gateway_retry.failing && gateway_retry.exhausted && any_trading) {
    alerts_.Observe(AlertCondition{std::string(rules::kRetriesExhausted),
                                   std::nullopt,
                                   "gateway reconnect strategy exhausted; still retrying",
                                   {{"target", "gateway"}},
                                   std::nullopt});
  }

  // Per contract, aggregated over its streams.
  struct ContractFacts {
    std::vector<TickType> stale, competing, breaker_open, exhausted, refused, advisory;
    Duration max_silence{0};
    int retries = 0;
    int priority = 1;
    MarketStatus status = MarketStatus::kUnknown;
    std::optional<int> refused_code, advisory_code, competing_code;
  };
  std::map<int64_t, ContractFacts> facts;
  for (const auto& [key, r] : streams_) {
    ContractFacts& f = facts[key.contract_id];
    const TickType name = key.type;
    const StreamHealth h = monitor_.AssessFlow(key, now);
    f.status = h.market_status;
    f.priority = r.options.priority;
    if (h.flow == DataFlow::kStale && !r.refused_code) {
      f.stale.push_back(name);
      f.max_silence = std::max(f.max_silence, h.silence);
    }
    if (r.competing_since) f.competing.push_back(name);
    // A refused stream's breaker and schedule are explained by permission_denied already.
    if (r.breaker.state() != BreakerState::kClosed && !r.refused_code) {
      f.breaker_open.push_back(name);
    }
    const RetryTarget target = RetryTarget::Stream(key);
    f.retries += retry_.RetriesInLastHour(target, now);
    const RetryStatus rs = retry_.Status(target);
    if (rs.failing && rs.exhausted && IsTrading(h.market_status) && !r.refused_code) {
      f.exhausted.push_back(name);
    }
    if (r.refused_code) {
      f.refused.push_back(name);
      f.refused_code = r.refused_code;
    } else if (r.advisory_code) {
      f.advisory.push_back(name);
      f.advisory_code = r.advisory_code;
    }
  }
  for (const auto& [contract, f] : facts) {
    auto observe = [&](std::string_view rule, std::string summary,
                       const std::vector<TickType>& types,
                       std::optional<AlertSeverity> severity = std::nullopt,
                       std::optional<int> code = std::nullopt) {
      std::vector<std::string> streams;
      for (TickType t : types) streams.emplace_back(TickTypeName(t));
      AlertCondition c;
      c.rule = std::string(rule);
      c.contract_id = contract;
      c.summary = std::to_string(contract) + " " + Join(streams) + ": " + std::move(summary);
      c.labels = {{"streams", Join(streams)},
                  {"market_status", std::string(MarketStatusName(f.status))},
                  {"priority", std::to_string(f.priority)}};
      if (code) c.labels["code"] = std::to_string(*code);
      c.severity = severity;
      alerts_.Observe(std::move(c));
    };
    if (!f.stale.empty()) {
      observe(rules::kDataStaleDuringTrading,
              "no data for " + Seconds(f.max_silence) + " s while the market is " +
                  std::string(MarketStatusName(f.status)),
              f.stale);
    }
    if (!f.competing.empty()) {
      observe(rules::kCompetingSession,
              "no market data during a competing session (10197): the account is logged in "
              "elsewhere",
              f.competing, std::nullopt, 10197);
    }
    if (!f.breaker_open.empty()) {
      observe(rules::kCircuitOpen, "circuit breaker open after repeated failures", f.breaker_open);
    }
    if (f.retries > ao.frequent_reconnections_per_hour) {
      observe(rules::kFrequentReconnections,
              std::to_string(f.retries) + " resubscribes in the last hour", {});
    }
    if (!f.exhausted.empty()) {
      observe(rules::kRetriesExhausted, "retry strategy exhausted while trading; still retrying",
              f.exhausted);
    }
    if (!f.refused.empty()) {
      observe(rules::kPermissionDenied,
              "request refused (IB " + std::to_string(*f.refused_code) + "); retried only hourly",
              f.refused, std::nullopt, f.refused_code);
    } else if (!f.advisory.empty()) {
      observe(rules::kPermissionDenied,
              "delayed or partial market data (IB " + std::to_string(*f.advisory_code) + ")",
              f.advisory, AlertSeverity::kWarning, f.advisory_code);
    }
  }
  for (const auto& [contract, zone] : timezone_problems_) {
    alerts_.Observe(
        AlertCondition{std::string(rules::kTimezoneUnknown),
                       contract,
                       "unknown time zone id '" + zone + "': market status cannot be known",
                       {{"zone_id", zone}},
                       std::nullopt});
  }
  if (storage_suspended_) {
    alerts_.Observe(AlertCondition{
        std::string(rules::kStorageError),
        std::nullopt,
        "storage writing suspended" +
            (storage_suspended_cause_.empty() ? std::string() : ": " + storage_suspended_cause_),
        {{"suspended", "true"}},
        std::nullopt});
  }
  if (disk_free_bytes_ && disk_total_bytes_ && *disk_total_bytes_ > 0) {
    const double fraction =
        static_cast<double>(*disk_free_bytes_) / static_cast<double>(*disk_total_bytes_);
    if (*disk_free_bytes_ < ao.disk_low_free_bytes || fraction < ao.disk_low_free_fraction) {
      alerts_.Observe(AlertCondition{std::string(rules::kDiskLow),
                                     std::nullopt,
                                     std::to_string(*disk_free_bytes_ >> 20) + " MiB free",
                                     {{"free_bytes", std::to_string(*disk_free_bytes_)}},
                                     std::nullopt});
    }
  }
  if (clock_skew_ &&
      (*clock_skew_ > ao.clock_skew_threshold || -*clock_skew_ > ao.clock_skew_threshold)) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*clock_skew_).count();
    alerts_.Observe(AlertCondition{std::string(rules::kClockSkew),
                                   std::nullopt,
                                   "local clock off by " + std::to_string(ms) + " ms",
                                   {{"offset_ms", std::to_string(ms)}},
                                   std::nullopt});
  }
  alerts_.Evaluate(now);
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

// --- views ---------------------------------------------------------------------------------

StreamHealthMetrics ReliabilityCore::Metrics(const StreamKey& stream, TimePoint now) const {
  const StreamHealth h = monitor_.Assess(stream, now);
  const auto up_since = monitor_.socket_up_since();
  const Duration uptime = up_since ? now - *up_since : Duration{0};
  StreamHealthMetrics m = MakeStreamHealthMetrics(
      h, gateway_ == GatewayState::kUp, uptime,
      retry_.RetriesInLastHour(RetryTarget::Stream(stream), now),
      BreakerStateOf(RetryTarget::Stream(stream)), options_.alerts.frequent_reconnections_per_hour);
  auto it = streams_.find(stream);
  if (it != streams_.end()) {
    m.subscription_active = gateway_ == GatewayState::kUp && it->second.sub == SubState::kActive;
    m.error_count = it->second.error_count;
    m.last_error_code = it->second.last_error_code;
  }
  return m;
}

std::vector<StreamHealthMetrics> ReliabilityCore::AllMetrics(TimePoint now) const {
  std::vector<StreamHealthMetrics> out;
  out.reserve(streams_.size());
  for (const auto& [key, r] : streams_) out.push_back(Metrics(key, now));
  return out;
}

HealthStatus ReliabilityCore::ContractStatus(int64_t contract_id, TimePoint now) const {
  std::vector<HealthStatus> statuses;
  for (const auto& [key, r] : streams_) {
    if (key.contract_id == contract_id) statuses.push_back(monitor_.AssessFlow(key, now).status);
  }
  return CombineHealth(statuses);
}

HealthStatus ReliabilityCore::OverallStatus(TimePoint now) const {
  std::vector<HealthStatus> statuses;
  for (int64_t id : contracts_) statuses.push_back(ContractStatus(id, now));
  return CombineHealth(statuses);
}

}  // namespace ibstream::reliability
