#include "verify/completeness.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "fs/fault_file_system.h"
#include "sim/truth_writer.h"
#include "storage/layout.h"
#include "storage/store.h"

namespace ibstream::verify::completeness_test {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kS = 1754945400;  // 2025-08-11T20:50:00Z
constexpr int64_t kMnq = 711202509;
const std::string kRoot = "/store";

Tick Quote(int64_t second, double bid, int64_t bid_size, TickSource source = TickSource::kLive) {
  Tick t;
  t.contract_id = kMnq;
  t.type = TickType::kBidAsk;
  t.source = source;
  t.exchange_time = FromUnixSeconds(second);
  t.receive_time = FromUnixSeconds(second) + 100ms;
  t.bid_price = bid;
  t.ask_price = bid + 0.25;
  t.bid_size = Decimal::FromInt(bid_size);
  t.ask_size = Decimal::FromInt(1);
  return t;
}

Tick Trade(int64_t second, double price, TickSource source = TickSource::kLive) {
  Tick t;
  t.contract_id = kMnq;
  t.type = TickType::kLast;
  t.source = source;
  t.exchange_time = FromUnixSeconds(second);
  t.receive_time = FromUnixSeconds(second) + 200ms;
  t.price = price;
  t.size = Decimal::FromInt(2);
  t.exchange = "CME";
  return t;
}

struct TruthTickSpec {
  Tick tick;
  bool delivered;
};

class CompletenessTest : public ::testing::Test {
 protected:
  // A version 2 truth: the subscription records, then the ticks, then the footer at `end`.
  void WriteTruthWithAsks(const std::vector<sim::SubscriptionRecord>& asks,
                          const std::vector<TruthTickSpec>& ticks, TimePoint end) {
    truth_path_ = (std::filesystem::path(::testing::TempDir()) /
                   (std::string("completeness_") +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl"))
                      .string();
    auto writer = sim::TruthWriter::Open(truth_path_);
    ASSERT_TRUE(writer.ok());
    (*writer)->WriteHeader(1, FromUnixSeconds(kS), 60);
    for (const auto& a : asks) (*writer)->WriteSubscription(a);
    for (const auto& t : ticks) (*writer)->WriteTick(t.tick, "MNQ", t.delivered ? 1 : 0);
    (*writer)->WriteFooter(end);
    ASSERT_TRUE((*writer)->Flush().ok());
  }

  void WriteTruth(const std::vector<TruthTickSpec>& ticks) {
    truth_path_ = (std::filesystem::path(::testing::TempDir()) /
                   (std::string("completeness_") +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl"))
                      .string();
    auto writer = sim::TruthWriter::Open(truth_path_);
    ASSERT_TRUE(writer.ok());
    (*writer)->WriteHeader(1, FromUnixSeconds(kS), 60);
    for (const auto& t : ticks) (*writer)->WriteTick(t.tick, "MNQ", t.delivered ? 1 : 0);
    (*writer)->WriteFooter(FromUnixSeconds(kS + 60));
    ASSERT_TRUE((*writer)->Flush().ok());
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

// The truth: one quote a second from kS to kS+5 (the edge seconds kS and kS+5 are outside the
// window); kS+2 was not delivered (a fault) and is in the store from the backfill.
std::vector<TruthTickSpec> FiveSeconds() {
  std::vector<TruthTickSpec> out;
  for (int64_t s = kS; s <= kS + 5; ++s) out.push_back({Quote(s, 100 + s - kS, 1), s != kS + 2});
  return out;
}

TEST_F(CompletenessTest, LivePlusBackfillIsComplete) {
  WriteTruth(FiveSeconds());
  Store({Quote(kS + 1, 101, 1), Quote(kS + 3, 103, 1), Quote(kS + 4, 104, 1),
         Quote(kS + 2, 102, 1, TickSource::kBackfill)});
  const CompletenessReport report = Check();
  ASSERT_EQ(report.streams.size(), 1u);
  const StreamCompleteness& s = report.streams[0];
  EXPECT_EQ(s.stream, (StreamKey{kMnq, TickType::kBidAsk}));
  EXPECT_EQ(s.symbol, "MNQ");
  EXPECT_EQ(s.from, FromUnixSeconds(kS + 1));
  EXPECT_EQ(s.to, FromUnixSeconds(kS + 5));
  EXPECT_EQ(s.expected, 4u);
  EXPECT_EQ(s.delivered, 3u);
  EXPECT_EQ(s.stored_live, 3u);
  EXPECT_EQ(s.stored, 4u);
  EXPECT_EQ(s.matched_live, 3u);
  EXPECT_EQ(s.matched, 4u);
  EXPECT_EQ(s.missing, 0u);
  EXPECT_EQ(s.extra, 0u);
  EXPECT_DOUBLE_EQ(s.completeness(), 100);
  EXPECT_DOUBLE_EQ(s.live_completeness(), 75);
  EXPECT_TRUE(report.ok());
  EXPECT_TRUE(report.truth_complete);
  EXPECT_EQ(report.total.matched, 4u);
}

TEST_F(CompletenessTest, MissingTicksAreCountedWithTheirSeconds) {
  WriteTruth(FiveSeconds());
  Store({Quote(kS + 1, 101, 1), Quote(kS + 3, 103, 1), Quote(kS + 4, 104, 1)});
  CompletenessReport report = Check();
  ASSERT_EQ(report.streams.size(), 1u);
  EXPECT_EQ(report.streams[0].missing, 1u);
  ASSERT_EQ(report.streams[0].first_missing_seconds.size(), 1u);
  EXPECT_EQ(report.streams[0].first_missing_seconds[0], FromUnixSeconds(kS + 2));
  EXPECT_DOUBLE_EQ(report.streams[0].completeness(), 75);
  EXPECT_FALSE(report.ok());

  CompletenessOptions lenient;
  lenient.min_completeness = 75;
  EXPECT_TRUE(Check(lenient).ok());
}

TEST_F(CompletenessTest, ContentMustMatchInTheSameSecond) {
  WriteTruth(FiveSeconds());
  // kS+2 stored one second late, kS+3 with another bid size, kS+4 stored twice.
  Store({Quote(kS + 1, 101, 1), Quote(kS + 3, 102, 1), Quote(kS + 3, 103, 2), Quote(kS + 4, 104, 1),
         Quote(kS + 4, 104, 1)});
  const CompletenessReport report = Check();
  const StreamCompleteness& s = report.streams.at(0);
  EXPECT_EQ(s.matched, 2u);
  EXPECT_EQ(s.missing, 2u);
  EXPECT_EQ(s.extra, 3u);
  EXPECT_FALSE(report.ok());
}

TEST_F(CompletenessTest, SizesCompareByValueAndIdenticalTicksAsAMultiset) {
  Tick three = Trade(kS + 1, 21500.5);
  three.size = Decimal::FromInt(3);
  Tick three_point_zero = three;
  three_point_zero.size = Decimal::FromParts(30, 1);
  // Two identical trades in second kS+1; the edges kS and kS+2 bound the window.
  WriteTruth({{Trade(kS, 1), true}, {three, true}, {three, true}, {Trade(kS + 2, 1), true}});
  Store({three_point_zero});
  CompletenessReport report = Check();
  ASSERT_EQ(report.streams.size(), 1u);
  EXPECT_EQ(report.streams[0].expected, 2u);
  EXPECT_EQ(report.streams[0].matched, 1u);
  EXPECT_EQ(report.streams[0].missing, 1u);

  three_point_zero.receive_time += 1ms;  // the second one, received later
  Store({three_point_zero});
  report = Check();
  EXPECT_EQ(report.streams[0].matched, 2u);
  EXPECT_TRUE(report.ok());
}

TEST_F(CompletenessTest, StreamsNobodySubscribedAndTicksOutsideTheWindowAreIgnored) {
  std::vector<TruthTickSpec> truth = FiveSeconds();
  truth.push_back({Trade(kS + 2, 7), false});  // never delivered: nobody recorded Last
  WriteTruth(truth);
  Store({Quote(kS, 100, 1), Quote(kS + 1, 101, 1), Quote(kS + 2, 102, 1), Quote(kS + 3, 103, 1),
         Quote(kS + 4, 104, 1), Quote(kS + 9, 1, 1), Trade(kS + 30, 1)});
  CompletenessReport report = Check();
  ASSERT_EQ(report.streams.size(), 1u);
  EXPECT_EQ(report.streams[0].stored, 4u);
  EXPECT_TRUE(report.ok());

  // Asked for explicitly, with a window: the Last stream is then 0% complete.
  CompletenessOptions options;
  options.streams = {{kMnq, TickType::kLast}};
  options.from = FromUnixSeconds(kS);
  options.to = FromUnixSeconds(kS + 10);
  report = Check(options);
  ASSERT_EQ(report.streams.size(), 1u);
  EXPECT_EQ(report.streams[0].expected, 1u);
  EXPECT_EQ(report.streams[0].matched, 0u);
  EXPECT_FALSE(report.ok());
}

sim::SubscriptionRecord Ask(sim::SubscriptionEvent event, TimePoint at, int32_t req_id = 1,
                            std::string_view stream = "BidAsk", std::string_view reason = "") {
  return {event, 0, req_id, static_cast<int32_t>(kMnq), "MNQ", stream, at, reason};
}

// One quote a second over [from, to), delivered from `delivered_from` on.
std::vector<TruthTickSpec> Quotes(int64_t from, int64_t to, int64_t delivered_from) {
  std::vector<TruthTickSpec> out;
  for (int64_t s = from; s < to; ++s) out.push_back({Quote(s, 100, 1), s >= delivered_from});
  return out;
}

std::vector<Tick> StoredQuotes(int64_t from, int64_t to) {
  std::vector<Tick> out;
  for (int64_t s = from; s < to; ++s) out.push_back(Quote(s, 100, 1));
  return out;
}

// The blind spot of judging from the first delivered tick: MNQ bid_ask asked for at kS, silent
// for its first eight minutes of an open market, then recorded to the stop. Judged from the ask,
// the eight minutes are missing.
TEST_F(CompletenessTest, AStreamSilentFromItsAskIsJudgedFromTheAsk) {
  const TimePoint asked = FromUnixSeconds(kS) + 500ms;
  WriteTruthWithAsks({Ask(sim::SubscriptionEvent::kStart, asked)}, Quotes(kS, kS + 900, kS + 480),
                     FromUnixSeconds(kS + 900) + 300ms);
  Store(StoredQuotes(kS + 480, kS + 900));
  const CompletenessReport report = Check();
  ASSERT_EQ(report.streams.size(), 1u);
  const StreamCompleteness& s = report.streams[0];
  EXPECT_EQ(s.first_ask, asked);
  EXPECT_EQ(s.from, FromUnixSeconds(kS + 1));
  EXPECT_EQ(s.to, FromUnixSeconds(kS + 900));
  EXPECT_EQ(s.expected, 899u);
  EXPECT_EQ(s.matched, 420u);
  EXPECT_EQ(s.missing, 479u);
  EXPECT_LT(s.completeness(), 100);
  EXPECT_EQ(s.first_missing_seconds.front(), FromUnixSeconds(kS + 1));
  EXPECT_FALSE(report.ok());
  const auto j = nlohmann::json::parse(CompletenessJson(report, -1));
  EXPECT_EQ(j["streams"][0]["first_ask"], "2025-08-11T20:50:00.5Z");

  // The same run without subscription records (a version 1 truth) saw nothing wrong.
  WriteTruth(Quotes(kS, kS + 900, kS + 480));
  EXPECT_TRUE(Check().ok());
}

// A stream asked for that stored nothing is listed at 0%, whether it was served or refused.
TEST_F(CompletenessTest, AnAskedStreamThatStoredNothingIsListedAtZero) {
  std::vector<TruthTickSpec> truth = Quotes(kS, kS + 60, kS);
  for (int64_t s = kS; s < kS + 60; s += 10) truth.push_back({Trade(s, 7), false});
  WriteTruthWithAsks({Ask(sim::SubscriptionEvent::kStart, FromUnixSeconds(kS)),
                      Ask(sim::SubscriptionEvent::kRefused, FromUnixSeconds(kS), 2, "Last",
                          "10189 tick-by-tick not supported")},
                     truth, FromUnixSeconds(kS + 60));
  Store(StoredQuotes(kS, kS + 60));
  const CompletenessReport report = Check();
  ASSERT_EQ(report.streams.size(), 2u);
  const StreamCompleteness& last = report.streams[1];
  EXPECT_EQ(last.stream, (StreamKey{kMnq, TickType::kLast}));
  EXPECT_EQ(last.expected, 5u);  // kS+10 .. kS+50
  EXPECT_EQ(last.stored, 0u);
  EXPECT_DOUBLE_EQ(last.completeness(), 0);
  EXPECT_DOUBLE_EQ(report.streams[0].completeness(), 100);
  EXPECT_FALSE(report.ok());
}

// A capacity refusal (10190, 101) moves the stream to the reqMktData fallback, judged as its own
// kinds: from the refusal until it is served again, the tick-by-tick stream owes nothing.
TEST_F(CompletenessTest, ACapacityRefusalEndsWhatTheTickByTickStreamOwes) {
  std::vector<TruthTickSpec> truth = Quotes(kS, kS + 60, kS);
  for (int64_t s = kS; s < kS + 60; s += 10) truth.push_back({Trade(s, 7), false});
  // Last served from kS, dropped with the session at kS+25, refused for capacity at kS+30 after
  // the reconnect.
  WriteTruthWithAsks(
      {Ask(sim::SubscriptionEvent::kStart, FromUnixSeconds(kS)),
       Ask(sim::SubscriptionEvent::kStart, FromUnixSeconds(kS), 2, "Last"),
       Ask(sim::SubscriptionEvent::kEnd, FromUnixSeconds(kS + 25), 2, "Last", "disconnect"),
       Ask(sim::SubscriptionEvent::kRefused, FromUnixSeconds(kS + 30), 3, "Last",
           "10190 max tick-by-tick requests")},
      truth, FromUnixSeconds(kS + 60));
  Store(StoredQuotes(kS, kS + 60));
  const CompletenessReport report = Check();
  ASSERT_EQ(report.streams.size(), 2u);
  const StreamCompleteness& last = report.streams[1];
  EXPECT_EQ(last.stream, (StreamKey{kMnq, TickType::kLast}));
  EXPECT_EQ(last.expected, 2u) << "kS+10 and kS+20; without the rule, to the stop: 5";
  EXPECT_DOUBLE_EQ(last.completeness(), 0);
}

// Closed time has no truth tick and weighs nothing; a cancel ends the window, a subscription the
// simulator dropped (a disconnect) does not.
TEST_F(CompletenessTest, TheWindowRunsToTheCancelOrTheStopOverOpenTimeOnly) {
  std::vector<TruthTickSpec> truth = Quotes(kS + 100, kS + 200, kS + 100);  // open after the ask
  const std::vector<TruthTickSpec> reopened = Quotes(kS + 500, kS + 600, kS + 500);
  truth.insert(truth.end(), reopened.begin(), reopened.end());
  const TimePoint stop = FromUnixSeconds(kS + 700);
  Store(StoredQuotes(kS + 100, kS + 200));

  WriteTruthWithAsks(
      {Ask(sim::SubscriptionEvent::kStart, FromUnixSeconds(kS)),
       Ask(sim::SubscriptionEvent::kEnd, FromUnixSeconds(kS + 300), 1, "BidAsk", "cancel")},
      truth, stop);
  CompletenessReport report = Check();
  ASSERT_EQ(report.streams.size(), 1u);
  EXPECT_EQ(report.streams[0].to, FromUnixSeconds(kS + 300));
  EXPECT_EQ(report.streams[0].expected, 100u);
  EXPECT_TRUE(report.ok());

  WriteTruthWithAsks(
      {Ask(sim::SubscriptionEvent::kStart, FromUnixSeconds(kS)),
       Ask(sim::SubscriptionEvent::kEnd, FromUnixSeconds(kS + 300), 1, "BidAsk", "fault: close")},
      truth, stop);
  report = Check();
  ASSERT_EQ(report.streams.size(), 1u);
  EXPECT_EQ(report.streams[0].to, stop);
  EXPECT_EQ(report.streams[0].expected, 200u);
  EXPECT_EQ(report.streams[0].missing, 100u);
  EXPECT_FALSE(report.ok());
}

TEST_F(CompletenessTest, JsonHasOneObjectPerStreamAndATotal) {
  WriteTruth(FiveSeconds());
  Store({Quote(kS + 1, 101, 1)});
  const CompletenessReport report = Check();
  const auto j = nlohmann::json::parse(CompletenessJson(report, -1));
  EXPECT_FALSE(j["ok"].get<bool>());
  ASSERT_EQ(j["streams"].size(), 1u);
  const auto& s = j["streams"][0];
  EXPECT_EQ(s["stream"], "711202509/bid_ask");
  EXPECT_EQ(s["tick_type"], "bid_ask");
  EXPECT_EQ(s["expected"], 4);
  EXPECT_EQ(s["stored_live"], 1);
  EXPECT_EQ(s["missing"], 3);
  EXPECT_DOUBLE_EQ(s["completeness"].get<double>(), 25);
  EXPECT_EQ(s["first_missing_seconds"][0], "2025-08-11T20:50:02Z");
  EXPECT_EQ(j["total"]["streams"], 1);
  EXPECT_EQ(j["total"]["matched"], 1);
  const auto lines = DescribeCompleteness(report);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("1/4 (25.00%)"), std::string::npos) << lines[0];
}

TEST_F(CompletenessTest, RunsAsAVerifyCheck) {
  WriteTruth(FiveSeconds());
  Store({Quote(kS + 1, 101, 1), Quote(kS + 3, 103, 1), Quote(kS + 4, 104, 1)});
  CompletenessOptions options;
  options.truth_path = truth_path_;
  CompletenessCheck check(options);
  auto verified = storage::VerifyStore(&fs_, kRoot, {&check}, [](size_t, size_t) {});
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  ASSERT_EQ(verified->checks.size(), 1u);
  EXPECT_EQ(verified->checks[0].name, "completeness");
  ASSERT_EQ(verified->checks[0].problems.size(), 1u) << verified->checks[0].problems.size();
  EXPECT_NE(verified->checks[0].problems[0].find("75.00%"), std::string::npos);
  EXPECT_FALSE(verified->ok());
  ASSERT_TRUE(check.report().has_value());
  EXPECT_EQ(check.report()->streams[0].missing, 1u);

  CompletenessOptions bad;
  bad.truth_path = truth_path_ + ".absent";
  CompletenessCheck failing(bad);
  verified = storage::VerifyStore(&fs_, kRoot, {&failing}, [](size_t, size_t) {});
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->checks[0].status.code(), StatusCode::kIoError);
  EXPECT_FALSE(verified->ok());
}

TEST_F(CompletenessTest, DamagedStoreDataIsReportedNotSilentlyMissing) {
  WriteTruth(FiveSeconds());
  Store({Quote(kS + 1, 101, 1), Quote(kS + 3, 103, 1), Quote(kS + 4, 104, 1),
         Quote(kS + 2, 102, 1, TickSource::kBackfill)});
  const std::string dir = storage::JournalDir(kRoot, FromUnixSeconds(kS));
  auto names = fs_.ListDir(dir);
  ASSERT_TRUE(names.ok());
  ASSERT_EQ(names->size(), 1u);
  const std::string journal = fs::JoinPath(dir, (*names)[0]);
  std::string bytes = *fs::ReadFileToString(&fs_, journal);
  bytes[3] ^= 0x5a;  // the journal's magic
  ASSERT_TRUE(fs_.WriteRaw(journal, bytes).ok());

  const CompletenessReport report = Check();
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_EQ(report.skipped[0].path, journal);
  EXPECT_FALSE(report.ok());
  const auto lines = DescribeCompleteness(report);
  EXPECT_NE(lines.back().find("damaged data skipped"), std::string::npos) << lines.back();
  EXPECT_NE(CompletenessJson(report, -1).find("\"skipped_damaged\":[{"), std::string::npos);

  CompletenessOptions options;
  options.truth_path = truth_path_;
  CompletenessCheck check(options);
  auto verified = storage::VerifyStore(&fs_, kRoot, {&check}, [](size_t, size_t) {});
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  bool reported = false;
  for (const std::string& p : verified->checks[0].problems) {
    reported = reported || p.find("damaged data skipped, counts may be low: " + journal) == 0;
  }
  EXPECT_TRUE(reported);
}

}  // namespace
}  // namespace ibstream::verify::completeness_test
