// Completeness of the reqMktData fallback kinds (quote, trade) against hand-written truth files:
// a "MktData" subscription asks for both, and they are judged by coverage of the truth's seconds.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "fs/fault_file_system.h"
#include "storage/route_log.h"
#include "storage/store.h"
#include "verify/completeness.h"

namespace ibstream::verify::completeness_fallback_test {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kS = 1754945400;  // 2025-08-11T20:50:00Z
constexpr int64_t kMnq = 711202509;
const std::string kRoot = "/store";

std::string Header() {
  return R"({"type":"header","version":2,"seed":7,"start":"2025-08-11T20:50:00Z","speed":60})"
         "\n";
}

// A reqMktData line asked for at kS + 0.5 s: the window starts at kS + 1.
std::string MktDataAsk() {
  return R"({"type":"subscription","event":"start","client_id":0,"req_id":7,"con_id":711202509,)"
         R"("symbol":"MNQ","stream":"MktData","at":"2025-08-11T20:50:00.5Z",)"
         R"("time_ns":1754945400500000000,"reason":""})"
         "\n";
}

// A BidAsk (tick-by-tick) subscription served from kS + 0.1 s.
std::string BidAskAsk() {
  return R"({"type":"subscription","event":"start","client_id":0,"req_id":5,"con_id":711202509,)"
         R"("symbol":"MNQ","stream":"BidAsk","at":"2025-08-11T20:50:00.1Z",)"
         R"("time_ns":1754945400100000000,"reason":""})"
         "\n";
}

// ... dropped by the simulator (not cancelled: judged to the stop) half a second into `second`.
std::string BidAskDropped(int64_t second) {
  return "{\"type\":\"subscription\",\"event\":\"end\",\"client_id\":0,\"req_id\":5,"
         "\"con_id\":711202509,\"symbol\":\"MNQ\",\"stream\":\"BidAsk\",\"at\":\"" +
         FormatIsoUtc(FromUnixSeconds(second) + std::chrono::milliseconds(500)) +
         "\",\"time_ns\":" + std::to_string(second * 1000000000 + 500000000) +
         ",\"reason\":\"fault: close\"}\n";
}

std::string QuoteLine(int64_t second, double bid, bool delivered = true,
                      std::string_view tick_type = "Quote") {
  return "{\"type\":\"tick\",\"con_id\":711202509,\"symbol\":\"MNQ\",\"tick_type\":\"" +
         std::string(tick_type) +
         "\","
         "\"time\":" +
         std::to_string(second) +
         ",\"time_ns\":" + std::to_string(second * 1000000000 + 250000000) +
         ",\"bid\":" + std::to_string(bid) + ",\"ask\":" + std::to_string(bid + 0.25) +
         ",\"bid_size\":\"3\",\"ask_size\":\"4\",\"delivered\":" + (delivered ? "true" : "false") +
         ",\"subscribers\":" + (delivered ? "1" : "0") + "}\n";
}

std::string TradeLine(int64_t second, double price) {
  return "{\"type\":\"tick\",\"con_id\":711202509,\"symbol\":\"MNQ\",\"tick_type\":\"Trade\","
         "\"time\":" +
         std::to_string(second) +
         ",\"time_ns\":" + std::to_string(second * 1000000000 + 500000000) +
         ",\"price\":" + std::to_string(price) +
         ",\"size\":\"1\",\"volume\":\"1000\",\"delivered\":true,\"subscribers\":1}\n";
}

std::string Footer(int64_t end_second) {
  return "{\"type\":\"footer\",\"end\":\"" + FormatIsoUtc(FromUnixSeconds(end_second)) +
         "\",\"ticks\":0,\"delivered\":0}\n";
}

// A stored quote with exchange time `at` (a live quote carries its receive time).
Tick StoredQuote(TimePoint at, double bid, TickSource source = TickSource::kLive) {
  Tick t;
  t.contract_id = kMnq;
  t.type = TickType::kQuote;
  t.source = source;
  t.exchange_time = at;
  t.receive_time = at;
  t.bid_price = bid;
  t.ask_price = bid + 0.25;
  t.bid_size = Decimal::FromInt(3);
  t.ask_size = Decimal::FromInt(4);
  return t;
}

Tick StoredTrade(int64_t second, double price, TickSource source = TickSource::kLive) {
  Tick t;
  t.contract_id = kMnq;
  t.type = TickType::kTrade;
  t.source = source;
  t.exchange_time = FromUnixSeconds(second);
  t.receive_time = FromUnixSeconds(second) + 300ms;
  t.price = price;
  t.size = Decimal::FromInt(1);
  return t;
}

storage::RouteChange Change(int64_t second, std::chrono::milliseconds ms, bool session_start,
                            std::vector<storage::RouteEntry> entries) {
  return storage::RouteChange{FromUnixSeconds(second) + ms, session_start, std::move(entries)};
}

storage::RouteEntry Entry(TickType type, storage::RouteKind to,
                          storage::RouteKind from = storage::RouteKind::kNone) {
  return storage::RouteEntry{{kMnq, type}, from, to, ""};
}

class FallbackCompletenessTest : public ::testing::Test {
 protected:
  void WriteTruth(const std::string& text) {
    truth_path_ = (std::filesystem::path(::testing::TempDir()) /
                   (std::string("completeness_fallback_") +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl"))
                      .string();
    std::ofstream(truth_path_, std::ios::binary) << text;
  }

  void Store(const std::vector<Tick>& ticks) {
    storage::StoreOptions options;
    options.root = kRoot;
    options.background_maintenance = false;
    auto store = storage::Store::Open(&fs_, clock_, options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    uint64_t sequence = 0;
    for (Tick t : ticks) {
      t.sequence = ++sequence;
      ASSERT_TRUE((*store)->writer().Append(t).ok());
    }
    ASSERT_TRUE((*store)->writer().Flush(10s).ok());
    (*store)->Close();
  }

  // The recorder's route log.
  void Routes(const std::vector<storage::RouteChange>& changes) {
    auto log = storage::RouteLog::Open(&fs_, kRoot);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    for (const auto& c : changes) ASSERT_TRUE((*log)->Append(c).ok());
  }

  CompletenessReport Check(CompletenessOptions options = {}) {
    options.truth_path = truth_path_;
    auto report = CheckCompleteness(&fs_, kRoot, options);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : CompletenessReport{};
  }

  fs::FaultFileSystem fs_;
  ManualClock clock_{FromUnixSeconds(kS + 30)};
  std::string truth_path_;
};

TEST_F(FallbackCompletenessTest, AMktDataAskIsJudgedAsQuoteAndTradeByCoverage) {
  // Window [kS+1, kS+6). Quote data in seconds 1, 2, 3 and 5; trade data in 2 and 4.
  WriteTruth(Header() + MktDataAsk() + QuoteLine(kS, 99) + QuoteLine(kS + 1, 100) +
             QuoteLine(kS + 1, 100.25) + QuoteLine(kS + 2, 101) + QuoteLine(kS + 3, 102, false) +
             TradeLine(kS + 2, 101) + TradeLine(kS + 4, 103) + QuoteLine(kS + 5, 104) +
             QuoteLine(kS + 6, 105) + Footer(kS + 6));
  Store({
      StoredQuote(FromUnixSeconds(kS + 1) + 300ms, 100.25),
      StoredQuote(FromUnixSeconds(kS + 2) + 900ms, 101),
      // Second 3 (not delivered) from IB's tick history, richer than the snapshots.
      StoredQuote(FromUnixSeconds(kS + 3), 102, TickSource::kBackfill),
      StoredQuote(FromUnixSeconds(kS + 3), 102.25, TickSource::kBackfill),
      StoredQuote(FromUnixSeconds(kS + 3), 102.5, TickSource::kBackfill),
      // Second 5's snapshot received at 6.01, after the window's end, still covers it.
      StoredQuote(FromUnixSeconds(kS + 6) + 10ms, 104),
      // Trades: three history ticks in second 2 and nothing for second 4.
      StoredTrade(kS + 2, 101, TickSource::kBackfill),
      StoredTrade(kS + 2, 101.25, TickSource::kBackfill),
      StoredTrade(kS + 2, 101, TickSource::kBackfill),
      // Second 6 is two seconds after 4: it covers 5 and 6, not 4.
      StoredTrade(kS + 6, 104),
  });
  const CompletenessReport report = Check();
  ASSERT_EQ(report.streams.size(), 2u) << "a MktData line asks for quote and trade, nothing else";

  const StreamCompleteness& quote = report.streams[0];
  EXPECT_EQ(quote.stream, (StreamKey{kMnq, TickType::kQuote}));
  EXPECT_TRUE(quote.by_coverage);
  EXPECT_EQ(quote.symbol, "MNQ");
  EXPECT_EQ(quote.from, FromUnixSeconds(kS + 1));
  EXPECT_EQ(quote.to, FromUnixSeconds(kS + 6));
  EXPECT_EQ(quote.expected, 4u) << "seconds with quote data, not snapshots";
  EXPECT_EQ(quote.delivered, 3u);
  EXPECT_EQ(quote.stored, 5u) << "ticks in the window";
  EXPECT_EQ(quote.stored_live, 2u);
  EXPECT_EQ(quote.matched, 4u);
  EXPECT_EQ(quote.matched_live, 3u);
  EXPECT_EQ(quote.missing, 0u);
  EXPECT_EQ(quote.extra, 0u) << "stored fallback ticks are never extra";
  EXPECT_DOUBLE_EQ(quote.completeness(), 100);
  EXPECT_DOUBLE_EQ(quote.live_completeness(), 75);

  const StreamCompleteness& trade = report.streams[1];
  EXPECT_EQ(trade.stream, (StreamKey{kMnq, TickType::kTrade}));
  EXPECT_TRUE(trade.by_coverage);
  EXPECT_EQ(trade.from, FromUnixSeconds(kS + 1));
  EXPECT_EQ(trade.expected, 2u);
  EXPECT_EQ(trade.stored, 3u);
  EXPECT_EQ(trade.matched, 1u);
  EXPECT_EQ(trade.matched_live, 0u);
  EXPECT_EQ(trade.missing, 1u);
  EXPECT_EQ(trade.extra, 0u);
  ASSERT_EQ(trade.first_missing_seconds.size(), 1u);
  EXPECT_EQ(trade.first_missing_seconds[0], FromUnixSeconds(kS + 4));
  EXPECT_DOUBLE_EQ(trade.completeness(), 50);
  EXPECT_FALSE(report.ok());

  const auto j = nlohmann::json::parse(CompletenessJson(report, -1));
  EXPECT_EQ(j["streams"][0]["stream"], "711202509/quote");
  EXPECT_EQ(j["streams"][0]["judged_by"], "coverage");
  EXPECT_EQ(j["streams"][1]["tick_type"], "trade");
  const auto lines = DescribeCompleteness(report);
  EXPECT_NE(lines[1].find("1/2 (50.00%)"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("(seconds covered)"), std::string::npos) << lines[1];
}

TEST_F(FallbackCompletenessTest, ATickTwoSecondsLaterDoesNotCover) {
  WriteTruth(Header() + MktDataAsk() + QuoteLine(kS + 1, 100) + QuoteLine(kS + 2, 101) +
             Footer(kS + 10));
  Store({StoredQuote(FromUnixSeconds(kS + 3), 101), StoredQuote(FromUnixSeconds(kS), 99)});
  Routes({Change(kS, 200ms, true, {Entry(TickType::kBidAsk, storage::RouteKind::kFallback)})});
  const CompletenessReport report = Check();
  ASSERT_EQ(report.streams.size(), 1u) << "bid_ask on the fallback: the trade kind was not needed";
  const StreamCompleteness& quote = report.streams[0];
  EXPECT_EQ(quote.expected, 2u);
  EXPECT_EQ(quote.matched, 1u) << "a tick at 3 covers 2 and 3; one at 0 covers nothing after it";
  ASSERT_EQ(quote.first_missing_seconds.size(), 1u);
  EXPECT_EQ(quote.first_missing_seconds[0], FromUnixSeconds(kS + 1));
}

// A store without route records (an older recorder): the truth's reqMktData line asks for both
// kinds, and both are judged, whatever the store holds of either.
TEST_F(FallbackCompletenessTest, WithoutRouteRecordsBothFallbackKindsAreJudged) {
  WriteTruth(Header() + MktDataAsk() + QuoteLine(kS + 1, 100) + TradeLine(kS + 2, 101) +
             QuoteLine(kS + 3, 102) + TradeLine(kS + 4, 103) + Footer(kS + 10));
  Store({StoredTrade(kS + 2, 101), StoredTrade(kS + 4, 103)});
  const CompletenessReport report = Check();
  ASSERT_EQ(report.streams.size(), 2u) << "no kind is hidden because the other one has data";
  EXPECT_EQ(report.streams[0].stream, (StreamKey{kMnq, TickType::kQuote}));
  EXPECT_DOUBLE_EQ(report.streams[0].completeness(), 0);
  EXPECT_FALSE(report.streams[0].needed.has_value());
  EXPECT_DOUBLE_EQ(report.streams[1].completeness(), 100);
  EXPECT_FALSE(report.ok());
}

// The recorder's routes say which kinds it needed: MNQ `last` on the fallback (trade), bid_ask on
// tick-by-tick. The quote kind, never needed, is not judged; asked for by name it is reported,
// owed nothing.
TEST_F(FallbackCompletenessTest, AFallbackKindNoRouteNeededIsNotJudged) {
  WriteTruth(Header() + MktDataAsk() + QuoteLine(kS + 1, 100) + TradeLine(kS + 2, 101) +
             QuoteLine(kS + 3, 102) + TradeLine(kS + 4, 103) + Footer(kS + 10));
  Store({StoredTrade(kS + 2, 101), StoredTrade(kS + 4, 103)});
  Routes({Change(kS, 200ms, true,
                 {Entry(TickType::kBidAsk, storage::RouteKind::kTickByTick),
                  Entry(TickType::kLast, storage::RouteKind::kFallback)})});
  const CompletenessReport report = Check();
  ASSERT_EQ(report.streams.size(), 1u);
  EXPECT_EQ(report.streams[0].stream, (StreamKey{kMnq, TickType::kTrade}));
  EXPECT_DOUBLE_EQ(report.streams[0].completeness(), 100);
  ASSERT_TRUE(report.streams[0].needed.has_value());
  EXPECT_EQ(report.streams[0].needed->size(), 1u);
  EXPECT_TRUE(report.ok());

  CompletenessOptions named;
  named.streams = {{kMnq, TickType::kQuote}};
  const CompletenessReport quote = Check(named);
  ASSERT_EQ(quote.streams.size(), 1u);
  EXPECT_EQ(quote.streams[0].expected, 0u);
  EXPECT_TRUE(quote.streams[0].needed->empty());
}

// The recorder needed both kinds (both streams on the fallback) and stored only trades: the quote
// kind is 0%, not hidden behind the kind that has data.
TEST_F(FallbackCompletenessTest, ANeededKindThatStoredNothingIsZero) {
  WriteTruth(Header() + MktDataAsk() + QuoteLine(kS + 1, 100) + TradeLine(kS + 2, 101) +
             QuoteLine(kS + 3, 102) + TradeLine(kS + 4, 103) + Footer(kS + 10));
  Store({StoredTrade(kS + 2, 101), StoredTrade(kS + 4, 103)});
  Routes({Change(kS, 200ms, true,
                 {Entry(TickType::kBidAsk, storage::RouteKind::kFallback),
                  Entry(TickType::kLast, storage::RouteKind::kFallback)})});
  const CompletenessReport report = Check();
  ASSERT_EQ(report.streams.size(), 2u);
  EXPECT_EQ(report.streams[0].stream, (StreamKey{kMnq, TickType::kQuote}));
  EXPECT_EQ(report.streams[0].expected, 2u);
  EXPECT_DOUBLE_EQ(report.streams[0].completeness(), 0);
  EXPECT_DOUBLE_EQ(report.streams[1].completeness(), 100);
  EXPECT_FALSE(report.ok());
}

// The silent_subscription case: MNQ last on the fallback from the start (the reqMktData line is
// asked for then), bid_ask on tick-by-tick until 3.4 s, when it moves to the fallback too. The
// quote kind is judged from the first whole second after the move, not from the line's ask; the
// tick-by-tick stream only until the move, though its subscription was dropped, not cancelled.
TEST_F(FallbackCompletenessTest, AKindNeededFromALaterMomentIsJudgedFromThen) {
  std::string truth = Header() + BidAskAsk() + MktDataAsk();
  for (int64_t s = 1; s <= 8; ++s) {
    truth += QuoteLine(kS + s, 100 + s) + TradeLine(kS + s, 100 + s) +
             QuoteLine(kS + s, 200 + s, true, "BidAsk");
  }
  truth += BidAskDropped(kS + 3) + Footer(kS + 9);
  WriteTruth(truth);
  std::vector<Tick> stored;
  for (int64_t s = 1; s <= 8; ++s) {
    stored.push_back(StoredTrade(kS + s, 100 + s));
    if (s >= 4) stored.push_back(StoredQuote(FromUnixSeconds(kS + s) + 300ms, 100 + s));
    if (s <= 2) {
      Tick t = StoredQuote(FromUnixSeconds(kS + s), 200 + s);
      t.type = TickType::kBidAsk;
      stored.push_back(t);
    }
  }
  Store(stored);
  Routes({Change(kS, 200ms, true,
                 {Entry(TickType::kBidAsk, storage::RouteKind::kTickByTick),
                  Entry(TickType::kLast, storage::RouteKind::kFallback)}),
          Change(kS + 3, 400ms, false,
                 {Entry(TickType::kBidAsk, storage::RouteKind::kFallback,
                        storage::RouteKind::kTickByTick)})});
  const CompletenessReport report = Check();
  ASSERT_EQ(report.streams.size(), 3u);
  const StreamCompleteness& bid_ask = report.streams[0];
  EXPECT_EQ(bid_ask.stream, (StreamKey{kMnq, TickType::kBidAsk}));
  EXPECT_EQ(bid_ask.from, FromUnixSeconds(kS + 1));
  EXPECT_EQ(bid_ask.to, FromUnixSeconds(kS + 3));
  EXPECT_EQ(bid_ask.expected, 2u);
  EXPECT_DOUBLE_EQ(bid_ask.completeness(), 100);
  const StreamCompleteness& quote = report.streams[1];
  EXPECT_EQ(quote.stream, (StreamKey{kMnq, TickType::kQuote}));
  EXPECT_EQ(quote.from, FromUnixSeconds(kS + 4)) << "from the move, not from the line's ask";
  EXPECT_EQ(quote.to, FromUnixSeconds(kS + 9));
  EXPECT_EQ(quote.expected, 5u);
  EXPECT_DOUBLE_EQ(quote.completeness(), 100);
  const StreamCompleteness& trade = report.streams[2];
  EXPECT_EQ(trade.from, FromUnixSeconds(kS + 1));
  EXPECT_EQ(trade.expected, 8u);
  EXPECT_DOUBLE_EQ(trade.completeness(), 100);
  EXPECT_TRUE(report.ok()) << DescribeCompleteness(report)[1];
  const auto j = nlohmann::json::parse(CompletenessJson(report, -1));
  EXPECT_EQ(j["streams"][1]["needed"][0][0], "2025-08-11T20:50:04Z");
  EXPECT_TRUE(j["streams"][1]["needed"][0][1].is_null());
}

TEST_F(FallbackCompletenessTest, ADamagedRouteLogFailsTheCheck) {
  WriteTruth(Header() + MktDataAsk() + TradeLine(kS + 2, 101) + Footer(kS + 10));
  Store({StoredTrade(kS + 2, 101)});
  Routes({Change(kS, 200ms, true, {Entry(TickType::kLast, storage::RouteKind::kFallback)})});
  const std::string path = storage::RouteLog::Dir(kRoot) + "/routes.1.log";
  auto bytes = fs::ReadFileToString(&fs_, path);
  ASSERT_TRUE(bytes.ok());
  std::string damaged = *bytes;
  damaged[damaged.size() - 2] ^= 0x01;
  ASSERT_TRUE(fs_.DeleteFile(path).ok());
  ASSERT_TRUE(fs_.WriteRaw(path, damaged).ok());
  const CompletenessReport report = Check();
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_EQ(report.skipped[0].path, path);
  EXPECT_NE(report.skipped[0].reason.find("route log"), std::string::npos);
  EXPECT_FALSE(report.ok());
}

TEST_F(FallbackCompletenessTest, AnAskedFallbackStreamThatStoredNothingIsZero) {
  WriteTruth(Header() + MktDataAsk() + QuoteLine(kS + 1, 100) + QuoteLine(kS + 2, 101) +
             Footer(kS + 10));
  Store({});
  const CompletenessReport report = Check();
  ASSERT_EQ(report.streams.size(), 2u);
  EXPECT_EQ(report.streams[0].expected, 2u);
  EXPECT_EQ(report.streams[0].matched, 0u);
  EXPECT_DOUBLE_EQ(report.streams[0].completeness(), 0);
  EXPECT_FALSE(report.ok());
}

}  // namespace
}  // namespace ibstream::verify::completeness_fallback_test
