// Depth judged by sequence per subscription against a hand-made truth and store.
#include "verify/depth_completeness.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "fs/fault_file_system.h"
#include "sim/truth_writer.h"
#include "storage/store.h"
#include "verify/completeness.h"

namespace ibstream::verify::depth_completeness_test {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kDepthS = 1754945400;  // 2025-08-11T20:50:00Z
constexpr int32_t kDepthAapl = 265598;
constexpr int32_t kRecorderClient = 7;
const std::string kDepthRoot = "/depth-store";

Tick DepthOp(TimePoint at, BookOperation op, BookSide side, int32_t position, double price,
             int64_t size) {
  Tick t;
  t.contract_id = kDepthAapl;
  t.type = TickType::kDepth;
  t.exchange_time = at;
  t.receive_time = at;
  t.book_operation = op;
  t.book_side = side;
  t.book_position = position;
  t.price = price;
  t.size = Decimal::FromInt(size);
  return t;
}

Tick DepthReset(TimePoint at) {
  Tick t = DepthOp(at, BookOperation::kReset, BookSide::kAsk, 0, 0, 0);
  t.size = Decimal::Unset();
  return t;
}

TimePoint DepthAt(int64_t second, int ms = 0) {
  return FromUnixSeconds(kDepthS + second) + std::chrono::milliseconds(ms);
}

// What the simulator sent one subscription: a two-row book, then `moves` updates of the best bid.
std::vector<Tick> SentUpdates(int64_t from_second, int moves) {
  std::vector<Tick> out;
  out.push_back(DepthOp(DepthAt(from_second), BookOperation::kInsert, BookSide::kBid, 0, 100, 3));
  out.push_back(DepthOp(DepthAt(from_second), BookOperation::kInsert, BookSide::kAsk, 0, 101, 4));
  for (int i = 0; i < moves; ++i) {
    out.push_back(DepthOp(DepthAt(from_second + 1 + i), BookOperation::kUpdate, BookSide::kBid, 0,
                          100, 5 + i));
  }
  return out;
}

struct DepthSubSpec {
  int32_t client_id;
  int32_t req_id;
  TimePoint start;
  std::vector<Tick> sent;
  std::optional<std::pair<TimePoint, std::string>> end;  // when and why it ended
};

class DepthCompletenessTest : public ::testing::Test {
 protected:
  void WriteDepthTruth(const std::vector<DepthSubSpec>& subs, TimePoint end) {
    truth_path_ = (std::filesystem::path(::testing::TempDir()) /
                   (std::string("depth_completeness_") +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl"))
                      .string();
    auto writer = sim::TruthWriter::Open(truth_path_);
    ASSERT_TRUE(writer.ok());
    (*writer)->WriteHeader(1, FromUnixSeconds(kDepthS), 60);
    for (const DepthSubSpec& s : subs) {
      (*writer)->WriteSubscription({sim::SubscriptionEvent::kStart, s.client_id, s.req_id,
                                    kDepthAapl, "AAPL", "MktDepth", s.start, ""});
      for (const Tick& t : s.sent) {
        (*writer)->WriteDepthUpdate(t, "AAPL", s.client_id, s.req_id);
      }
      if (s.end) {
        (*writer)->WriteSubscription({sim::SubscriptionEvent::kEnd, s.client_id, s.req_id,
                                      kDepthAapl, "AAPL", "MktDepth", s.end->first, s.end->second});
      }
    }
    (*writer)->WriteFooter(end);
    ASSERT_TRUE((*writer)->Flush().ok());
  }

  void StoreDepth(const std::vector<Tick>& ticks) {
    storage::StoreOptions options;
    options.root = kDepthRoot;
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

  const StreamCompleteness* DepthStream(const CompletenessReport& r) {
    for (const StreamCompleteness& s : r.streams) {
      if (s.stream == StreamKey{kDepthAapl, TickType::kDepth}) return &s;
    }
    return nullptr;
  }

  CompletenessReport CheckDepth() {
    CompletenessOptions options;
    options.truth_path = truth_path_;
    auto report = CheckCompleteness(&fs_, kDepthRoot, options);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : CompletenessReport{};
  }

  fs::FaultFileSystem fs_;
  ManualClock clock_{FromUnixSeconds(kDepthS + 100)};
  std::string truth_path_;
};

// Two subscriptions (a reconnect between them), every update stored after its reset: complete,
// and both intervals' books rebuilt from the store equal the simulator's.
TEST_F(DepthCompletenessTest, EveryUpdateStoredInOrderIsCompleteWithEqualBooks) {
  const std::vector<Tick> first = SentUpdates(1, 3);
  const std::vector<Tick> second = SentUpdates(20, 4);
  WriteDepthTruth({{kRecorderClient, 11, DepthAt(1), first, {{DepthAt(10), "session closed"}}},
                   {kRecorderClient, 12, DepthAt(20), second, std::nullopt}},
                  FromUnixSeconds(kDepthS + 60));
  std::vector<Tick> stored{DepthReset(DepthAt(0, 990))};
  stored.insert(stored.end(), first.begin(), first.end());
  stored.push_back(DepthReset(DepthAt(19, 990)));
  stored.insert(stored.end(), second.begin(), second.end());
  StoreDepth(stored);

  const CompletenessReport report = CheckDepth();
  const StreamCompleteness* s = DepthStream(report);
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->by_sequence);
  EXPECT_EQ(s->expected, first.size() + second.size());
  EXPECT_EQ(s->matched, s->expected);
  EXPECT_EQ(s->missing, 0u);
  EXPECT_EQ(s->extra, 0u);
  EXPECT_EQ(s->lost, 0u);
  EXPECT_EQ(s->books_checked, 2u);
  EXPECT_EQ(s->books_differ, 0u);
  EXPECT_TRUE(report.ok());
  EXPECT_NE(CompletenessJson(report, -1).find("\"judged_by\":\"sequence\""), std::string::npos);
}

// The connection dropped before the last update reached the recorder: that update is missing and
// reported as lost (no depth history can fill it); the check still passes. The same loss on a
// subscription the simulator never dropped is a silent miss: the check fails.
TEST_F(DepthCompletenessTest, AnUpdateLostWithTheConnectionIsReportedLostNotSilent) {
  const std::vector<Tick> sent = SentUpdates(1, 3);
  std::vector<Tick> stored{DepthReset(DepthAt(0, 990))};
  stored.insert(stored.end(), sent.begin(), sent.end() - 1);
  StoreDepth(stored);

  WriteDepthTruth({{kRecorderClient, 11, DepthAt(1), sent, {{DepthAt(10), "session closed"}}}},
                  FromUnixSeconds(kDepthS + 60));
  CompletenessReport report = CheckDepth();
  const StreamCompleteness* s = DepthStream(report);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->missing, 1u);
  EXPECT_EQ(s->lost, 1u);
  EXPECT_EQ(s->books_checked, 0u) << "a book known to be incomplete is not compared";
  EXPECT_TRUE(report.ok());
  bool described = false;
  for (const std::string& line : DescribeCompleteness(report)) {
    described |= line.find("lost with the connection 1, not fillable") != std::string::npos;
  }
  EXPECT_TRUE(described);

  WriteDepthTruth({{kRecorderClient, 11, DepthAt(1), sent, std::nullopt}},
                  FromUnixSeconds(kDepthS + 60));
  report = CheckDepth();
  s = DepthStream(report);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->missing, 1u);
  EXPECT_EQ(s->lost, 0u);
  EXPECT_FALSE(report.ok());
}

// Stored out of order: the sequence breaks where the order does; the rest is extra.
TEST_F(DepthCompletenessTest, UpdatesStoredOutOfOrderFail) {
  const std::vector<Tick> sent = SentUpdates(1, 3);
  std::vector<Tick> stored{DepthReset(DepthAt(0, 990))};
  stored.insert(stored.end(), sent.begin(), sent.end());
  std::swap(stored[2], stored[1]);  // the two inserts of the same instant, swapped
  StoreDepth(stored);
  WriteDepthTruth({{kRecorderClient, 11, DepthAt(1), sent, std::nullopt}},
                  FromUnixSeconds(kDepthS + 60));
  const CompletenessReport report = CheckDepth();
  const StreamCompleteness* s = DepthStream(report);
  ASSERT_NE(s, nullptr);
  EXPECT_LT(s->matched, s->expected);
  EXPECT_GT(s->extra, 0u);
  EXPECT_FALSE(report.ok());
}

// Another client's depth subscription on the same contract is not the recorder's to store; a
// recorder that stored nothing owes every subscription (0%).
TEST_F(DepthCompletenessTest, OnlyTheRecordersSubscriptionsAreOwed) {
  const std::vector<Tick> mine = SentUpdates(1, 2);
  const std::vector<Tick> theirs = SentUpdates(2, 5);
  WriteDepthTruth({{kRecorderClient, 11, DepthAt(1), mine, std::nullopt},
                   {42, 1, DepthAt(2), theirs, std::nullopt}},
                  FromUnixSeconds(kDepthS + 60));
  std::vector<Tick> stored{DepthReset(DepthAt(0, 990))};
  stored.insert(stored.end(), mine.begin(), mine.end());
  StoreDepth(stored);
  CompletenessReport report = CheckDepth();
  const StreamCompleteness* s = DepthStream(report);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->expected, mine.size());
  EXPECT_EQ(s->matched, mine.size());
  EXPECT_TRUE(report.ok());
}

