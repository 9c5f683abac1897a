#include "reliability/retry_strategy.h"

#include <array>
#include <string>

namespace ibstream::reliability {
namespace {

constexpr std::array<Duration, 4> kImmediate = {1s, 2s, 5s, 10s};
constexpr std::array<Duration, 4> kStandard = {10s, 30s, 60s, 300s};
constexpr std::array<Duration, 3> kConservative = {300s, 600s, 1800s};
constexpr std::array<Duration, 1> kMaintenance = {3600s};

bool WantsFastRetry(FailureKind kind) {
  return kind == FailureKind::kStaleData || kind == FailureKind::kCompetingSession;
}

}  // namespace

std::string_view RetryStrategyName(RetryStrategy strategy) {
  switch (strategy) {
    case RetryStrategy::kImmediate:
      return "immediate";
    case RetryStrategy::kStandard:
      return "standard";
    case RetryStrategy::kConservative:
      return "conservative";
    case RetryStrategy::kMaintenance:
      return "maintenance";
  }
  return "standard";
}

Result<RetryStrategy> ParseRetryStrategy(std::string_view text) {
  for (RetryStrategy s : {RetryStrategy::kImmediate, RetryStrategy::kStandard,
                          RetryStrategy::kConservative, RetryStrategy::kMaintenance}) {
    if (text == RetryStrategyName(s)) return s;
  }
  return InvalidArgument("unknown retry strategy '" + std::string(text) +
                         "' (allowed: immediate, standard, conservative, maintenance)");
}

std::span<const Duration> RetryIntervals(RetryStrategy strategy) {
  switch (strategy) {
    case RetryStrategy::kImmediate:
      return kImmediate;
    case RetryStrategy::kStandard:
      return kStandard;
    case RetryStrategy::kConservative:
      return kConservative;
    case RetryStrategy::kMaintenance:
      return kMaintenance;
  }
  return kStandard;
}

RetryStrategy EscalationOf(RetryStrategy strategy) {
  return strategy == RetryStrategy::kImmediate ? RetryStrategy::kStandard : strategy;
}

std::string_view FailureKindName(FailureKind kind) {
  switch (kind) {
    case FailureKind::kStaleData:
      return "stale_data";
    case FailureKind::kCompetingSession:
      return "competing_session";
    case FailureKind::kFarmDown:
      return "farm_down";
    case FailureKind::kRequestRejected:
      return "request_rejected";
    case FailureKind::kConnectionLost:
      return "connection_lost";
    case FailureKind::kPermissionDenied:
      return "permission_denied";
    case FailureKind::kCapacity:
      return "capacity";
  }
  return "unknown";
}

std::optional<RetryStrategy> SelectStrategy(calendar::MarketStatus status, FailureKind kind,
                                            const RetryPolicy& policy,
                                            std::optional<RetryStrategy> contract_override) {
  if (!policy.market_aware_retry) {
    if (kind == FailureKind::kPermissionDenied || kind == FailureKind::kCapacity) {
      return RetryStrategy::kMaintenance;
    }
    return contract_override.value_or(RetryStrategy::kStandard);
  }
  if (status == calendar::MarketStatus::kWeekend || status == calendar::MarketStatus::kHoliday)
    return std::nullopt;
  const bool data_flow_failure = kind == FailureKind::kStaleData ||
                                 kind == FailureKind::kCompetingSession ||
                                 kind == FailureKind::kFarmDown;
  if (data_flow_failure &&
      (status == calendar::MarketStatus::kBreak || status == calendar::MarketStatus::kClosed)) {
    return std::nullopt;
  }
  if (kind == FailureKind::kPermissionDenied || kind == FailureKind::kCapacity) {
    return RetryStrategy::kMaintenance;
  }
  if (contract_override) return *contract_override;
  switch (status) {
    case calendar::MarketStatus::kOpen:
    case calendar::MarketStatus::kExtended:
      if (WantsFastRetry(kind) && policy.aggressive_retry_during_trading) {
        return RetryStrategy::kImmediate;
      }
      return RetryStrategy::kStandard;
    case calendar::MarketStatus::kBreak:
      return RetryStrategy::kStandard;
    case calendar::MarketStatus::kClosed:
      return RetryStrategy::kConservative;
    case calendar::MarketStatus::kUnknown:
      return RetryStrategy::kStandard;
    case calendar::MarketStatus::kWeekend:
    case calendar::MarketStatus::kHoliday:
      break;
  }
  return std::nullopt;
}

Duration Jitter::Draw(Duration max) {
  if (!enabled_ || max <= Duration::zero()) return max;
  const uint64_t span = static_cast<uint64_t>(max.count()) + 1;
  // Rejection sampling keeps the draw uniform without std::uniform_int_distribution, whose
  // output differs between standard libraries.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  uint64_t value = engine_();
  while (value >= limit) value = engine_();
  return Duration(static_cast<int64_t>(value % span));
}

}  // namespace ibstream::reliability
