// What ib-studies' SSE clients ask for and read (stream_client.py, multi_stream_client.py):
// /v2/stream/{id}/{tick_type}?timeout=, /v2/stream/{id}?tick_types=a,b&timeout= and the v1
// /stream/{id}/{tick_type}?timeout=; they read each `data:` line as JSON and dispatch on its
// "type" (tick, error, complete, info), reading stream_id, timestamp, data.tick_type / data.type,
// and complete's data.reason and data.total_ticks.
#include <gtest/gtest.h>

#include <string>

#include "http/recorder_api_test_fixture.h"

namespace ibstream::http::ib_studies_sse_test {
namespace {

using namespace api_test;  // NOLINT: the fixture's names read as the test's own

void ExpectIbStudiesShapes(const std::vector<SseEvent>& events, size_t ticks) {
  size_t seen_ticks = 0;
  bool complete = false;
  for (const SseEvent& e : events) {
    ASSERT_TRUE(e.data.is_object());
    // The event name and the data's "type" agree: ib-studies reads either.
    EXPECT_EQ(e.event, e.data["type"]);
    ExpectKeys(e.data, {"type", "stream_id", "timestamp", "data"});
    if (e.event == "tick") {
      ++seen_ticks;
      ExpectKeys(e.data["data"], {"tick_type", "type", "contract_id"});
    } else if (e.event == "complete") {
      complete = true;
      EXPECT_TRUE(e.data["data"]["reason"].is_string());
      EXPECT_TRUE(e.data["data"]["total_ticks"].is_number_integer());
    } else {
      EXPECT_EQ(e.event, "info");
    }
  }
  EXPECT_EQ(seen_ticks, ticks);
  EXPECT_TRUE(complete);
}

TEST_F(RecorderApiTest, IbStudiesSseClients) {
  api_options_.steady_clock = &steady_clock_;
  Start();
  for (const char* target : {"/v2/stream/711280073/bid_ask?timeout=60",
                             "/v2/stream/711280073?tick_types=bid_ask%2Clast&timeout=60",
                             "/stream/711280073/bid_ask?timeout=60"}) {
    Connection c(server_->port());
    c.Send(std::string("GET ") + target +
           " HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");
    ASSERT_TRUE(c.ReadUntil("event: info\n")) << target;
    ASSERT_TRUE(WaitSubscribers(1)) << target;
    source_->fanout.Publish(MakeTick(TickType::kBidAsk, ToUnixSeconds(kNow), 1));
    ASSERT_TRUE(c.ReadUntil("event: tick\n")) << target;
    steady_clock_.Advance(std::chrono::seconds(61));
    c.ReadToEnd();
    const HttpResult r = Parse(c.data());
    EXPECT_EQ(r.status, 200) << target;
    ExpectIbStudiesShapes(ParseEvents(r.body), 1);
    ASSERT_TRUE(WaitSubscribers(0)) << target;
  }
}

}  // namespace
}  // namespace ibstream::http::ib_studies_sse_test
