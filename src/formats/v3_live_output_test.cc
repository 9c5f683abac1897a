#include "formats/v3_live_output.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>

#include "formats/test_ticks.h"
#include "formats/v3_layout.h"
#include "formats/v3_reader.h"
#include "formats/v3_writer.h"

namespace ibstream::formats::v3_live_output_test {
namespace {

namespace stdfs = std::filesystem;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr int64_t kHour = 1755784800;              // 2025-08-21 14:00:00 UTC
constexpr std::chrono::milliseconds kWait(20000);  // a deadline, never reached when it works

// Manual time whose intervals never elapse in real time: the writer thread wakes only for ticks
// and Stop(), never on its idle timer, so every test sees one deterministic sequence.
class TestClock final : public Clock {
 public:
  explicit TestClock(TimePoint start) : manual_(start) {}
  TimePoint Now() const override { return manual_.Now(); }
  Duration ToRealDuration(Duration) const override { return hours(24); }
  void Set(TimePoint t) { manual_.Set(t); }
  void Advance(Duration d) { manual_.Advance(d); }

 private:
  ManualClock manual_;
};

Tick At(Tick tick, int64_t second) {
  tick.exchange_time = FromUnixSeconds(second);
  tick.receive_time = FromUnixSeconds(second) + std::chrono::microseconds(1234);
  return tick;
}

// Holds the writer thread in before_batch until Release().
class Gate {
 public:
  std::function<void()> Hook() {
    return [this] {
      std::unique_lock lock(mutex_);
      ++entered_;
      changed_.notify_all();
      changed_.wait(lock, [this] { return open_; });
    };
  }
  bool WaitEntered() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(20), [this] { return entered_ > 0; });
  }
  void Release() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int entered_ = 0;
  bool open_ = false;
};

class V3LiveOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = stdfs::temp_directory_path() /
            ("v3_live_output_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    stdfs::remove_all(base_);
    stdfs::create_directories(base_);
  }
  void TearDown() override { stdfs::remove_all(base_); }

  V3LiveOutputOptions Options(const std::string& name = "live") const {
    V3LiveOutputOptions options;
    options.writer.base_dir = (base_ / name).string();
    options.flush_interval = hours(1);  // only Stop() flushes, unless a test says otherwise
    return options;
  }

  // Every file under `root`, by path relative to it, with its bytes.
  static std::map<std::string, std::string> Files(const stdfs::path& root) {
    std::map<std::string, std::string> files;
    for (const auto& entry : stdfs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream content;
      content << in.rdbuf();
      files[stdfs::relative(entry.path(), root).string()] = content.str();
    }
    return files;
  }

  static uint64_t CountRecords(const stdfs::path& file) {
    V3ReadStats stats;
    EXPECT_TRUE(ReadV3File(
                    file.string(), [](const V3Record&) {}, stats)
                    .ok());
    EXPECT_EQ(stats.errors, 0u) << file;
    return stats.records;
  }

  stdfs::path base_;
  TestClock clock_{FromUnixSeconds(kHour + 600)};
};

