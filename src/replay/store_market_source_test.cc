// The replay source serves exactly the stored ticks: one recorded event per tick in stored order,
// inside the window and for the selected contracts only, gaps as gaps, the fallback kinds only
// where no tick-by-tick stream says the same, and damaged data reported, never a crash.
#include "replay/store_market_source.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/time_units.h"
#include "fs/fault_file_system.h"
#include "sim/catalog.h"
#include "sim/market.h"
#include "storage/journal.h"
#include "storage/log_format.h"
#include "storage/recovery.h"
#include "storage/test_ticks.h"

namespace ibstream::replay::store_market_source_test {
namespace {

using storage::testing::kHour0;
using storage::testing::MakeTick;

constexpr int64_t kMnq = 711280073;
constexpr int64_t kAapl = 265598;
const std::string kRoot = "/store";

sim::SimContract ContractOf(int64_t con_id) {
  protocol::ContractDetails d;
  d.contract.con_id = static_cast<int32_t>(con_id);
  d.contract.symbol = "X";
  d.min_tick = 0.25;
  sim::SessionSpec spec;
  spec.time_zone_id = "UTC";
  auto c = sim::MakeContract(d, "usfarm", spec, sim::TickProfile{});
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

class StoreMarketSourceTest : public ::testing::Test {
 protected:
  std::string WriteJournal(const std::vector<Tick>& ticks, uint32_t generation = 1) {
    auto journal =
        storage::JournalFile::Create(&fs_, kRoot, FromUnixSeconds(kHour0), generation, false);
    EXPECT_TRUE(journal.ok()) << journal.status().ToString();
    for (const Tick& t : ticks) (*journal)->AddTick(t);
    EXPECT_TRUE((*journal)->Write().ok());
    EXPECT_TRUE((*journal)->Sync().ok());
    EXPECT_TRUE((*journal)->Close().ok());
    return (*journal)->path();
  }

  std::shared_ptr<StoreMarketSource> Open(ReplayOptions options = {}) {
    options.store = kRoot;
    auto source = StoreMarketSource::Open(&fs_, options);
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    return source.ok() ? *source : nullptr;
  }

  std::vector<sim::MarketEvent> Events(const StoreMarketSource& source, int64_t con_id,
                                       int64_t second) {
    std::vector<sim::MarketEvent> out;
    source.EventsOf(ContractOf(con_id), second, sim::SessionPhase::kLiquid, out);
    return out;
  }

  // The ticks the simulator makes of `second`'s events (what a client is sent).
  std::vector<Tick> Served(const StoreMarketSource& source, int64_t con_id, int64_t second) {
    std::vector<Tick> out;
    const sim::SimContract c = ContractOf(con_id);
    for (const sim::MarketEvent& e : Events(source, con_id, second)) {
      sim::EventTicks(c, second, e, [&](const Tick& t) { out.push_back(t); });
    }
    return out;
  }

  fs::FaultFileSystem fs_;
};

// What the replay must reproduce of a stored tick (not its receive time, sequence or source).
void ExpectSameContent(const Tick& got, const Tick& want) {
  EXPECT_EQ(got.contract_id, want.contract_id);
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.exchange_time, want.exchange_time);
  EXPECT_EQ(got.attributes, want.attributes);
  EXPECT_EQ(got.price, want.price);
  EXPECT_EQ(got.size, want.size);
  EXPECT_EQ(got.bid_price, want.bid_price);
  EXPECT_EQ(got.ask_price, want.ask_price);
  EXPECT_EQ(got.bid_size, want.bid_size);
  EXPECT_EQ(got.ask_size, want.ask_size);
  EXPECT_EQ(got.exchange, want.exchange);
  EXPECT_EQ(got.special_conditions, want.special_conditions);
}

TEST_F(StoreMarketSourceTest, EveryStoredTickIsOneEventInStoredOrder) {
  const int64_t s = kHour0 + 100;
  std::vector<Tick> stored = {
      MakeTick(kMnq, TickType::kBidAsk, s, 11),    // bid-past-low attribute (11 % 11 == 0)
      MakeTick(kMnq, TickType::kMidPoint, s, 12),  //
      MakeTick(kMnq, TickType::kAllLast, s, 13),   //
      MakeTick(kMnq, TickType::kLast, s, 15),      // special conditions "T"
  };
  // A midpoint is a price alone.
  stored[1].size = Decimal();
  stored[1].exchange.clear();
  stored[1].special_conditions.clear();
  stored[2].attributes = kAttrUnreported | kAttrPastLimit;
  stored[2].special_conditions = "I";
  WriteJournal(stored);
  auto source = Open();
  ASSERT_NE(source, nullptr);

  const auto events = Events(*source, kMnq, s);
  ASSERT_EQ(events.size(), 4u);
  const TickType kinds[] = {TickType::kBidAsk, TickType::kMidPoint, TickType::kAllLast,
                            TickType::kLast};
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_TRUE(events[i].only.has_value());
    EXPECT_EQ(*events[i].only, kinds[i]);
    if (i > 0) {
      EXPECT_GE(events[i].offset_ns, events[i - 1].offset_ns) << "delivery order";
    }
  }
  const auto served = Served(*source, kMnq, s);
  ASSERT_EQ(served.size(), stored.size()) << "one tick per recorded event, nothing derived";
  for (size_t i = 0; i < served.size(); ++i) {
    SCOPED_TRACE(i);
    ExpectSameContent(served[i], stored[i]);
  }
  EXPECT_EQ(source->stats().ticks_loaded, 4u);
  EXPECT_EQ(source->stats().damaged_pieces, 0u);
}

TEST_F(StoreMarketSourceTest, OnlyTheWindowAndTheSelectedContractsAreServed) {
  WriteJournal({MakeTick(kMnq, TickType::kBidAsk, kHour0 + 10, 1),
                MakeTick(kMnq, TickType::kBidAsk, kHour0 + 20, 2),
                MakeTick(kMnq, TickType::kBidAsk, kHour0 + 30, 3),
                MakeTick(kAapl, TickType::kBidAsk, kHour0 + 20, 4)});
  ReplayOptions options;
  options.start = FromUnixSeconds(kHour0 + 15);
  options.end = FromUnixSeconds(kHour0 + 30);  // exclusive
  options.contracts = {kMnq};
  auto source = Open(options);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->contracts(), std::vector<int64_t>{kMnq});
  EXPECT_TRUE(Events(*source, kMnq, kHour0 + 10).empty()) << "before the window";
  EXPECT_EQ(Events(*source, kMnq, kHour0 + 20).size(), 1u);
  EXPECT_TRUE(Events(*source, kMnq, kHour0 + 30).empty()) << "the end is exclusive";
  EXPECT_TRUE(Events(*source, kAapl, kHour0 + 20).empty()) << "not selected";
}

