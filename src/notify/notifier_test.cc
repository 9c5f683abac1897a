#include "notify/notifier.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "notify/test_alerts.h"

namespace ibstream::notify::notifier_test {
namespace {

using std::chrono::milliseconds;
using testing::GatewayDownAlert;
using testing::StaleAlert;

constexpr milliseconds kDeadline(10'000);

// Records what it receives; optionally blocks in Submit until released.
class RecordingSink final : public AlertSink {
 public:
  explicit RecordingSink(std::string name, std::shared_future<void> gate = {})
      : name_(std::move(name)), gate_(std::move(gate)) {}

  std::string_view name() const override { return name_; }
  void Submit(const AlertGroup& group) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      groups_.push_back(group);
      entered_.notify_all();
    }
    if (gate_.valid()) gate_.wait_for(kDeadline);
  }
  SinkCounters counters() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return {.delivered = groups_.size(), .failed = 0, .dropped = 0, .retries = 0};
  }
  bool WaitIdle(milliseconds) override { return true; }

  bool WaitForGroups(size_t n) {
    std::unique_lock<std::mutex> lock(mutex_);
    return entered_.wait_for(lock, kDeadline, [&] { return groups_.size() >= n; });
  }
  std::vector<AlertGroup> groups() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return groups_;
  }

 private:
  const std::string name_;
  const std::shared_future<void> gate_;
  mutable std::mutex mutex_;
  std::condition_variable entered_;
  std::vector<AlertGroup> groups_;
};

TEST(NotifierTest, HandsEveryNotificationToEverySink) {
  auto a = std::make_unique<RecordingSink>("a");
  auto b = std::make_unique<RecordingSink>("b");
  RecordingSink* a_view = a.get();
  RecordingSink* b_view = b.get();
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(std::move(a));
  sinks.push_back(std::move(b));
  Notifier notifier({}, std::move(sinks));

  AlertGroup group = {StaleAlert(), GatewayDownAlert()};
  EXPECT_TRUE(notifier.Notify(group));
  EXPECT_TRUE(notifier.Notify(GatewayDownAlert()));
  EXPECT_TRUE(notifier.Notify(std::span<const Alert>()));  // nothing to send
  ASSERT_TRUE(notifier.WaitIdle(kDeadline));
  for (RecordingSink* sink : {a_view, b_view}) {
    ASSERT_EQ(sink->groups().size(), 2u);
    EXPECT_EQ(sink->groups()[0], group);
    EXPECT_EQ(sink->groups()[1], AlertGroup{GatewayDownAlert()});
  }
  NotifierCounters counters = notifier.counters();
  EXPECT_EQ(counters.accepted, 2u);
  EXPECT_EQ(counters.dropped, 0u);
  EXPECT_EQ(counters.sinks.delivered, 4u);
  auto by_name = notifier.SinkCountersByName();
  ASSERT_EQ(by_name.size(), 2u);
  EXPECT_EQ(by_name[0].first, "a");
  EXPECT_EQ(by_name[1].second.delivered, 2u);
}

TEST(NotifierTest, AcceptsAlertsFromManyThreads) {
  auto sink = std::make_unique<RecordingSink>("r");
  RecordingSink* view = sink.get();
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(std::move(sink));
  Notifier notifier({.queue_capacity = 1000}, std::move(sinks));
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&notifier, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Alert alert = StaleAlert();
        alert.contract_id = t * 1000 + i;
        notifier.Notify(alert);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(notifier.WaitIdle(kDeadline));
  NotifierCounters counters = notifier.counters();
  EXPECT_EQ(counters.accepted + counters.dropped, uint64_t{kThreads * kPerThread});
  EXPECT_EQ(view->groups().size(), counters.accepted);
  // Each thread's alerts arrive in the order that thread sent them.
  std::vector<int64_t> last(kThreads, -1);
  for (const AlertGroup& group : view->groups()) {
    int64_t id = *group[0].contract_id;
    EXPECT_GT(id % 1000, last[static_cast<size_t>(id / 1000)]);
    last[static_cast<size_t>(id / 1000)] = id % 1000;
  }
}

TEST(NotifierTest, NeverBlocksTheCallerAndCountsDrops) {
  std::promise<void> release;
  auto slow = std::make_unique<RecordingSink>("slow", release.get_future().share());
  RecordingSink* view = slow.get();
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(std::move(slow));
  Notifier notifier({.queue_capacity = 2}, std::move(sinks));

  ASSERT_TRUE(notifier.Notify(StaleAlert()));
  ASSERT_TRUE(view->WaitForGroups(1));  // the dispatcher is now stuck in the slow sink
  EXPECT_TRUE(notifier.Notify(StaleAlert()));
  EXPECT_TRUE(notifier.Notify(StaleAlert()));
  EXPECT_FALSE(notifier.Notify(StaleAlert()));  // queue full: refused at once
  EXPECT_EQ(notifier.counters().dropped, 1u);
  EXPECT_FALSE(notifier.WaitIdle(milliseconds(1)));
  release.set_value();
  ASSERT_TRUE(notifier.WaitIdle(kDeadline));
  EXPECT_EQ(view->groups().size(), 3u);
  EXPECT_EQ(notifier.counters().accepted, 3u);
}

TEST(NotifierTest, StopDropsWhatWasNotDispatched) {
  std::promise<void> release;
  auto slow = std::make_unique<RecordingSink>("slow", release.get_future().share());
  RecordingSink* view = slow.get();
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(std::move(slow));
  // A queue far larger than the loop below can fill, so a refusal can only mean "stopped".
  Notifier notifier({.queue_capacity = 1u << 22}, std::move(sinks));
  ASSERT_TRUE(notifier.Notify(StaleAlert()));
  ASSERT_TRUE(view->WaitForGroups(1));
  ASSERT_TRUE(notifier.Notify(StaleAlert()));
  std::thread stopper([&notifier] { notifier.Stop(); });
  // Notify() is refused once Stop() has begun; only then may the stuck sink return, so that the
  // dispatcher cannot take the queued notification first.
  while (notifier.Notify(StaleAlert())) {
  }
  release.set_value();
  stopper.join();
  EXPECT_EQ(view->groups().size(), 1u);
  NotifierCounters counters = notifier.counters();
  EXPECT_GE(counters.accepted, 2u);
  // Everything accepted after the first was dropped, plus the one refused Notify().
  EXPECT_EQ(counters.dropped, counters.accepted - 1 + 1);
  EXPECT_FALSE(notifier.Notify(StaleAlert()));
}

}  // namespace
}  // namespace ibstream::notify::notifier_test
