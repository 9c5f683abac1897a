#include "notify/log_sink.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "notify/test_alerts.h"

namespace ibstream::notify::log_sink_test {
namespace {

using testing::GatewayDownAlert;
using testing::Resolved;
using testing::StaleAlert;

// A logger writing "level|message" lines into a string stream.
struct CapturedLog {
  CapturedLog() {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    sink->set_pattern("%l|%v");
    logger = std::make_shared<spdlog::logger>("test", sink);
    logger->set_level(spdlog::level::trace);
  }
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> logger;
};

TEST(LogSinkTest, OneTextLinePerAlertAtTheSeverityLevel) {
  CapturedLog log;
  LogSink sink(log.logger);
  Alert info = GatewayDownAlert();
  info.severity = AlertSeverity::kInfo;
  Alert warning = GatewayDownAlert();
  warning.severity = AlertSeverity::kWarning;
  sink.Submit({StaleAlert(), Resolved(StaleAlert(), 60)});
  sink.Submit({warning, info});
  EXPECT_EQ(log.out.str(),
            "error|event=alert status=firing rule=data_stale_during_trading severity=critical "
            "contract_id=711280073 starts_at=2025-08-11T21:00:00Z summary=\"MNQ bid_ask: no data "
            "for 312 s while the market is OPEN\" market_status=OPEN stream=711280073/bid_ask\n"
            "info|event=alert status=resolved rule=data_stale_during_trading severity=critical "
            "contract_id=711280073 starts_at=2025-08-11T21:00:00Z ends_at=2025-08-11T21:01:00Z "
            "summary=\"MNQ bid_ask: no data for 312 s while the market is OPEN\" "
            "market_status=OPEN stream=711280073/bid_ask\n"
            "warning|event=alert status=firing rule=gateway_down severity=warning "
            "starts_at=2025-08-11T21:01:00Z summary=\"gateway 127.0.0.1:4002 unreachable for 75 "
            "s\"\n"
            "info|event=alert status=firing rule=gateway_down severity=info "
            "starts_at=2025-08-11T21:01:00Z summary=\"gateway 127.0.0.1:4002 unreachable for 75 "
            "s\"\n");
  EXPECT_EQ(sink.counters().delivered, 2u);
  EXPECT_TRUE(sink.WaitIdle(std::chrono::milliseconds(0)));
}

TEST(LogSinkTest, JsonLines) {
  CapturedLog log;
  LogSink sink(log.logger, LogSinkOptions{.json = true});
  sink.Submit({Resolved(StaleAlert(), 60)});
  std::string line = log.out.str();
  ASSERT_EQ(line.substr(0, 5), "info|");
  nlohmann::json parsed = nlohmann::json::parse(line.substr(5));
  EXPECT_EQ(parsed["event"], "alert");
  EXPECT_EQ(parsed["status"], "resolved");
  EXPECT_EQ(parsed["rule"], "data_stale_during_trading");
  EXPECT_EQ(parsed["contract_id"], 711280073);
  EXPECT_EQ(parsed["ends_at"], "2025-08-11T21:01:00Z");
  EXPECT_EQ(parsed["labels"]["stream"], "711280073/bid_ask");
}

TEST(LogSinkTest, ValuesAreQuotedWhenNeeded) {
  Alert alert = GatewayDownAlert();
  alert.summary = "say \"hi\"\nnow";
  alert.labels = {{"empty", ""}, {"k", "a=b"}};
  EXPECT_EQ(FormatAlertLogLine(alert, false),
            "event=alert status=firing rule=gateway_down severity=critical "
            "starts_at=2025-08-11T21:01:00Z summary=\"say \\\"hi\\\"\\nnow\" empty=\"\" k=\"a=b\"");
}

}  // namespace
}  // namespace ibstream::notify::log_sink_test
