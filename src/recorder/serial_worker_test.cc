#include "recorder/serial_worker.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>
#include <vector>

namespace ibstream::recorder {
namespace {

TEST(SerialWorkerTest, RunsTasksInSubmissionOrderOffTheCallingThread) {
  SerialWorker worker;
  std::vector<int> order;  // touched by the worker only, read after Stop()
  std::vector<std::thread::id> threads;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(worker.Submit([&order, &threads, i] {
      order.push_back(i);
      threads.push_back(std::this_thread::get_id());
    }));
  }
  worker.Stop();
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
  for (const auto& id : threads) EXPECT_NE(id, std::this_thread::get_id());
}

TEST(SerialWorkerTest, StopRunsEveryAcceptedTaskThenRefusesNewOnes) {
  SerialWorker worker;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  int ran = 0;
  ASSERT_TRUE(worker.Submit([released] { released.wait(); }));
  ASSERT_TRUE(worker.Submit([&ran] { ++ran; }));
  ASSERT_TRUE(worker.Submit([&ran] { ++ran; }));
  EXPECT_EQ(worker.pending(), 3u);
  std::thread stopper([&worker] { worker.Stop(); });
  release.set_value();
  stopper.join();
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(worker.pending(), 0u);
  EXPECT_FALSE(worker.Submit([&ran] { ++ran; }));
  worker.Stop();  // idempotent
  EXPECT_EQ(ran, 2);
}

}  // namespace
}  // namespace ibstream::recorder
