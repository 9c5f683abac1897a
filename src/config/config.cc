#include "config/config.h"

namespace ibstream::config {

std::string_view ProfileName(Profile profile) {
  return profile == Profile::kProduction ? "production" : "development";
}

std::string_view RetryStrategySettingName(RetryStrategySetting strategy) {
  return strategy ? reliability::RetryStrategyName(*strategy) : "auto";
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kCritical:
      return "critical";
    case LogLevel::kOff:
      return "off";
  }
  return "unknown";
}

AlertRules DefaultAlertRules() {
  using std::chrono::hours;
  using std::chrono::minutes;
  using std::chrono::seconds;
  struct Default {
    std::string_view name;
    AlertSeverity severity;
    Duration cooldown;
    Duration for_duration;
  };
  constexpr AlertSeverity kCritical = AlertSeverity::kCritical;
  constexpr AlertSeverity kWarning = AlertSeverity::kWarning;
  const Default defaults[] = {
      {"data_stale_during_trading", kCritical, minutes(15), Duration::zero()},
      {"frequent_reconnections", kWarning, hours(1), Duration::zero()},
      {"gateway_down", kCritical, minutes(15), seconds(60)},
      {"gateway_lost_ib", kCritical, minutes(15), seconds(180)},
      {"circuit_open", kWarning, minutes(30), Duration::zero()},
      {"gap_detected", kWarning, minutes(15), Duration::zero()},
      {"backfill_failed", kWarning, hours(1), Duration::zero()},
      {"storage_error", kCritical, minutes(15), Duration::zero()},
      {"disk_low", kWarning, hours(1), Duration::zero()},
      {"clock_skew", kWarning, hours(1), seconds(60)},
      {"timezone_unknown", kCritical, hours(24), Duration::zero()},
      {"permission_denied", kCritical, hours(24), Duration::zero()},
      {"competing_session", kWarning, hours(1), Duration::zero()},
      {"retries_exhausted", kWarning, hours(1), Duration::zero()},
  };
  AlertRules rules;
  for (const Default& d : defaults) {
    AlertRuleConfig& rule = rules[std::string(d.name)];
    rule.severity = d.severity;
    rule.cooldown = d.cooldown;
    rule.for_duration = d.for_duration;
  }
  rules["frequent_reconnections"].count_threshold = 10;
  rules["gap_detected"].duration_threshold = seconds(60);
  rules["clock_skew"].duration_threshold = seconds(1);
  rules["gateway_down"].escalate_before_open = minutes(5);
  return rules;
}

std::string ContractConfig::Describe() const {
  if (con_id) {
    std::string out = std::to_string(*con_id);
    if (!symbol.empty()) out += " (" + symbol + ")";
    return out;
  }
  std::string out = symbol;
  for (const std::string* part : {&sec_type, &exchange, &currency}) {
    if (!part->empty()) out += " " + *part;
  }
  return out;
}

}  // namespace ibstream::config
