#include "client/token_bucket.h"

#include <gtest/gtest.h>

#include <deque>

namespace ibstream::client::token_bucket_test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(TokenBucketTest, StartsFullAndAllowsBurst) {
  ManualClock clock(FromUnixSeconds(1000));
  TokenBucket bucket(50, 5, clock.Now());
  EXPECT_EQ(bucket.Available(clock.Now()), 5);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(bucket.TryTake(clock.Now())) << i;
  EXPECT_FALSE(bucket.TryTake(clock.Now()));
  EXPECT_EQ(bucket.Available(clock.Now()), 0);
  EXPECT_EQ(bucket.TimeUntilAvailable(clock.Now()), milliseconds(20));
}

TEST(TokenBucketTest, RefillsOneTokenPerInterval) {
  ManualClock clock(FromUnixSeconds(1000));
  TokenBucket bucket(50, 1, clock.Now());
  EXPECT_EQ(bucket.interval(), milliseconds(20));
  EXPECT_TRUE(bucket.TryTake(clock.Now()));
  clock.Advance(milliseconds(19));
  EXPECT_FALSE(bucket.TryTake(clock.Now()));
  EXPECT_EQ(bucket.TimeUntilAvailable(clock.Now()), milliseconds(1));
  clock.Advance(milliseconds(1));
  EXPECT_EQ(bucket.TimeUntilAvailable(clock.Now()), Duration::zero());
  EXPECT_TRUE(bucket.TryTake(clock.Now()));
  EXPECT_FALSE(bucket.TryTake(clock.Now()));
}

TEST(TokenBucketTest, IdleTimeNeverStoresMoreThanBurst) {
  ManualClock clock(FromUnixSeconds(1000));
  TokenBucket bucket(50, 3, clock.Now());
  clock.Advance(seconds(3600));
  EXPECT_EQ(bucket.Available(clock.Now()), 3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.TryTake(clock.Now()));
  EXPECT_FALSE(bucket.TryTake(clock.Now()));
}

TEST(TokenBucketTest, PartialRefillCountsWholeTokens) {
  ManualClock clock(FromUnixSeconds(1000));
  TokenBucket bucket(10, 4, clock.Now());  // 100 ms per token
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(bucket.TryTake(clock.Now()));
  clock.Advance(milliseconds(250));
  EXPECT_EQ(bucket.Available(clock.Now()), 2);
  EXPECT_TRUE(bucket.TryTake(clock.Now()));
  EXPECT_TRUE(bucket.TryTake(clock.Now()));
  EXPECT_FALSE(bucket.TryTake(clock.Now()));
  EXPECT_EQ(bucket.TimeUntilAvailable(clock.Now()), milliseconds(50));
}

TEST(TokenBucketTest, ClockGoingBackwardsCreatesNoTokens) {
  ManualClock clock(FromUnixSeconds(1000));
  TokenBucket bucket(50, 2, clock.Now());
  ASSERT_TRUE(bucket.TryTake(clock.Now()));
  ASSERT_TRUE(bucket.TryTake(clock.Now()));
  clock.Set(FromUnixSeconds(900));
  EXPECT_FALSE(bucket.TryTake(clock.Now()));
  EXPECT_EQ(bucket.Available(clock.Now()), 0);
}

// A greedy sender stepping the clock in 1 ms steps: count what leaves in every sliding
// one-second window. The defaults (40/s, burst 10) must never exceed IB's 50 per second, and
// the long-run rate must be the configured one.
TEST(TokenBucketTest, DefaultsNeverExceedFiftyInAnySecond) {
  ManualClock clock(FromUnixSeconds(1000));
  TokenBucket bucket(40, 10, clock.Now());
  std::deque<TimePoint> sent;
  size_t max_in_window = 0;
  int total = 0;
  for (int step = 0; step < 60'000; ++step) {  // one minute
    while (bucket.TryTake(clock.Now())) {
      sent.push_back(clock.Now());
      ++total;
    }
    while (!sent.empty() && sent.front() <= clock.Now() - seconds(1)) sent.pop_front();
    max_in_window = std::max(max_in_window, sent.size());
    clock.Advance(milliseconds(1));
  }
  EXPECT_LE(max_in_window, 50u);
  // Nearly reached: the burst plus the refills inside one half-open second (10 + 39).
  EXPECT_GE(max_in_window, 49u);
  // 10 at once, then 40 per second for 60 s (the last refill lands exactly at 60 s).
  EXPECT_GE(total, 10 + 40 * 60 - 1);
  EXPECT_LE(total, 10 + 40 * 60);
}

TEST(TokenBucketTest, FiftyPerSecondBurstOne) {
  ManualClock clock(FromUnixSeconds(1000));
  TokenBucket bucket(50, 1, clock.Now());
  int sent = 0;
  for (int step = 0; step < 1000; ++step) {  // [0, 1 s)
    if (bucket.TryTake(clock.Now())) ++sent;
    clock.Advance(milliseconds(1));
  }
  EXPECT_EQ(sent, 50);
}

TEST(TokenBucketTest, FractionalRates) {
  ManualClock clock(FromUnixSeconds(1000));
  TokenBucket bucket(0.5, 1, clock.Now());
  EXPECT_EQ(bucket.interval(), seconds(2));
  EXPECT_TRUE(bucket.TryTake(clock.Now()));
  clock.Advance(milliseconds(1999));
  EXPECT_FALSE(bucket.TryTake(clock.Now()));
  clock.Advance(milliseconds(1));
  EXPECT_TRUE(bucket.TryTake(clock.Now()));
}

TEST(TokenBucketDeathTest, RejectsNonsenseConfiguration) {
  EXPECT_DEATH(TokenBucket(0, 1, FromUnixSeconds(0)), "rate");
  EXPECT_DEATH(TokenBucket(50, 0, FromUnixSeconds(0)), "burst");
}

}  // namespace
}  // namespace ibstream::client::token_bucket_test
