#include "formats/v3_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "formats/test_ticks.h"
#include "formats/v3_json.h"
#include "formats/v3_protobuf.h"
#include "formats/v3_reader.h"
#include "fs/fault_file_system.h"

namespace ibstream::formats::v3_writer_test {
namespace {

namespace stdfs = std::filesystem;

class V3WriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = stdfs::temp_directory_path() /
            ("v3_writer_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    stdfs::remove_all(base_);
  }
  void TearDown() override { stdfs::remove_all(base_); }

  V3WriterOptions Options() const {
    V3WriterOptions options;
    options.base_dir = (base_ / "storage").string();
    return options;
  }

  std::string PathOf(V3Format format, const Tick& tick) const {
    return (base_ / "storage" / V3RelativePath(format, tick.stream(), tick.exchange_time)).string();
  }

  static std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  }

  static std::vector<Tick> ReadTicks(const std::string& path, V3ReadStats& stats) {
    std::vector<Tick> ticks;
    Status status = ReadV3File(
        path, [&](const V3Record& r) { ticks.push_back(r.tick); }, stats);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return ticks;
  }

  static Tick At(Tick tick, int64_t second) {
    tick.exchange_time = FromUnixSeconds(second);
    tick.receive_time = FromUnixSeconds(second) + std::chrono::microseconds(1234);
    return tick;
  }

  stdfs::path base_;
};

TEST_F(V3WriterTest, WritesEachTickToItsHourFileInBothFormats) {
  V3Writer writer(Options());
  const int64_t hour = 1755784800;
  std::vector<Tick> ticks = {
      At(testing::VerbatimBidAsk(), hour + 10),   At(testing::VerbatimLast(), hour + 11),
      At(testing::VerbatimBidAsk(), hour + 3599), At(testing::VerbatimBidAsk(), hour + 3600),
      At(testing::VerbatimBidAsk(), hour + 12),  // a late tick for the earlier hour
  };
  for (const Tick& tick : ticks) ASSERT_TRUE(writer.Append(tick).ok());
  EXPECT_EQ(writer.open_files(), 6u);
  ASSERT_TRUE(writer.Close().ok());
  EXPECT_EQ(writer.open_files(), 0u);

  const std::string bid_ask_14 =
      (base_ / "storage/v3/json/2025/08/21/14/711280073_bid_ask_1755784800.jsonl").string();
  std::string expected;
  for (int i : {0, 2, 4}) AppendV3Json(ticks[i], expected);
  EXPECT_EQ(Slurp(bid_ask_14), expected);

  expected.clear();
  for (int i : {0, 2, 4}) ASSERT_TRUE(AppendV3Protobuf(ticks[i], expected).ok());
  EXPECT_EQ(
      Slurp((base_ / "storage/v3/protobuf/2025/08/21/14/711280073_bid_ask_1755784800.pb").string()),
      expected);

  expected.clear();
  AppendV3Json(ticks[3], expected);
  EXPECT_EQ(
      Slurp((base_ / "storage/v3/json/2025/08/21/15/711280073_bid_ask_1755788400.jsonl").string()),
      expected);
  expected.clear();
  AppendV3Json(ticks[1], expected);
  EXPECT_EQ(Slurp(PathOf(V3Format::kJson, ticks[1])), expected);

  EXPECT_EQ(writer.stats().ticks, 5u);
  EXPECT_EQ(writer.stats().files_opened, 6u);
  EXPECT_GE(writer.stats().fsyncs, 6u);
}