TEST_F(StoreMarketSourceTest, GapsAreGapsAndAnotherHourIsReadOnDemand) {
  std::vector<Tick> ticks;
  for (int i = 0; i < 10; ++i) {
    ticks.push_back(MakeTick(kMnq, TickType::kLast, kHour0 + i, static_cast<uint64_t>(i + 1)));
  }
  // Nothing stored for [kHour0 + 10, kHour0 + 3700): a gap across an hour boundary.
  ticks.push_back(MakeTick(kMnq, TickType::kLast, kHour0 + 3700, 100));
  WriteJournal(ticks);
  auto source = Open();
  ASSERT_NE(source, nullptr);
  for (int64_t s = kHour0; s < kHour0 + 10; ++s) EXPECT_EQ(Events(*source, kMnq, s).size(), 1u);
  for (int64_t s = kHour0 + 10; s < kHour0 + 3700; s += 7) {
    ASSERT_TRUE(Events(*source, kMnq, s).empty()) << "invented data at " << s;
  }
  EXPECT_EQ(Events(*source, kMnq, kHour0 + 3700).size(), 1u);
  EXPECT_EQ(source->stats().hours_loaded, 2u) << "each contract-hour is read once";
}

TEST_F(StoreMarketSourceTest, FallbackKindsOnlyWhereNoTickByTickStreamSaysTheSame) {
  const int64_t s = kHour0 + 5;
  WriteJournal({MakeTick(kMnq, TickType::kBidAsk, s, 1), MakeTick(kMnq, TickType::kQuote, s, 2),
                MakeTick(kAapl, TickType::kQuote, s, 3), MakeTick(kAapl, TickType::kTrade, s, 4)});
  auto source = Open();
  ASSERT_NE(source, nullptr);
  const auto mnq = Events(*source, kMnq, s);
  ASSERT_EQ(mnq.size(), 1u);
  EXPECT_EQ(*mnq[0].only, TickType::kBidAsk);
  const auto aapl = Events(*source, kAapl, s);
  ASSERT_EQ(aapl.size(), 2u);
  EXPECT_EQ(*aapl[0].only, TickType::kQuote);
  EXPECT_EQ(aapl[0].kind, sim::MarketEvent::Kind::kQuote);
  EXPECT_EQ(*aapl[1].only, TickType::kTrade);
  EXPECT_EQ(aapl[1].kind, sim::MarketEvent::Kind::kTrade);
  EXPECT_TRUE(Served(*source, kAapl, s).empty()) << "reqMktData-only events make no tick";
}

