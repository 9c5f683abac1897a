// The WebSocket protocol's pure parts: client messages against the original's schemas, the
// server messages' shapes, and the message rate window.
#include "http/ws_protocol.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace ibstream::http::ws_protocol_test {
namespace {

using namespace std::chrono_literals;

const TimePoint kAt = FromUnixNanos(1'765'000'000'123'456'000);

struct BadCase {
  const char* text;
  const char* error;  // the validation error, in full
};

TEST(WsProtocolTest, RefusesWhatTheOriginalsSchemasRefuse) {
  const BadCase cases[] = {
      {"", "position"},  // not JSON: the parser names where (checked by substring below)
      {"{\"type\": ", "position"},
      {"[1, 2]", "[1, 2] is not of type 'object'"},
      {"{}", "Message missing 'type' field"},
      {"{\"type\": null}", "Message missing 'type' field"},
      {"{\"type\": \"\"}", "Message missing 'type' field"},
      {"{\"type\": \"hello\"}", "Unknown message type: hello"},
      {"{\"type\": 7}", "Unknown message type: 7"},
      {"{\"type\": \"ping\", \"timestamp\": \"t\"}", "'id' is a required property"},
      {"{\"type\": \"ping\", \"id\": \"a\"}", "'timestamp' is a required property"},
      {"{\"type\": \"ping\", \"id\": \"\", \"timestamp\": \"t\"}", "'' is too short"},
      {"{\"type\": \"ping\", \"id\": 5, \"timestamp\": \"t\"}", "5 is not of type 'string'"},
      {"{\"type\": \"ping\", \"id\": \"a\", \"timestamp\": 1}", "1 is not of type 'string'"},
      {"{\"type\": \"ping\", \"id\": \"a\", \"timestamp\": \"t\", \"x\": 1}",
       "Additional properties are not allowed ('x' was unexpected)"},
      {"{\"type\": \"subscribe\", \"id\": \"a\", \"timestamp\": \"t\"}",
       "'data' is a required property"},
      {"{\"type\": \"subscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": []}",
       "[] is not of type 'object'"},
      {"{\"type\": \"subscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": "
       "{\"tick_types\": [\"last\"]}}",
       "'contract_id' is a required property"},
      {"{\"type\": \"subscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": "
       "{\"contract_id\": 0, \"tick_types\": [\"last\"]}}",
       "0 is less than the minimum of 1"},
      {"{\"type\": \"subscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": "
       "{\"contract_id\": \"5\", \"tick_types\": [\"last\"]}}",
       "'5' is not of type 'integer'"},
      {"{\"type\": \"subscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": "
       "{\"contract_id\": 1.5, \"tick_types\": [\"last\"]}}",
       "1.5 is not of type 'integer'"},
      {"{\"type\": \"subscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": "
       "{\"contract_id\": true, \"tick_types\": [\"last\"]}}",
       "True is not of type 'integer'"},
      {"{\"type\": \"subscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": "
       "{\"contract_id\": 5, \"tick_types\": []}}",
       "[] is too short"},
      {"{\"type\": \"subscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": "
       "{\"contract_id\": 5, \"tick_types\": \"last\"}}",
       "'last' is not of type 'array'"},
      {"{\"type\": \"subscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": "
       "{\"contract_id\": 5, \"tick_types\": [\"BidAsk\"]}}",
       "'BidAsk' is not one of ['last', 'all_last', 'bid_ask', 'mid_point']"},
      {"{\"type\": \"subscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": "
       "{\"contract_id\": 5, \"tick_types\": [\"last\", \"last\"]}}",
       "[\"last\", \"last\"] has non-unique elements"},
      {"{\"type\": \"subscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": "
       "{\"contract_id\": 5, \"tick_types\": [\"last\"], \"x\": 1, \"y\": 2}}",
       "Additional properties are not allowed ('x', 'y' were unexpected)"},
      {"{\"type\": \"subscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": "
       "{\"contract_id\": 5, \"tick_types\": [\"last\"], \"config\": {\"limit\": 0}}}",
       "0 is less than the minimum of 1"},
      {"{\"type\": \"subscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": "
       "{\"contract_id\": 5, \"tick_types\": [\"last\"], \"config\": {\"timeout_seconds\": 4}}}",
       "4 is less than the minimum of 5"},
      {"{\"type\": \"subscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": "
       "{\"contract_id\": 5, \"tick_types\": [\"last\"], \"config\": {\"limit\": 10001}}}",
       "10001 is greater than the maximum of 10000"},
      {"{\"type\": \"subscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": "
       "{\"contract_id\": 5, \"tick_types\": [\"last\"], \"config\": {\"include_extended\": 1}}}",
       "1 is not of type 'boolean'"},
      {"{\"type\": \"subscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": "
       "{\"contract_id\": 5, \"tick_types\": [\"last\"], \"config\": {\"speed\": 1}}}",
       "Additional properties are not allowed ('speed' was unexpected)"},
      {"{\"type\": \"unsubscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": {}}",
       "'stream_id' is a required property"},
      {"{\"type\": \"unsubscribe\", \"id\": \"a\", \"timestamp\": \"t\", \"data\": "
       "{\"stream_id\": \"\"}}",
       "'' is too short"},
      {"[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]", "deep"},
  };
  for (const BadCase& c : cases) {
    Result<WsClientMessage> m = ParseWsClientMessage(c.text);
    ASSERT_FALSE(m.ok()) << c.text;
    const std::string error = m.status().message();
    if (std::string_view(c.error) == "position" || std::string_view(c.error) == "deep") {
      EXPECT_FALSE(error.empty()) << c.text;
    } else {
      EXPECT_EQ(error, c.error) << c.text;
    }
  }
}

