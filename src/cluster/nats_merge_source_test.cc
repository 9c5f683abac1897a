#include "cluster/nats_merge_source.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "storage/test_ticks.h"

namespace ibstream::cluster::nats_merge_source_test {
namespace {

using namespace std::chrono_literals;
using storage::testing::MakeTick;

constexpr int64_t kBsT0 = 1755770400;
constexpr int64_t kBsContract = 711202509;
const StreamKey kBsQuotes{kBsContract, TickType::kBidAsk};

TimePoint BsAt(int64_t seconds) { return FromUnixSeconds(kBsT0 + seconds); }

DecodedTick BsTick(int64_t second, uint64_t sequence, uint64_t record) {
  DecodedTick t;
  t.position.hour_ns = ToUnixNanos(BsAt(0));
  t.position.record = record;
  t.tick = MakeTick(kBsContract, TickType::kBidAsk, kBsT0 + second, sequence);
  return t;
}

TEST(ChooseMergeEndTest, Table) {
  struct Case {
    const char* name;
    std::vector<std::optional<TimePoint>> latest;
    std::optional<TimePoint> want;
  };
  const Duration hold = 10s;
  const Duration lag = 60s;
  const std::vector<Case> cases = {
      {"no recorder", {}, std::nullopt},
      {"none delivered a tick", {std::nullopt, std::nullopt}, std::nullopt},
      {"one recorder", {BsAt(100)}, BsAt(90)},
      {"the slower of two", {BsAt(100), BsAt(80)}, BsAt(70)},
      {"one without ticks is not waited for", {BsAt(100), std::nullopt}, BsAt(90)},
      {"one beyond max lag is taken as down", {BsAt(100), BsAt(39)}, BsAt(90)},
      {"exactly max lag behind still counts", {BsAt(100), BsAt(40)}, BsAt(30)},
      {"floored to a second", {BsAt(100) + 700ms}, BsAt(90)},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ChooseMergeEnd(c.latest, hold, lag), c.want) << c.name;
  }
}

TEST(BufferedSourceTest, HoldsATickDeliveredTwiceOnceAndAcksBothDeliveries) {
  BufferedSource source("a", 10s);
  source.AddTick(BsTick(5, 1, 0), "r1");
  source.AddTick(BsTick(5, 1, 0), "r1-again");
  source.AddTick(BsTick(3, 2, 1), "r2");
  EXPECT_EQ(source.buffered_ticks(), 2u);
  std::vector<std::vector<Tick>> out;
  storage::QueryStats stats;
  ASSERT_TRUE(source.ReadTicks({kBsQuotes}, BsAt(0), BsAt(10), &out, &stats).ok());
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].size(), 2u);
  EXPECT_EQ(out[0][0].sequence, 2u) << "in exchange time order, not delivery order";
  EXPECT_EQ(out[0][1].sequence, 1u);
  merge::MergeState state;
  state.streams[kBsQuotes].merged_to = BsAt(6);
  std::vector<std::string> replies = source.TakeDecided(state);
  std::sort(replies.begin(), replies.end());
  EXPECT_EQ(replies, (std::vector<std::string>{"r1", "r1-again", "r2"}));
  EXPECT_EQ(source.buffered_ticks(), 0u);
}

TEST(BufferedSourceTest, KeepsWhatIsNotDecidedAndStreamsTheStateDoesNotName) {
  BufferedSource source("a", 10s);
  source.AddTick(BsTick(5, 1, 0), "r1");
  source.AddTick(BsTick(6, 2, 1), "r2");
  merge::MergeState state;
  state.streams[kBsQuotes].merged_to = BsAt(6);
  EXPECT_EQ(source.TakeDecided(state), std::vector<std::string>{"r1"});
  EXPECT_EQ(source.buffered_ticks(), 1u);
  EXPECT_TRUE(source.TakeDecided(merge::MergeState{}).empty());
}

TEST(BufferedSourceTest, UsesTheNewestSnapshotOfAGapAndDropsItOnceDecided) {
  BufferedSource source("a", 10s);
  storage::GapRecord gap;
  gap.id = 7;
  gap.stream = kBsQuotes;
  gap.start = BsAt(10);
  gap.end = BsAt(20);
  gap.state = storage::BackfillState::kFilled;
  gap.updated_at = BsAt(100);
  storage::GapRecord older = gap;
  older.state = storage::BackfillState::kPending;
  older.updated_at = BsAt(30);
  source.AddGap(gap, "g2");
  source.AddGap(older, "g1");  // delivered out of order
  ASSERT_EQ(source.gaps().size(), 1u);
  EXPECT_EQ(source.gaps()[0].state, storage::BackfillState::kFilled);
  EXPECT_EQ(source.streams(), std::vector<StreamKey>{kBsQuotes});
  merge::MergeState state;
  state.streams[kBsQuotes].merged_to = BsAt(19);
  EXPECT_TRUE(source.TakeDecided(state).empty()) << "its end is not decided yet";
  state.streams[kBsQuotes].merged_to = BsAt(20);
  EXPECT_EQ(source.TakeDecided(state).size(), 2u);
  EXPECT_TRUE(source.gaps().empty());
}

TEST(BufferedSourceTest, ExtentStartsWhereTheMergedStoreWasDecided) {
  BufferedSource source("a", 10s);
  auto none = source.StreamExtent(kBsQuotes);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
  source.AddTick(BsTick(50, 1, 0), "r");
  source.AddTick(BsTick(40, 2, 1), "r");
  auto extent = source.StreamExtent(kBsQuotes);
  ASSERT_TRUE(extent.ok() && *extent);
  EXPECT_EQ((*extent)->first, BsAt(40));
  EXPECT_EQ((*extent)->last, BsAt(50));
  merge::MergeState state;
  state.streams[kBsQuotes].merged_to = BsAt(30);
  source.SetDecidedPoints(state);
  extent = source.StreamExtent(kBsQuotes);
  ASSERT_TRUE(extent.ok() && *extent);
  EXPECT_EQ((*extent)->first, BsAt(30));
  EXPECT_EQ((*extent)->first_tick, BsAt(40));
  EXPECT_EQ(source.latest(), BsAt(50));
}

TEST(BufferedSourceTest, AJumpForwardSettlesBeforeTheMergeMayPassIt) {
  BufferedSource source("a", 10s);
  uint64_t record = 0;
  auto add = [&](int64_t second) {
    ++record;
    source.AddTick(BsTick(second, record, record), "");
  };
  for (int64_t s : {0, 1, 2, 3}) add(s);
  EXPECT_EQ(source.settled_latest(), BsAt(3));
  // Silent for 27 s (an outage, or a quiet market), then ticks again.
  add(30);
  EXPECT_EQ(source.latest(), BsAt(30));
  EXPECT_EQ(source.settled_latest(), BsAt(3));
  add(25);  // backfilled: older, changes nothing
  add(39);
  EXPECT_EQ(source.settled_latest(), BsAt(3));
  add(40);
  EXPECT_EQ(source.settled_latest(), BsAt(40));
  // Small steps are no jump.
  add(42);
  EXPECT_EQ(source.settled_latest(), BsAt(42));
}

}  // namespace
}  // namespace ibstream::cluster::nats_merge_source_test