TEST_F(StoreMarketSourceTest, DamagedDataIsReportedOnceAndReplayedAsAGap) {
  WriteJournal({MakeTick(kMnq, TickType::kBidAsk, kHour0 + 1, 1)}, 1);
  const std::string bad = WriteJournal({MakeTick(kMnq, TickType::kBidAsk, kHour0 + 2, 2)}, 2);
  std::string bytes = *fs::ReadFileToString(&fs_, bad);
  bytes[3] ^= 0x5a;  // inside the journal's magic
  ASSERT_TRUE(fs_.WriteRaw(bad, bytes).ok());
  auto source = Open();
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(Events(*source, kMnq, kHour0 + 1).size(), 1u) << "the sound journal is served";
  EXPECT_TRUE(Events(*source, kMnq, kHour0 + 2).empty());
  ReplayStats stats = source->stats();
  EXPECT_EQ(stats.damaged_pieces, 1u);
  EXPECT_EQ(stats.skipped_bytes, bytes.size());
  // Garbage instead of a journal: still no crash, still reported.
  ASSERT_TRUE(fs_.WriteRaw(bad, std::string(100, '\xff')).ok());
  auto again = Open();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(Events(*again, kMnq, kHour0 + 1).size(), 1u);
  EXPECT_EQ(again->stats().damaged_pieces, 1u);
}