TEST_F(DepthCompletenessTest, NothingStoredIsZeroPercent) {
  const std::vector<Tick> sent = SentUpdates(1, 2);
  WriteDepthTruth({{kRecorderClient, 11, DepthAt(1), sent, std::nullopt}},
                  FromUnixSeconds(kDepthS + 60));
  StoreDepth({});
  const CompletenessReport report = CheckDepth();
  const StreamCompleteness* s = DepthStream(report);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->expected, sent.size());
  EXPECT_EQ(s->matched, 0u);
  EXPECT_DOUBLE_EQ(s->completeness(), 0.0);
  EXPECT_FALSE(report.ok());
}

// Updates sent in the stop's last partial second are not owed (as for every kind).
TEST_F(DepthCompletenessTest, UpdatesInTheLastPartialSecondAreNotOwed) {
  std::vector<Tick> sent = SentUpdates(1, 2);
  sent.push_back(DepthOp(DepthAt(30, 500), BookOperation::kUpdate, BookSide::kAsk, 0, 101, 9));
  WriteDepthTruth({{kRecorderClient, 11, DepthAt(1), sent, std::nullopt}}, DepthAt(30, 700));
  std::vector<Tick> stored{DepthReset(DepthAt(0, 990))};
  stored.insert(stored.end(), sent.begin(), sent.end() - 1);
  StoreDepth(stored);
  const CompletenessReport report = CheckDepth();
  const StreamCompleteness* s = DepthStream(report);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->expected, sent.size() - 1);
  EXPECT_EQ(s->missing, 0u);
  EXPECT_TRUE(report.ok());
}

}  // namespace
}  // namespace ibstream::verify::depth_completeness_test
