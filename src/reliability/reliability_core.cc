#include "reliability/reliability_core.h"

#include <algorithm>

#include "reliability/ib_error_class.h"

namespace ibstream::reliability {

using calendar::IsTrading;
using calendar::MarketState;
using calendar::MarketStatus;

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
          BreakerOptions{options_.gateway_breaker_threshold, options_.breaker_recovery_timeout}),
      sink_(sink) {}

void ReliabilityCore::AddStream(const StreamKey& stream, const ContractReliabilityOptions& options,
                                std::optional<TimePoint> added_at) {
  monitor_.AddStream(stream, options, added_at);
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

void ReliabilityCore::WatchStream(const StreamKey& stream,
                                  const ContractReliabilityOptions& options,
                                  std::optional<TimePoint> added_at) {
  if (streams_.count(stream) > 0) return;  // tracked streams are judged in full
  const bool known = watched_.count(stream) > 0;
  watched_[stream] = options;
  if (!known) monitor_.AddStream(stream, options, added_at);
}

void ReliabilityCore::UnwatchStream(const StreamKey& stream) {
  if (watched_.erase(stream) == 0) return;
  monitor_.RemoveStream(stream);
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
  r->capacity_code.reset();
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
    if (r.sub != SubState::kRefused && r.sub != SubState::kCapacity) {
      r.sub = SubState::kNeedsSubscribe;
    }
    r.probe_used = false;
  }
}

void ReliabilityCore::SessionLost(TimePoint now) {
  gateway_ = GatewayState::kDown;
  down_since_ = now;
  sessions_lost_.push_back(now);
  while (!sessions_lost_.empty() && sessions_lost_.front() <= now - std::chrono::hours(1)) {
    sessions_lost_.pop_front();
  }
  monitor_.OnSocketDown(now);
  for (auto& [key, r] : streams_) {
    r.competing_since.reset();
    r.last_wait.reset();
    // A refusal's maintenance schedule survives; a capacity-parked stream waits for its re-plan.
    if (r.sub == SubState::kRefused || r.sub == SubState::kCapacity) continue;
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
  if (!stream) {
    OnSessionIbError(cls, now);
    return;
  }
  StreamRecord* r = Find(*stream);
  if (r == nullptr) {
    ++ignored_ib_codes_;
    return;
  }
  OnStreamIbError(*r, cls, code, now);
}

void ReliabilityCore::OnStreamIbError(StreamRecord& r, IbErrorClass cls, int code, TimePoint now) {
  ++r.error_count;
  r.last_error_code = code;
  switch (cls) {
    case IbErrorClass::kCompetingSession:
      monitor_.OnStreamError(r.key, cls, code, now);
      if (!r.competing_since) r.competing_since = now;
      if (r.sub == SubState::kRequested) r.sub = SubState::kActive;
      StreamFailed(r, FailureKind::kCompetingSession, now);
      return;
    case IbErrorClass::kPermissionDenied:
      monitor_.OnStreamError(r.key, cls, code, now);
      r.sub = SubState::kRefused;
      r.refused_code = code;
      StreamFailed(r, FailureKind::kPermissionDenied, now);
      return;
    case IbErrorClass::kLimitReached:
      // Capacity, not a fault: park the stream until the recorder re-plans it. An episode it was
      // in ends without a verdict; nothing is retried and the breaker is not charged.
      monitor_.OnStreamError(r.key, cls, code, now);
      r.sub = SubState::kCapacity;
      r.capacity_code = code;
      if (r.failing) retry_.Abandon(RetryTarget::Stream(r.key));
      r.failing = false;
      r.attempt_unjudged = false;
      r.last_wait.reset();
      return;
    case IbErrorClass::kAdvisory:
      monitor_.OnStreamError(r.key, cls, code, now);
      r.advisory_code = code;
      return;
    case IbErrorClass::kRequestRejected:
    case IbErrorClass::kSocketLost:
      monitor_.OnStreamError(r.key, IbErrorClass::kRequestRejected, code, now);
      r.sub = SubState::kNeedsSubscribe;
      StreamFailed(r, FailureKind::kRequestRejected, now);
      return;
    default:
      ++ignored_ib_codes_;
      return;
  }
}

void ReliabilityCore::OnSessionIbError(IbErrorClass cls, TimePoint now) {
  switch (cls) {
    case IbErrorClass::kIbLinkLost:
      monitor_.OnConnectionNotice(cls, now);
      return;
    case IbErrorClass::kIbLinkRestoredDataLost:
      // Subscriptions were dropped by IB: request every stream again (not a retry).
      monitor_.OnConnectionNotice(cls, now);
      for (auto& [key, r] : streams_) {
        r.probe_used = false;
        if (r.sub == SubState::kRefused || r.sub == SubState::kCapacity) continue;
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
  if (r == nullptr) {
    if (watched_.count(stream) > 0) monitor_.OnSubscribed(stream, now);
    return;
  }
  if (r->sub == SubState::kRequested || r->sub == SubState::kNeedsSubscribe ||
      r->sub == SubState::kCapacity) {
    r->sub = SubState::kActive;
  }
  r->capacity_code.reset();
  monitor_.OnSubscribed(stream, now);
  retry_.AttemptCompleted(RetryTarget::Stream(stream), now);
}

void ReliabilityCore::OnGapDetected(int64_t contract_id, TimePoint start, TimePoint end,
                                    std::string_view cause, TimePoint now) {
  std::optional<AlertCondition> c =
      GapDetectedAlert(contract_id, start, end, cause, options_.alerts);
  if (c) alerts_.Raise(std::move(*c), now);
}

void ReliabilityCore::OnBackfillFailed(int64_t contract_id, std::string_view reason,
                                       TimePoint now) {
  alerts_.Raise(BackfillFailedAlert(contract_id, reason), now);
}

void ReliabilityCore::OnStorageError(std::string_view message, TimePoint now) {
  alerts_.Raise(StorageErrorAlert(message), now);
}

void ReliabilityCore::OnStoredDataDamaged(int64_t contract_id, std::string_view file,
                                          std::string_view summary, TimePoint now) {
  AlertCondition condition = StorageErrorAlert(summary);
  condition.contract_id = contract_id;
  condition.labels["file"] = std::string(file);
  condition.severity = AlertSeverity::kWarning;
  alerts_.Raise(std::move(condition), now);
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

void ReliabilityCore::OnStreamPlan(const StreamPlan& plan, TimePoint now) {
  std::optional<Alert> decision = StreamCapacityAlert(plan_, plan, now);
  plan_ = plan;
  if (!decision) return;
  if (decision->state == AlertState::kResolved) {
    if (!capacity_alert_) return;  // nothing was firing (e.g. the first plan is all tick-by-tick)
    decision->starts_at = capacity_alert_->starts_at;
    capacity_alert_.reset();
  } else {
    capacity_alert_ = *decision;
  }
  capacity_pending_.push_back(std::move(*decision));
}

// --- views ---------------------------------------------------------------------------------

std::vector<Alert> ReliabilityCore::FiringAlerts() const {
  std::vector<Alert> out = alerts_.Firing();
  if (capacity_alert_) {
    // Process-wide alerts come first.
    auto it = std::find_if(out.begin(), out.end(),
                           [](const Alert& a) { return a.contract_id.has_value(); });
    out.insert(it, *capacity_alert_);
  }
  return out;
}

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
