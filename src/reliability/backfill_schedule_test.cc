// Table tests of the backfill schedule: priority picks among the due backfills, and the
// coalescing of a stream's small adjacent gaps into one request.
#include "reliability/backfill_schedule.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace ibstream::reliability::backfill_schedule_test {
namespace {

using std::chrono::seconds;

const TimePoint kNow = FromUnixSeconds(1755000000);

TEST(BackfillScheduleTest, PriorityFirstAmongTheDueTiesInQueueOrder) {
  const TimePoint later = kNow + seconds(30);
  struct Row {
    std::string name;
    std::vector<BackfillCandidate> queue;
    std::optional<size_t> pick;
  };
  const std::vector<Row> table = {
      {"empty", {}, std::nullopt},
      {"none due", {{later, 1}, {later, 100}}, std::nullopt},
      {"one due", {{later, 1}, {kNow, 100}}, 1},
      {"priority 1 before 100", {{kNow, 100}, {kNow, 1}}, 1},
      {"ties keep queue order", {{kNow, 5}, {kNow, 5}, {kNow, 5}}, 0},
      {"a waiting priority 1 does not hold up a due 100", {{later, 1}, {kNow, 100}}, 1},
      {"best due priority, then order", {{kNow, 50}, {later, 1}, {kNow, 2}, {kNow, 2}}, 2},
      {"due exactly now", {{kNow, 3}}, 0},
  };
  for (const Row& row : table) EXPECT_EQ(PickNextBackfill(row.queue, kNow), row.pick) << row.name;
}

TEST(BackfillScheduleTest, FitsOneRequest) {
  struct Row {
    int64_t first;
    int64_t last;
    double rate;
    bool fits;
  };
  // Default: at most half of a 1000-tick page expected.
  const std::vector<Row> table = {
      {0, 49, 10, true},                       // 50 s x 10/s = 500
      {0, 50, 10, false},                      // 510
      {0, 0, 500, true},                       // one second
      {0, 0, 501, false},                      // one second too busy
      {0, 999, 0.5, true},                     // a quiet stream: 1000 s
      {0, 10, 0, false},                       // unknown rate: never
      {0, 10, -1, false},  {10, 5, 1, false},  // empty
  };
  for (const Row& row : table) {
    EXPECT_EQ(FitsOneRequest(row.first, row.last, row.rate), row.fits)
        << row.first << ".." << row.last << " at " << row.rate;
  }
}

TEST(BackfillScheduleTest, CoalescesAdjacentSmallGapsWhileTheUnionFits) {
  struct Row {
    std::string name;
    std::vector<GapSpan> gaps;
    double rate;
    std::vector<CoalescedRequest> requests;
  };
  const GapSpan a{1, 100, 104};
  const GapSpan b{2, 110, 112};
  const GapSpan c{3, 120, 125};
  const GapSpan far{4, 400, 402};
  const GapSpan big{5, 1000, 1200};
  const std::vector<Row> table = {
      {"nothing", {}, 10, {}},
      {"one gap", {a}, 10, {{100, 104, {a}}}},
      {"a flapping link: three in one", {a, b, c}, 10, {{100, 125, {a, b, c}}}},
      {"given out of order", {c, a, b}, 10, {{100, 125, {a, b, c}}}},
      {"a far one stays apart", {a, b, far}, 10, {{100, 112, {a, b}}, {400, 402, {far}}}},
      {"too busy to merge", {a, b}, 40, {{100, 104, {a}}, {110, 112, {b}}}},
      {"unknown rate: none merged", {a, b}, 0, {{100, 104, {a}}, {110, 112, {b}}}},
      {"a gap too big alone is its own request",
       {big, a},
       10,
       {{100, 104, {a}}, {1000, 1200, {big}}}},
      {"overlapping gaps",
       {{1, 100, 110}, {2, 105, 108}},
       10,
       {{100, 110, {{1, 100, 110}, {2, 105, 108}}}}},
  };
  for (const Row& row : table) {
    EXPECT_EQ(CoalesceGaps(row.gaps, row.rate), row.requests) << row.name;
  }
}

}  // namespace
}  // namespace ibstream::reliability::backfill_schedule_test