TEST(WsProtocolTest, ReadsTheThreeMessages) {
  Result<WsClientMessage> sub = ParseWsClientMessage(
      R"({"type": "subscribe", "id": "msg-1", "timestamp": "2026-12-06T18:00:00.5Z",
          "data": {"contract_id": 711280073, "tick_types": ["bid_ask", "last"],
                   "config": {"limit": 5, "timeout_seconds": 60, "buffer_size": 10,
                              "include_extended": true}}})");
  ASSERT_TRUE(sub.ok()) << sub.status().message();
  EXPECT_EQ(sub.value().type, WsMessageType::kSubscribe);
  EXPECT_EQ(sub.value().id, "msg-1");
  EXPECT_EQ(sub.value().timestamp, "2026-12-06T18:00:00.5Z");
  EXPECT_EQ(sub.value().contract_id, 711280073);
  EXPECT_EQ(sub.value().tick_types, (std::vector<TickType>{TickType::kBidAsk, TickType::kLast}));
  EXPECT_EQ(sub.value().config.limit, 5);
  EXPECT_EQ(sub.value().config.timeout_seconds, 60);
  EXPECT_EQ(sub.value().config.include_extended, true);

  // ib-studies sends an empty config when it has no timeout.
  Result<WsClientMessage> bare = ParseWsClientMessage(
      R"({"type": "subscribe", "id": "m", "timestamp": "t",
          "data": {"contract_id": 1, "tick_types": ["mid_point"], "config": {}}})");
  ASSERT_TRUE(bare.ok()) << bare.status().message();
  EXPECT_FALSE(bare.value().config.limit.has_value());

  Result<WsClientMessage> unsub = ParseWsClientMessage(
      R"({"type": "unsubscribe", "id": "m2", "timestamp": "t", "data": {"stream_id": "s1"}})");
  ASSERT_TRUE(unsub.ok());
  EXPECT_EQ(unsub.value().type, WsMessageType::kUnsubscribe);
  EXPECT_EQ(unsub.value().stream_id, "s1");

  Result<WsClientMessage> ping =
      ParseWsClientMessage(R"({"type": "ping", "id": "m3", "timestamp": "t0"})");
  ASSERT_TRUE(ping.ok());
  EXPECT_EQ(ping.value().type, WsMessageType::kPing);
}

TEST(WsProtocolTest, ServerMessagesHaveTheOriginalsShapes) {
  EXPECT_EQ(WsConnectedMessage(kAt),
            "{\"type\": \"connected\", \"timestamp\": \"2025-12-06T05:46:40.123456Z\", \"data\": "
            "{\"version\": \"2.0.0\", \"capabilities\": {\"max_streams_per_connection\": 20, "
            "\"supported_tick_types\": [\"last\", \"all_last\", \"bid_ask\", \"mid_point\"], "
            "\"ping_interval_seconds\": 30}}}");
  EXPECT_EQ(WsSubscribedMessage("msg-1", {{"s1", TickType::kBidAsk}}, kAt),
            "{\"type\": \"subscribed\", \"timestamp\": \"2025-12-06T05:46:40.123456Z\", "
            "\"data\": {\"streams\": [{\"stream_id\": \"s1\", \"tick_type\": \"bid_ask\"}]}, "
            "\"id\": \"msg-1\"}");
  EXPECT_EQ(WsPongMessage("p", "c", kAt),
            "{\"type\": \"pong\", \"id\": \"p\", \"timestamp\": \"2025-12-06T05:46:40.123456Z\", "
            "\"data\": {\"server_timestamp\": \"2025-12-06T05:46:40.123456Z\", "
            "\"client_timestamp\": \"c\"}}");
  EXPECT_EQ(WsInvalidMessageError("why", kAt),
            "{\"type\": \"error\", \"stream_id\": \"\", \"timestamp\": "
            "\"2025-12-06T05:46:40.123456Z\", \"data\": {\"code\": \"INVALID_MESSAGE\", "
            "\"message\": \"Invalid message format\", \"details\": {\"validation_error\": "
            "\"why\"}, \"recoverable\": false}}");
  EXPECT_EQ(WsCompleteMessage("s1", "timeout", 3, 1.5, kAt),
            "{\"type\": \"complete\", \"stream_id\": \"s1\", \"timestamp\": "
            "\"2025-12-06T05:46:40.123456Z\", \"data\": {\"reason\": \"timeout\", "
            "\"total_ticks\": 3, \"duration_seconds\": 1.5}}");
}

TEST(WsProtocolTest, RateWindowAdmitsAHundredMessagesInAnySecond) {
  struct Case {
    std::vector<std::chrono::milliseconds> at;  // message times
    size_t max;
    bool last_admitted;
  };
  auto repeat = [](size_t n, std::chrono::milliseconds t) {
    return std::vector<std::chrono::milliseconds>(n, t);
  };
  std::vector<std::chrono::milliseconds> spread = repeat(100, 0ms);
  spread.push_back(1000ms);  // the first 100 are a second old: out of the window
  std::vector<std::chrono::milliseconds> within = repeat(100, 0ms);
  within.push_back(999ms);
  const Case cases[] = {
      {{0ms}, 100, true},
      {repeat(100, 0ms), 100, true},
      {repeat(101, 0ms), 100, false},
      {spread, 100, true},
      {within, 100, false},
      {{0ms, 1ms, 2ms}, 2, false},
      {{0ms, 1ms, 1001ms}, 2, true},
  };
  for (const Case& c : cases) {
    MessageRateWindow window(c.max);
    bool admitted = true;
    for (auto t : c.at) admitted = window.Admit(SteadyTimePoint(t));
    EXPECT_EQ(admitted, c.last_admitted) << c.at.size() << " messages, max " << c.max;
  }
}

}  // namespace
}  // namespace ibstream::http::ws_protocol_test
