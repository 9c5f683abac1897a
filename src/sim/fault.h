// Faults the simulator can inject, as scripted in a scenario file or typed on the control port.
//
// A fault is described by string key/values (TOML table or `key=value` words), so the scenario
// file and the control interface share one parser. Kinds and their keys (SCENARIOS.md has the
// full reference):
//   close              mode=fin|rst, client=N          close connections (FIN or RST)
//   half_open          duration, client=N              stop reading and writing, keep the socket;
//                                                      closed (RST) at the end of the duration
//   silence            duration, con_id=N, tick_type=T no data for one contract/type, or all
//   connectivity_lost  duration, restore=data_lost|data_maintained
//                                                      1100, no data, then 1101 (subscriptions
//                                                      depth included, dropped) or 1102 (kept)
//   farm_down          duration, farm=NAME, hmds=true  2103 (+2105), that farm's data stops,
//                                                      then 2104 (+2106)
//   competing_session  duration                        10197 per subscription, data stops
//   gateway_restart    duration                        all connections closed, listener closed
//                                                      for the duration; subscriptions gone
//   nightly_reset      duration                        all data stops silently; 2104/2106 at end
//   pacing             duration                        every historical request gets 162
//   tick_by_tick_limit max=N                           tick-by-tick cap (10190 above it)
//   garbage            bytes=N, client=N               N random bytes on the wire
//   error              code=N, id=N, text=...          send one error message
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace ibstream::sim {

enum class FaultKind {
  kClose,
  kHalfOpen,
  kSilence,
  kConnectivityLost,
  kFarmDown,
  kCompetingSession,
  kGatewayRestart,
  kNightlyReset,
  kPacing,
  kTickByTickLimit,
  kGarbage,
  kError,
  // Not injectable: recorded in the truth file when the backpressure policy closes a client.
  kSlowConsumer,
};

std::string_view FaultKindName(FaultKind kind);
Result<FaultKind> ParseFaultKind(std::string_view name);

// When a scripted fault starts: an absolute time or an offset from the simulation start.
struct FaultTime {
  std::optional<TimePoint> absolute;
  Duration offset{0};

  TimePoint Resolve(TimePoint start) const { return absolute ? *absolute : start + offset; }
};

struct FaultSpec {
  FaultKind kind = FaultKind::kClose;
  FaultTime at;
  // 0: instantaneous kinds, or "until the end of the run" for windowed ones.
  Duration duration{0};
  std::optional<int32_t> client_id;         // client-scoped kinds: all clients when empty
  std::string mode = "fin";                 // close
  std::string restore = "data_maintained";  // connectivity_lost
  std::string farm = "usfarm";              // farm_down
  bool hmds = false;                        // farm_down: also the historical farm
  std::optional<int32_t> con_id;            // silence
  std::string tick_type;                    // silence: "BidAsk", ... or empty for all
  int32_t max = 0;                          // tick_by_tick_limit
  int32_t bytes = 64;                       // garbage
  int32_t code = 0;                         // error
  int32_t id = -1;                          // error
  std::string text;                         // error
};

// "30s", "5m", "2h", "1d", "1500ms", or a plain number of seconds.
Result<Duration> ParseDuration(std::string_view text);
// "+10m" (offset from start) or an ISO 8601 time with offset.
Result<FaultTime> ParseFaultTime(std::string_view text);

// Builds a fault from key/values (`kind` required; `at` optional, default: start). Unknown keys
// and bad values are InvalidArgument naming the key.
Result<FaultSpec> ParseFault(const std::map<std::string, std::string>& fields);
// Parses "kind key=value key=value" (the control port's `fault` command arguments).
Result<FaultSpec> ParseFaultLine(std::string_view words);

// One-line description for logs: "farm_down farm=usfuture duration=30s".
std::string DescribeFault(const FaultSpec& fault);

}  // namespace ibstream::sim
