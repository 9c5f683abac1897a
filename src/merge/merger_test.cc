#include "merge/merger.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "merge/merge_state.h"
#include "storage/layout.h"
#include "storage/recovery.h"
#include "storage/store.h"
#include "storage/test_ticks.h"
#include "storage/verify.h"

namespace ibstream::merge::merger_test {
namespace {

using storage::testing::MakeTick;
namespace stdfs = std::filesystem;

constexpr int64_t kT0 = 1755770400;  // 2025-08-21T10:00:00Z
constexpr int64_t kMnq = 711202509;
const StreamKey kQuotes{kMnq, TickType::kBidAsk};
const StreamKey kTrades{kMnq, TickType::kLast};

TimePoint At(int64_t seconds) { return FromUnixSeconds(kT0 + seconds); }

// The synthetic truth: per stream, 3 ticks in every second of [from, to) (relative to kT0).
std::vector<Tick> Truth(int64_t from, int64_t to) {
  std::vector<Tick> ticks;
  uint64_t sequence = 1;
  for (const StreamKey& key : {kQuotes, kTrades}) {
    for (int64_t s = from; s < to; ++s) {
      for (int i = 0; i < 3; ++i)
        ticks.push_back(MakeTick(key.contract_id, key.type, kT0 + s, sequence++));
    }
  }
  return ticks;
}

struct Hole {
  int64_t from;  // seconds after kT0, [from, to)
  int64_t to;
  std::string cause;
  std::string reason;
};

class MergerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ =
        stdfs::path(::testing::TempDir()) /
        (std::string("merger_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    stdfs::remove_all(base_);
    stdfs::create_directories(base_);
  }
  void TearDown() override { stdfs::remove_all(base_); }

  std::string Dir(const std::string& name) const { return (base_ / name).string(); }

  // A recorder's store holding `truth` except the holes, each recorded as a pending gap of both
  // streams; its journals converted into closed files.
  std::string WriteSource(const std::string& name, const std::vector<Tick>& truth,
                          const std::vector<Hole>& holes) {
    const std::string root = Dir(name);
    storage::StoreOptions options;
    options.root = root;
    options.background_maintenance = false;
    auto store = storage::Store::Open(fs::PosixFileSystem(), clock_, options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    for (const Tick& tick : truth) {
      bool lost = false;
      for (const Hole& h : holes) {
        lost = lost || (tick.exchange_time >= At(h.from) && tick.exchange_time < At(h.to));
      }
      if (!lost) {
        EXPECT_TRUE((*store)->writer().Append(tick).ok());
      }
    }
    for (const Hole& h : holes) {
      for (const StreamKey& key : {kQuotes, kTrades}) {
        storage::GapRecord gap;
        gap.stream = key;
        gap.start = At(h.from);
        gap.end = At(h.to);
        gap.cause = h.cause;
        gap.reason = h.reason;
        gap.updated_at = clock_.Now();
        EXPECT_TRUE((*store)->ledger().Add(gap).ok());
      }
    }
    (*store)->Close();
    store->reset();
    auto hours = storage::ListJournalHours(fs::PosixFileSystem(), root);
    EXPECT_TRUE(hours.ok());
    for (TimePoint hour : *hours) {
      storage::ConversionReport report;
      EXPECT_TRUE(storage::ConvertJournalHour(fs::PosixFileSystem(), root, hour, 3, &report).ok());
    }
    return root;
  }

  Result<MergeReport> Merge(const std::vector<std::pair<std::string, std::string>>& named,
                            MergeOptions options) {
    std::vector<std::unique_ptr<MergeSource>> owned;
    std::vector<MergeSource*> sources;
    for (const auto& [name, root] : named) {
      auto source = OpenStoreSource(fs::PosixFileSystem(), name, root);
      if (!source.ok()) return source.status();
      sources.push_back(source->get());
      owned.push_back(std::move(*source));
    }
    if (options.out.empty()) options.out = Dir("merged");
    return MergeStores(fs::PosixFileSystem(), clock_, sources, options);
  }

  std::vector<Tick> Read(const std::string& root) {
    storage::QueryRequest request;
    request.streams = {kQuotes, kTrades};
    request.from = At(-86400);
    request.to = At(86400);
    std::vector<Tick> ticks;
    storage::QueryStats stats;
    EXPECT_TRUE(storage::QueryTicks(
                    fs::PosixFileSystem(), root, request,
                    [&](const Tick& t) {
                      ticks.push_back(t);
                      return Status::Ok();
                    },
                    &stats)
                    .ok());
    EXPECT_TRUE(stats.complete());
    return ticks;
  }

  std::vector<storage::GapRecord> Gaps(const std::string& root) {
    auto gaps = storage::GapLedger::ReadAll(fs::PosixFileSystem(), root, nullptr);
    EXPECT_TRUE(gaps.ok());
    return gaps.ok() ? *gaps : std::vector<storage::GapRecord>{};
  }

  // The truth's ticks outside [from, to) seconds, in query order.
  static std::vector<Tick> Without(std::vector<Tick> truth, int64_t from, int64_t to) {
    std::erase_if(truth, [&](const Tick& t) {
      return t.exchange_time >= At(from) && t.exchange_time < At(to);
    });
    std::sort(truth.begin(), truth.end(), [](const Tick& a, const Tick& b) {
      return std::tie(a.exchange_time, a.receive_time, a.sequence, a.contract_id, a.type) <
             std::tie(b.exchange_time, b.receive_time, b.sequence, b.contract_id, b.type);
    });
    return truth;
  }

  // Compares tick lists without printing them whole (a failure names the first difference).
  static ::testing::AssertionResult Same(const std::vector<Tick>& got,
                                         const std::vector<Tick>& want) {
    for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
      if (!(got[i] == want[i])) {
        return ::testing::AssertionFailure()
               << "tick " << i << " differs: got " << ToString(got[i].stream()) << " seq "
               << got[i].sequence << " at " << FormatIsoUtc(got[i].exchange_time) << ", want "
               << ToString(want[i].stream()) << " seq " << want[i].sequence << " at "
               << FormatIsoUtc(want[i].exchange_time);
      }
    }
    if (got.size() != want.size()) {
      return ::testing::AssertionFailure() << got.size() << " ticks, want " << want.size();
    }
    return ::testing::AssertionSuccess();
  }

  stdfs::path base_;
  ManualClock clock_{At(7200)};
};

TEST_F(MergerTest, DifferentHolesMergeToEveryTickOnceAndOneGapNamingBoth) {
  const std::vector<Tick> truth = Truth(0, 60);
  const std::string a = WriteSource("a", truth, {{5, 20, "disconnect", "gateway restarted"}});
  const std::string b = WriteSource("b", truth, {{15, 40, "stall", ""}});
  auto report = Merge({{"a", a}, {"b", b}}, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->damaged());

  const std::vector<Tick> merged = Read(Dir("merged"));
  EXPECT_TRUE(Same(merged, Without(truth, 15, 20)));
  std::set<std::tuple<int64_t, int, uint64_t>> seen;
  for (const Tick& t : merged) {
    EXPECT_TRUE(seen.insert({t.contract_id, static_cast<int>(t.type), t.sequence}).second)
        << "duplicated tick " << t.sequence;
  }

  const std::vector<storage::GapRecord> gaps = Gaps(Dir("merged"));
  ASSERT_EQ(gaps.size(), 2u);  // one per stream
  for (const storage::GapRecord& gap : gaps) {
    EXPECT_EQ(gap.start, At(15));
    EXPECT_EQ(gap.end, At(20));
    EXPECT_EQ(gap.cause, "disconnect+stall");
    EXPECT_EQ(gap.state, storage::BackfillState::kFailed);
    EXPECT_EQ(gap.reason, "lost by every recorder: a (disconnect: gateway restarted), b (stall)");
  }
  ASSERT_EQ(report->streams.size(), 2u);
  for (const StreamMergeReport& s : report->streams) {
    EXPECT_EQ(s.from, At(0));
    EXPECT_EQ(s.to, At(60));
    EXPECT_EQ(s.gap_seconds, 5u);
    // a for 0..4, b for 5..14, a again from 20 (b lost it) to the end: two switches, no flapping.
    EXPECT_EQ(s.switches, 2u);
    EXPECT_EQ(s.seconds_by_source.at("a"), 45u);
    EXPECT_EQ(s.seconds_by_source.at("b"), 10u);
  }

  // The merged store passes the integrity check of every file.
  auto verified = storage::VerifyStore(fs::PosixFileSystem(), Dir("merged"), {}, nullptr);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok());
  EXPECT_EQ(verified->ticks, merged.size());
}

TEST_F(MergerTest, IdenticalSourcesMergeToEither) {
  const std::vector<Tick> truth = Truth(0, 30);
  const std::string a = WriteSource("a", truth, {{10, 12, "disconnect", ""}});
  const std::string b = WriteSource("b", truth, {{10, 12, "disconnect", ""}});
  auto report = Merge({{"a", a}, {"b", b}}, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(Same(Read(Dir("merged")), Read(a)));
  for (const StreamMergeReport& s : report->streams) {
    EXPECT_EQ(s.switches, 0u);
    EXPECT_EQ(s.seconds_by_source.count("b"), 0u);
  }
  const auto gaps = Gaps(Dir("merged"));
  ASSERT_EQ(gaps.size(), 2u);
  EXPECT_EQ(gaps[0].start, At(10));
  EXPECT_EQ(gaps[0].end, At(12));
  EXPECT_EQ(gaps[0].cause, "disconnect");
}

TEST_F(MergerTest, DamagedHourIsTakenFromTheOtherSourceAndReported) {
  // Two hours: 09:59:30 to 10:00:30. a's closed file of the quotes' 10:00 hour is damaged.
  const std::vector<Tick> truth = Truth(-30, 30);
  const std::string a = WriteSource("a", truth, {});
  const std::string b = WriteSource("b", truth, {{-20, -10, "disconnect", ""}});
  const std::string hour_dir = storage::ClosedHourDir(a, At(0));
  std::string damaged;
  for (const auto& entry : stdfs::directory_iterator(hour_dir)) {
    if (entry.path().filename().string().rfind(storage::ClosedFilePrefix(kQuotes), 0) == 0) {
      damaged = entry.path().string();
    }
  }
  ASSERT_FALSE(damaged.empty());
  {
    std::fstream f(damaged, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    f.write("\xff\xff\xff\xff", 4);
  }
  auto report = Merge({{"a", a}, {"b", b}}, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(Same(Read(Dir("merged")), Without(truth, 1000, 1000)));  // every tick
  EXPECT_TRUE(Gaps(Dir("merged")).empty());
  ASSERT_EQ(report->damage.size(), 1u);
  EXPECT_EQ(report->damage[0].source, "a");
  ASSERT_EQ(report->damage[0].skipped.size(), 1u);
  EXPECT_EQ(report->damage[0].skipped[0].path, damaged);
}

TEST_F(MergerTest, DamagedDataNoOtherSourceCoversIsKeptAndRecordedAsAGap) {
  const std::vector<Tick> truth = Truth(0, 10);
  const std::string a = WriteSource("a", truth, {});
  const std::string b = WriteSource("b", truth, {{0, 10, "disconnect", ""}});
  for (const auto& entry : stdfs::directory_iterator(storage::ClosedHourDir(a, At(0)))) {
    if (entry.path().filename().string().rfind(storage::ClosedFilePrefix(kQuotes), 0) == 0) {
      std::fstream f(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(200);
      f.write("\xff\xff\xff\xff", 4);
    }
  }
  auto report = Merge({{"a", a}, {"b", b}}, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const auto gaps = Gaps(Dir("merged"));
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].stream, kQuotes);
  EXPECT_EQ(gaps[0].start, At(0));
  EXPECT_EQ(gaps[0].end, At(10));
  EXPECT_EQ(gaps[0].cause, "damaged+disconnect");
  EXPECT_EQ(gaps[0].reason, "lost by every recorder: a (damaged data), b (disconnect)");
  // The trades were not damaged: all of them, from a.
  std::vector<Tick> trades;
  for (const Tick& t : Read(Dir("merged"))) {
    if (t.type == TickType::kLast) trades.push_back(t);
  }
  EXPECT_EQ(trades.size(), 30u);
}

TEST_F(MergerTest, IncrementalRunsAppendWithoutDuplicatesAndExtendTheOpenGap) {
  const std::vector<Tick> truth = Truth(0, 60);
  const std::string a = WriteSource("a", truth, {{5, 20, "disconnect", ""}});
  const std::string b = WriteSource("b", truth, {{15, 40, "stall", ""}});
  MergeOptions first;
  first.end = At(17);  // inside the merged gap [15, 20)
  auto one = Merge({{"a", a}, {"b", b}}, first);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_TRUE(Same(Read(Dir("merged")), Without(truth, 15, 1000)));
  auto state = ReadMergeState(fs::PosixFileSystem(), Dir("merged"));
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->streams.at(kQuotes).merged_to, At(17));
  EXPECT_NE(state->streams.at(kQuotes).open_gap_id, 0u);

  // The same end again: nothing to do.
  auto again = Merge({{"a", a}, {"b", b}}, first);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ticks, 0u);

  auto two = Merge({{"a", a}, {"b", b}}, {});
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ(two->gap_records_added, 0u);
  EXPECT_TRUE(Same(Read(Dir("merged")), Without(truth, 15, 20)));
  const auto gaps = Gaps(Dir("merged"));
  ASSERT_EQ(gaps.size(), 2u);  // extended, not added again
  for (const auto& gap : gaps) {
    EXPECT_EQ(gap.start, At(15));
    EXPECT_EQ(gap.end, At(20));
  }
  // An explicit earlier --start never rewrites what was merged.
  MergeOptions rewind;
  rewind.start = At(0);
  auto three = Merge({{"a", a}, {"b", b}}, rewind);
  ASSERT_TRUE(three.ok());
  EXPECT_EQ(three->ticks, 0u);
  EXPECT_TRUE(Same(Read(Dir("merged")), Without(truth, 15, 20)));
}

TEST_F(MergerTest, ContractFilterAndRefusals) {
  const std::vector<Tick> truth = Truth(0, 5);
  const std::string a = WriteSource("a", truth, {});
  MergeOptions only_other;
  only_other.contract = 42;
  auto none = Merge({{"a", a}}, only_other);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->streams.empty());
  EXPECT_FALSE(Merge({{"a", a}, {"a", a}}, {}).ok());
  EXPECT_EQ(Merge({{"x", Dir("missing")}}, {}).status().code(), StatusCode::kNotFound);
  // A recorder's store (or any directory with files) is never merged into.
  MergeOptions into_a;
  into_a.out = a;
  auto refused = Merge({{"a", a}}, into_a);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("no merge wrote it"), std::string::npos);
}

