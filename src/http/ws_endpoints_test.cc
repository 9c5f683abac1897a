// The WebSocket API end to end, with a Beast client over loopback: every message of the
// protocol, its limits, slow clients, each /ws/* path, and what ib-studies sends.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/recorder_api_test_fixture.h"
#include "http/ws.h"
#include "http/ws_test_client.h"

namespace ibstream::http::ws_endpoints_test {
namespace {

using namespace api_test;  // NOLINT: the fixture's names read as the test's own
// The fixture's JSON type (http::Json, the ordered one, is visible here too).
using Json = api_test::Json;
using namespace std::chrono_literals;

Json Subscribe(const std::string& id, int64_t contract_id, Json tick_types,
               Json config = Json::object()) {
  return {{"type", "subscribe"},
          {"id", id},
          {"timestamp", "2026-12-06T18:00:00.000001Z"},
          {"data", {{"contract_id", contract_id}, {"tick_types", tick_types}, {"config", config}}}};
}

Json Unsubscribe(const std::string& id, const std::string& stream_id) {
  return {{"type", "unsubscribe"},
          {"id", id},
          {"timestamp", "2026-12-06T18:00:01Z"},
          {"data", {{"stream_id", stream_id}}}};
}

Json Ping(const std::string& id) {
  return {{"type", "ping"}, {"id", id}, {"timestamp", "2026-12-06T18:00:02Z"}};
}

class WsApiTest : public RecorderApiTest {
 protected:
  // A client of `target` that has read the `connected` message.
  std::unique_ptr<WsTestClient> Connect(const std::string& target = "/v2/ws/stream") {
    auto c = std::make_unique<WsTestClient>(server_->port(), target);
    EXPECT_TRUE(c->ok()) << target;
    auto connected = c->ReadJson();
    EXPECT_TRUE(connected && (*connected)["type"] == "connected") << target;
    return c;
  }
  // The stream ids of a `subscribed` answer.
  static std::vector<std::string> StreamIds(const Json& subscribed) {
    std::vector<std::string> out;
    for (const Json& s : subscribed["data"]["streams"]) out.push_back(s["stream_id"]);
    return out;
  }
  Json WsCounters() { return Get("/v1/status").json()["websocket"]; }
};

TEST_F(WsApiTest, SubscribeTicksAndUnsubscribe) {
  auto c = std::make_unique<WsTestClient>(server_->port(), "/v2/ws/stream");
  ASSERT_TRUE(c->ok());
  auto connected = c->ReadJson();
  ASSERT_TRUE(connected);
  ExpectKeys(*connected, {"type", "timestamp", "data"});
  EXPECT_EQ((*connected)["data"]["version"], "2.0.0");
  EXPECT_EQ((*connected)["data"]["capabilities"]["max_streams_per_connection"], 20);

  c->Send(Subscribe("msg-1", kMnq, {"bid_ask", "last"}));
  auto subscribed = c->ReadJson();
  ASSERT_TRUE(subscribed);
  EXPECT_EQ((*subscribed)["type"], "subscribed");
  EXPECT_EQ((*subscribed)["id"], "msg-1");
  EXPECT_FALSE(subscribed->contains("stream_id"));
  const auto ids = StreamIds(*subscribed);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_TRUE(ids[0].starts_with("711280073_bid_ask_"));
  EXPECT_TRUE(ids[1].starts_with("711280073_last_"));
  EXPECT_EQ((*subscribed)["data"]["streams"][1]["tick_type"], "last");
  ASSERT_TRUE(WaitSubscribers(2));

  source_->fanout.Publish(MakeTick(TickType::kMidPoint, ToUnixSeconds(kNow), 1));  // not asked
  source_->fanout.Publish(MakeTick(TickType::kBidAsk, ToUnixSeconds(kNow), 2));
  source_->fanout.Publish(MakeTick(TickType::kLast, ToUnixSeconds(kNow) + 1, 3));
  auto tick = c->ReadJson();
  ASSERT_TRUE(tick);
  ExpectKeys(*tick, {"type", "stream_id", "timestamp", "data"});
  EXPECT_EQ((*tick)["type"], "tick");
  EXPECT_EQ((*tick)["stream_id"], ids[0]);
  // The SSE tick data, field for field.
  ExpectKeys((*tick)["data"],
             {"contract_id", "tick_type", "type", "timestamp", "unix_time", "bid_price",
              "ask_price", "bid_size", "ask_size", "bid_past_low", "ask_past_high", "source"});
  EXPECT_EQ((*tick)["data"]["bid_price"], 23260.0);
  auto trade = c->ReadJson();
  ASSERT_TRUE(trade);
  EXPECT_EQ((*trade)["stream_id"], ids[1]);
  EXPECT_EQ((*trade)["data"]["tick_type"], "Last");

  c->Send(Unsubscribe("msg-2", ids[0]));
  auto complete = c->ReadJson();
  ASSERT_TRUE(complete);
  EXPECT_EQ((*complete)["type"], "complete");
  EXPECT_EQ((*complete)["stream_id"], ids[0]);
  EXPECT_EQ((*complete)["data"]["reason"], "client_disconnect");
  EXPECT_EQ((*complete)["data"]["total_ticks"], 1);
  ASSERT_TRUE(WaitSubscribers(1));

  // Unsubscribing again: the stream is unknown.
  c->Send(Unsubscribe("msg-3", ids[0]));
  auto error = c->ReadJson();
  ASSERT_TRUE(error);
  EXPECT_EQ((*error)["type"], "error");
  EXPECT_EQ((*error)["stream_id"], ids[0]);
  EXPECT_EQ((*error)["data"]["code"], "INVALID_REQUEST");
  EXPECT_EQ((*error)["data"]["message"], "Stream not found");

  EXPECT_EQ(WsCounters()["streams"], 1);
  EXPECT_EQ(WsCounters()["ticks_sent"], 2);
  c->Close();
  ASSERT_TRUE(WaitSubscribers(0));  // leaving ends the remaining subscription
}

TEST_F(WsApiTest, PingIsAnsweredWithPong) {
  auto c = Connect();
  c->Send(Ping("p-1"));
  auto pong = c->ReadJson();
  ASSERT_TRUE(pong);
  EXPECT_EQ((*pong)["type"], "pong");
  EXPECT_EQ((*pong)["id"], "p-1");
  EXPECT_EQ((*pong)["data"]["client_timestamp"], "2026-12-06T18:00:02Z");
  EXPECT_TRUE((*pong)["data"]["server_timestamp"].get<std::string>().ends_with("Z"));
}

TEST_F(WsApiTest, BadMessagesGetTheOriginalsErrorAndACounter) {
  auto c = Connect();
  struct Case {
    std::string text;
    bool binary;
    std::string validation_error;  // empty: only checked to be there
  };
  const Case cases[] = {
      {"not json", false, ""},
      {"{\"type\": \"subscribe_all\"}", false, "Unknown message type: subscribe_all"},
      {"{\"id\": \"x\"}", false, "Message missing 'type' field"},
      {"{\"type\": \"ping\", \"timestamp\": \"t\"}", false, "'id' is a required property"},
      {"{\"type\": \"ping\", \"id\": \"x\", \"timestamp\": \"t\"}", true,
       "binary messages are not accepted: send JSON text"},
  };
  for (const Case& k : cases) {
    c->Send(k.text, k.binary);
    auto error = c->ReadJson();
    ASSERT_TRUE(error) << k.text;
    EXPECT_EQ((*error)["type"], "error");
    EXPECT_EQ((*error)["stream_id"], "");
    EXPECT_EQ((*error)["data"]["code"], "INVALID_MESSAGE");
    EXPECT_EQ((*error)["data"]["message"], "Invalid message format");
    EXPECT_EQ((*error)["data"]["recoverable"], false);
    if (!k.validation_error.empty()) {
      EXPECT_EQ((*error)["data"]["details"]["validation_error"], k.validation_error);
    }
  }
  // An unknown contract, then a type the contract does not record.
  c->Send(Subscribe("m1", 42, {"last"}));
  auto missing = c->ReadJson();
  ASSERT_TRUE(missing);
  EXPECT_EQ((*missing)["data"]["code"], "CONTRACT_NOT_FOUND");
  EXPECT_EQ((*missing)["data"]["message"], "Contract ID 42 not found");
  EXPECT_EQ((*missing)["data"]["details"]["contract_id"], 42);
  c->Send(Subscribe("m2", kMnq, {"mid_point"}));
  auto unrecorded = c->ReadJson();
  ASSERT_TRUE(unrecorded);
  EXPECT_EQ((*unrecorded)["data"]["code"], "INVALID_TICK_TYPE");
  EXPECT_EQ((*unrecorded)["data"]["details"]["recorded_tick_types"], Json({"bid_ask", "last"}));
  // The connection is still usable.
  c->Send(Ping("p"));
  auto pong = c->ReadJson();
  ASSERT_TRUE(pong);
  EXPECT_EQ((*pong)["type"], "pong");

  EXPECT_EQ(WsCounters()["invalid_messages"], 5);
  EXPECT_EQ(WsCounters()["messages"], 8);
  const std::string metrics = Get("/metrics").body;
  EXPECT_NE(metrics.find("ibstream_ws_invalid_messages_total 5"), std::string::npos);
  EXPECT_NE(metrics.find("ibstream_ws_clients 1"), std::string::npos);
}

TEST_F(WsApiTest, OversizedMessageEndsTheConnection) {
  auto c = Connect();
  c->Send(std::string(70 * 1024, 'x'));  // over the 64 KiB message limit
  EXPECT_EQ(c->ReadUntilClosed(), 1009);
  EXPECT_FALSE(c->timed_out());
  const auto deadline = SteadyClock::Real().Now() + 20s;
  while (server_->counters().websocket_bad_frames.load() != 1 &&
         SteadyClock::Real().Now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(server_->counters().websocket_bad_frames.load(), 1u);
}

TEST_F(WsApiTest, AtMostTwentyStreamsPerConnection) {
  auto c = Connect();
  for (int i = 0; i < 10; ++i) {
    c->Send(Subscribe("m" + std::to_string(i), kMnq, {"bid_ask", "last"}));
    auto subscribed = c->ReadJson();
    ASSERT_TRUE(subscribed);
    ASSERT_EQ((*subscribed)["type"], "subscribed") << subscribed->dump();
  }
  c->Send(Subscribe("m-21", kMnq, {"last"}));
  auto refused = c->ReadJson();
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["type"], "error");
  EXPECT_EQ((*refused)["data"]["code"], "RATE_LIMIT_EXCEEDED");
  EXPECT_EQ((*refused)["data"]["recoverable"], true);
  EXPECT_EQ(WsCounters()["streams"], 20);
}

TEST_F(WsApiTest, AtMostTenConnectionsPerAddress) {
  std::vector<std::unique_ptr<WsTestClient>> clients;
  for (int i = 0; i < 10; ++i) clients.push_back(Connect());
  WsTestClient eleventh(server_->port(), "/v2/ws/stream");
  ASSERT_TRUE(eleventh.ok());
  EXPECT_EQ(eleventh.ReadUntilClosed(), kWsCloseRateLimitExceeded);
  EXPECT_EQ(eleventh.close_reason(), "Too many connections from this IP");
  EXPECT_EQ(WsCounters()["connections_refused"], 1);
  clients.clear();  // closing frees the address's places
  const auto deadline = SteadyClock::Real().Now() + 20s;
  while (WsCounters()["clients"] != 0 && SteadyClock::Real().Now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  auto again = Connect();
  EXPECT_EQ(WsCounters()["clients"], 1);
}

TEST_F(WsApiTest, MoreThanAHundredMessagesASecondCloses) {
  api_options_.steady_clock = &steady_clock_;  // stands still: every message in one second
  Start();
  auto c = Connect();
  for (int i = 0; i < 101; ++i) c->Send(Ping("p" + std::to_string(i)));
  for (int i = 0; i < 100; ++i) {
    auto pong = c->ReadJson();
    ASSERT_TRUE(pong) << i;
    ASSERT_EQ((*pong)["type"], "pong");
  }
  auto error = c->ReadJson();
  ASSERT_TRUE(error);
  EXPECT_EQ((*error)["data"]["code"], "RATE_LIMIT_EXCEEDED");
  EXPECT_EQ(c->ReadUntilClosed(), kWsCloseRateLimitExceeded);
  EXPECT_EQ(WsCounters()["rate_limited"], 1);
}

TEST_F(WsApiTest, LimitAndTimeoutCompleteTheStream) {
  api_options_.steady_clock = &steady_clock_;
  Start();
  auto c = Connect();
  c->Send(Subscribe("m1", kMnq, {"bid_ask"}, {{"limit", 2}}));
  auto sub1 = c->ReadType("subscribed");
  ASSERT_TRUE(sub1);
  c->Send(Subscribe("m2", kMnq, {"last"}, {{"timeout_seconds", 5}}));
  auto sub2 = c->ReadType("subscribed");
  ASSERT_TRUE(sub2);
  ASSERT_TRUE(WaitSubscribers(2));
  for (uint64_t i = 0; i < 3; ++i) {
    source_->fanout.Publish(MakeTick(TickType::kBidAsk, ToUnixSeconds(kNow) + i, i + 1));
  }
  auto done = c->ReadType("complete");
  ASSERT_TRUE(done);
  EXPECT_EQ((*done)["stream_id"], StreamIds(*sub1)[0]);
  EXPECT_EQ((*done)["data"]["reason"], "limit_reached");
  EXPECT_EQ((*done)["data"]["total_ticks"], 2);
  ASSERT_TRUE(WaitSubscribers(1));
  steady_clock_.Advance(6s);
  auto timed_out = c->ReadType("complete");
  ASSERT_TRUE(timed_out);
  EXPECT_EQ((*timed_out)["stream_id"], StreamIds(*sub2)[0]);
  EXPECT_EQ((*timed_out)["data"]["reason"], "timeout");
  ASSERT_TRUE(WaitSubscribers(0));
}

TEST_F(WsApiTest, SlowClientIsDroppedAndCounted) {
  ServerOptions options;
  options.max_ws_queued_bytes = 16 * 1024;
  options.write_timeout = 2s;
  Start(options);
  WsTestClient c(server_->port(), "/v2/ws/stream", /*rcvbuf=*/4096);
  ASSERT_TRUE(c.ok());
  c.Send(Subscribe("m1", kMnq, {"bid_ask"}).dump());
  ASSERT_TRUE(WaitSubscribers(1));
  // The client reads nothing: its queue overflows and the fan-out lets go of it.
  for (uint64_t i = 0; i < 20000 && source_->fanout.subscriber_count() == 1; ++i) {
    source_->fanout.Publish(MakeTick(TickType::kBidAsk, ToUnixSeconds(kNow), i + 1));
  }
  ASSERT_TRUE(WaitSubscribers(0));
  const uint16_t code = c.ReadUntilClosed();
  // Closed with 1013 once it reads again; cut without a close frame if its socket accepted
  // nothing for write_timeout (2 s) before that.
  EXPECT_TRUE(code == kWsCloseTooSlow || code == 0) << code;
  const auto deadline = SteadyClock::Real().Now() + 20s;
  while (WsCounters()["clients_dropped"] != 1 && SteadyClock::Real().Now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(WsCounters()["clients_dropped"], 1);
  EXPECT_NE(Get("/metrics").body.find("ibstream_ws_clients_dropped_total 1"), std::string::npos);
}

TEST_F(WsApiTest, EachWsPath) {
  // /ws/stream/{id}/{tick_type} and /multi speak the same protocol.
  for (const char* target : {"/ws/stream/711280073/bid_ask", "/ws/stream/711280073/BidAsk",
                             "/ws/stream/711280073/multi"}) {
    auto c = Connect(target);
    c->Send(Ping("p"));
    auto pong = c->ReadJson();
    ASSERT_TRUE(pong) << target;
    EXPECT_EQ((*pong)["type"], "pong");
  }
  WsTestClient bad_type(server_->port(), "/ws/stream/711280073/bogus");
  ASSERT_TRUE(bad_type.ok());
  EXPECT_EQ(bad_type.ReadUntilClosed(), kWsCloseInvalidContract);
  EXPECT_EQ(bad_type.close_reason(), "Invalid tick type: bogus");
  WsTestClient bad_id(server_->port(), "/ws/stream/abc/bid_ask");
  EXPECT_FALSE(bad_id.ok());
  Connection raw(server_->port());
  raw.Send(
      "GET /ws/stream/abc/bid_ask HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
      "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
  raw.ReadToEnd();
  ExpectJsonError(Parse(raw.data()), 400);
  // A plain GET of a WebSocket path.
  ExpectJsonError(Get("/v2/ws/stream"), 426);

  // /ws/stats and /ws/control with one subscribed client.
  auto streamer = Connect();
  streamer->Send(Subscribe("m1", kMnq, {"last"}));
  ASSERT_TRUE(streamer->ReadType("subscribed"));
  const Json stats = Get("/ws/stats").json();
  ExpectKeys(stats,
             {"total_connections", "total_streams", "connection_details", "connections_by_ip"});
  EXPECT_EQ(stats["total_connections"], 1);
  EXPECT_EQ(stats["total_streams"], 1);
  EXPECT_EQ(stats["connections_by_ip"]["127.0.0.1"], 1);
  ExpectKeys(stats["connection_details"][0], {"connection_id", "connected_at", "last_activity",
                                              "message_count", "stream_count", "streams"});
  EXPECT_TRUE(
      stats["connection_details"][0]["connection_id"].get<std::string>().starts_with("ws_"));
  EXPECT_EQ(stats["connection_details"][0]["message_count"], 1);

  WsTestClient control(server_->port(), "/ws/control");
  ASSERT_TRUE(control.ok());
  auto status = control.ReadJson();
  ASSERT_TRUE(status);
  EXPECT_EQ((*status)["type"], "status");
  EXPECT_EQ((*status)["data"]["total_streams"], 1);
  control.Send(Json{{"type", "get_stats"}});
  auto st = control.ReadJson();
  ASSERT_TRUE(st);
  EXPECT_EQ((*st)["type"], "stats");
  EXPECT_EQ((*st)["data"]["total_connections"], 1);
  control.Send(Json{{"type", "ping"}, {"timestamp", 12.5}});
  auto pong = control.ReadJson();
  ASSERT_TRUE(pong);
  EXPECT_EQ(*pong, (Json{{"type", "pong"}, {"timestamp", 12.5}}));
  control.Send(Json{{"type", "reboot"}});
  auto unknown = control.ReadJson();
  ASSERT_TRUE(unknown);
  EXPECT_EQ(*unknown,
            (Json{{"type", "error"}, {"message", "Unknown control message type: reboot"}}));
  control.Send(std::string("{oops"));
  auto broken = control.ReadJson();
  ASSERT_TRUE(broken);
  EXPECT_EQ((*broken)["type"], "error");
  EXPECT_TRUE((*broken)["message"].get<std::string>().starts_with("Error: "));
  EXPECT_EQ(control.ReadUntilClosed(), kWsCloseNormal);

  // The health flag.
  EXPECT_EQ(Get("/health").json()["features"]["websocket_streaming"], true);
}

// What ib-studies' WebSocket client (ws_client.py) sends and reads: connect to /v2/ws/stream,
// wait for `connected`, subscribe with an "msg-N" id, a naive UTC timestamp with "Z" and a config
// holding timeout_seconds, map `subscribed`'s data.streams[].stream_id, read ticks' stream_id,
// timestamp and data.tick_type, ping, and read `complete`'s reason and total_ticks.
TEST_F(WsApiTest, IbStudiesWebSocketClient) {
  auto c = Connect();
  c->Send(std::string(
      R"({"type": "subscribe", "id": "msg-1", "timestamp": "2026-12-06T18:00:00.123456Z", )"
      R"("data": {"contract_id": 711280073, "tick_types": ["bid_ask", "last"], )"
      R"("config": {"timeout_seconds": 3600}}})"));
  auto subscribed = c->ReadJson();
  ASSERT_TRUE(subscribed);
  ASSERT_EQ((*subscribed)["type"], "subscribed");
  ASSERT_EQ((*subscribed)["id"], "msg-1");
  const auto ids = StreamIds(*subscribed);
  ASSERT_EQ(ids.size(), 2u);
  // v2_utils.parse_stream_id: "{contract_id}_{tick_type}_..._{random}" split on '_' (bid_ask
  // splits in two, as it does for the original's ids).
  EXPECT_EQ(ids[1].substr(0, ids[1].find('_')), "711280073");
  ASSERT_TRUE(WaitSubscribers(2));
  source_->fanout.Publish(MakeTick(TickType::kLast, ToUnixSeconds(kNow), 1));
  auto tick = c->ReadJson();
  ASSERT_TRUE(tick);
  EXPECT_EQ((*tick)["type"], "tick");
  EXPECT_EQ((*tick)["stream_id"], ids[1]);
  EXPECT_TRUE((*tick)["timestamp"].is_string());
  // ws_client.py maps data.tick_type through {"bid_ask", "last", "all_last", "mid_point",
  // "time_sales"} or passes it through; its studies then read price and size.
  EXPECT_EQ((*tick)["data"]["tick_type"], "Last");
  EXPECT_TRUE((*tick)["data"]["price"].is_number());
  EXPECT_TRUE((*tick)["data"]["size"].is_number());
  c->Send(std::string(R"({"type": "ping", "id": "msg-2", "timestamp": "2026-12-06T18:00:05Z"})"));
  auto pong = c->ReadJson();
  ASSERT_TRUE(pong);
  EXPECT_EQ((*pong)["type"], "pong");
  c->Send(Unsubscribe("msg-3", ids[1]));
  auto complete = c->ReadJson();
  ASSERT_TRUE(complete);
  EXPECT_EQ((*complete)["type"], "complete");
  EXPECT_TRUE((*complete)["data"]["reason"].is_string());
  EXPECT_TRUE((*complete)["data"]["total_ticks"].is_number_integer());
}

}  // namespace
}  // namespace ibstream::http::ws_endpoints_test