TEST_F(V3WriterTest, BuffersUntilFlushUnlessTheBufferFills) {
  V3WriterOptions options = Options();
  options.protobuf = false;
  V3Writer writer(options);
  const Tick tick = testing::VerbatimBidAsk();
  ASSERT_TRUE(writer.Append(tick).ok());
  EXPECT_EQ(writer.stats().bytes_written, 0u);
  EXPECT_EQ(Slurp(PathOf(V3Format::kJson, tick)), "");
  ASSERT_TRUE(writer.Flush().ok());
  EXPECT_EQ(writer.stats().bytes_written, 129u);
  EXPECT_EQ(Slurp(PathOf(V3Format::kJson, tick)).size(), 129u);
  EXPECT_FALSE(stdfs::exists(base_ / "storage/v3/protobuf"));

  options.buffer_bytes = 200;
  V3Writer small(options);
  ASSERT_TRUE(small.Append(tick).ok());
  EXPECT_EQ(small.stats().bytes_written, 0u);
  ASSERT_TRUE(small.Append(tick).ok());  // 258 bytes >= 200: written without a Flush
  EXPECT_EQ(small.stats().bytes_written, 258u);
  ASSERT_TRUE(small.Close().ok());
  EXPECT_EQ(Slurp(PathOf(V3Format::kJson, tick)).size(), 129u * 3);
}

TEST_F(V3WriterTest, EvictsLeastRecentlyUsedAndAppendsAfterReopening) {
  V3WriterOptions options = Options();
  options.max_open_files = 2;
  options.protobuf = false;
  V3Writer writer(options);
  const uint64_t seed = testing::TestSeed(20250802);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  std::map<std::string, std::string> expected;
  for (int i = 0; i < 500; ++i) {
    Tick tick =
        At(testing::VerbatimBidAsk(), 1755784800 + static_cast<int64_t>(random() % 3) * 3600);
    tick.contract_id = 1 + static_cast<int64_t>(random() % 3);
    ASSERT_TRUE(writer.Append(tick).ok());
    ASSERT_LE(writer.open_files(), 2u);
    AppendV3Json(tick, expected[PathOf(V3Format::kJson, tick)]);
  }
  ASSERT_TRUE(writer.Close().ok());
  EXPECT_GT(writer.stats().files_opened, 9u);
  for (const auto& [path, content] : expected) EXPECT_EQ(Slurp(path), content) << path;
}

TEST_F(V3WriterTest, CloseHoursBeforeClosesOnlyOlderHours) {
  V3Writer writer(Options());
  ASSERT_TRUE(writer.Append(At(testing::VerbatimLast(), 1755784800)).ok());
  ASSERT_TRUE(writer.Append(At(testing::VerbatimLast(), 1755788400)).ok());
  EXPECT_EQ(writer.open_files(), 4u);
  ASSERT_TRUE(writer.CloseHoursBefore(1755788400).ok());
  EXPECT_EQ(writer.open_files(), 2u);
  EXPECT_EQ(Slurp(PathOf(V3Format::kProtobuf, At(testing::VerbatimLast(), 1755784800))).size(),
            52u);
}

