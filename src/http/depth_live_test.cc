// Market depth on the live endpoints: the SSE stream and the WebSocket API carry a contract's
// depth updates when asked for the `depth` type, and refuse it for a contract recording no depth.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "http/recorder_api_test_fixture.h"
#include "http/ws_test_client.h"

namespace ibstream::http::depth_live_test {
namespace {

using namespace api_test;  // NOLINT: the fixture's names read as the test's own
using namespace std::chrono_literals;

Tick LiveDepthUpdate(int64_t second, BookOperation op, int32_t position, double price, int64_t size,
                     uint64_t sequence) {
  Tick t = MakeTick(TickType::kDepth, second, sequence);
  t.book_operation = op;
  t.book_side = BookSide::kBid;
  t.book_position = position;
  t.price = price;
  t.size = Decimal::FromInt(size);
  t.exchange = "CME";
  return t;
}

class DepthLiveTest : public RecorderApiTest {
 protected:
  // MNQ records depth (5 rows a side).
  void RecordDepth() {
    recorder::RecorderView view = MakeView();
    view.contracts[0].depth_rows = 5;
    source_->SetView(std::move(view));
  }
};

TEST_F(DepthLiveTest, SseCarriesDepthUpdatesOfTheContract) {
  RecordDepth();
  Connection c(server_->port());
  c.Send("GET /v2/stream/711280073/live/depth?limit=2 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(c.ReadUntil("event: info\n"));
  ASSERT_TRUE(WaitSubscribers(1));
  source_->fanout.Publish(MakeTick(TickType::kBidAsk, ToUnixSeconds(kNow), 1));  // not asked
  source_->fanout.Publish(
      LiveDepthUpdate(ToUnixSeconds(kNow), BookOperation::kInsert, 0, 23260.25, 4, 2));
  source_->fanout.Publish(
      LiveDepthUpdate(ToUnixSeconds(kNow) + 1, BookOperation::kUpdate, 0, 23260.25, 7, 3));
  c.ReadToEnd();  // the limit ends the stream
  const HttpResult r = Parse(c.data());
  EXPECT_EQ(r.status, 200);
  auto events = ParseEvents(r.body);
  ASSERT_EQ(events.size(), 4u) << r.body;
  for (int i : {1, 2}) {
    const SseEvent& e = events[i];
    EXPECT_EQ(e.event, "tick");
    EXPECT_TRUE(e.data["stream_id"].get<std::string>().starts_with("711280073_depth_"));
    ExpectKeys(e.data["data"], {"contract_id", "tick_type", "type", "timestamp", "unix_time",
                                "operation", "side", "position", "price", "size", "market_maker"});
    EXPECT_EQ(e.data["data"]["type"], "depth");
    EXPECT_EQ(e.data["data"]["side"], "bid");
    EXPECT_EQ(e.data["data"]["market_maker"], "CME");
  }
  EXPECT_EQ(events[1].data["data"]["operation"], "insert");
  EXPECT_EQ(events[2].data["data"]["operation"], "update");
  EXPECT_EQ(events[2].data["data"]["size"], 7.0);
  EXPECT_EQ(events[3].event, "complete");
  EXPECT_TRUE(WaitSubscribers(0));
}

TEST_F(DepthLiveTest, DepthOfAContractRecordingNoneIsRefused) {
  const HttpResult r = Get("/v2/stream/711280073/live/depth");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(r.json()["tick_type"], "depth");
}

TEST_F(DepthLiveTest, WebSocketSubscriptionCarriesDepthUpdates) {
  RecordDepth();
  WsTestClient c(server_->port(), "/v2/ws/stream");
  ASSERT_TRUE(c.ok());
  auto connected = c.ReadJson();
  ASSERT_TRUE(connected && (*connected)["type"] == "connected");
  c.Send(nlohmann::json{{"type", "subscribe"},
                        {"id", "depth-1"},
                        {"timestamp", "2026-12-06T18:00:00Z"},
                        {"data", {{"contract_id", kMnq}, {"tick_types", {"depth", "bid_ask"}}}}});
  auto subscribed = c.ReadJson();
  ASSERT_TRUE(subscribed);
  ASSERT_EQ((*subscribed)["type"], "subscribed") << subscribed->dump();
  ASSERT_EQ((*subscribed)["data"]["streams"].size(), 2u);
  const std::string depth_id = (*subscribed)["data"]["streams"][0]["stream_id"];
  EXPECT_TRUE(depth_id.starts_with("711280073_depth_"));
  ASSERT_TRUE(WaitSubscribers(2));
  source_->fanout.Publish(
      LiveDepthUpdate(ToUnixSeconds(kNow), BookOperation::kDelete, 2, 23259.5, 1, 1));
  auto tick = c.ReadJson();
  ASSERT_TRUE(tick);
  EXPECT_EQ((*tick)["type"], "tick");
  EXPECT_EQ((*tick)["stream_id"], depth_id);
  EXPECT_EQ((*tick)["data"]["operation"], "delete");
  EXPECT_EQ((*tick)["data"]["position"], 2);
  EXPECT_EQ((*tick)["data"]["price"], 23259.5);
  c.Close();
  ASSERT_TRUE(WaitSubscribers(0));
}

TEST_F(DepthLiveTest, WebSocketDepthOfAContractRecordingNoneIsAnError) {
  WsTestClient c(server_->port(), "/v2/ws/stream");
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.ReadJson());
  c.Send(nlohmann::json{
      {"type", "subscribe"},
      {"id", "depth-2"},
      {"timestamp", "2026-12-06T18:00:00Z"},
      {"data", {{"contract_id", kMnq}, {"tick_types", nlohmann::json::array({"depth"})}}}});
  auto error = c.ReadJson();
  ASSERT_TRUE(error);
  EXPECT_EQ((*error)["type"], "error");
  EXPECT_EQ((*error)["data"]["code"], "INVALID_TICK_TYPE");
  EXPECT_EQ((*error)["data"]["details"]["tick_type"], "depth");
}

}  // namespace
}  // namespace ibstream::http::depth_live_test
