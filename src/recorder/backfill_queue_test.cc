#include "recorder/backfill_queue.h"

#include <gtest/gtest.h>

#include <deque>
#include <utility>
#include <vector>

namespace ibstream::recorder::backfill_queue_test {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = FromUnixSeconds(1754925330);

struct Job {
  int id;
  TimePoint not_before;
};

std::vector<int> Ids(const std::deque<Job>& queue) {
  std::vector<int> out;
  for (const Job& j : queue) out.push_back(j.id);
  return out;
}

TEST(BackfillQueueTest, AJobWaitingOutItsBackoffDoesNotHoldUpTheOthers) {
  struct Case {
    std::vector<Duration> waits;  // not_before - now of jobs 1, 2, 3...
    bool moved;
    std::vector<int> order;
  };
  const std::vector<Case> cases = {
      {{}, false, {}},
      {{0s}, true, {1}},
      {{5min}, false, {1}},
      {{0s, 0s, 0s}, true, {1, 2, 3}},
      {{-1s, 10min}, true, {1, 2}},
      {{10min, 0s, 0s}, true, {2, 1, 3}},
      {{10min, 1s, -2s, 0s}, true, {3, 1, 2, 4}},
      {{10min, 5min, 1s}, false, {1, 2, 3}},
  };
  for (const Case& c : cases) {
    std::deque<Job> queue;
    for (size_t i = 0; i < c.waits.size(); ++i) {
      queue.push_back(Job{static_cast<int>(i) + 1, kT0 + c.waits[i]});
    }
    SCOPED_TRACE(::testing::PrintToString(Ids(queue)));
    EXPECT_EQ(BringFirstDueToFront(queue, kT0), c.moved);
    EXPECT_EQ(Ids(queue), c.order);
  }
}

struct PrioritizedJob {
  int id;
  TimePoint not_before;
  int priority;
};

TEST(BackfillQueueTest, ThePriorityOneGapsGoFirstAmongTheDue) {
  struct Case {
    std::vector<std::pair<Duration, int>> jobs;  // (not_before - now, priority) of jobs 1, 2...
    bool moved;
    std::vector<int> order;
  };
  const std::vector<Case> cases = {
      {{}, false, {}},
      {{{0s, 100}, {0s, 1}}, true, {2, 1}},
      {{{0s, 1}, {0s, 100}}, true, {1, 2}},
      {{{0s, 100}, {0s, 100}, {0s, 1}, {0s, 1}}, true, {3, 1, 2, 4}},
      // A priority-1 gap waiting out its backoff does not hold up a due one.
      {{{5min, 1}, {0s, 100}}, true, {2, 1}},
      {{{5min, 1}, {1s, 100}}, false, {1, 2}},
  };
  for (const Case& c : cases) {
    std::deque<PrioritizedJob> queue;
    for (size_t i = 0; i < c.jobs.size(); ++i) {
      queue.push_back(
          PrioritizedJob{static_cast<int>(i) + 1, kT0 + c.jobs[i].first, c.jobs[i].second});
    }
    std::vector<int> before;
    for (const auto& j : queue) before.push_back(j.id);
    SCOPED_TRACE(::testing::PrintToString(before));
    EXPECT_EQ(BringNextToFront(queue, kT0), c.moved);
    std::vector<int> order;
    for (const auto& j : queue) order.push_back(j.id);
    EXPECT_EQ(order, c.order);
  }
}

}  // namespace
}  // namespace ibstream::recorder::backfill_queue_test