TEST_F(StoreMarketSourceTest, AnyReceiveTimeSpreadsInsideItsSecondInStoredOrder) {
  const int64_t s = kHour0 + 7;
  std::vector<Tick> ticks = {MakeTick(kMnq, TickType::kLast, s, 1),
                             MakeTick(kMnq, TickType::kLast, s, 2),
                             MakeTick(kMnq, TickType::kLast, s, 3)};
  ticks[0].receive_time = FromUnixNanos(s * 1'000'000'000 + 250'000'000);
  ticks[1].receive_time = TimePoint::max();  // damaged or backfilled much later
  ticks[2].receive_time = TimePoint::min();  // before its own second
  WriteJournal(ticks);
  auto source = Open();
  ASSERT_NE(source, nullptr);
  const auto events = Events(*source, kMnq, s);
  ASSERT_EQ(events.size(), 3u);
  // Stored order is by receive time: min, 250 ms, max.
  EXPECT_EQ(events[0].offset_ns, 0);
  EXPECT_EQ(events[1].offset_ns, 250'000'000);
  EXPECT_EQ(events[2].offset_ns, 999'999'999);
}

TEST_F(StoreMarketSourceTest, FirstTickAndEndAreTheStoredTicksNotTheFilesHours) {
  Tick late = MakeTick(kMnq, TickType::kLast, kHour0 + 1800, 4);
  late.receive_time = FromUnixNanos((kHour0 + 1800) * kNanosPerSecond + 700'000'000);
  WriteJournal({MakeTick(kAapl, TickType::kBidAsk, kHour0 + 50, 1),
                MakeTick(kMnq, TickType::kBidAsk, kHour0 + 100, 2),
                MakeTick(kMnq, TickType::kLast, kHour0 + 150, 3),
                MakeTick(kMnq, TickType::kBidAsk, kHour0 + 200, 5), late});
  // Closed files: the store's inventory knows their whole hours only.
  storage::ConversionReport report;
  ASSERT_TRUE(storage::ConvertJournalHour(&fs_, kRoot, FromUnixSeconds(kHour0), 1, &report).ok());
  ASSERT_GT(report.files_written, 0u);
  const sim::SimContract mnq = ContractOf(kMnq);
  const sim::SimContract aapl = ContractOf(kAapl);
  const std::vector<TickType> trades = {TickType::kAllLast, TickType::kLast};

  auto all = Open();
  ASSERT_NE(all, nullptr);
  EXPECT_EQ(all->FirstTickOf(mnq, {TickType::kBidAsk}), FromUnixSeconds(kHour0 + 100));
  EXPECT_EQ(all->FirstTickOf(mnq, trades), FromUnixSeconds(kHour0 + 150));
  EXPECT_EQ(all->FirstTickOf(mnq, {TickType::kMidPoint}), std::nullopt) << "not recorded";
  EXPECT_EQ(all->EndSecondOf(mnq), kHour0 + 1801) << "the second after the last tick";
  EXPECT_EQ(all->EndSecondOf(aapl), kHour0 + 51);

  ReplayOptions window;
  window.start = FromUnixSeconds(kHour0 + 120);
  window.end = FromUnixSeconds(kHour0 + 1000);
  auto part = Open(window);
  ASSERT_NE(part, nullptr);
  EXPECT_EQ(part->FirstTickOf(mnq, {TickType::kBidAsk}), FromUnixSeconds(kHour0 + 200));
  EXPECT_EQ(part->EndSecondOf(mnq), kHour0 + 201);
  EXPECT_EQ(part->EndSecondOf(aapl), kHour0 + 120) << "nothing of it in the window: over at once";
}

TEST_F(StoreMarketSourceTest, OpenNamesWhatIsWrong) {
  ReplayOptions nowhere;
  nowhere.store = "/nowhere";
  auto missing = StoreMarketSource::Open(&fs_, nowhere);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  WriteJournal({MakeTick(kMnq, TickType::kBidAsk, kHour0 + 1, 1)});
  ReplayOptions aapl;
  aapl.store = kRoot;
  aapl.contracts = {kAapl};
  auto other = StoreMarketSource::Open(&fs_, aapl);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("holds conIds 711280073"), std::string::npos)
      << other.status().ToString();

  ReplayOptions empty;
  empty.store = kRoot;
  empty.start = FromUnixSeconds(kHour0);
  empty.end = empty.start;
  auto window = StoreMarketSource::Open(&fs_, empty);
  ASSERT_FALSE(window.ok());
  EXPECT_EQ(window.status().code(), StatusCode::kInvalidArgument);

  ReplayOptions later;
  later.store = kRoot;
  later.start = FromUnixSeconds(kHour0 + 86400);
  auto outside = StoreMarketSource::Open(&fs_, later);
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.status().message().find("no recorded data to replay"), std::string::npos)
      << outside.status().ToString();
}

}  // namespace
}  // namespace ibstream::replay::store_market_source_test
