// WsConnection: the bounded send queue, the close code, and the client's departure.
#include "http/ws.h"

#include <gtest/gtest.h>

#include <string>

namespace ibstream::http::ws_test {
namespace {

TEST(WsConnectionTest, QueueIsBoundedAndOverflowDropsTheClient) {
  int wakes = 0;
  WsConnection c(10, "127.0.0.1", [&wakes] { ++wakes; });
  EXPECT_EQ(c.peer(), "127.0.0.1");
  EXPECT_TRUE(c.Send("12345"));
  EXPECT_TRUE(c.Send("67890"));  // exactly the bound
  EXPECT_FALSE(c.closed());
  EXPECT_FALSE(c.Send("x"));  // one byte over: dropped
  EXPECT_TRUE(c.closed());
  EXPECT_TRUE(c.overflowed());
  EXPECT_EQ(c.close_code(), kWsCloseTooSlow);
  EXPECT_FALSE(c.Send("y"));         // closed stays closed
  c.Close(kWsCloseNormal, "later");  // the first code stands
  EXPECT_EQ(c.close_code(), kWsCloseTooSlow);
  EXPECT_EQ(wakes, 3);
  // What was queued before the overflow is still there for the writer, oldest first.
  auto queued = c.TakeQueued();
  ASSERT_EQ(queued.size(), 2u);
  EXPECT_EQ(queued[0], "12345");
  EXPECT_TRUE(c.TakeQueued().empty());
}

TEST(WsConnectionTest, CloseKeepsTheFirstCodeAndCutsTheReason) {
  WsConnection c(1 << 20, "::1", nullptr);
  EXPECT_TRUE(c.Send("a"));
  c.Close(kWsCloseRateLimitExceeded, std::string(200, 'r'));
  c.Close(kWsCloseNormal, "second");
  EXPECT_TRUE(c.closed());
  EXPECT_FALSE(c.overflowed());
  EXPECT_EQ(c.close_code(), kWsCloseRateLimitExceeded);
  EXPECT_EQ(c.close_reason().size(), 123u);  // a close frame carries at most 125 bytes
  EXPECT_FALSE(c.Send("b"));
  EXPECT_EQ(c.TakeQueued().size(), 1u);  // queued before the close: still sent
}

TEST(WsConnectionTest, ClientGoneRunsOnCloseOnceAndDropsTheReceivers) {
  WsConnection c(100, "127.0.0.1", nullptr);
  int messages = 0;
  int closes = 0;
  c.SetOnMessage(
      [&](std::string_view text, bool binary) { messages += text == "hi" && !binary ? 1 : 100; });
  c.SetOnClose([&closes] { ++closes; });
  c.Deliver("hi", false);
  c.NotifyClientGone();
  c.NotifyClientGone();
  c.Deliver("hi", false);  // after departure: nobody listens
  EXPECT_EQ(messages, 1);
  EXPECT_EQ(closes, 1);
  EXPECT_TRUE(c.closed());
  EXPECT_FALSE(c.Send("late"));
}

}  // namespace
}  // namespace ibstream::http::ws_test
