// The reqMktData fallback kinds (quote, trade) through the whole store: journals, conversion to
// closed files named after the kind, the closed-file header, the gap ledger.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "fs/fault_file_system.h"
#include "storage/closed_file.h"
#include "storage/gap_ledger.h"
#include "storage/layout.h"
#include "storage/query.h"
#include "storage/store.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

namespace ibstream::storage::fallback_kinds_test {
namespace {

using namespace std::chrono_literals;
using testing::kHour0;
using testing::MakeTick;

constexpr int64_t kMnq = 711280073;
const std::string kRoot = "/store";

std::vector<Tick> QueryAll(fs::FileSystem* fs, std::vector<StreamKey> streams) {
  std::vector<Tick> out;
  const Status status = QueryTicks(
      fs, kRoot,
      {std::move(streams), FromUnixSeconds(kHour0 - 3600), FromUnixSeconds(kHour0 + 7200)},
      [&](const Tick& t) {
        out.push_back(t);
        return Status::Ok();
      },
      nullptr);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out;
}

TEST(FallbackKindsStoreTest, QuotesAndTradesAreConvertedIntoTheirOwnClosedFiles) {
  fs::FaultFileSystem fs;
  ManualClock clock(FromUnixSeconds(kHour0 + 10));
  StoreOptions options;
  options.root = kRoot;
  options.background_maintenance = false;
  std::vector<Tick> written;
  {
    auto store = Store::Open(&fs, clock, options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    uint64_t sequence = 0;
    for (int64_t s = 1; s <= 3; ++s) {
      written.push_back(MakeTick(kMnq, TickType::kQuote, kHour0 + s, ++sequence));
      written.push_back(MakeTick(kMnq, TickType::kTrade, kHour0 + s, ++sequence));
    }
    written.back().volume = Decimal::Unset();  // IB had not sent the day volume yet
    written.push_back(MakeTick(kMnq, TickType::kBidAsk, kHour0 + 2, ++sequence));
    for (const Tick& t : written) ASSERT_TRUE((*store)->writer().Append(t).ok());
    ASSERT_TRUE((*store)->writer().Flush(10s).ok());
    (*store)->Close();
  }
  // Reopened in a later hour: hour 0's journal becomes one closed file per stream.
  clock.Set(FromUnixSeconds(kHour0 + 3 * 3600));
  auto reopened = Store::Open(&fs, clock, options);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  auto closed = fs.ListDir(ClosedHourDir(kRoot, FromUnixSeconds(kHour0)));
  ASSERT_TRUE(closed.ok());
  std::vector<std::string> prefixes;
  for (const std::string& name : *closed) prefixes.push_back(name.substr(0, name.find('.')));
  std::sort(prefixes.begin(), prefixes.end());
  EXPECT_EQ(prefixes,
            (std::vector<std::string>{"711280073_bid_ask", "711280073_quote", "711280073_trade"}));

  const std::vector<Tick> quotes = QueryAll(&fs, {{kMnq, TickType::kQuote}});
  const std::vector<Tick> trades = QueryAll(&fs, {{kMnq, TickType::kTrade}});
  ASSERT_EQ(quotes.size(), 3u);
  ASSERT_EQ(trades.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(SameStoredTick(quotes[i], written[2 * i])) << i;
    EXPECT_TRUE(SameStoredTick(trades[i], written[2 * i + 1])) << i;
  }
  EXPECT_EQ(trades[0].volume, Decimal::FromInt(1002));
  EXPECT_FALSE(trades[2].volume.is_set());
  EXPECT_EQ(QueryAll(&fs, {{kMnq, TickType::kBidAsk}}).size(), 1u) << "never mixed";
  (*reopened)->Close();
}

TEST(FallbackKindsStoreTest, ABackfilledTradeWithoutVolumeMatchesTheLiveTrade) {
  const Tick live = MakeTick(kMnq, TickType::kTrade, kHour0, 1);  // volume 1001
  Tick backfill = live;
  backfill.source = TickSource::kBackfill;
  backfill.sequence = 10;
  backfill.receive_time += 1h;
  backfill.volume = Decimal::Unset();  // IB's tick history has none
  Tick other_volume = live;            // two live trades with different volumes stay two
  other_volume.sequence = 2;
  other_volume.volume = Decimal::FromInt(1002);
  other_volume.source = TickSource::kBackfill;
  std::vector<Tick> ticks = {live, backfill, other_volume};
  std::sort(ticks.begin(), ticks.end(),
            [](const Tick& a, const Tick& b) { return OrderKey(a) < OrderKey(b); });
  QueryStats stats;
  DeduplicateSorted(&ticks, &stats);
  ASSERT_EQ(ticks.size(), 2u);
  EXPECT_EQ(stats.backfill_overlaps_dropped, 1u);
  EXPECT_EQ(ticks[0].sequence, 1u);
  EXPECT_EQ(ticks[1].sequence, 2u);
}

TEST(FallbackKindsStoreTest, ClosedFileHeaderOfATradeStream) {
  fs::FaultFileSystem fs;
  std::vector<std::string> bodies(2);
  AppendTick(MakeTick(kMnq, TickType::kTrade, kHour0 + 1, 1), &bodies[0]);
  AppendTick(MakeTick(kMnq, TickType::kTrade, kHour0 + 2, 2), &bodies[1]);
  const std::vector<std::string_view> records(bodies.begin(), bodies.end());
  ClosedFileHeader header;
  header.stream = {kMnq, TickType::kTrade};
  header.hour = FromUnixSeconds(kHour0);
  auto file = BuildClosedFile(header, records);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_TRUE(fs.WriteRaw("/c/t.tks.zst", *file).ok());
  auto reader = ClosedFileReader::Open(&fs, "/c/t.tks.zst");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_TRUE((*reader)->Verify().ok());
  size_t count = 0;
  ASSERT_TRUE((*reader)
                  ->ReadRange(FromUnixSeconds(kHour0), FromUnixSeconds(kHour0 + 3600),
                              [&](const Tick& t) {
                                EXPECT_EQ(t.type, TickType::kTrade);
                                EXPECT_TRUE(t.volume.is_set());
                                ++count;
                              })
                  .ok());
  EXPECT_EQ(count, 2u);
}

TEST(FallbackKindsStoreTest, GapsOfFallbackStreamsRoundTripAndUnknownKindsAreCorruption) {
  GapRecord gap;
  gap.id = 3;
  gap.stream = {kMnq, TickType::kQuote};
  gap.start = FromUnixSeconds(kHour0);
  gap.end = FromUnixSeconds(kHour0 + 60);
  gap.cause = "disconnect";
  std::string bytes = EncodeGapRecord(gap);
  EXPECT_EQ(static_cast<uint8_t>(bytes[16]), 5);
  auto back = DecodeGapRecord(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, gap);
  gap.stream.type = TickType::kTrade;
  back = DecodeGapRecord(EncodeGapRecord(gap));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->stream.type, TickType::kTrade);
  bytes[16] = 8;  // 7 is depth
  EXPECT_EQ(DecodeGapRecord(bytes).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace ibstream::storage::fallback_kinds_test
