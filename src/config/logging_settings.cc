// [logging]: log level and format.
#include "config/settings.h"

namespace ibstream::config::internal {

void AddLoggingSettings(std::vector<Setting<Config>>& s) {
  using C = Config;
  s.push_back(Bind<C>("logging.level", IBSTREAM_FIELD(logging.level),
                      EnumKind<LogLevel>(
                          {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn,
                           LogLevel::kError, LogLevel::kCritical, LogLevel::kOff},
                          LogLevelName, {{"warning", LogLevel::kWarn}}))
                  .Original({"IB_STREAM_LOG_LEVEL"}));
  s.push_back(Bind<C>("logging.json", IBSTREAM_FIELD(logging.json), BoolKind()));
}

}  // namespace ibstream::config::internal
