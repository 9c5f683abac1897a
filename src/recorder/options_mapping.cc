#include "recorder/options_mapping.h"

namespace ibstream::recorder {
namespace {

// The reliability core's options for a rule name; nullptr for a name it does not know.
reliability::AlertRuleOptions* RuleOptions(reliability::AlertOptions& a, std::string_view name) {
  namespace r = reliability::rules;
  const std::pair<std::string_view, reliability::AlertRuleOptions*> table[] = {
      {r::kDataStaleDuringTrading, &a.data_stale_during_trading},
      {r::kFrequentReconnections, &a.frequent_reconnections},
      {r::kGatewayDown, &a.gateway_down},
      {r::kGatewayLostIb, &a.gateway_lost_ib},
      {r::kCircuitOpen, &a.circuit_open},
      {r::kGapDetected, &a.gap_detected},
      {r::kBackfillFailed, &a.backfill_failed},
      {r::kStorageError, &a.storage_error},
      {r::kDiskLow, &a.disk_low},
      {r::kClockSkew, &a.clock_skew},
      {r::kTimezoneUnknown, &a.timezone_unknown},
      {r::kPermissionDenied, &a.permission_denied},
      {r::kCompetingSession, &a.competing_session},
      {r::kRetriesExhausted, &a.retries_exhausted},
  };
  for (const auto& [rule, options] : table) {
    if (rule == name) return options;
  }
  return nullptr;
}

}  // namespace

reliability::ContractReliabilityOptions ContractOptionsFrom(
    const config::ContractConfig& contract) {
  reliability::ContractReliabilityOptions out;
  out.data_staleness_threshold = contract.data_staleness_threshold;
  out.extended_staleness_threshold = contract.extended_staleness_threshold;
  out.first_data_timeout = contract.first_data_timeout;
  out.market_break_tolerance = contract.market_break_tolerance;
  out.circuit_breaker_threshold = contract.circuit_breaker_threshold;
  out.retry_strategy = contract.retry_strategy;
  out.priority = contract.priority;
  return out;
}

reliability::ReliabilityOptions ReliabilityOptionsFrom(const config::Config& config,
                                                       uint64_t seed) {
  reliability::ReliabilityOptions out;
  out.retry.market_aware_retry = config.reliability.market_aware_retry;
  out.retry.aggressive_retry_during_trading = config.reliability.aggressive_retry_during_trading;
  out.retry.pre_open_lead = config.reliability.pre_open_lead;
  out.retry.attempt_timeout = config.reliability.attempt_timeout;
  out.breaker_recovery_timeout = config.reliability.recovery_timeout;
  out.gateway_breaker_threshold = config.reliability.gateway_breaker_threshold;
  out.lost_ib_reconnect_after = config.reliability.lost_ib_reconnect_after;
  out.seed = seed;
  auto& alerts = out.alerts;
  alerts.enabled = config.alerts.enabled;
  alerts.event_hold = config.alerts.event_hold;
  for (const auto& [name, rule] : config.alerts.rules) {
    reliability::AlertRuleOptions* target = RuleOptions(alerts, name);
    if (!target) continue;  // the configuration validates names; nothing else can reach here
    target->enabled = rule.enabled;
    target->severity = rule.severity;
    target->cooldown = rule.cooldown;
    target->for_duration = rule.for_duration;
    if (name == reliability::rules::kFrequentReconnections && rule.count_threshold) {
      alerts.frequent_reconnections_per_hour = static_cast<int>(*rule.count_threshold);
    }
    if (name == reliability::rules::kGapDetected && rule.duration_threshold) {
      alerts.gap_min_duration = *rule.duration_threshold;
    }
    if (name == reliability::rules::kGatewayDown && rule.escalate_before_open) {
      alerts.gateway_down_escalate_before_open = *rule.escalate_before_open;
    }
    if (name == reliability::rules::kClockSkew && rule.duration_threshold) {
      alerts.clock_skew_threshold = *rule.duration_threshold;
    }
  }
  alerts.disk_low_free_bytes = config.storage.free_space_warning_bytes;
  alerts.disk_low_free_fraction = config.storage.free_space_warning_percent / 100.0;
  return out;
}

client::ClientOptions ClientOptionsFrom(const config::Config& config) {
  client::ClientOptions out;
  out.host = config.gateway.host;
  out.ports = config.gateway.ports;
  out.client_id = config.gateway.RecorderClientId();
  out.connect_timeout = config.gateway.connect_timeout;
  out.probe_interval = config.gateway.probe_interval;
  out.probe_deadline = config.gateway.probe_deadline;
  return out;
}

storage::StoreOptions StoreOptionsFrom(const config::Config& config) {
  storage::StoreOptions out;
  out.root = config.storage.path;
  out.writer.fsync = config.storage.fsync;
  out.writer.batch_interval = config.storage.batch_interval;
  out.writer.free_space_warning_bytes = config.storage.free_space_warning_bytes;
  // buffer_hours sizes what the buffer endpoints serve; it never deletes recorded data.
  out.retention.keep_for = config.storage.retention;
  return out;
}

}  // namespace ibstream::recorder
