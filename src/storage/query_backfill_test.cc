// Rule 3 of the query's deduplication: a second two backfills fetched (a partial gap resumed from
// its last stored second) is returned once; the backfill with the most ticks of a content wins,
// and identical ticks inside one backfill stay distinct.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "storage/query.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

namespace ibstream::storage::query_backfill_test {
namespace {

using testing::kHour0;
using testing::MakeTick;

constexpr int64_t kMnq = 711280073;

// A backfilled trade of second kHour0 received at `fetch` (hours after the second), price + `step`:
// equal content for equal `step`, whatever the sequence.
Tick Backfilled(int fetch, uint64_t sequence, int step = 0) {
  Tick t = MakeTick(kMnq, TickType::kLast, kHour0, 0);
  t.sequence = sequence;
  t.source = TickSource::kBackfill;
  t.receive_time += std::chrono::hours(fetch);
  t.price += step;
  return t;
}

std::vector<Tick> Deduplicated(std::vector<Tick> ticks, QueryStats* stats) {
  std::sort(ticks.begin(), ticks.end(),
            [](const Tick& a, const Tick& b) { return OrderKey(a) < OrderKey(b); });
  DeduplicateSorted(&ticks, stats);
  return ticks;
}

TEST(QueryBackfillTest, ASecondFetchedAgainIsReturnedOnce) {
  // First backfill: two identical trades and another; the second holds the same three.
  QueryStats stats;
  const auto out = Deduplicated({Backfilled(1, 1), Backfilled(1, 2), Backfilled(1, 3, 1),
                                 Backfilled(2, 7), Backfilled(2, 8), Backfilled(2, 9, 1)},
                                &stats);
  ASSERT_EQ(out.size(), 3u);
  for (const Tick& t : out) EXPECT_EQ(t.receive_time, Backfilled(1, 0).receive_time);
  EXPECT_EQ(stats.backfill_repeats_dropped, 3u);
  EXPECT_EQ(stats.duplicates_dropped, 0u);
}

TEST(QueryBackfillTest, TheBackfillWithTheMostTicksOfAContentWins) {
  // Counts per backfill of one content: 1, 2, 2 -> 2 returned (not 3); another content: 2, 0, 1
  // -> 2.
  QueryStats stats;
  const auto out =
      Deduplicated({Backfilled(1, 1), Backfilled(1, 2, 1), Backfilled(1, 3, 1), Backfilled(2, 4),
                    Backfilled(2, 5), Backfilled(3, 6), Backfilled(3, 7), Backfilled(3, 8, 1)},
                   &stats);
  size_t base = 0;
  size_t other = 0;
  for (const Tick& t : out) (t.price == Backfilled(1, 0).price ? base : other)++;
  EXPECT_EQ(base, 2u);
  EXPECT_EQ(other, 2u);
  EXPECT_EQ(stats.backfill_repeats_dropped, 4u);
}

TEST(QueryBackfillTest, OneBackfillAndOtherStreamsAreLeftAlone) {
  QueryStats stats;
  Tick other_stream = Backfilled(2, 3);
  other_stream.type = TickType::kAllLast;
  // One backfill's identical ticks are legitimate; another stream's equal tick is another tick.
  const auto out = Deduplicated({Backfilled(1, 1), Backfilled(1, 2), other_stream}, &stats);
  EXPECT_EQ(out.size(), 3u);
  EXPECT_EQ(stats.backfill_repeats_dropped, 0u);
}

TEST(QueryBackfillTest, LiveStillWinsOverTheReconciledBackfill) {
  Tick live = MakeTick(kMnq, TickType::kLast, kHour0, 0);
  QueryStats stats;
  const auto out = Deduplicated({live, Backfilled(1, 1), Backfilled(2, 2)}, &stats);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].source, TickSource::kLive);
  EXPECT_EQ(stats.backfill_repeats_dropped, 1u);
  EXPECT_EQ(stats.backfill_overlaps_dropped, 1u);
}

}  // namespace
}  // namespace ibstream::storage::query_backfill_test
