// Per tracked contract settings of the reliability plan, with the plan's defaults. The config
// part maps TOML keys and environment variables onto this struct; nothing here reads either.
#pragma once

#include <chrono>
#include <optional>

#include "common/clock.h"
#include "reliability/retry_strategy.h"

namespace ibstream::reliability {

struct ContractReliabilityOptions {
  // data_staleness_threshold: in liquid hours (OPEN) a stream with no data for longer is stale
  // (IB_STREAM_DATA_STALENESS_THRESHOLD; the plan: 300 s in production, 600 s in development).
  Duration data_staleness_threshold = std::chrono::seconds(300);
  // The same for extended (non-liquid) trading hours, where quiet minutes are normal.
  Duration extended_staleness_threshold = std::chrono::seconds(900);
  // market_break_tolerance: a BREAK lasting longer than this is itself unhealthy.
  Duration market_break_tolerance = std::chrono::seconds(7200);
  // After a (re)subscription, a market opening or a restored link, a stream that delivers nothing
  // for this long is "silent" (DEGRADED) and gets one verifying resubscribe, well before it is
  // stale. This is what brings a feed lost in a halt back within seconds of the reopening.
  Duration first_data_timeout = std::chrono::seconds(30);
  // circuit_breaker_threshold: consecutive failed attempts that open the stream's breaker.
  int circuit_breaker_threshold = 5;
  // retry_strategy: when set, replaces the market-aware choice (refusals still use maintenance,
  // weekends and holidays still wait for the pre-open attempt).
  std::optional<RetryStrategy> retry_strategy;
  // priority: the contract's configured priority (1 first; the configuration's default is 100),
  // which also orders the stream plan (WantedStream::priority). Reported as an alert label.
  int priority = 1;
};

}  // namespace ibstream::reliability
