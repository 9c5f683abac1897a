#include "cluster/tail_dedup.h"

#include <gtest/gtest.h>

#include "storage/test_ticks.h"

namespace ibstream::cluster::tail_dedup_test {
namespace {

using namespace std::chrono_literals;
using storage::testing::MakeTick;

constexpr int64_t kTdT0 = 1755770400;
constexpr int64_t kTdContract = 711202509;

// A tick of second `second` (from kTdT0); `sequence` identifies it in the expectations.
Tick TdTick(int64_t second, uint64_t sequence, TickType type = TickType::kBidAsk) {
  return MakeTick(kTdContract, type, kTdT0 + second, sequence);
}

struct TdOffer {
  const char* recorder;
  int64_t second;
  uint64_t sequence;
};

std::vector<uint64_t> TdRun(const std::vector<TdOffer>& offers, Duration switch_after = 5s) {
  TailDedup dedup(switch_after);
  std::vector<uint64_t> printed;
  for (const TdOffer& o : offers) {
    for (const Tick& t : dedup.Offer(o.recorder, TdTick(o.second, o.sequence))) {
      printed.push_back(t.sequence);
    }
  }
  return printed;
}

TEST(TailDedupTest, Table) {
  struct Case {
    const char* name;
    std::vector<TdOffer> offers;
    std::vector<uint64_t> want;
  };
  const std::vector<Case> cases = {
      {"one recorder passes as it comes", {{"a", 0, 1}, {"a", 0, 2}, {"a", 1, 3}}, {1, 2, 3}},
      {"the other's copies of the same seconds are dropped",
       {{"a", 0, 1}, {"b", 0, 1}, {"a", 1, 2}, {"b", 1, 2}, {"b", 2, 3}, {"a", 2, 3}},
       {1, 2, 3}},
      {"a copy that arrives first is held, then dropped",
       {{"a", 0, 1}, {"b", 1, 2}, {"a", 1, 2}},
       {1, 2}},
      {"a second the owner lost passes from the other once it is switch_after old",
       {{"a", 0, 1}, {"b", 0, 1}, {"b", 1, 2}, {"b", 2, 3}, {"b", 6, 7}},
       {1, 2, 3, 7}},
      {"then the other is followed, and the old owner's copies are dropped",
       {{"a", 0, 1}, {"b", 0, 1}, {"b", 1, 2}, {"b", 6, 7}, {"b", 7, 8}, {"a", 7, 8}, {"a", 1, 2}},
       {1, 2, 7, 8}},
      {"never two recorders within a second",
       {{"a", 0, 1}, {"b", 1, 20}, {"b", 6, 60}, {"a", 1, 21}},
       {1, 20, 60}},
      {"an owner just lagging less than switch_after keeps the stream",
       {{"a", 0, 1}, {"b", 1, 2}, {"b", 4, 5}, {"a", 1, 2}, {"a", 4, 5}},
       {1, 2, 5}},
  };
  for (const Case& c : cases) EXPECT_EQ(TdRun(c.offers), c.want) << c.name;
}

TEST(TailDedupTest, StreamsAreIndependent) {
  TailDedup dedup(5s);
  EXPECT_EQ(dedup.Offer("a", TdTick(0, 1)).size(), 1u);
  // b owns the trades stream: it offered it first.
  EXPECT_EQ(dedup.Offer("b", TdTick(0, 2, TickType::kLast)).size(), 1u);
  EXPECT_TRUE(dedup.Offer("a", TdTick(0, 2, TickType::kLast)).empty());
  EXPECT_EQ(dedup.held(), 0u);
}

}  // namespace
}  // namespace ibstream::cluster::tail_dedup_test
