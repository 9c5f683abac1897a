// [reliability]: staleness, breakers and retries, the defaults of every contract.
#include <algorithm>
#include <iterator>

#include "config/settings.h"

namespace ibstream::config::internal {

namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// Per-contract keys whose default is the [reliability] key of the same name.
constexpr std::string_view kInheritedContractKeys[] = {
    "retry_strategy",         "data_staleness_threshold", "extended_staleness_threshold",
    "market_break_tolerance", "first_data_timeout",       "circuit_breaker_threshold"};

}  // namespace

void AddReliabilitySettings(std::vector<Setting<Config>>& s) {
  using C = Config;
  s.push_back(Bind<C>("reliability.data_staleness_threshold",
                      IBSTREAM_FIELD(reliability.data_staleness_threshold),
                      DurationKind(seconds(1), hours(24)))
                  .Original({"IB_STREAM_DATA_STALENESS_THRESHOLD"}));
  s.push_back(Bind<C>("reliability.extended_staleness_threshold",
                      IBSTREAM_FIELD(reliability.extended_staleness_threshold),
                      DurationKind(seconds(1), hours(24))));
  s.push_back(Bind<C>("reliability.market_break_tolerance",
                      IBSTREAM_FIELD(reliability.market_break_tolerance),
                      DurationKind(Duration::zero(), hours(24 * 7))));
  s.push_back(Bind<C>("reliability.first_data_timeout",
                      IBSTREAM_FIELD(reliability.first_data_timeout),
                      DurationKind(seconds(1), hours(1))));
  s.push_back(Bind<C>("reliability.circuit_breaker_threshold",
                      IBSTREAM_FIELD(reliability.circuit_breaker_threshold),
                      IntKind<int32_t>(1, 1000)));
  s.push_back(Bind<C>("reliability.gateway_breaker_threshold",
                      IBSTREAM_FIELD(reliability.gateway_breaker_threshold),
                      IntKind<int32_t>(1, 1000)));
  s.push_back(Bind<C>("reliability.recovery_timeout", IBSTREAM_FIELD(reliability.recovery_timeout),
                      DurationKind(seconds(1), hours(24))));
  s.push_back(Bind<C>("reliability.lost_ib_reconnect_after",
                      IBSTREAM_FIELD(reliability.lost_ib_reconnect_after),
                      DurationKind(seconds(1), hours(24))));
  s.push_back(Bind<C>("reliability.pre_open_lead", IBSTREAM_FIELD(reliability.pre_open_lead),
                      DurationKind(Duration::zero(), hours(1))));
  s.push_back(Bind<C>("reliability.attempt_timeout", IBSTREAM_FIELD(reliability.attempt_timeout),
                      DurationKind(seconds(1), minutes(10))));
  s.push_back(Bind<C>("reliability.aggressive_retry_during_trading",
                      IBSTREAM_FIELD(reliability.aggressive_retry_during_trading), BoolKind())
                  .Original({"IB_STREAM_AGGRESSIVE_RETRY_DURING_TRADING"}));
  s.push_back(Bind<C>("reliability.market_aware_retry",
                      IBSTREAM_FIELD(reliability.market_aware_retry), BoolKind())
                  .Original({"IB_STREAM_MARKET_AWARE_RETRY"}));
  s.push_back(Bind<C>("reliability.retry_strategy", IBSTREAM_FIELD(reliability.retry_strategy),
                      RetryStrategyKind()));
}

bool IsInherited(std::string_view contract_key) {
  return std::find(std::begin(kInheritedContractKeys), std::end(kInheritedContractKeys),
                   contract_key) != std::end(kInheritedContractKeys);
}

void InheritReliability(const ReliabilityConfig& r, ContractConfig& contract) {
  contract.retry_strategy = r.retry_strategy;
  contract.data_staleness_threshold = r.data_staleness_threshold;
  contract.extended_staleness_threshold = r.extended_staleness_threshold;
  contract.market_break_tolerance = r.market_break_tolerance;
  contract.first_data_timeout = r.first_data_timeout;
  contract.circuit_breaker_threshold = r.circuit_breaker_threshold;
}

}  // namespace ibstream::config::internal
