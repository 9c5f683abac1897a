#include "recorder/route_records.h"

#include <gtest/gtest.h>

namespace ibstream::recorder::route_records_test {
namespace {

using reliability::StreamRoute;
using storage::RouteKind;

TEST(RouteRecords, EveryRouteMapsToItsStoredKind) {
  EXPECT_EQ(ToRouteKind(std::nullopt), RouteKind::kNone);
  EXPECT_EQ(ToRouteKind(StreamRoute::kTickByTick), RouteKind::kTickByTick);
  EXPECT_EQ(ToRouteKind(StreamRoute::kFallback), RouteKind::kFallback);
  EXPECT_EQ(ToRouteKind(StreamRoute::kUnserved), RouteKind::kUnserved);
}

TEST(RouteRecords, ARecordNamesEveryChangedStreamWithItsRoutesAndReason) {
  reliability::StreamBudget budget;
  budget.tick_by_tick_limit = 1;
  auto wanted = [](int64_t cid, TickType type, int order) {
    reliability::WantedStream w;
    w.stream = {cid, type};
    w.config_order = order;
    return w;
  };
  const reliability::StreamPlan before = reliability::PlanStreams(
      {wanted(1, TickType::kBidAsk, 1), wanted(2, TickType::kLast, 2)}, budget);
  // Contract 1 untracked: contract 2's last is upgraded.
  const reliability::StreamPlan after =
      reliability::PlanStreams({wanted(2, TickType::kLast, 2)}, budget);
  const TimePoint now = FromUnixSeconds(1754920800);

  const storage::RouteChange first = ToRouteRecord(reliability::DiffPlans({}, before), true, now);
  EXPECT_TRUE(first.session_start);
  EXPECT_EQ(first.at, now);
  ASSERT_EQ(first.entries.size(), 2u);
  EXPECT_EQ(
      first.entries[0],
      (storage::RouteEntry{{1, TickType::kBidAsk}, RouteKind::kNone, RouteKind::kTickByTick, ""}));
  EXPECT_EQ(first.entries[1].stream, (StreamKey{2, TickType::kLast}));
  EXPECT_EQ(first.entries[1].to, RouteKind::kFallback);
  EXPECT_EQ(first.entries[1].reason, "tick-by-tick limit 1 reached");

  const storage::RouteChange next =
      ToRouteRecord(reliability::DiffPlans(before, after), false, now + std::chrono::seconds(5));
  EXPECT_FALSE(next.session_start);
  ASSERT_EQ(next.entries.size(), 2u);
  EXPECT_EQ(next.entries[0],
            (storage::RouteEntry{
                {2, TickType::kLast}, RouteKind::kFallback, RouteKind::kTickByTick, ""}));
  EXPECT_EQ(
      next.entries[1],
      (storage::RouteEntry{{1, TickType::kBidAsk}, RouteKind::kTickByTick, RouteKind::kNone, ""}));
}

}  // namespace
}  // namespace ibstream::recorder::route_records_test
