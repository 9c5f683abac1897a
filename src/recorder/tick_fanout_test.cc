#include "recorder/tick_fanout.h"

#include <gtest/gtest.h>

#include <thread>

namespace ibstream::recorder {
namespace {

Tick MakeTick(int64_t contract, TickType type) {
  Tick t;
  t.contract_id = contract;
  t.type = type;
  return t;
}

TEST(TickFanoutTest, DeliversByContractAndType) {
  TickFanout fanout;
  int all = 0, mnq_bidask = 0, es = 0;
  fanout.Subscribe({}, [&](const Tick&) { return ++all, true; });
  fanout.Subscribe({1, {TickType::kBidAsk}}, [&](const Tick&) { return ++mnq_bidask, true; });
  fanout.Subscribe({2, {}}, [&](const Tick&) { return ++es, true; });
  fanout.Publish(MakeTick(1, TickType::kBidAsk));
  fanout.Publish(MakeTick(1, TickType::kLast));
  fanout.Publish(MakeTick(2, TickType::kMidPoint));
  EXPECT_EQ(all, 3);
  EXPECT_EQ(mnq_bidask, 1);
  EXPECT_EQ(es, 1);
}

TEST(TickFanoutTest, ConsumerReturningFalseIsUnsubscribed) {
  TickFanout fanout;
  int calls = 0;
  fanout.Subscribe({}, [&](const Tick&) {
    ++calls;
    return false;
  });
  fanout.Publish(MakeTick(1, TickType::kLast));
  fanout.Publish(MakeTick(1, TickType::kLast));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(fanout.subscriber_count(), 0u);
}

TEST(TickFanoutTest, SubscribeAndUnsubscribeWhilePublishing) {
  TickFanout fanout;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> delivered{0};
  std::thread churn([&] {
    while (!stop) {
      const uint64_t id = fanout.Subscribe({}, [&](const Tick&) {
        delivered.fetch_add(1);
        return true;
      });
      fanout.Unsubscribe(id);
    }
  });
  const uint64_t keeper = fanout.Subscribe({}, [&](const Tick&) { return true; });
  for (int i = 0; i < 20000; ++i) fanout.Publish(MakeTick(1, TickType::kBidAsk));
  stop = true;
  churn.join();
  fanout.Unsubscribe(keeper);
  EXPECT_EQ(fanout.subscriber_count(), 0u);
}

}  // namespace
}  // namespace ibstream::recorder
