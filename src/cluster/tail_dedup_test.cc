#include "cluster/tail_dedup.h"

#include <gtest/gtest.h>

#include "storage/order_book.h"
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

// A market-depth record of second `second`: `op` on `side` at `position` (price and size from
// `price`).
Tick TdDepth(int64_t second, BookOperation op, BookSide side = BookSide::kBid, int32_t position = 0,
             double price = 0) {
  Tick t = MakeTick(kTdContract, TickType::kDepth, kTdT0 + second, 1);
  t.book_operation = op;
  t.book_side = side;
  t.book_position = position;
  t.price = price;
  t.size = Decimal::FromInt(static_cast<int64_t>(price) % 7 + 1);
  return t;
}

// Depth: two recorders' records are two books. Only the owner's pass; when it falls silent, the
// other recorder's whole book is printed (a reset, then its rows) and then its records, so what
// a reader rebuilds is always one recorder's book.
TEST(TailDedupTest, DepthFollowsOneBookAndSwitchesWithAWholeBook) {
  TailDedup dedup(5s);
  std::vector<Tick> printed;
  auto offer = [&](const char* recorder, const Tick& t) {
    for (const Tick& p : dedup.Offer(recorder, t)) printed.push_back(p);
  };
  storage::OrderBookBuilder b_book;
  auto offer_b = [&](const Tick& t) {
    ASSERT_TRUE(b_book.Apply(t).ok());
    offer("b", t);
  };
  offer("a", TdDepth(0, BookOperation::kReset));
  offer("a", TdDepth(0, BookOperation::kInsert, BookSide::kBid, 0, 100));
  offer_b(TdDepth(0, BookOperation::kReset));
  offer_b(TdDepth(0, BookOperation::kInsert, BookSide::kBid, 0, 100));
  offer_b(TdDepth(1, BookOperation::kInsert, BookSide::kAsk, 0, 101));
  offer("a", TdDepth(1, BookOperation::kInsert, BookSide::kAsk, 0, 101));
  ASSERT_EQ(printed.size(), 3u) << "only a's records while a delivers";
  // a falls silent; b's book moves on.
  offer_b(TdDepth(2, BookOperation::kInsert, BookSide::kBid, 1, 99));
  offer_b(TdDepth(3, BookOperation::kUpdate, BookSide::kAsk, 0, 102));
  EXPECT_EQ(printed.size(), 3u) << "b is held back until a has been silent switch_after";
  offer_b(TdDepth(6, BookOperation::kInsert, BookSide::kAsk, 1, 103));
  // The switch: a reset, then b's book (asks, then bids, row 0 first).
  ASSERT_EQ(printed.size(), 3u + 1 + 2 + 2);
  EXPECT_EQ(printed[3].book_operation, BookOperation::kReset);
  for (size_t i = 4; i < printed.size(); ++i) {
    EXPECT_EQ(printed[i].book_operation, BookOperation::kInsert) << i;
    EXPECT_EQ(printed[i].exchange_time, FromUnixSeconds(kTdT0 + 6)) << i;
  }
  offer_b(TdDepth(7, BookOperation::kDelete, BookSide::kBid, 1));
  offer("a", TdDepth(7, BookOperation::kDelete, BookSide::kAsk, 0));  // the old owner: ignored
  ASSERT_EQ(printed.size(), 9u);
  // What a reader rebuilds from the printed records is b's book.
  storage::OrderBookBuilder reader;
  for (const Tick& t : printed) ASSERT_TRUE(reader.Apply(t).ok());
  EXPECT_EQ(reader.book(), b_book.book());
  EXPECT_EQ(reader.book().asks.size(), 2u);
  EXPECT_EQ(reader.book().bids.size(), 1u);
}

TEST(TailDedupTest, DepthNeverSwitchesToABookWithoutItsStart) {
  TailDedup dedup(5s);
  size_t printed = 0;
  printed += dedup.Offer("a", TdDepth(0, BookOperation::kReset)).size();
  // b's records of a book whose reset this tail never saw: its book is unknown.
  printed += dedup.Offer("b", TdDepth(1, BookOperation::kInsert, BookSide::kBid, 0, 100)).size();
  printed += dedup.Offer("b", TdDepth(20, BookOperation::kUpdate, BookSide::kBid, 0, 99)).size();
  EXPECT_EQ(printed, 1u);
  // Its next reset starts a known book: it can take over.
  printed += dedup.Offer("b", TdDepth(21, BookOperation::kReset)).size();
  EXPECT_EQ(printed, 2u) << "a reset and an empty book";
  EXPECT_EQ(dedup.Offer("b", TdDepth(22, BookOperation::kInsert, BookSide::kBid, 0, 98)).size(),
            1u);
}

}  // namespace
}  // namespace ibstream::cluster::tail_dedup_test
