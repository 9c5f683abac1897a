#include "http/server.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <condition_variable>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>  // before Asio (GCC 12 + Boost 1.74)

#include "http/prometheus.h"
#include "http/server_test_client.h"

namespace ibstream::http::server_test {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

using testing::BodyJson;
using testing::Get;
using testing::RoundTrip;
using testing::StatusOf;

class ServerTest : public ::testing::Test {
 protected:
  void StartWith(Router router, ServerOptions options = {}) {
    options.port = 0;
    server_ = std::make_unique<Server>(std::move(router), options);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

Router BasicRouter() {
  Router router;
  router.Get("/health", [](const Request&) { return JsonResponse(R"({"status":"healthy"})"); });
  router.Get("/v3/buffer/{id}/info", [](const Request& r) {
    nlohmann::json body = {{"id", r.path_params.at("id")},
                           {"tick_types", r.Query("tick_types").value_or("bid_ask,last")}};
    return JsonResponse(body.dump());
  });
  router.Post(
      "/v1/contracts", [](const Request& r) { return JsonResponse(r.body, 201); },
      RouteOptions{.requires_token = true});
  router.Get("/boom", [](const Request&) -> Response { throw std::runtime_error("bug"); });
  return router;
}

TEST_F(ServerTest, ServesJsonRoutesWithPathParamsAndQuery) {
  StartWith(BasicRouter());
  std::string r = Get(port_, "/health");
  EXPECT_EQ(StatusOf(r), 200);
  EXPECT_NE(r.find("Content-Type: application/json"), std::string::npos);
  EXPECT_EQ(BodyJson(r)["status"], "healthy");

  r = Get(port_, "/v3/buffer/711280073/info?tick_types=last%2Cmid_point");
  ASSERT_EQ(StatusOf(r), 200);
  EXPECT_EQ(BodyJson(r)["id"], "711280073");
  EXPECT_EQ(BodyJson(r)["tick_types"], "last,mid_point");
}

TEST_F(ServerTest, BadRequestsGetJsonErrorsNever500) {
  StartWith(BasicRouter());
  std::string r = Get(port_, "/nope");
  EXPECT_EQ(StatusOf(r), 404);
  EXPECT_EQ(BodyJson(r)["status"], 404);
  EXPECT_EQ(BodyJson(r)["path"], "/nope");

  r = RoundTrip(port_, "DELETE /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(r), 405);

  r = RoundTrip(port_, "this is not http\r\n\r\n");
  EXPECT_EQ(StatusOf(r), 400);
  EXPECT_TRUE(BodyJson(r).contains("error"));

  r = Get(port_, "/v3/buffer/%zz/info");
  EXPECT_EQ(StatusOf(r), 400);

  // The declared length alone exceeds the limit: refused before any body is read.
  r = RoundTrip(port_,
                "POST /v1/contracts HTTP/1.1\r\nHost: x\r\nContent-Length: 102400\r\n"
                "Connection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(r), 413);
  EXPECT_GE(server_->counters().bad_requests.load(), 5u);
}

TEST_F(ServerTest, HandlerExceptionIsA500AndCounted) {
  StartWith(BasicRouter());
  std::string r = Get(port_, "/boom");
  EXPECT_EQ(StatusOf(r), 500);
  EXPECT_EQ(server_->counters().handler_failures.load(), 1u);
  // The server keeps serving.
  EXPECT_EQ(StatusOf(Get(port_, "/health")), 200);
}

TEST_F(ServerTest, StateChangingRoutesNeedTheBearerToken) {
  ServerOptions options;
  options.bearer_token = "s3cret";
  StartWith(BasicRouter(), options);
  const std::string body = R"({"con_id":1})";
  auto post = [&](const std::string& auth) {
    return RoundTrip(port_, "POST /v1/contracts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                                auth + "Content-Length: " + std::to_string(body.size()) +
                                "\r\n\r\n" + body);
  };
  EXPECT_EQ(StatusOf(post("")), 401);
  EXPECT_EQ(StatusOf(post("Authorization: Bearer wrong\r\n")), 401);
  std::string ok = post("Authorization: Bearer s3cret\r\n");
  EXPECT_EQ(StatusOf(ok), 201);
  EXPECT_EQ(BodyJson(ok)["con_id"], 1);
}

TEST_F(ServerTest, TokenRoutesAreDisabledWithoutAConfiguredToken) {
  StartWith(BasicRouter());
  std::string r = RoundTrip(port_,
                            "POST /v1/contracts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                            "Authorization: Bearer \r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(StatusOf(r), 403);
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartWith(BasicRouter());
  std::string r = RoundTrip(port_,
                            "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                            "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  size_t first = r.find("HTTP/1.1 200");
  ASSERT_NE(first, std::string::npos);
  EXPECT_NE(r.find("HTTP/1.1 200", first + 1), std::string::npos);
}

TEST(SseFormatTest, FramesPerSpecification) {
  EXPECT_EQ(FormatSseEvent("tick", R"({"a":1})"), "event: tick\ndata: {\"a\":1}\n\n");
  EXPECT_EQ(FormatSseEvent("info", "line1\nline2", "7"),
            "id: 7\nevent: info\ndata: line1\ndata: line2\n\n");
  EXPECT_EQ(SseKeepalive(), ": keepalive\n\n");
}

// A publisher that SSE handlers subscribe to, fed from the test thread.
struct Feed {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::shared_ptr<SseSink>> sinks;
  void Add(std::shared_ptr<SseSink> s) {
    std::lock_guard lock(mutex);
    sinks.push_back(std::move(s));
    cv.notify_all();
  }
  std::shared_ptr<SseSink> WaitForSink() {
    std::unique_lock lock(mutex);
    EXPECT_TRUE(cv.wait_for(lock, 10s, [&] { return !sinks.empty(); }));
    return sinks.empty() ? nullptr : sinks.back();
  }
};

Router SseRouter(Feed& feed) {
  Router router;
  router.Sse("/v2/stream/{id}/live", [&feed](const Request& r, std::shared_ptr<SseSink> sink) {
    if (r.path_params.at("id") == "0") return JsonError(404, "contract not tracked");
    feed.Add(sink);
    return Response{};
  });
  return router;
}

TEST_F(ServerTest, SseStreamsEventsUntilClosed) {
  Feed feed;
  StartWith(SseRouter(feed));
  std::thread producer([&] {
    auto sink = feed.WaitForSink();
    ASSERT_NE(sink, nullptr);
    EXPECT_TRUE(sink->Push(FormatSseEvent("tick", R"({"n":1})")));
    EXPECT_TRUE(sink->Push(FormatSseEvent("tick", R"({"n":2})")));
    sink->Close();
  });
  std::string r = Get(port_, "/v2/stream/5/live");
  producer.join();
  EXPECT_EQ(StatusOf(r), 200);
  EXPECT_NE(r.find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(r.find("\r\n\r\nevent: tick\ndata: {\"n\":1}\n\nevent: tick\ndata: {\"n\":2}\n\n"),
            std::string::npos)
      << r;
}

TEST_F(ServerTest, SseRefusalIsAJsonError) {
  Feed feed;
  StartWith(SseRouter(feed));
  std::string r = Get(port_, "/v2/stream/0/live");
  EXPECT_EQ(StatusOf(r), 404);
  EXPECT_EQ(BodyJson(r)["error"], "contract not tracked");
}

TEST_F(ServerTest, SseSendsKeepalivesWhenIdle) {
  Feed feed;
  ServerOptions options;
  options.sse_keepalive = 20ms;
  StartWith(SseRouter(feed), options);
  // Nothing is ever published: the client must still see a keepalive comment.
  std::string r =
      RoundTrip(port_, "GET /v2/stream/5/live HTTP/1.1\r\nHost: x\r\n\r\n", ": keepalive\n\n");
  EXPECT_NE(r.find("\r\n\r\n: keepalive\n\n"), std::string::npos) << r;
}

TEST_F(ServerTest, StalledSseClientIsDroppedWithoutBlockingThePublisher) {
  Feed feed;
  ServerOptions options;
  options.max_sse_queued_bytes = 64 * 1024;
  options.write_timeout = 30s;
  StartWith(SseRouter(feed), options);
  // A client that sends its request and then never reads.
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  socket.set_option(asio::socket_base::receive_buffer_size(4096));
  asio::write(socket,
              asio::buffer(std::string("GET /v2/stream/5/live HTTP/1.1\r\nHost: x\r\n\r\n")));
  auto sink = feed.WaitForSink();
  ASSERT_NE(sink, nullptr);
  const std::string event = FormatSseEvent("tick", std::string(1000, 'x'));
  // Push far more than socket buffers plus the queue can hold: Push must never block, and must
  // eventually refuse and close the sink.
  int accepted = 0;
  for (int i = 0; i < 100000 && sink->Push(event); ++i) ++accepted;
  EXPECT_TRUE(sink->overflowed());
  EXPECT_TRUE(sink->closed());
  EXPECT_LT(accepted, 100000);
}

TEST(PrometheusWriterTest, WritesFamiliesAndEscapedLabels) {
  PrometheusWriter w;
  w.Family("ibstream_ticks_received_total", "counter", "Ticks received from the gateway.");
  w.Sample(42, {{"contract", "711280073"}, {"type", "bid_ask"}});
  w.Family("ibstream_gateway_connected", "gauge", "1 when the gateway session is ready.");
  w.Sample(1);
  w.Family("ibstream_x_info", "gauge", "Label escaping.");
  w.Sample(1, {{"v", "a\"b\\c\nd"}});
  EXPECT_EQ(w.text(),
            "# HELP ibstream_ticks_received_total Ticks received from the gateway.\n"
            "# TYPE ibstream_ticks_received_total counter\n"
            "ibstream_ticks_received_total{contract=\"711280073\",type=\"bid_ask\"} 42\n"
            "# HELP ibstream_gateway_connected 1 when the gateway session is ready.\n"
            "# TYPE ibstream_gateway_connected gauge\n"
            "ibstream_gateway_connected 1\n"
            "# HELP ibstream_x_info Label escaping.\n"
            "# TYPE ibstream_x_info gauge\n"
            "ibstream_x_info{v=\"a\\\"b\\\\c\\nd\"} 1\n");
}

}  // namespace
}  // namespace ibstream::http::server_test