TEST_F(V3LiveOutputTest, WritesTheSameBytesAsV3WriterAcrossAnHourBoundary) {
  std::vector<Tick> ticks = {
      At(testing::VerbatimBidAsk(), kHour + 10),
      At(testing::VerbatimLast(), kHour + 11),
      At(testing::VerbatimBidAsk(), kHour + 3599),
      At(testing::VerbatimBidAsk(), kHour + 3600),  // the next hour
      At(testing::VerbatimLast(), kHour + 3601),
      At(testing::VerbatimBidAsk(), kHour + 12),  // late, for the earlier hour
  };
  Tick mid = At(testing::VerbatimLast(), kHour + 3602);
  mid.type = TickType::kMidPoint;
  mid.price = 23260.25;
  ticks.push_back(mid);

  V3LiveOutput output(Options(), clock_);
  ASSERT_TRUE(output.Start().ok());
  for (const Tick& tick : ticks) EXPECT_TRUE(output.Offer(tick));
  ASSERT_TRUE(output.Stop().ok());

  V3WriterOptions reference_options;
  reference_options.base_dir = (base_ / "reference").string();
  V3Writer reference(reference_options);
  for (const Tick& tick : ticks) ASSERT_TRUE(reference.Append(tick).ok());
  ASSERT_TRUE(reference.Close().ok());

  const auto live = Files(base_ / "live");
  EXPECT_EQ(live, Files(base_ / "reference"));
  EXPECT_EQ(live.size(), 10u);  // (bid_ask, last) x 2 hours + mid_point, in two formats
  EXPECT_EQ(live.count("v3/json/2025/08/21/14/711280073_bid_ask_1755784800.jsonl"), 1u);
  EXPECT_EQ(live.count("v3/protobuf/2025/08/21/15/711280073_last_1755788400.pb"), 1u);
  EXPECT_EQ(live.count("v3/json/2025/08/21/15/711280073_mid_point_1755788400.jsonl"), 1u);
  EXPECT_EQ(CountRecords(base_ / "live/v3/json/2025/08/21/14/711280073_bid_ask_1755784800.jsonl"),
            3u);
  EXPECT_EQ(CountRecords(base_ / "live/v3/protobuf/2025/08/21/14/711280073_bid_ask_1755784800.pb"),
            3u);

  const V3LiveOutputStats stats = output.stats();
  EXPECT_EQ(stats.offered, ticks.size());
  EXPECT_EQ(stats.written, ticks.size());
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(stats.write_errors, 0u);
  EXPECT_EQ(stats.files_opened, 10u);
  EXPECT_EQ(stats.open_files, 0u);
  EXPECT_TRUE(stats.last_error.empty());
}

TEST_F(V3LiveOutputTest, OneFormatOnly) {
  V3LiveOutputOptions options = Options();
  options.writer.json = false;
  V3LiveOutput output(options, clock_);
  ASSERT_TRUE(output.Start().ok());
  EXPECT_TRUE(output.Offer(At(testing::VerbatimLast(), kHour + 1)));
  ASSERT_TRUE(output.Stop().ok());
  const auto files = Files(base_ / "live");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files.begin()->first, "v3/protobuf/2025/08/21/14/711280073_last_1755784800.pb");
}

TEST_F(V3LiveOutputTest, AFullQueueDropsAndCounts) {
  Gate gate;
  V3LiveOutputOptions options = Options();
  options.queue_capacity = 3;
  options.before_batch = gate.Hook();
  V3LiveOutput output(options, clock_);
  ASSERT_TRUE(output.Start().ok());

  // The first tick is taken by the writer thread, which the gate then holds.
  ASSERT_TRUE(output.Offer(At(testing::VerbatimBidAsk(), kHour + 1)));
  ASSERT_TRUE(gate.WaitEntered());
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(output.Offer(At(testing::VerbatimBidAsk(), kHour + 2 + i))) << i;
  }
  EXPECT_FALSE(output.Offer(At(testing::VerbatimBidAsk(), kHour + 5)));
  EXPECT_FALSE(output.Offer(At(testing::VerbatimBidAsk(), kHour + 6)));
  EXPECT_EQ(output.stats().dropped, 2u);

  gate.Release();
  ASSERT_TRUE(output.Stop().ok());
  const V3LiveOutputStats stats = output.stats();
  EXPECT_EQ(stats.offered, 6u);
  EXPECT_EQ(stats.written, 4u);
  EXPECT_EQ(stats.dropped, 2u);
  EXPECT_EQ(CountRecords(base_ / "live/v3/json/2025/08/21/14/711280073_bid_ask_1755784800.jsonl"),
            4u);
}

