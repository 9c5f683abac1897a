#include "notify/from_config.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "notify/test_alerts.h"
#include "notify/test_servers.h"

namespace ibstream::notify::from_config_test {
namespace {

using std::chrono::milliseconds;

std::vector<std::string> Names(const std::vector<std::unique_ptr<AlertSink>>& sinks) {
  std::vector<std::string> names;
  for (const auto& sink : sinks) names.emplace_back(sink->name());
  return names;
}

TEST(FromConfigTest, BuildsTheConfiguredSinks) {
  config::Config config;
  EXPECT_EQ(Names(MakeSinks(config, {})), (std::vector<std::string>{"log"}));
  config.alerts.webhook_url = "http://127.0.0.1:9/hook";
  config.alerts.smtp_url = "smtp://127.0.0.1:9";
  config.alerts.smtp_from = "ib@example.com";
  config.alerts.smtp_to = {"ops@example.com"};
  EXPECT_EQ(Names(MakeSinks(config, {})), (std::vector<std::string>{"log", "webhook", "email"}));
  config.alerts.enabled = false;
  EXPECT_EQ(Names(MakeSinks(config, {})), (std::vector<std::string>{"log"}));
}

TEST(FromConfigTest, TheNotifierDeliversToTheConfiguredWebhookAndLog) {
  testing::HttpTestServer server([](const testing::HttpRequest&, size_t) { return 200; });
  std::ostringstream out;
  auto log_sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  log_sink->set_pattern("%v");
  SinkContext context;
  context.logger = std::make_shared<spdlog::logger>("alerts", log_sink);
  context.external_url = "http://127.0.0.1:8851/";
  config::Config config;
  config.alerts.webhook_url = server.Url("/alerts");
  config.logging.json = true;
  std::unique_ptr<Notifier> notifier = MakeNotifier(config, context);
  ASSERT_TRUE(notifier->Notify(testing::StaleAlert()));
  ASSERT_TRUE(notifier->WaitIdle(milliseconds(10'000)));
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_NE(server.requests()[0].body.find("\"externalURL\":\"http://127.0.0.1:8851/\""),
            std::string::npos);
  EXPECT_EQ(out.str().substr(0, 35), "{\"event\":\"alert\",\"status\":\"firing\",");
  EXPECT_EQ(notifier->counters().sinks.delivered, 2u);
}

}  // namespace
}  // namespace ibstream::notify::from_config_test
