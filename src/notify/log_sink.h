// Writes every alert as one structured log line (spdlog): logfmt-style text or one JSON object.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <memory>
#include <string>

#include "notify/sink.h"

namespace ibstream::notify {

struct LogSinkOptions {
  // One JSON object per line (for log shippers) instead of key=value text.
  bool json = false;
};

// The line for one alert, without the logger's prefix:
//   event=alert status=firing rule=gateway_down severity=critical contract_id=711280073
//     starts_at=2025-08-11T21:00:00Z summary="gateway unreachable for 75 s" error_code=1100
// or {"event":"alert","status":"firing","rule":"gateway_down",...}.
std::string FormatAlertLogLine(const Alert& alert, bool json);

class LogSink final : public AlertSink {
 public:
  // `logger` null: spdlog's default logger. Firing critical alerts log at error level, firing
  // warnings at warn, everything else at info.
  explicit LogSink(std::shared_ptr<spdlog::logger> logger, LogSinkOptions options = {});

  std::string_view name() const override { return "log"; }
  // Logs synchronously; spdlog's sinks are expected not to block for long.
  void Submit(const AlertGroup& group) override;
  SinkCounters counters() const override;
  bool WaitIdle(std::chrono::milliseconds) override { return true; }

 private:
  const std::shared_ptr<spdlog::logger> logger_;
  const LogSinkOptions options_;
  std::atomic<uint64_t> delivered_{0};
};

}  // namespace ibstream::notify
