#include "storage/order_book.h"

#include <gtest/gtest.h>

#include <chrono>

#include "fs/fault_file_system.h"
#include "storage/store.h"
#include "storage/test_ticks.h"

namespace ibstream::storage::order_book_test {
namespace {

using namespace std::chrono_literals;
using testing::kHour0;

constexpr int64_t kEs = 495512563;
const std::string kRoot = "/store";

Tick Depth(BookOperation operation, BookSide side, int position, double price = 0, int64_t size = 0,
           std::string maker = "", int64_t nanos = 0) {
  Tick t;
  t.contract_id = kEs;
  t.type = TickType::kDepth;
  t.book_operation = operation;
  t.book_side = side;
  t.book_position = position;
  t.price = price;
  t.size = size > 0 ? Decimal::FromInt(size) : Decimal::Unset();
  t.exchange = std::move(maker);
  t.exchange_time = FromUnixSeconds(kHour0) + std::chrono::nanoseconds(nanos);
  t.receive_time = t.exchange_time;
  return t;
}

constexpr auto kInsert = BookOperation::kInsert;
constexpr auto kUpdate = BookOperation::kUpdate;
constexpr auto kDelete = BookOperation::kDelete;
constexpr auto kReset = BookOperation::kReset;
constexpr auto kBid = BookSide::kBid;
constexpr auto kAsk = BookSide::kAsk;

std::vector<BookRow> Rows(std::initializer_list<std::pair<double, int64_t>> rows) {
  std::vector<BookRow> out;
  for (const auto& [price, size] : rows) out.push_back({price, Decimal::FromInt(size), ""});
  return out;
}

TEST(OrderBookBuilderTest, OperationsByPositionPerSide) {
  struct Case {
    const char* name;
    std::vector<Tick> records;
    std::vector<BookRow> bids;
    std::vector<BookRow> asks;
  };
  const Case cases[] = {
      {"empty", {}, {}, {}},
      {"one insert per side",
       {Depth(kInsert, kBid, 0, 10.0, 5), Depth(kInsert, kAsk, 0, 10.25, 7)},
       Rows({{10.0, 5}}),
       Rows({{10.25, 7}})},
      {"insert at 0 moves the others deeper",
       {Depth(kInsert, kBid, 0, 10.0, 5), Depth(kInsert, kBid, 0, 10.25, 1)},
       Rows({{10.25, 1}, {10.0, 5}}),
       {}},
      {"insert in the middle",
       {Depth(kInsert, kAsk, 0, 11, 1), Depth(kInsert, kAsk, 1, 13, 3),
        Depth(kInsert, kAsk, 1, 12, 2)},
       {},
       Rows({{11, 1}, {12, 2}, {13, 3}})},
      {"update in place",
       {Depth(kInsert, kBid, 0, 10.0, 5), Depth(kInsert, kBid, 1, 9.75, 6),
        Depth(kUpdate, kBid, 1, 9.75, 60)},
       Rows({{10.0, 5}, {9.75, 60}}),
       {}},
      {"delete moves the rows below up",
       {Depth(kInsert, kBid, 0, 10.0, 5), Depth(kInsert, kBid, 1, 9.75, 6),
        Depth(kInsert, kBid, 2, 9.5, 7), Depth(kDelete, kBid, 0)},
       Rows({{9.75, 6}, {9.5, 7}}),
       {}},
      {"reset empties both sides",
       {Depth(kInsert, kBid, 0, 10.0, 5), Depth(kInsert, kAsk, 0, 10.25, 7), Depth(kReset, kAsk, 0),
        Depth(kInsert, kAsk, 0, 10.5, 1)},
       {},
       Rows({{10.5, 1}})},
      {"a side's operations leave the other side alone",
       {Depth(kInsert, kBid, 0, 10.0, 5), Depth(kInsert, kAsk, 0, 10.25, 7),
        Depth(kDelete, kAsk, 0)},
       Rows({{10.0, 5}}),
       {}},
  };
  for (const Case& c : cases) {
    OrderBookBuilder builder;
    for (const Tick& r : c.records) EXPECT_TRUE(builder.Apply(r).ok()) << c.name;
    EXPECT_EQ(builder.book().bids, c.bids) << c.name;
    EXPECT_EQ(builder.book().asks, c.asks) << c.name;
    EXPECT_EQ(builder.rejected(), 0u) << c.name;
    EXPECT_EQ(builder.applied(), c.records.size()) << c.name;
  }
}

TEST(OrderBookBuilderTest, RecordsThatDoNotFitAreRejectedAndCounted) {
  struct Case {
    const char* name;
    Tick record;
  };
  const Case cases[] = {
      {"insert past the end", Depth(kInsert, kBid, 2, 9.0, 1)},
      {"update of a missing row", Depth(kUpdate, kBid, 1, 9.0, 1)},
      {"delete of a missing row", Depth(kDelete, kAsk, 0)},
      {"negative position", Depth(kInsert, kBid, -1, 9.0, 1)},
      {"not a depth record", testing::MakeTick(kEs, TickType::kBidAsk, kHour0, 1)},
  };
  for (const Case& c : cases) {
    OrderBookBuilder builder;
    ASSERT_TRUE(builder.Apply(Depth(kInsert, kBid, 0, 10.0, 5)).ok());
    const OrderBook before = builder.book();
    const Status status = builder.Apply(c.record);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(builder.book(), before) << c.name;
    EXPECT_EQ(builder.rejected(), 1u) << c.name;
  }
}

TEST(OrderBookBuilderTest, MarketMakersAndRestartAreKept) {
  OrderBookBuilder builder;
  EXPECT_FALSE(builder.restarted());
  EXPECT_FALSE(builder.last_update().has_value());
  ASSERT_TRUE(builder.Apply(Depth(kReset, kAsk, 0, 0, 0, "", 5)).ok());
  ASSERT_TRUE(builder.Apply(Depth(kInsert, kAsk, 0, 10.25, 7, "ARCA", 9)).ok());
  EXPECT_TRUE(builder.restarted());
  EXPECT_EQ(builder.book().asks[0].market_maker, "ARCA");
  EXPECT_EQ(*builder.last_update(), FromUnixSeconds(kHour0) + 9ns);
}

TEST(OrderBookBuilderTest, TopRowsKeepsTheBestRowsOfEachSide) {
  OrderBook book{Rows({{10, 1}, {9, 2}, {8, 3}}), Rows({{11, 1}})};
  EXPECT_EQ(TopRows(book, 2).bids, Rows({{10, 1}, {9, 2}}));
  EXPECT_EQ(TopRows(book, 2).asks, Rows({{11, 1}}));
  EXPECT_EQ(TopRows(book, 0), book);
}

// Depth records through the store (journal, then closed files in a later hour) and the book read
// back at instants before, between and after them.
TEST(ReadBookAtTest, RebuildsTheBookAtAnInstantFromTheLastReset) {
  fs::FaultFileSystem fs;
  ManualClock clock(FromUnixSeconds(kHour0 + 10));
  StoreOptions options;
  options.root = kRoot;
  options.background_maintenance = false;
  const std::vector<Tick> records = {
      Depth(kReset, kAsk, 0, 0, 0, "", 1'000'000'000),
      Depth(kInsert, kBid, 0, 10.0, 5, "", 1'100'000'000),
      Depth(kInsert, kAsk, 0, 10.25, 7, "", 1'200'000'000),
      Depth(kInsert, kBid, 1, 9.75, 3, "", 2'000'000'000),
      // The subscription restarted: what came before no longer counts.
      Depth(kReset, kAsk, 0, 0, 0, "", 3'000'000'000),
      Depth(kInsert, kAsk, 0, 10.5, 2, "", 3'100'000'000),
  };
  {
    auto store = Store::Open(&fs, clock, options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    uint64_t sequence = 0;
    for (Tick t : records) {
      t.sequence = ++sequence;
      ASSERT_TRUE((*store)->writer().Append(t).ok());
    }
    ASSERT_TRUE((*store)->writer().Flush(10s).ok());
    (*store)->Close();
  }
  clock.Set(FromUnixSeconds(kHour0 + 3 * 3600));  // reopening converts hour 0's journal
  auto reopened = Store::Open(&fs, clock, options);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  const auto at = [&](double seconds, int rows = 0) {
    BookAtOptions o;
    o.rows = rows;
    auto book = ReadBookAt(
        &fs, kRoot, kEs,
        FromUnixSeconds(kHour0) + std::chrono::nanoseconds(static_cast<int64_t>(seconds * 1e9)), o);
    EXPECT_TRUE(book.ok()) << book.status().ToString();
    return *book;
  };
  const BookAt before = at(0.5);
  EXPECT_FALSE(before.restarted);
  EXPECT_EQ(before.book, OrderBook());
  const BookAt first = at(1.5);
  EXPECT_TRUE(first.restarted);
  EXPECT_EQ(first.book.bids, Rows({{10.0, 5}}));
  EXPECT_EQ(first.book.asks, Rows({{10.25, 7}}));
  EXPECT_EQ(first.records, 3u);
  EXPECT_EQ(*first.last_update, FromUnixSeconds(kHour0) + 1200ms);
  const BookAt exact = at(2.0);  // a record at exactly T counts
  EXPECT_EQ(exact.book.bids, Rows({{10.0, 5}, {9.75, 3}}));
  EXPECT_EQ(at(2.0, 1).book.bids, Rows({{10.0, 5}}));
  const BookAt after = at(4.0);
  EXPECT_TRUE(after.restarted);
  EXPECT_TRUE(after.book.bids.empty());
  EXPECT_EQ(after.book.asks, Rows({{10.5, 2}}));
  EXPECT_EQ(after.rejected, 0u);
  EXPECT_TRUE(after.data_complete);
  (*reopened)->Close();
}

}  // namespace
}  // namespace ibstream::storage::order_book_test
