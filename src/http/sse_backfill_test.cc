// SSE live streams with `include=backfill`: the backfilled ticks storage took are sent as well,
// marked {"backfill": true}; refused ones are not; without the parameter only live ticks go out.
#include <gtest/gtest.h>

#include <string>

#include "http/recorder_api_test_fixture.h"

namespace ibstream::http::sse_backfill_test {
namespace {

using namespace api_test;  // NOLINT: the fixture's names read as the test's own

Tick Backfilled(int64_t second, uint64_t sequence) {
  Tick t = MakeTick(TickType::kBidAsk, second, sequence);
  t.source = TickSource::kBackfill;
  return t;
}

TEST_F(RecorderApiTest, IncludeBackfillSendsStoredBackfilledTicksMarked) {
  Connection c(server_->port());
  c.Send(
      "GET /v2/stream/711280073/live/bid_ask?limit=2&include=backfill HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(c.ReadUntil("event: info\n"));
  ASSERT_TRUE(WaitSubscribers(1));
  const int64_t t0 = ToUnixSeconds(kNow);
  source_->fanout.Publish(Backfilled(t0 - 60, 1), recorder::TickOrigin::kRefused);  // not sent
  source_->fanout.Publish(MakeTick(TickType::kBidAsk, t0, 2));
  source_->fanout.Publish(Backfilled(t0 - 59, 3), recorder::TickOrigin::kBackfilled);
  c.ReadToEnd();  // the limit ends the stream
  const auto events = ParseEvents(Parse(c.data()).body);
  ASSERT_EQ(events.size(), 4u) << c.data();
  EXPECT_EQ(events[1].event, "tick");
  EXPECT_EQ(events[1].data["data"]["unix_time"], t0);
  EXPECT_FALSE(events[1].data.contains("metadata")) << "a live tick is not marked";
  EXPECT_EQ(events[2].event, "tick");
  EXPECT_EQ(events[2].data["data"]["unix_time"], t0 - 59);
  EXPECT_EQ(events[2].data["metadata"]["backfill"], true);
  EXPECT_EQ(events[3].event, "complete");
}

TEST_F(RecorderApiTest, WithoutIncludeBackfillOnlyLiveTicksGoOut) {
  Connection c(server_->port());
  c.Send("GET /v2/stream/711280073/live/bid_ask?limit=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(c.ReadUntil("event: info\n"));
  ASSERT_TRUE(WaitSubscribers(1));
  const int64_t t0 = ToUnixSeconds(kNow);
  source_->fanout.Publish(Backfilled(t0 - 60, 1), recorder::TickOrigin::kBackfilled);
  source_->fanout.Publish(MakeTick(TickType::kBidAsk, t0, 2));
  c.ReadToEnd();
  const auto events = ParseEvents(Parse(c.data()).body);
  ASSERT_EQ(events.size(), 3u) << c.data();
  EXPECT_EQ(events[1].data["data"]["unix_time"], t0);
}

TEST_F(RecorderApiTest, IncludeTakesOnlyBackfill) {
  const HttpResult r = Get("/v2/stream/711280073/live/bid_ask?include=trades");
  ExpectJsonError(r, 400);
  EXPECT_EQ(r.json()["include"], "trades") << r.body;
  ExpectJsonError(Get("/v2/stream/711280073/buffer?include=x"), 400);
  EXPECT_EQ(source_->fanout.subscriber_count(), 0u);
}

}  // namespace
}  // namespace ibstream::http::sse_backfill_test
