#include "recorder/backfill_job.h"

#include <gtest/gtest.h>

namespace ibstream::recorder::backfill_job_test {
namespace {

constexpr int64_t kContract = 711280073;

Tick Trade(int64_t second, double price, int64_t size) {
  Tick t;
  t.contract_id = kContract;
  t.type = TickType::kLast;
  t.exchange_time = FromUnixSeconds(second);
  t.price = price;
  t.size = Decimal::FromInt(size);
  t.exchange = "CME";
  return t;
}

TEST(BackfillJobTest, AQuoteGapIsFilledFromBidAskHistoryAsQuoteTicks) {
  BackfillJob job({kContract, TickType::kQuote}, 100, 101);
  ASSERT_EQ(job.NextPage()->what_to_show, "BID_ASK");
  Tick history;  // as the client delivers a BID_ASK history tick
  history.contract_id = kContract;
  history.type = TickType::kBidAsk;
  history.source = TickSource::kBackfill;
  history.exchange_time = FromUnixSeconds(100);
  history.receive_time = FromUnixSeconds(500);
  history.bid_price = 21500;
  history.ask_price = 21500.25;
  history.bid_size = Decimal::FromInt(3);
  history.ask_size = Decimal::FromInt(4);
  history.attributes = kAttrBidPastLow;
  Tick late = history;
  late.exchange_time = FromUnixSeconds(101);
  const std::vector<Tick> kept = job.OnPage({history, late});
  ASSERT_EQ(kept.size(), 2u);
  Tick expected;
  expected.contract_id = kContract;
  expected.type = TickType::kQuote;
  expected.source = TickSource::kBackfill;
  expected.exchange_time = FromUnixSeconds(100);
  expected.receive_time = FromUnixSeconds(500);
  expected.bid_price = 21500;
  expected.ask_price = 21500.25;
  expected.bid_size = Decimal::FromInt(3);
  expected.ask_size = Decimal::FromInt(4);
  EXPECT_EQ(kept[0], expected);
  EXPECT_EQ(kept[1].type, TickType::kQuote);
  EXPECT_EQ(job.state(), BackfillState::kFilled);
}

TEST(BackfillJobTest, ATradeGapIsFilledFromTradesHistoryAsTradeTicks) {
  BackfillJob job({kContract, TickType::kTrade}, 100, 102);
  ASSERT_EQ(job.NextPage()->what_to_show, "TRADES");
  Tick unreported = Trade(101, 21499, 5);
  unreported.attributes = kAttrUnreported;
  Tick conditions = Trade(102, 21501.5, 2);
  conditions.special_conditions = "T";
  conditions.attributes = kAttrPastLimit;
  const std::vector<Tick> kept = job.OnPage({Trade(100, 21500, 1), unreported, conditions});
  ASSERT_EQ(kept.size(), 2u) << "unreported trades are not in IB's last price either";
  for (const Tick& t : kept) {
    EXPECT_EQ(t.type, TickType::kTrade);
    EXPECT_EQ(t.source, TickSource::kBackfill);
    EXPECT_EQ(t.contract_id, kContract);
    EXPECT_EQ(t.exchange, "");
    EXPECT_EQ(t.special_conditions, "");
    EXPECT_EQ(t.attributes, 0);
    EXPECT_FALSE(t.volume.is_set()) << "IB's tick history has no day volume";
  }
  EXPECT_EQ(kept[1].price, 21501.5);
  EXPECT_EQ(kept[1].size, Decimal::FromInt(2));
  EXPECT_EQ(ToUnixSeconds(kept[1].exchange_time), 102);
  EXPECT_EQ(job.state(), BackfillState::kFilled);
}

TEST(BackfillJobTest, PagesForwardOneSecondAfterTheLastTick) {
  BackfillJob job({kContract, TickType::kLast}, 100, 200, nullptr, 3);
  ASSERT_EQ(job.NextPage()->start_second, 100);
  EXPECT_EQ(job.NextPage()->what_to_show, "TRADES");
  EXPECT_EQ(job.NextPage()->number_of_ticks, 3);
  auto kept = job.OnPage({Trade(100, 1, 1), Trade(120, 2, 1), Trade(120, 3, 1), Trade(150, 4, 1)});
  EXPECT_EQ(kept.size(), 4u);
  for (const Tick& t : kept) EXPECT_EQ(t.source, TickSource::kBackfill);
  ASSERT_EQ(job.state(), BackfillState::kPending);
  EXPECT_EQ(job.NextPage()->start_second, 151);
  kept = job.OnPage({Trade(190, 5, 1), Trade(200, 6, 1), Trade(210, 7, 1)});
  EXPECT_EQ(kept.size(), 2u) << "the tick after the gap end belongs to live data";
  EXPECT_EQ(job.state(), BackfillState::kFilled);
  EXPECT_FALSE(job.NextPage().has_value());
  EXPECT_EQ(job.ticks_kept(), 6u);
}

TEST(BackfillJobTest, BoundarySecondsAreKeptWholeForQueriesToReconcile) {
  // The last live tick before the gap was in second 100, the first after it in second 105.
  BackfillJob job({kContract, TickType::kLast}, 100, 105);
  auto kept = job.OnPage({Trade(99, 21500, 1), Trade(100, 21500.5, 1), Trade(100, 21500.5, 1),
                          Trade(103, 21499, 1), Trade(105, 21501, 2), Trade(106, 21502, 1)});
  ASSERT_EQ(kept.size(), 4u) << "seconds 100 to 105, repeats included";
  EXPECT_EQ(ToUnixSeconds(kept.front().exchange_time), 100);
  EXPECT_EQ(ToUnixSeconds(kept.back().exchange_time), 105);
  EXPECT_EQ(job.state(), BackfillState::kFilled);
}

TEST(BackfillJobTest, SkipsABreakInsideTheGapWithTheCalendar) {
  // Gap from 100 to 1000; market in a break from 200 to 800.
  auto next_trading = [](TimePoint t) -> std::optional<TimePoint> {
    if (ToUnixSeconds(t) < 800) return FromUnixSeconds(800);
    return std::nullopt;
  };
  BackfillJob job({kContract, TickType::kLast}, 100, 1000, next_trading);
  (void)job.OnPage({Trade(100, 1, 1), Trade(199, 1, 1)});
  ASSERT_EQ(job.NextPage()->start_second, 200);
  (void)job.OnPage({});  // nothing in the break
  ASSERT_EQ(job.state(), BackfillState::kPending);
  EXPECT_EQ(job.NextPage()->start_second, 800);
  (void)job.OnPage({Trade(800, 1, 1), Trade(1000, 1, 1)});
  EXPECT_EQ(job.state(), BackfillState::kFilled);
}

TEST(BackfillJobTest, HistoryEndingEarlyIsPartialWithAReason) {
  BackfillJob job({kContract, TickType::kLast}, 100, 1000);
  (void)job.OnPage({Trade(100, 1, 1), Trade(150, 1, 1)});
  (void)job.OnPage({});
  EXPECT_EQ(job.state(), BackfillState::kPartial);
  EXPECT_NE(job.reason().find("no ticks"), std::string::npos);
}

TEST(BackfillJobTest, ErrorBeforeAnyTickIsFailedAfterSomeIsPartial) {
  BackfillJob first({kContract, TickType::kBidAsk}, 100, 200);
  first.OnError("162: pacing violation");
  EXPECT_EQ(first.state(), BackfillState::kFailed);
  EXPECT_EQ(first.reason(), "162: pacing violation");

  BackfillJob second({kContract, TickType::kLast}, 100, 200);
  (void)second.OnPage({Trade(100, 1, 1), Trade(150, 1, 1)});
  second.OnError("disconnected");
  EXPECT_EQ(second.state(), BackfillState::kPartial);
}

TEST(BackfillJobTest, EmptyGapIsFilledAtOnce) {
  BackfillJob job({kContract, TickType::kLast}, 200, 100);
  EXPECT_EQ(job.state(), BackfillState::kFilled);
  EXPECT_FALSE(job.NextPage().has_value());
}

}  // namespace
}  // namespace ibstream::recorder::backfill_job_test

namespace ibstream::recorder::backfill_job_test {
namespace {

TEST(BackfillJobUnreportedTest, LastStreamLeavesOutUnreportedTradesAllLastKeepsThem) {
  Tick reported;
  reported.contract_id = 1;
  reported.exchange_time = FromUnixSeconds(100);
  reported.price = 10;
  reported.size = Decimal::FromInt(1);
  Tick unreported = reported;
  unreported.attributes = kAttrUnreported;
  unreported.special_conditions = "I";

  reported.type = unreported.type = TickType::kLast;
  BackfillJob last({1, TickType::kLast}, 100, 100);
  EXPECT_EQ(last.OnPage({reported, unreported}).size(), 1u);

  reported.type = unreported.type = TickType::kAllLast;
  BackfillJob all_last({1, TickType::kAllLast}, 100, 100);
  EXPECT_EQ(all_last.OnPage({reported, unreported}).size(), 2u);
}

}  // namespace
}  // namespace ibstream::recorder::backfill_job_test
