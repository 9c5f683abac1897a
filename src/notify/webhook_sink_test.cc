// The webhook sink against a loopback HTTP receiver started by the test.
#include "notify/webhook_sink.h"

#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>

#include "notify/test_alerts.h"
#include "notify/test_servers.h"

namespace ibstream::notify::webhook_sink_test {
namespace {

using std::chrono::milliseconds;
using testing::HttpRequest;
using testing::HttpTestServer;
using testing::Resolved;
using testing::StaleAlert;

constexpr milliseconds kDeadline(10'000);

WebhookOptions Options(const std::string& url, int retries = 3) {
  WebhookOptions options;
  options.url = url;
  options.timeout = std::chrono::seconds(5);
  options.delivery.retries = retries;
  options.delivery.initial_backoff = milliseconds(1);
  options.delivery.max_backoff = milliseconds(4);
  options.payload.external_url = "http://127.0.0.1:8851/";
  return options;
}

TEST(WebhookSinkTest, PostsTheAlertmanagerPayload) {
  HttpTestServer server([](const HttpRequest&, size_t) { return 200; });
  WebhookSink sink(Options(server.Url("/hooks/ibstream")), SystemClock::Instance());
  sink.Submit({StaleAlert()});
  ASSERT_TRUE(sink.WaitIdle(kDeadline));
  ASSERT_EQ(server.requests().size(), 1u);
  const HttpRequest request = server.requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/hooks/ibstream");
  EXPECT_EQ(request.headers.at("content-type"), "application/json");
  EXPECT_EQ(request.headers.at("user-agent"), "ibstream/0.1");
  EXPECT_EQ(request.headers.count("expect"), 0u);
  EXPECT_EQ(request.body, BuildWebhookPayload({StaleAlert()}, Options("").payload));
  nlohmann::json payload = nlohmann::json::parse(request.body);
  EXPECT_EQ(payload["version"], "4");
  EXPECT_EQ(payload["status"], "firing");
  EXPECT_EQ(payload["alerts"][0]["labels"]["alertname"], "data_stale_during_trading");
  EXPECT_EQ(payload["alerts"][0]["labels"]["severity"], "critical");
  EXPECT_EQ(payload["alerts"][0]["startsAt"], "2025-08-11T21:00:00Z");
  EXPECT_EQ(sink.counters(),
            (SinkCounters{.delivered = 1, .failed = 0, .dropped = 0, .retries = 0}));
}

TEST(WebhookSinkTest, RetriesAfterServerErrors) {
  // 500, 503, then accepted.
  HttpTestServer server(
      [](const HttpRequest&, size_t index) { return index < 2 ? 500 + index * 3 : 200; });
  WebhookSink sink(Options(server.Url("/")), SystemClock::Instance());
  sink.Submit({StaleAlert()});
  ASSERT_TRUE(sink.WaitIdle(kDeadline));
  std::vector<HttpRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].body, requests[2].body);  // the same notification each time
  EXPECT_EQ(sink.counters(),
            (SinkCounters{.delivered = 1, .failed = 0, .dropped = 0, .retries = 2}));
}

TEST(WebhookSinkTest, SendsTheResolvedNotification) {
  HttpTestServer server([](const HttpRequest&, size_t) { return 202; });
  WebhookSink sink(Options(server.Url("/")), SystemClock::Instance());
  sink.Submit({StaleAlert()});
  sink.Submit({Resolved(StaleAlert(), 420)});
  ASSERT_TRUE(sink.WaitIdle(kDeadline));
  std::vector<HttpRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  nlohmann::json fired = nlohmann::json::parse(requests[0].body);
  nlohmann::json resolved = nlohmann::json::parse(requests[1].body);
  EXPECT_EQ(resolved["status"], "resolved");
  EXPECT_EQ(resolved["alerts"][0]["status"], "resolved");
  EXPECT_EQ(resolved["alerts"][0]["endsAt"], "2025-08-11T21:07:00Z");
  EXPECT_EQ(resolved["groupKey"], fired["groupKey"]);
  EXPECT_EQ(resolved["alerts"][0]["fingerprint"], fired["alerts"][0]["fingerprint"]);
  EXPECT_EQ(sink.counters().delivered, 2u);
}

TEST(WebhookSinkTest, SendResolvedFalseLeavesResolutionsOut) {
  HttpTestServer server([](const HttpRequest&, size_t) { return 200; });
  WebhookOptions options = Options(server.Url("/"));
  options.send_resolved = false;
  WebhookSink sink(options, SystemClock::Instance());
  sink.Submit({Resolved(StaleAlert(), 60)});
  Alert other = StaleAlert();
  other.rule = "circuit_open";
  sink.Submit({Resolved(StaleAlert(), 60), other});
  ASSERT_TRUE(sink.WaitIdle(kDeadline));
  std::vector<HttpRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  nlohmann::json payload = nlohmann::json::parse(requests[0].body);
  ASSERT_EQ(payload["alerts"].size(), 1u);
  EXPECT_EQ(payload["alerts"][0]["labels"]["alertname"], "circuit_open");
}

TEST(WebhookSinkTest, ClientErrorsAreNotRetried) {
  HttpTestServer server([](const HttpRequest&, size_t) { return 400; });
  WebhookSink sink(Options(server.Url("/")), SystemClock::Instance());
  sink.Submit({StaleAlert()});
  ASSERT_TRUE(sink.WaitIdle(kDeadline));
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(sink.counters(),
            (SinkCounters{.delivered = 0, .failed = 1, .dropped = 0, .retries = 0}));
}

TEST(WebhookSinkTest, TooManyRequestsIsRetried) {
  HttpTestServer server([](const HttpRequest&, size_t index) { return index == 0 ? 429 : 200; });
  WebhookSink sink(Options(server.Url("/")), SystemClock::Instance());
  sink.Submit({StaleAlert()});
  ASSERT_TRUE(sink.WaitIdle(kDeadline));
  EXPECT_EQ(sink.counters().delivered, 1u);
  EXPECT_EQ(sink.counters().retries, 1u);
}

TEST(WebhookSinkTest, AnUnreachableReceiverFailsAfterTheRetries) {
  WebhookSink sink(Options("http://127.0.0.1:" + std::to_string(testing::UnusedPort()) + "/", 2),
                   SystemClock::Instance());
  sink.Submit({StaleAlert()});
  ASSERT_TRUE(sink.WaitIdle(kDeadline));
  EXPECT_EQ(sink.counters(),
            (SinkCounters{.delivered = 0, .failed = 1, .dropped = 0, .retries = 2}));
}

TEST(WebhookSinkTest, ABoundedQueueDropsWhileTheReceiverIsSlow) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  HttpTestServer server([released](const HttpRequest&, size_t index) {
    if (index == 0) released.wait_for(kDeadline);
    return 200;
  });
  WebhookOptions options = Options(server.Url("/"));
  options.delivery.queue_capacity = 1;
  WebhookSink sink(options, SystemClock::Instance());
  sink.Submit({StaleAlert()});
  ASSERT_TRUE(server.WaitForRequests(1, kDeadline));  // the first POST is in flight
  sink.Submit({StaleAlert()});                        // waits in the queue
  sink.Submit({StaleAlert()});                        // no room: dropped at once
  EXPECT_EQ(sink.counters().dropped, 1u);
  release.set_value();
  ASSERT_TRUE(sink.WaitIdle(kDeadline));
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(sink.counters(),
            (SinkCounters{.delivered = 2, .failed = 0, .dropped = 1, .retries = 0}));
}

}  // namespace
}  // namespace ibstream::notify::webhook_sink_test