TEST_F(V3LiveOutputTest, StopWritesEveryQueuedTickAndFlushes) {
  Gate gate;
  V3LiveOutputOptions options = Options();
  options.before_batch = gate.Hook();
  V3LiveOutput output(options, clock_);
  ASSERT_TRUE(output.Start().ok());
  ASSERT_TRUE(output.Offer(At(testing::VerbatimLast(), kHour + 1)));
  ASSERT_TRUE(gate.WaitEntered());
  // Queued behind the held batch: Stop() must still write them.
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(output.Offer(At(testing::VerbatimLast(), kHour + i)));
  gate.Release();
  ASSERT_TRUE(output.Stop().ok());
  EXPECT_EQ(output.stats().written, 101u);
  EXPECT_EQ(output.stats().flushes, 1u);
  EXPECT_EQ(CountRecords(base_ / "live/v3/json/2025/08/21/14/711280073_last_1755784800.jsonl"),
            101u);
  EXPECT_EQ(CountRecords(base_ / "live/v3/protobuf/2025/08/21/14/711280073_last_1755784800.pb"),
            101u);

  // Stopped: nothing more is taken, and Stop() stays OK.
  EXPECT_FALSE(output.Offer(At(testing::VerbatimLast(), kHour + 200)));
  EXPECT_EQ(output.stats().dropped, 1u);
  EXPECT_TRUE(output.Stop().ok());
}

TEST_F(V3LiveOutputTest, FlushesOnTheClockAndClosesHoursAfterTheGrace) {
  V3LiveOutputOptions options = Options();
  options.flush_interval = seconds(1);
  options.close_grace = minutes(5);
  V3LiveOutput output(options, clock_);
  ASSERT_TRUE(output.Start().ok());
  const stdfs::path hour14 =
      base_ / "live/v3/json/2025/08/21/14/711280073_bid_ask_1755784800.jsonl";

  ASSERT_TRUE(output.Offer(At(testing::VerbatimBidAsk(), kHour + 1)));
  ASSERT_TRUE(output.WaitIdle(kWait));
  EXPECT_EQ(output.stats().written, 1u);
  EXPECT_EQ(output.stats().flushes, 0u);  // the clock has not moved
  EXPECT_EQ(output.stats().open_files, 2u);

  clock_.Advance(seconds(2));
  ASSERT_TRUE(output.Offer(At(testing::VerbatimBidAsk(), kHour + 2)));
  ASSERT_TRUE(output.WaitIdle(kWait));
  EXPECT_EQ(output.stats().flushes, 1u);
  EXPECT_EQ(CountRecords(hour14), 2u);  // on disk before Stop()

  // 15:04: hour 14 is still open (late ticks); 15:05: closed.
  clock_.Set(FromUnixSeconds(kHour + 3600 + 4 * 60));
  ASSERT_TRUE(output.Offer(At(testing::VerbatimBidAsk(), kHour + 3600)));
  ASSERT_TRUE(output.WaitIdle(kWait));
  EXPECT_EQ(output.stats().written, 3u);
  EXPECT_EQ(output.stats().open_files, 4u);
  clock_.Set(FromUnixSeconds(kHour + 3600 + 5 * 60));
  ASSERT_TRUE(output.Offer(At(testing::VerbatimBidAsk(), kHour + 3601)));
  ASSERT_TRUE(output.WaitIdle(kWait));
  EXPECT_EQ(output.stats().open_files, 2u);

  // A tick for the closed hour reopens its file and is appended.
  ASSERT_TRUE(output.Offer(At(testing::VerbatimBidAsk(), kHour + 3)));
  ASSERT_TRUE(output.Stop().ok());
  EXPECT_EQ(CountRecords(hour14), 3u);
  const V3LiveOutputStats stats = output.stats();
  EXPECT_EQ(stats.written, 5u);
  EXPECT_EQ(stats.files_opened, 6u);
  EXPECT_EQ(stats.write_errors, 0u);
}

TEST_F(V3LiveOutputTest, WriteErrorsAreCountedAndTheOutputGoesOn) {
  V3LiveOutputOptions options = Options();
  stdfs::create_directories(base_ / "live/v3");
  std::ofstream(base_ / "live/v3/json") << "not a directory";
  V3LiveOutput output(options, clock_);
  ASSERT_TRUE(output.Start().ok());
  ASSERT_TRUE(output.Offer(At(testing::VerbatimBidAsk(), kHour + 1)));
  ASSERT_TRUE(output.Offer(At(testing::VerbatimBidAsk(), kHour + 2)));
  ASSERT_TRUE(output.WaitIdle(kWait));
  EXPECT_EQ(output.stats().write_errors, 2u);
  EXPECT_NE(output.stats().last_error.find("live/v3/json exists and is not a directory"),
            std::string::npos)
      << output.stats().last_error;

  // The obstacle goes away: the next tick is written.
  stdfs::remove(base_ / "live/v3/json");
  ASSERT_TRUE(output.Offer(At(testing::VerbatimBidAsk(), kHour + 3)));
  ASSERT_TRUE(output.Stop().ok());
  EXPECT_EQ(output.stats().write_errors, 2u);
  EXPECT_EQ(output.stats().written, 1u);
  EXPECT_EQ(CountRecords(base_ / "live/v3/json/2025/08/21/14/711280073_bid_ask_1755784800.jsonl"),
            1u);
}

