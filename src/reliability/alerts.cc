#include "reliability/alerts.h"

#include <algorithm>

namespace ibstream::reliability {

const AlertRuleOptions* AlertOptions::Rule(std::string_view rule) const {
  if (rule == rules::kDataStaleDuringTrading) return &data_stale_during_trading;
  if (rule == rules::kFrequentReconnections) return &frequent_reconnections;
  if (rule == rules::kGatewayDown) return &gateway_down;
  if (rule == rules::kGatewayLostIb) return &gateway_lost_ib;
  if (rule == rules::kCircuitOpen) return &circuit_open;
  if (rule == rules::kGapDetected) return &gap_detected;
  if (rule == rules::kBackfillFailed) return &backfill_failed;
  if (rule == rules::kStorageError) return &storage_error;
  if (rule == rules::kDiskLow) return &disk_low;
  if (rule == rules::kClockSkew) return &clock_skew;
  if (rule == rules::kTimezoneUnknown) return &timezone_unknown;
  if (rule == rules::kPermissionDenied) return &permission_denied;
  if (rule == rules::kCompetingSession) return &competing_session;
  if (rule == rules::kRetriesExhausted) return &retries_exhausted;
  return nullptr;
}

StreamingAlertsManager::StreamingAlertsManager(AlertOptions options, AlertSink& sink)
    : options_(std::move(options)), sink_(sink) {}

StreamingAlertsManager::Key StreamingAlertsManager::KeyOf(const AlertCondition& condition) {
  return {condition.rule, condition.contract_id.value_or(-1)};
}

bool StreamingAlertsManager::IsInhibitable(std::string_view rule) {
  return rule == rules::kDataStaleDuringTrading || rule == rules::kCircuitOpen ||
         rule == rules::kRetriesExhausted;
}

void StreamingAlertsManager::Observe(AlertCondition condition) {
  const AlertRuleOptions* rule = options_.Rule(condition.rule);
  if (rule == nullptr || !rule->enabled) return;
  RuleState& s = states_[KeyOf(condition)];
  s.observed = true;
  s.latest = std::move(condition);
}

void StreamingAlertsManager::Raise(AlertCondition condition, TimePoint now) {
  const AlertRuleOptions* rule = options_.Rule(condition.rule);
  if (rule == nullptr || !rule->enabled) return;
  RuleState& s = states_[KeyOf(condition)];
  s.event_until = now + options_.event_hold;
  s.latest = std::move(condition);
}

void StreamingAlertsManager::Evaluate(TimePoint now) {
  auto holds = [now](const RuleState& s) {
    return s.observed || (s.event_until && now < *s.event_until);
  };
  bool gateway_out = false;
  for (std::string_view inhibitor : {rules::kGatewayDown, rules::kGatewayLostIb}) {
    auto it = states_.find(Key{std::string(inhibitor), -1});
    if (it != states_.end() && holds(it->second)) gateway_out = true;
  }

  std::map<int64_t, std::vector<Alert>> groups;
  for (auto& [key, s] : states_) {
    const AlertRuleOptions& rule = *options_.Rule(key.first);
    if (holds(s)) {
      if (!s.pending_since) s.pending_since = now;
      if (s.firing) {
        // Dedup: still firing, nothing new to say, unless its severity rose (a gateway_down
        // warning while markets were closed, critical as one opens): delivered again.
        s.alert.summary = s.latest.summary;
        s.alert.labels = s.latest.labels;
        const AlertSeverity severity = s.latest.severity.value_or(rule.severity);
        if (severity > s.alert.severity) {
          s.alert.severity = severity;
          groups[key.second].push_back(s.alert);
        }
      } else {
        const bool held_long_enough = now - *s.pending_since >= rule.for_duration;
        const bool cooled_down = !s.last_fired_at || now - *s.last_fired_at >= rule.cooldown;
        const bool inhibited =
            gateway_out && s.latest.contract_id.has_value() && IsInhibitable(key.first);
        if (held_long_enough && cooled_down && !inhibited) {
          s.firing = true;
          s.last_fired_at = now;
          s.alert = Alert{};
          s.alert.rule = key.first;
          s.alert.severity = s.latest.severity.value_or(rule.severity);
          s.alert.state = AlertState::kFiring;
          s.alert.contract_id = s.latest.contract_id;
          s.alert.summary = s.latest.summary;
          s.alert.labels = s.latest.labels;
          s.alert.starts_at = *s.pending_since;
          groups[key.second].push_back(s.alert);
        }
      }
    } else {
      s.pending_since.reset();
      s.event_until.reset();
      if (s.firing) {
        s.firing = false;
        s.alert.state = AlertState::kResolved;
        s.alert.ends_at = now;
        groups[key.second].push_back(s.alert);
      }
    }
    s.observed = false;
  }
  if (!options_.enabled) return;
  for (const auto& [contract, alerts] : groups) sink_.Deliver(alerts);
}

std::vector<Alert> StreamingAlertsManager::Firing() const {
  std::vector<Alert> out;
  for (const auto& [key, s] : states_) {
    if (s.firing) out.push_back(s.alert);
  }
  std::stable_sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) {
    return a.contract_id.value_or(-1) < b.contract_id.value_or(-1);
  });
  return out;
}

bool StreamingAlertsManager::IsFiring(std::string_view rule,
                                      std::optional<int64_t> contract_id) const {
  auto it = states_.find(Key{std::string(rule), contract_id.value_or(-1)});
  return it != states_.end() && it->second.firing;
}

}  // namespace ibstream::reliability
