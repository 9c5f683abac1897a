#include "notify/delivery_worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "notify/test_alerts.h"

namespace ibstream::notify::delivery_worker_test {
namespace {

using std::chrono::milliseconds;
using testing::StaleAlert;

constexpr milliseconds kDeadline(10'000);

DeliveryOptions FastRetries(int retries, size_t capacity = 16) {
  DeliveryOptions options;
  options.retries = retries;
  options.queue_capacity = capacity;
  options.initial_backoff = milliseconds(1);
  options.max_backoff = milliseconds(4);
  return options;
}

TEST(DeliveryWorkerTest, RetriesRetryableFailuresThenDelivers) {
  std::atomic<int> attempts{0};
  DeliveryWorker worker("test", FastRetries(3), SystemClock::Instance(), [&](const AlertGroup&) {
    return ++attempts < 3 ? DeliveryOutcome::Retry(Unavailable("busy"))
                          : DeliveryOutcome::Delivered();
  });
  ASSERT_TRUE(worker.Enqueue({StaleAlert()}));
  ASSERT_TRUE(worker.WaitIdle(kDeadline));
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(worker.counters(),
            (SinkCounters{.delivered = 1, .failed = 0, .dropped = 0, .retries = 2}));
}

TEST(DeliveryWorkerTest, GivesUpAfterTheLastRetry) {
  std::atomic<int> attempts{0};
  DeliveryWorker worker("test", FastRetries(2), SystemClock::Instance(), [&](const AlertGroup&) {
    ++attempts;
    return DeliveryOutcome::Retry(Unavailable("down"));
  });
  ASSERT_TRUE(worker.Enqueue({StaleAlert()}));
  ASSERT_TRUE(worker.WaitIdle(kDeadline));
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(worker.counters(),
            (SinkCounters{.delivered = 0, .failed = 1, .dropped = 0, .retries = 2}));
}

TEST(DeliveryWorkerTest, PermanentFailuresAreNotRetried) {
  std::atomic<int> attempts{0};
  DeliveryWorker worker("test", FastRetries(5), SystemClock::Instance(), [&](const AlertGroup&) {
    ++attempts;
    return DeliveryOutcome::GiveUp(InvalidArgument("HTTP 400"));
  });
  ASSERT_TRUE(worker.Enqueue({StaleAlert()}));
  ASSERT_TRUE(worker.WaitIdle(kDeadline));
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(worker.counters().failed, 1u);
  EXPECT_EQ(worker.counters().retries, 0u);
}

TEST(DeliveryWorkerTest, AFullQueueDropsAndCounts) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  std::atomic<int> delivered{0};
  DeliveryWorker worker("test", FastRetries(0, /*capacity=*/1), SystemClock::Instance(),
                        [&](const AlertGroup&) {
                          if (delivered++ == 0) {
                            started.set_value();
                            released.wait_for(kDeadline);
                          }
                          return DeliveryOutcome::Delivered();
                        });
  ASSERT_TRUE(worker.Enqueue({StaleAlert()}));
  ASSERT_EQ(started.get_future().wait_for(kDeadline), std::future_status::ready);
  EXPECT_TRUE(worker.Enqueue({StaleAlert()}));   // queued behind the one in flight
  EXPECT_FALSE(worker.Enqueue({StaleAlert()}));  // over capacity
  release.set_value();
  ASSERT_TRUE(worker.WaitIdle(kDeadline));
  EXPECT_EQ(worker.counters(),
            (SinkCounters{.delivered = 2, .failed = 0, .dropped = 1, .retries = 0}));
}

TEST(DeliveryWorkerTest, StopCutsABackoffShortAndDropsTheQueue) {
  DeliveryOptions options = FastRetries(3);
  options.initial_backoff = std::chrono::hours(1);  // would hang the test if Stop() waited
  std::promise<void> first_attempt;
  std::atomic<int> attempts{0};
  DeliveryWorker worker("test", options, SystemClock::Instance(), [&](const AlertGroup&) {
    if (attempts++ == 0) first_attempt.set_value();
    return DeliveryOutcome::Retry(Unavailable("down"));
  });
  ASSERT_TRUE(worker.Enqueue({StaleAlert()}));
  ASSERT_TRUE(worker.Enqueue({StaleAlert()}));
  ASSERT_EQ(first_attempt.get_future().wait_for(kDeadline), std::future_status::ready);
  worker.Stop();
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(worker.counters(),
            (SinkCounters{.delivered = 0, .failed = 1, .dropped = 1, .retries = 0}));
  EXPECT_FALSE(worker.Enqueue({StaleAlert()}));
  EXPECT_EQ(worker.counters().dropped, 2u);
}

TEST(DeliveryWorkerTest, BackoffFollowsTheClockScale) {
  // At 3600x, a ten-minute backoff is a sixth of a real second: the retry happens in time.
  ScaledClock fast(FromUnixSeconds(0), 3600.0);
  DeliveryOptions options = FastRetries(1);
  options.initial_backoff = std::chrono::minutes(10);
  std::atomic<int> attempts{0};
  DeliveryWorker worker("test", options, fast, [&](const AlertGroup&) {
    return ++attempts == 1 ? DeliveryOutcome::Retry(Unavailable("down"))
                           : DeliveryOutcome::Delivered();
  });
  ASSERT_TRUE(worker.Enqueue({StaleAlert()}));
  ASSERT_TRUE(worker.WaitIdle(kDeadline));
  EXPECT_EQ(worker.counters().delivered, 1u);
  EXPECT_EQ(worker.counters().retries, 1u);
}

}  // namespace
}  // namespace ibstream::notify::delivery_worker_test