TEST_F(V3LiveOutputTest, ProtobufLimitIsCountedApart) {
  V3LiveOutput output(Options(), clock_);
  ASSERT_TRUE(output.Start().ok());
  Tick big = At(testing::VerbatimLast(), kHour + 1);
  big.contract_id = int64_t{1} << 33;
  ASSERT_TRUE(output.Offer(big));
  ASSERT_TRUE(output.Stop().ok());
  const V3LiveOutputStats stats = output.stats();
  EXPECT_EQ(stats.written, 1u);
  EXPECT_EQ(stats.protobuf_skipped, 1u);
  EXPECT_EQ(stats.write_errors, 0u);
  EXPECT_EQ(Files(base_ / "live").size(), 1u);  // JSON only
}

TEST_F(V3LiveOutputTest, StartChecksItsOptions) {
  {
    V3LiveOutputOptions options = Options();
    options.writer.base_dir.clear();
    V3LiveOutput output(options, clock_);
    EXPECT_EQ(output.Start().code(), StatusCode::kInvalidArgument);
    EXPECT_FALSE(output.Offer(testing::VerbatimLast()));
    EXPECT_EQ(output.stats().dropped, 1u);
  }
  {
    V3LiveOutputOptions options = Options();
    options.writer.json = options.writer.protobuf = false;
    V3LiveOutput output(options, clock_);
    EXPECT_EQ(output.Start().code(), StatusCode::kInvalidArgument);
  }
  {
    std::ofstream(base_ / "file") << "x";
    V3LiveOutputOptions options = Options();
    options.writer.base_dir = (base_ / "file").string();
    V3LiveOutput output(options, clock_);
    Status status = output.Start();
    EXPECT_EQ(status.code(), StatusCode::kIoError);
    EXPECT_NE(status.message().find("cannot create"), std::string::npos) << status.ToString();
  }
  {
    V3LiveOutput output(Options(), clock_);
    ASSERT_TRUE(output.Start().ok());
    EXPECT_EQ(output.Start().code(), StatusCode::kFailedPrecondition);
    EXPECT_TRUE(stdfs::is_directory(base_ / "live/v3"));
  }
}

// Depth reaches every fan-out consumer; the v3 output takes it (no drop, no error) and skips it:
// counted apart, never queued, no file, and the other kinds keep being written.
TEST_F(V3LiveOutputTest, MarketDepthIsSkippedAndCountedApart) {
  V3LiveOutput output(Options(), clock_);
  ASSERT_TRUE(output.Start().ok());
  Tick depth = At(testing::VerbatimLast(), kHour + 1);
  depth.type = TickType::kDepth;
  depth.book_operation = BookOperation::kReset;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(output.Offer(depth));
  ASSERT_TRUE(output.Offer(At(testing::VerbatimBidAsk(), kHour + 2)));
  ASSERT_TRUE(output.Stop().ok());
  const V3LiveOutputStats stats = output.stats();
  EXPECT_EQ(stats.offered, 4u);
  EXPECT_EQ(stats.depth_skipped, 3u);
  EXPECT_EQ(stats.written, 1u);
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(stats.write_errors, 0u);
  const std::map<std::string, std::string> files = Files(base_ / "live");
  EXPECT_EQ(files.size(), 2u);  // the bid_ask tick's JSON and protobuf files
  for (const auto& [path, bytes] : files) {
    EXPECT_EQ(path.find("depth"), std::string::npos) << path;
  }
}

}  // namespace
}  // namespace ibstream::formats::v3_live_output_test
