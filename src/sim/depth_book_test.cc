#include "sim/depth_book.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/catalog.h"
#include "sim/market.h"
#include "sim/tick_generator.h"

namespace ibstream::sim::depth_book_test {
namespace {

using protocol::DepthOperation;
using protocol::DepthSide;

constexpr uint64_t kSeed = 20250811;

const Catalog& BuiltIn() {
  static const Catalog catalog =
      Catalog::BuiltIn(ParseIsoTime("2025-08-11T14:00:00Z").value()).value();
  return catalog;
}
const SimContract& Mnq() { return *BuiltIn().FindByConId(711000000 + 202509); }  // tick 0.25

Decimal D(int64_t units) { return Decimal::FromInt(units); }

DepthQuote Quote(double bid, double ask, int64_t bid_size, int64_t ask_size) {
  return {bid, ask, D(bid_size), D(ask_size)};
}

// ---------------------------------------------------------------- the modelled book

TEST(DepthBookTest, TopEqualsTheQuoteAndDeeperRowsAreOneTickApart) {
  const DepthBook book = ModelDepthBook(Mnq(), kSeed, Quote(21500.25, 21500.5, 7, 9), 5);
  ASSERT_EQ(book.bids.size(), 5u);
  ASSERT_EQ(book.asks.size(), 5u);
  EXPECT_EQ(book.bids[0], (DepthRow{21500.25, D(7)}));
  EXPECT_EQ(book.asks[0], (DepthRow{21500.5, D(9)}));
  const TickProfile& p = Mnq().profile;
  for (size_t k = 1; k < 5; ++k) {
    SCOPED_TRACE("row " + std::to_string(k));
    EXPECT_EQ(book.bids[k].price, 21500.25 - 0.25 * static_cast<double>(k));
    EXPECT_EQ(book.asks[k].price, 21500.5 + 0.25 * static_cast<double>(k));
    for (const Decimal& size : {book.bids[k].size, book.asks[k].size}) {
      EXPECT_TRUE(size.is_set());
      EXPECT_GE(size.ToDouble(), Decimal::FromParts(p.size_min, p.size_scale).ToDouble());
      EXPECT_LE(size.ToDouble(), Decimal::FromParts(p.size_max * 3, p.size_scale).ToDouble());
    }
  }
}

TEST(DepthBookTest, SizesArePerPriceLevelAndFollowTheSeed) {
  const DepthBook a = ModelDepthBook(Mnq(), kSeed, Quote(100.0, 100.25, 1, 1), 10);
  // The quote moved up one tick: the levels still in the book keep their sizes.
  const DepthBook moved = ModelDepthBook(Mnq(), kSeed, Quote(100.25, 100.5, 1, 1), 10);
  for (size_t k = 1; k + 1 < 10; ++k) {
    EXPECT_EQ(moved.bids[k + 1], a.bids[k]) << "bid row " << k;
    EXPECT_EQ(moved.asks[k], a.asks[k + 1]) << "ask row " << k;
  }
  EXPECT_EQ(ModelDepthBook(Mnq(), kSeed, Quote(100.0, 100.25, 1, 1), 10), a);
  const DepthBook other = ModelDepthBook(Mnq(), kSeed + 1, Quote(100.0, 100.25, 1, 1), 10);
  EXPECT_NE(other, a) << "seed " << kSeed + 1 << " gave the same deeper sizes";
}

TEST(DepthBookTest, RowCountsAreClampedAndBidsStayPositive) {
  struct Case {
    double bid;
    int rows;
    size_t bids;
    size_t asks;
  };
  const std::vector<Case> cases = {
      {100.0, 0, 0, 0},    {100.0, -3, 0, 0},   {100.0, 1, 1, 1},
      {100.0, 20, 20, 20}, {100.0, 50, 20, 20},  // capped at kMaxDepthRows
      {0.75, 10, 3, 10},                         // 0.75, 0.5, 0.25: no row at 0 or below
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("bid " + std::to_string(c.bid) + " rows " + std::to_string(c.rows));
    const DepthBook book = ModelDepthBook(Mnq(), kSeed, Quote(c.bid, c.bid + 0.25, 1, 1), c.rows);
    EXPECT_EQ(book.bids.size(), c.bids);
    EXPECT_EQ(book.asks.size(), c.asks);
  }
}

// ---------------------------------------------------------------- diff and apply

std::vector<DepthRow> Rows(std::initializer_list<std::pair<double, int64_t>> rows) {
  std::vector<DepthRow> out;
  for (const auto& [price, size] : rows) out.push_back({price, D(size)});
  return out;
}

TEST(DepthBookTest, DiffTable) {
  using Op = DepthOperation;
  struct Case {
    const char* name;
    DepthSide side;
    std::vector<DepthRow> before;
    std::vector<DepthRow> after;
    std::vector<DepthUpdate> want;
  };
  const DepthSide kBid = DepthSide::kBid;
  const DepthSide kAsk = DepthSide::kAsk;
  const std::vector<Case> cases = {
      {"equal: nothing", kBid, Rows({{10, 1}, {9, 2}}), Rows({{10, 1}, {9, 2}}), {}},
      {"empty to rows: inserts in order",
       kBid,
       {},
       Rows({{10, 1}, {9, 2}}),
       {{0, Op::kInsert, kBid, {10, D(1)}}, {1, Op::kInsert, kBid, {9, D(2)}}}},
      {"rows to empty: deletes from the last",
       kAsk,
       Rows({{10, 1}, {11, 2}}),
       {},
       {{1, Op::kDelete, kAsk, {11, D(2)}}, {0, Op::kDelete, kAsk, {10, D(1)}}}},
      {"size change: update in place",
       kBid,
       Rows({{10, 1}, {9, 2}}),
       Rows({{10, 5}, {9, 2}}),
       {{0, Op::kUpdate, kBid, {10, D(5)}}}},
      {"bid up a tick: insert at 0, last row falls off",
       kBid,
       Rows({{10, 1}, {9, 2}, {8, 3}}),
       Rows({{11, 4}, {10, 1}, {9, 2}}),
       {{0, Op::kInsert, kBid, {11, D(4)}}, {3, Op::kDelete, kBid, {8, D(3)}}}},
      {"bid down a tick: best deleted, a deeper row appended",
       kBid,
       Rows({{11, 4}, {10, 1}, {9, 2}}),
       Rows({{10, 1}, {9, 2}, {8, 3}}),
       {{0, Op::kDelete, kBid, {11, D(4)}}, {2, Op::kInsert, kBid, {8, D(3)}}}},
      {"ask down a tick: insert at 0",
       kAsk,
       Rows({{10, 1}, {11, 2}}),
       Rows({{9, 7}, {10, 1}}),
       {{0, Op::kInsert, kAsk, {9, D(7)}}, {2, Op::kDelete, kAsk, {11, D(2)}}}},
      {"a gap closes in the middle",
       kAsk,
       Rows({{10, 1}, {12, 2}}),
       Rows({{10, 1}, {11, 3}, {12, 2}}),
       {{1, Op::kInsert, kAsk, {11, D(3)}}}},
      {"a level leaves the middle",
       kAsk,
       Rows({{10, 1}, {11, 3}, {12, 2}}),
       Rows({{10, 1}, {12, 2}}),
       {{1, Op::kDelete, kAsk, {11, D(3)}}}},
      {"jump past the whole book",
       kBid,
       Rows({{10, 1}, {9, 2}}),
       Rows({{20, 3}, {19, 4}}),
       {{0, Op::kInsert, kBid, {20, D(3)}},
        {1, Op::kInsert, kBid, {19, D(4)}},
        {3, Op::kDelete, kBid, {9, D(2)}},
        {2, Op::kDelete, kBid, {10, D(1)}}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<DepthUpdate> got;
    DiffDepthSide(c.side, c.before, c.after, got);
    EXPECT_EQ(got, c.want);
    std::vector<DepthRow> applied = c.before;
    for (const DepthUpdate& u : got) ASSERT_TRUE(ApplyDepthUpdate(u, applied).ok());
    EXPECT_EQ(applied, c.after);
  }
}

// Books along a generated quote path: applying the diff of each step to the previous book gives
// the next book, for every row count.
TEST(DepthBookTest, DiffsReplayAGeneratedQuotePath) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  const TickGenerator generator(kSeed);
  std::vector<MarketEvent> events;
  for (int64_t s = 1754920800; s < 1754920800 + 120; ++s) {
    generator.GenerateSecond(Mnq(), s, SessionPhase::kLiquid, events);
  }
  for (const int rows : {1, 5, 20}) {
    DepthBook client;
    DepthBook previous;
    size_t updates = 0;
    for (const MarketEvent& e : events) {
      if (e.kind != MarketEvent::Kind::kQuote) continue;
      const DepthBook next =
          ModelDepthBook(Mnq(), kSeed, {e.bid, e.ask, e.bid_size, e.ask_size}, rows);
      std::vector<DepthUpdate> diff;
      DiffDepthBook(previous, next, diff);
      for (const DepthUpdate& u : diff) ASSERT_TRUE(ApplyDepthUpdate(u, client).ok());
      ASSERT_EQ(client, next);
      updates += diff.size();
      previous = next;
    }
    EXPECT_GT(updates, 0u);
  }
}

TEST(DepthBookTest, ApplyRefusesPositionsOutsideTheSide) {
  struct Case {
    DepthOperation op;
    int32_t position;
    bool ok;
  };
  const std::vector<Case> cases = {
      {DepthOperation::kInsert, 0, true},   {DepthOperation::kInsert, 2, true},
      {DepthOperation::kInsert, 3, false},  {DepthOperation::kInsert, -1, false},
      {DepthOperation::kUpdate, 1, true},   {DepthOperation::kUpdate, 2, false},
      {DepthOperation::kDelete, 1, true},   {DepthOperation::kDelete, 2, false},
      {DepthOperation::kDelete, -1, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(static_cast<int>(c.op)) + " at " + std::to_string(c.position));
    std::vector<DepthRow> rows = Rows({{10, 1}, {9, 2}});
    const std::vector<DepthRow> before = rows;
    const Status s = ApplyDepthUpdate({c.position, c.op, DepthSide::kBid, {5, D(1)}}, rows);
    EXPECT_EQ(s.ok(), c.ok) << s.ToString();
    if (!c.ok) {
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(rows, before);
    }
  }
}

}  // namespace
}  // namespace ibstream::sim::depth_book_test
