#include "common/serial_worker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

namespace ibstream::serial_worker_test {
namespace {

using namespace std::chrono_literals;

// A job that holds the worker until Release(); WaitEntered() returns once the worker runs it (so
// it is off the queue and every later job waits behind it).
class Gate {
 public:
  std::function<void()> Job() {
    return [this] {
      entered_.set_value();
      released_.wait();
    };
  }
  void WaitEntered() { ASSERT_EQ(entered_future_.wait_for(10s), std::future_status::ready); }
  void Release() { release_.set_value(); }

 private:
  std::promise<void> entered_;
  std::future<void> entered_future_ = entered_.get_future();
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
};

TEST(SerialWorkerTest, RunsJobsInAcceptedOrderOffThePostingThread) {
  SerialWorker worker("test", 1000);
  std::vector<int> order;  // touched by the worker only, read after Stop()
  std::vector<std::thread::id> threads;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(worker
                    .Post([&order, &threads, i] {
                      order.push_back(i);
                      threads.push_back(std::this_thread::get_id());
                    })
                    .ok());
  }
  worker.Stop();
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[static_cast<size_t>(i)], i);
  for (const auto& id : threads) EXPECT_NE(id, std::this_thread::get_id());
  const SerialWorkerCounters c = worker.counters();
  EXPECT_EQ(c.accepted, 100u);
  EXPECT_EQ(c.completed, 100u);
  EXPECT_EQ(c.refused_full + c.refused_stopped + c.failed, 0u);
}

TEST(SerialWorkerTest, BoundRefusesWhenFullAndCountsTheRefusal) {
  struct Case {
    size_t capacity;
    int posts;  // while the worker is held by a running job
    int accepted;
  };
  const Case cases[] = {
      {0, 3, 1},  // 0 is taken as 1
      {1, 1, 1}, {1, 2, 1}, {2, 5, 2}, {3, 3, 3},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("capacity " + std::to_string(c.capacity) + ", posts " + std::to_string(c.posts));
    Gate gate;
    SerialWorker worker("cache", c.capacity);
    ASSERT_TRUE(worker.Post(gate.Job()).ok());
    gate.WaitEntered();
    int ran = 0;  // touched by the worker only, read after Stop()
    int accepted = 0;
    for (int i = 0; i < c.posts; ++i) {
      const Status s = worker.Post([&ran] { ++ran; });
      if (s.ok()) {
        ++accepted;
        continue;
      }
      EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
      EXPECT_EQ(s.message(),
                "cache queue full (" + std::to_string(worker.capacity()) + " waiting)");
    }
    EXPECT_EQ(accepted, c.accepted);
    EXPECT_EQ(worker.pending(), static_cast<size_t>(c.accepted) + 1);
    gate.Release();
    worker.Stop();
    EXPECT_EQ(ran, c.accepted) << "a refused job never runs";
    const SerialWorkerCounters counters = worker.counters();
    EXPECT_EQ(counters.accepted, static_cast<uint64_t>(c.accepted) + 1);
    EXPECT_EQ(counters.completed, counters.accepted);
    EXPECT_EQ(counters.refused_full, static_cast<uint64_t>(c.posts - c.accepted));
    EXPECT_EQ(counters.refused_stopped, 0u);
  }
}

TEST(SerialWorkerTest, StopRunsEveryAcceptedJobThenRefusesNewOnes) {
  SerialWorker worker("test", 16);
  Gate gate;
  int ran = 0;
  ASSERT_TRUE(worker.Post(gate.Job()).ok());
  ASSERT_TRUE(worker.Post([&ran] { ++ran; }).ok());
  ASSERT_TRUE(worker.Post([&ran] { ++ran; }).ok());
  gate.WaitEntered();
  EXPECT_EQ(worker.pending(), 3u);
  std::thread stopper([&worker] { worker.Stop(); });
  gate.Release();
  stopper.join();
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(worker.pending(), 0u);
  const Status late = worker.Post([&ran] { ++ran; });
  EXPECT_EQ(late.code(), StatusCode::kFailedPrecondition) << late.ToString();
  EXPECT_EQ(late.message(), "test worker stopped");
  worker.Stop();  // idempotent
  EXPECT_EQ(ran, 2);
  const SerialWorkerCounters c = worker.counters();
  EXPECT_EQ(c.completed, 3u);
  EXPECT_EQ(c.refused_stopped, 1u);
}

TEST(SerialWorkerTest, AThrowingJobIsContainedAndCounted) {
  SerialWorker worker("test", 16);
  std::vector<int> ran;
  ASSERT_TRUE(worker.Post([&ran] { ran.push_back(1); }).ok());
  ASSERT_TRUE(worker.Post([] { throw std::runtime_error("job failed"); }).ok());
  ASSERT_TRUE(worker.Post([] { throw 42; }).ok());
  ASSERT_TRUE(worker.Post([&ran] { ran.push_back(4); }).ok());
  worker.Stop();
  EXPECT_EQ(ran, (std::vector<int>{1, 4}));
  const SerialWorkerCounters c = worker.counters();
  EXPECT_EQ(c.completed, 4u);
  EXPECT_EQ(c.failed, 2u);
}

TEST(SerialWorkerTest, AJobMayPostTheNextJob) {
  SerialWorker worker("test", 16);
  std::promise<std::thread::id> second;
  std::future<std::thread::id> second_ran = second.get_future();
  std::thread::id first_thread;
  ASSERT_TRUE(
      worker
          .Post([&] {
            first_thread = std::this_thread::get_id();
            EXPECT_TRUE(
                worker.Post([&second] { second.set_value(std::this_thread::get_id()); }).ok());
          })
          .ok());
  ASSERT_EQ(second_ran.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(second_ran.get(), first_thread);
  worker.Stop();
  EXPECT_EQ(worker.counters().completed, 2u);
}

TEST(SerialWorkerTest, AnEmptyJobIsAcceptedAndRunsAsNothing) {
  SerialWorker worker("test", 4);
  ASSERT_TRUE(worker.Post(nullptr).ok());
  worker.Stop();
  const SerialWorkerCounters c = worker.counters();
  EXPECT_EQ(c.completed, 1u);
  EXPECT_EQ(c.failed, 0u);
}

}  // namespace
}  // namespace ibstream::serial_worker_test
