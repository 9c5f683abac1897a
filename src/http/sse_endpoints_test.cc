// The SSE endpoints end to end (live streams, buffer replay, slow clients) and the pieces they
// render with.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "http/recorder_api.h"
#include "http/recorder_api_test_fixture.h"

namespace ibstream::http::sse_endpoints_test {
namespace {

using namespace api_test;  // NOLINT: the fixture's names read as the test's own
using namespace std::chrono_literals;

TEST_F(RecorderApiTest, LiveStreamIsFramedPerTheSpecification) {
  Connection c(server_->port());
  c.Send("GET /v2/stream/711280073/live/BidAsk?limit=2 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(c.ReadUntil("event: info\n"));
  ASSERT_TRUE(WaitSubscribers(1));
  Tick mid = MakeTick(TickType::kLast, ToUnixSeconds(kNow), 1);
  source_->fanout.Publish(mid);  // not asked for: filtered out
  source_->fanout.Publish(MakeTick(TickType::kBidAsk, ToUnixSeconds(kNow), 1));
  source_->fanout.Publish(MakeTick(TickType::kBidAsk, ToUnixSeconds(kNow) + 1, 2));
  source_->fanout.Publish(MakeTick(TickType::kBidAsk, ToUnixSeconds(kNow) + 2, 3));
  c.ReadToEnd();  // the limit ends the stream
  const HttpResult r = Parse(c.data());
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.head.find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(r.head.find("X-IB-Stream-Version: 2.0.0"), std::string::npos);
  // Every event ends with an empty line; fields are "name: value" with one space.
  EXPECT_TRUE(r.body.ends_with("\n\n"));
  auto events = ParseEvents(r.body);
  ASSERT_EQ(events.size(), 4u) << r.body;
  EXPECT_EQ(events[0].event, "info");
  EXPECT_EQ(events[0].data["data"]["status"], "subscribed");
  for (int i : {1, 2}) {
    const SseEvent& e = events[i];
    EXPECT_EQ(e.event, "tick");
    ExpectKeys(e.data, {"type", "stream_id", "timestamp", "data"});
    EXPECT_EQ(e.data["type"], "tick");
    EXPECT_TRUE(e.data["timestamp"].get<std::string>().ends_with("Z"));
    EXPECT_TRUE(e.data["stream_id"].get<std::string>().starts_with("711280073_bid_ask_"));
    ExpectKeys(e.data["data"],
               {"contract_id", "tick_type", "type", "timestamp", "unix_time", "bid_price",
                "ask_price", "bid_size", "ask_size", "bid_past_low", "ask_past_high"});
    EXPECT_EQ(e.data["data"]["bid_price"], 23260.0);
  }
  EXPECT_EQ(events[1].data["data"]["unix_time"], ToUnixSeconds(kNow));
  EXPECT_EQ(events[3].event, "complete");
  EXPECT_EQ(events[3].data["data"]["reason"], "limit_reached");
  EXPECT_EQ(events[3].data["data"]["total_ticks"], 2);
  // Python's default separators, as the original wrote its envelopes.
  EXPECT_NE(r.body.find("data: {\"type\": \"tick\", \"stream_id\": "), std::string::npos);
  EXPECT_TRUE(WaitSubscribers(0));
}

TEST_F(RecorderApiTest, LiveStreamOfSeveralTypesAndTimeout) {
  Connection c(server_->port());
  c.Send(
      "GET /v2/stream/711280073/live?tick_types=last,bid_ask,last&timeout=5 HTTP/1.1\r\n"
      "Host: x\r\n\r\n");
  ASSERT_TRUE(WaitSubscribers(1));
  source_->fanout.Publish(MakeTick(TickType::kLast, ToUnixSeconds(kNow), 1));
  ASSERT_TRUE(c.ReadUntil("time_sales"));
  c.ReadToEnd();  // the 5 s timeout ends the stream
  auto events = ParseEvents(Body(c.data()));
  ASSERT_EQ(events.size(), 4u) << c.data();  // two infos, one tick, complete
  EXPECT_EQ(events[2].data["data"]["tick_type"], "Last");
  EXPECT_EQ(events[2].data["data"]["exchange"], "CME");
  EXPECT_EQ(events[3].data["data"]["reason"], "timeout");
}

TEST_F(RecorderApiTest, LiveStreamTimeoutRunsOnTheInjectedSteadyClock) {
  api_options_.steady_clock = &steady_clock_;
  Start();
  Connection c(server_->port());
  c.Send("GET /v2/stream/711280073/live/last?timeout=3600 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(WaitSubscribers(1));
  const int64_t second = ToUnixSeconds(kNow);
  source_->fanout.Publish(MakeTick(TickType::kLast, second, 1));
  ASSERT_TRUE(c.ReadUntil("\"unix_time\": " + std::to_string(second)));
  // A second short of the timeout the stream still runs.
  steady_clock_.Advance(3599s);
  source_->fanout.Publish(MakeTick(TickType::kLast, second + 1, 2));
  ASSERT_TRUE(c.ReadUntil("\"unix_time\": " + std::to_string(second + 1)));
  // At the timeout it ends, an hour early in real time.
  steady_clock_.Advance(1s);
  c.ReadToEnd();
  auto events = ParseEvents(Body(c.data()));
  ASSERT_EQ(events.size(), 4u) << c.data();  // info, two ticks, complete
  EXPECT_EQ(events[3].event, "complete");
  EXPECT_EQ(events[3].data["data"]["reason"], "timeout");
  EXPECT_EQ(events[3].data["data"]["total_ticks"], 2);
}

TEST_F(RecorderApiTest, LiveStreamRefusesBadParameters) {
  ExpectJsonError(Get("/v2/stream/711280073/live/bogus"), 400);
  ExpectJsonError(Get("/v2/stream/711280073/live"), 400);  // tick_types required
  ExpectJsonError(Get("/v2/stream/711280073/live/bid_ask?limit=0"), 400);
  ExpectJsonError(Get("/v2/stream/711280073/live/bid_ask?limit=10001"), 400);
  ExpectJsonError(Get("/v2/stream/711280073/live/bid_ask?timeout=4"), 400);
  ExpectJsonError(Get("/v2/stream/711280073/live/bid_ask?timeout=3601"), 400);
  ExpectJsonError(Get("/v2/stream/711280073/live/mid_point"), 404);
  ExpectJsonError(Get("/v2/stream/1/live/bid_ask"), 404);
  ExpectJsonError(Get("/v2/stream/abc/live/bid_ask"), 400);
  ExpectJsonError(Get("/v2/stream/711280073/buffer?buffer_duration=2w"), 400);
  EXPECT_EQ(source_->fanout.subscriber_count(), 0u);
}

TEST_F(RecorderApiTest, BufferReplaysStoredTicksThenGoesLive) {
  const int64_t t0 = ToUnixSeconds(kNow) - 60;
  source_->stored = {MakeTick(TickType::kBidAsk, t0, 1), MakeTick(TickType::kLast, t0 + 1, 1),
                     MakeTick(TickType::kBidAsk, t0 + 2, 2),
                     MakeTick(TickType::kBidAsk, ToUnixSeconds(kNow) - 7200, 0)};  // too old
  Connection c(server_->port());
  c.Send("GET /v2/stream/711280073/buffer?buffer_duration=1h HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(c.ReadUntil("live_start"));
  // A tick already replayed (same sequence) is not sent twice; a new one is.
  source_->fanout.Publish(MakeTick(TickType::kBidAsk, t0 + 2, 2));
  source_->fanout.Publish(MakeTick(TickType::kBidAsk, t0 + 3, 3));
  ASSERT_TRUE(c.ReadUntil(std::to_string(t0 + 3)));
  const HttpResult r = Parse(c.data());
  EXPECT_NE(r.head.find("X-Stream-Protocol: v2"), std::string::npos);
  EXPECT_NE(r.head.find("X-Buffer-Duration: 1h"), std::string::npos);
  auto events = ParseEvents(r.body);
  ASSERT_EQ(events.size(), 7u) << r.body;
  EXPECT_EQ(events[0].data["data"]["status"]["status"], "buffer_start");
  for (int i : {1, 2, 3}) {
    EXPECT_EQ(events[i].event, "tick");
    EXPECT_EQ(events[i].data["metadata"]["historical"], true);
    EXPECT_EQ(events[i].data["metadata"]["buffer_total"], 3);
  }
  EXPECT_EQ(events[4].data["data"]["status"]["status"], "buffer_complete");
  EXPECT_EQ(events[4].data["data"]["status"]["buffer_message_count"], 3);
  EXPECT_EQ(events[5].data["data"]["status"]["status"], "live_start");
  EXPECT_EQ(events[6].data["data"]["unix_time"], t0 + 3);
  EXPECT_FALSE(events[6].data.contains("metadata"));
}

// The most a TCP send buffer grows to by the kernel's autotuning (the third value of
// net.ipv4.tcp_wmem; Linux's default, 4 MiB, when it cannot be read).
size_t MaxAutotunedSendBuffer() {
  std::ifstream in("/proc/sys/net/ipv4/tcp_wmem");
  size_t min = 0, initial = 0, max = 0;
  if (in >> min >> initial >> max && max > 0) return max;
  return 4u << 20;
}

TEST_F(RecorderApiTest, SlowClientIsDroppedWhileTicksKeepFlowing) {
  ServerOptions options;
  options.max_sse_queued_bytes = 16 * 1024;
  Start(options);
  // A fast client and one that never reads (with a small receive buffer).
  Connection fast(server_->port());
  fast.Send("GET /v2/stream/711280073/live/bid_ask HTTP/1.1\r\nHost: x\r\n\r\n");
  constexpr int kSlowReceiveBuffer = 4096;
  Connection slow(server_->port(), kSlowReceiveBuffer);
  slow.Send("GET /v2/stream/711280073/live/bid_ask HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(WaitSubscribers(2));
  // Publishing never waits for a client: it goes on until the slow one has been dropped, the
  // fast one reading all along. The slow one is dropped once the server's send buffer for it
  // (autotuned up to MaxAutotunedSendBuffer() on loopback), its receive buffer (the kernel
  // doubles what was asked) and its 16 KiB queue are full: the loop is bounded by what the fast
  // client received (every event went to both), twice that sum, and not by wall time, which a
  // loaded machine stretches (20 s once ended it after 2.5 MB, before the buffers were full).
  const size_t bound =
      2 * (MaxAutotunedSendBuffer() + 2 * kSlowReceiveBuffer + options.max_sse_queued_bytes);
  uint64_t published = 0;
  const int64_t base = ToUnixSeconds(kNow);
  while (source_->fanout.subscriber_count() == 2 && fast.data().size() < bound) {
    for (int i = 0; i < 10; ++i) {  // about 4 KB: within the fast client's queue
      ++published;
      source_->fanout.Publish(MakeTick(TickType::kBidAsk, base + published, published));
    }
    ASSERT_TRUE(fast.ReadUntil("\"unix_time\": " + std::to_string(base + published)));
  }
  ASSERT_EQ(source_->fanout.subscriber_count(), 1u)
      << "published " << published << " ticks, " << fast.data().size() << " bytes";
  // The fast client still gets every tick published after the drop.
  ++published;
  source_->fanout.Publish(MakeTick(TickType::kBidAsk, base + published, published));
  EXPECT_TRUE(fast.ReadUntil("\"unix_time\": " + std::to_string(base + published)));
  const std::string metrics = Get("/metrics").body;
  EXPECT_NE(metrics.find("ibstream_http_sse_clients_dropped_total 1"), std::string::npos);
}

TEST(RecorderApiPieces, ParseBufferDuration) {
  EXPECT_EQ(ParseBufferDuration("1h").value(), 1h);
  EXPECT_EQ(ParseBufferDuration("90m").value(), 90min);
  EXPECT_EQ(ParseBufferDuration("2d").value(), 48h);
  EXPECT_EQ(ParseBufferDuration("3").value(), 3h);
  for (const char* bad : {"", "h", "0h", "-1h", "1.5h", "1w", "32d", "99999999999999999999",
                          "9223372036854775807d", "9223372036854775807m", "768614336404564651h"}) {
    EXPECT_FALSE(ParseBufferDuration(bad).ok()) << bad;
  }
}

TEST(RecorderApiPieces, TickDataOfEachType) {
  Tick mid = MakeTick(TickType::kMidPoint, 1754935200, 1);
  Json j = Json::parse(TickDataJson(mid));
  EXPECT_EQ(j["type"], "midpoint");
  EXPECT_EQ(j["midpoint"], 23260.25);
  Tick all = MakeTick(TickType::kAllLast, 1754935200, 1);
  all.attributes = kAttrUnreported;
  j = Json::parse(TickDataJson(all));
  EXPECT_EQ(j["tick_type"], "AllLast");
  EXPECT_EQ(j["type"], "time_sales");
  EXPECT_EQ(j["unreported"], true);
  EXPECT_EQ(j["timestamp"], "2025-08-11T18:00:00Z");
  Tick unset = MakeTick(TickType::kBidAsk, 1754935200, 1);
  unset.bid_size = Decimal::Unset();
  EXPECT_TRUE(Json::parse(TickDataJson(unset))["bid_size"].is_null());
}

}  // namespace
}  // namespace ibstream::http::sse_endpoints_test