// Market depth is refused: each recorder's records change the book its own subscription built, so
// no second of one can continue the other's. The sources' depth (and its gaps) is listed in the
// report and left out of the merged store; the other streams merge exactly as without it.
TEST_F(MergerTest, MarketDepthIsListedAndNotMerged) {
  const StreamKey depth{kMnq, TickType::kDepth};
  const std::vector<Tick> truth = Truth(0, 60);
  std::vector<Tick> with_depth = truth;
  for (int64_t s = 0; s < 60; ++s) {
    Tick record = MakeTick(kMnq, TickType::kDepth, kT0 + s, 1000 + static_cast<uint64_t>(s));
    record.book_operation = s == 0 ? BookOperation::kReset : BookOperation::kUpdate;
    record.book_side = s % 2 ? BookSide::kBid : BookSide::kAsk;
    with_depth.push_back(record);
  }
  const std::string a = WriteSource("a", with_depth, {{5, 20, "disconnect", ""}});
  const std::string b = WriteSource("b", with_depth, {{15, 40, "stall", ""}});
  auto report = Merge({{"a", a}, {"b", b}}, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->depth_not_merged, std::vector<StreamKey>{depth});
  for (const StreamMergeReport& stream : report->streams) {
    EXPECT_NE(stream.stream.type, TickType::kDepth);
  }
  EXPECT_TRUE(Same(Read(Dir("merged")), Without(truth, 15, 20)));

  storage::QueryRequest request;
  request.streams = {depth};
  request.from = At(-86400);
  request.to = At(86400);
  size_t depth_records = 0;
  ASSERT_TRUE(storage::QueryTicks(
                  fs::PosixFileSystem(), Dir("merged"), request,
                  [&](const Tick&) {
                    ++depth_records;
                    return Status::Ok();
                  },
                  nullptr)
                  .ok());
  EXPECT_EQ(depth_records, 0u);
  for (const storage::GapRecord& gap : Gaps(Dir("merged"))) {
    EXPECT_NE(gap.stream.type, TickType::kDepth);
  }
  auto state = ReadMergeState(fs::PosixFileSystem(), Dir("merged"));
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->streams.count(depth), 0u);
}

}  // namespace
}  // namespace ibstream::merge::merger_test