TEST_F(V3WriterTest, TornJsonTailGetsANewlineAndStaysOneBadLine) {
  const Tick tick = testing::VerbatimBidAsk();
  const std::string path = PathOf(V3Format::kJson, tick);
  std::string line;
  AppendV3Json(tick, line);
  stdfs::create_directories(stdfs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << line << line.substr(0, 40);  // crash mid-line

  V3WriterOptions options = Options();
  options.protobuf = false;
  V3Writer writer(options);
  ASSERT_TRUE(writer.Append(tick).ok());
  ASSERT_TRUE(writer.Close().ok());
  EXPECT_EQ(writer.stats().json_tails_terminated, 1u);
  EXPECT_EQ(Slurp(path), line + line.substr(0, 40) + "\n" + line);
  V3ReadStats stats;
  EXPECT_EQ(ReadTicks(path, stats).size(), 2u);
  EXPECT_EQ(stats.errors, 1u);
}

TEST_F(V3WriterTest, TornProtobufTailIsTruncatedBeforeAppending) {
  const Tick tick = testing::VerbatimLast();
  const std::string path = PathOf(V3Format::kProtobuf, tick);
  std::string record;
  ASSERT_TRUE(AppendV3Protobuf(tick, record).ok());
  for (size_t torn : {size_t{2}, size_t{4}, size_t{30}}) {
    stdfs::create_directories(stdfs::path(path).parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << record << record.substr(0, torn);
    V3WriterOptions options = Options();
    options.json = false;
    V3Writer writer(options);
    ASSERT_TRUE(writer.Append(tick).ok());
    ASSERT_TRUE(writer.Close().ok());
    EXPECT_EQ(writer.stats().protobuf_tails_truncated, 1u);
    EXPECT_EQ(Slurp(path), record + record) << torn;
    V3ReadStats stats;
    EXPECT_EQ(ReadTicks(path, stats).size(), 2u);
    EXPECT_EQ(stats.errors, 0u);
  }
}

TEST_F(V3WriterTest, BrokenProtobufFramingIsCorruptionAndTheFileIsLeftAlone) {
  const Tick tick = testing::VerbatimLast();
  const std::string path = PathOf(V3Format::kProtobuf, tick);
  std::string content;
  ASSERT_TRUE(AppendV3Protobuf(tick, content).ok());
  content += std::string("\xff\xff\xff\xff", 4) + std::string(100, 'x');
  stdfs::create_directories(stdfs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;

  V3WriterOptions options = Options();
  options.json = false;
  V3Writer writer(options);
  Status status = writer.Append(tick);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("at byte 52"), std::string::npos) << status.message();
  ASSERT_TRUE(writer.Close().ok());
  EXPECT_EQ(Slurp(path), content);
}

TEST_F(V3WriterTest, ConIdBeyondInt32GoesToJsonOnly) {
  V3Writer writer(Options());
  Tick tick = testing::VerbatimLast();
  tick.contract_id = 5'000'000'000;
  Status status = writer.Append(tick);
  EXPECT_EQ(status.code(), StatusCode::kOutOfRange);
  ASSERT_TRUE(writer.Close().ok());
  EXPECT_EQ(writer.stats().protobuf_skipped, 1u);
  EXPECT_EQ(writer.stats().ticks, 1u);
  V3ReadStats stats;
  EXPECT_EQ(ReadTicks(PathOf(V3Format::kJson, tick), stats).size(), 1u);
  EXPECT_FALSE(stdfs::exists(PathOf(V3Format::kProtobuf, tick)));
}

TEST_F(V3WriterTest, UnusableBaseDirectoryIsAnIoError) {
  stdfs::create_directories(base_);
  std::ofstream((base_ / "storage").string()) << "a file, not a directory";
  V3Writer writer(Options());
  Status status = writer.Append(testing::VerbatimLast());
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.message().find("not a directory"), std::string::npos) << status.message();
  EXPECT_EQ(writer.open_files(), 0u);
}

TEST_F(V3WriterTest, EmptyBaseDirectoryIsRejected) {
  V3Writer writer(V3WriterOptions{});
  EXPECT_EQ(writer.Append(testing::VerbatimLast()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(writer.open_files(), 0u);
}

// The writer on the fault file system: what a Flush acknowledged survives a power cut, and the
// file reopened after the crash is repaired and appended to in order.
TEST(V3WriterCrashTest, FlushedTicksSurviveACrashAndTheFileContinues) {
  const int64_t hour = 1755784800;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    fs::FaultFileSystem file_system;
    V3WriterOptions options;
    options.base_dir = "/data";
    options.file_system = &file_system;
    auto tick_at = [&](int64_t second) {
      Tick tick = testing::VerbatimBidAsk();
      tick.exchange_time = FromUnixSeconds(second);
      tick.receive_time = tick.exchange_time;
      return tick;
    };
    const Tick first = tick_at(hour + 1);
    const std::string json_path =
        "/data/" + V3RelativePath(V3Format::kJson, first.stream(), first.exchange_time);
    const std::string proto_path =
        "/data/" + V3RelativePath(V3Format::kProtobuf, first.stream(), first.exchange_time);
    {
      V3Writer writer(options);
      for (int i = 0; i < 20; ++i) ASSERT_TRUE(writer.Append(tick_at(hour + 1 + i)).ok());
      ASSERT_TRUE(writer.Flush().ok());
      for (int i = 20; i < 40; ++i) ASSERT_TRUE(writer.Append(tick_at(hour + 1 + i)).ok());
      ASSERT_TRUE(writer.Flush().ok());  // the first 40 are durable
      for (int i = 40; i < 60; ++i) ASSERT_TRUE(writer.Append(tick_at(hour + 1 + i)).ok());
      // A power cut that keeps a random (torn) prefix of what was written but not synced.
      file_system.Crash(seed, {.keep_unsynced_prefix = true, .garble_sector = false});
    }
    {
      V3Writer writer(options);
      ASSERT_TRUE(writer.Append(tick_at(hour + 100)).ok());
      ASSERT_TRUE(writer.Close().ok());
    }
    for (const std::string& path : {json_path, proto_path}) {
      auto data = fs::ReadFileToString(&file_system, path);
      ASSERT_TRUE(data.ok()) << data.status().ToString();
      std::vector<int64_t> seconds;
      V3ReadStats stats;
      auto collect = [&](const V3Record& r) {
        seconds.push_back(ToUnixNanos(r.tick.exchange_time) / 1'000'000'000 - hour);
      };
      if (path == json_path) {
        DecodeV3JsonLines(*data, collect, stats);
      } else {
        DecodeV3ProtobufRecords(*data, collect, stats);
        EXPECT_EQ(stats.errors, 0u) << "a torn protobuf tail is cut before appending";
      }
      ASSERT_GE(seconds.size(), 41u) << path;
      for (int i = 0; i < 40; ++i) EXPECT_EQ(seconds[static_cast<size_t>(i)], i + 1) << path;
      EXPECT_EQ(seconds.back(), 100) << path;
    }
  }
}

TEST(V3WriterCrashTest, DiskFullIsReportedAndTheFileReopened) {
  fs::FaultFileSystem file_system;
  V3WriterOptions options;
  options.base_dir = "/data";
  options.file_system = &file_system;
  options.protobuf = false;
  options.buffer_bytes = 1;  // every Append writes
  V3Writer writer(options);
  ASSERT_TRUE(writer.Append(testing::VerbatimBidAsk()).ok());
  file_system.SetNoSpace(true);
  const Status status = writer.Append(testing::VerbatimBidAsk());
  EXPECT_TRUE(fs::IsNoSpace(status)) << status.ToString();
  EXPECT_EQ(writer.open_files(), 0u) << "the failed file is closed";
  file_system.SetNoSpace(false);
  ASSERT_TRUE(writer.Append(testing::VerbatimBidAsk()).ok());
  ASSERT_TRUE(writer.Close().ok());
}

// The v3 formats have no shape for a book change: a market-depth record is skipped on purpose,
// counted, and leaves no file, while the other kinds around it are written as usual.
TEST_F(V3WriterTest, MarketDepthIsSkippedAndCounted) {
  V3Writer writer(Options());
  Tick depth = testing::VerbatimLast();
  depth.type = TickType::kDepth;
  depth.book_operation = BookOperation::kInsert;
  depth.book_side = BookSide::kBid;
  const Tick last = testing::VerbatimLast();
  EXPECT_TRUE(writer.Append(depth).ok());
  EXPECT_TRUE(writer.Append(last).ok());
  ASSERT_TRUE(writer.Close().ok());
  EXPECT_EQ(writer.stats().depth_skipped, 1u);
  EXPECT_EQ(writer.stats().ticks, 1u);
  EXPECT_FALSE(stdfs::exists(PathOf(V3Format::kJson, depth)));
  EXPECT_FALSE(stdfs::exists(PathOf(V3Format::kProtobuf, depth)));
  V3ReadStats stats;
  EXPECT_EQ(ReadTicks(PathOf(V3Format::kJson, last), stats).size(), 1u);
  EXPECT_EQ(ReadTicks(PathOf(V3Format::kProtobuf, last), stats).size(), 1u);
}

}  // namespace
}  // namespace ibstream::formats::v3_writer_test
