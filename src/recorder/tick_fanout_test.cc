#include "recorder/tick_fanout.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace ibstream::recorder::tick_fanout_test {
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
  fanout.Subscribe({}, [&](const Tick&, TickOrigin) { return ++all, true; });
  fanout.Subscribe({1, {TickType::kBidAsk}, {}, {}},
                   [&](const Tick&, TickOrigin) { return ++mnq_bidask, true; });
  fanout.Subscribe({2, {}, {}, {}}, [&](const Tick&, TickOrigin) { return ++es, true; });
  fanout.Publish(MakeTick(1, TickType::kBidAsk));
  fanout.Publish(MakeTick(1, TickType::kLast));
  fanout.Publish(MakeTick(2, TickType::kMidPoint));
  EXPECT_EQ(all, 3);
  EXPECT_EQ(mnq_bidask, 1);
  EXPECT_EQ(es, 1);
}

TEST(TickFanoutTest, ConsumersSeeWhatStorageDidAndCanAskForLiveOnly) {
  TickFanout fanout;
  std::vector<TickOrigin> seen;
  int live_source = 0, stored = 0;
  fanout.Subscribe({}, [&](const Tick&, TickOrigin origin) {
    seen.push_back(origin);
    return true;
  });
  TickFanout::Filter live_only;
  live_only.source = TickSource::kLive;
  fanout.Subscribe(live_only, [&](const Tick&, TickOrigin) { return ++live_source, true; });
  TickFanout::Filter taken;
  taken.origins = {TickOrigin::kLive, TickOrigin::kBackfilled};
  fanout.Subscribe(taken, [&](const Tick&, TickOrigin) { return ++stored, true; });

  Tick backfilled = MakeTick(1, TickType::kLast);
  backfilled.source = TickSource::kBackfill;
  fanout.Publish(MakeTick(1, TickType::kLast));  // live by default
  fanout.Publish(backfilled, TickOrigin::kBackfilled);
  fanout.Publish(MakeTick(1, TickType::kLast), TickOrigin::kRefused);
  fanout.Publish(backfilled, TickOrigin::kRefused);

  EXPECT_EQ(seen, (std::vector<TickOrigin>{TickOrigin::kLive, TickOrigin::kBackfilled,
                                           TickOrigin::kRefused, TickOrigin::kRefused}));
  EXPECT_EQ(live_source, 2);  // live ticks, whether storage took them or not
  EXPECT_EQ(stored, 2);       // what storage took, live and backfilled
  EXPECT_STREQ(TickOriginName(TickOrigin::kBackfilled), "backfilled");
}

TEST(TickFanoutTest, ConsumerReturningFalseIsUnsubscribed) {
  TickFanout fanout;
  int calls = 0;
  fanout.Subscribe({}, [&](const Tick&, TickOrigin) {
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
      const uint64_t id = fanout.Subscribe({}, [&](const Tick&, TickOrigin) {
        delivered.fetch_add(1);
        return true;
      });
      fanout.Unsubscribe(id);
    }
  });
  const uint64_t keeper = fanout.Subscribe({}, [&](const Tick&, TickOrigin) { return true; });
  for (int i = 0; i < 20000; ++i) fanout.Publish(MakeTick(1, TickType::kBidAsk));
  stop = true;
  churn.join();
  fanout.Unsubscribe(keeper);
  EXPECT_EQ(fanout.subscriber_count(), 0u);
}

}  // namespace
}  // namespace ibstream::recorder::tick_fanout_test
