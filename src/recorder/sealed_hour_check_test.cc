// The start-time check of the sealed hours: which closed files, and which spans of them, cannot
// be read back (ScanSealedHours over an in-memory file system).
#include "recorder/sealed_hour_check.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fs/fault_file_system.h"
#include "storage/closed_file.h"
#include "storage/layout.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

namespace ibstream::recorder::sealed_hour_check_test {
namespace {

using storage::testing::kHour0;
using storage::testing::MakeTick;

constexpr int64_t kSealedMnq = 711280073;
const std::string kSealedRoot = "/store";

// A closed file of `ticks` bid/ask ticks (3 per second) of the hour starting at `hour_seconds`,
// written where the store keeps it; returns its path and bytes.
std::pair<std::string, std::string> WriteSealedHour(fs::FaultFileSystem& fs, int64_t hour_seconds,
                                                    int ticks) {
  std::vector<std::string> bodies;
  for (int i = 0; i < ticks; ++i) {
    bodies.emplace_back();
    storage::AppendTick(
        MakeTick(kSealedMnq, TickType::kBidAsk, hour_seconds + i / 3, static_cast<uint64_t>(i + 1)),
        &bodies.back());
  }
  std::vector<std::string_view> records(bodies.begin(), bodies.end());
  storage::ClosedFileHeader header;
  header.stream = {kSealedMnq, TickType::kBidAsk};
  header.hour = FromUnixSeconds(hour_seconds);
  header.tick_count = static_cast<uint64_t>(ticks);
  auto file = storage::BuildClosedFile(header, records);
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  const std::string path = fs::JoinPath(storage::ClosedHourDir(kSealedRoot, header.hour),
                                        storage::ClosedFileName(header.stream, 0x1234));
  EXPECT_TRUE(fs.WriteRaw(path, *file).ok());
  return {path, *file};
}

std::vector<storage::ClosedFrameInfo> FramesOf(fs::FaultFileSystem& fs, const std::string& path) {
  auto reader = storage::ClosedFileReader::Open(&fs, path);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  return reader.ok() ? (*reader)->frames() : std::vector<storage::ClosedFrameInfo>{};
}

TEST(SealedHourCheckTest, ASoundStoreHasNothingDamaged) {
  fs::FaultFileSystem fs;
  WriteSealedHour(fs, kHour0, 10000);
  WriteSealedHour(fs, kHour0 + 3600, 100);
  const SealedHourScan scan = ScanSealedHours(&fs, kSealedRoot, FromUnixSeconds(kHour0));
  EXPECT_EQ(scan.files_checked, 2u);
  EXPECT_TRUE(scan.damaged.empty());
  EXPECT_TRUE(scan.errors.empty());
  EXPECT_EQ(ScanSealedHours(&fs, "/nothing", FromUnixSeconds(kHour0)).files_checked, 0u);
}

TEST(SealedHourCheckTest, ADamagedFrameIsItsSpanAndItsTicks) {
  fs::FaultFileSystem fs;
  auto [path, bytes] = WriteSealedHour(fs, kHour0, 10000);
  const auto frames = FramesOf(fs, path);
  ASSERT_EQ(frames.size(), 3u);
  bytes[frames[1].offset + 100] ^= 0x40;
  ASSERT_TRUE(fs.WriteRaw(path, bytes).ok());

  const SealedHourScan scan = ScanSealedHours(&fs, kSealedRoot, FromUnixSeconds(kHour0));
  EXPECT_EQ(scan.files_checked, 1u);
  ASSERT_EQ(scan.damaged.size(), 1u);
  const DamagedSpan& span = scan.damaged[0];
  EXPECT_EQ(span.path, path);
  EXPECT_EQ(span.stream, (StreamKey{kSealedMnq, TickType::kBidAsk}));
  EXPECT_EQ(span.first, FromUnixNanos(frames[1].min_exchange_ns));
  EXPECT_EQ(span.last, FromUnixNanos(frames[1].max_exchange_ns));
  EXPECT_EQ(span.ticks, frames[1].tick_count);
  EXPECT_NE(span.detail.find("frame 1 of 3"), std::string::npos) << span.detail;
}

TEST(SealedHourCheckTest, ConsecutiveDamagedFramesMakeOneSpan) {
  fs::FaultFileSystem fs;
  auto [path, bytes] = WriteSealedHour(fs, kHour0, 10000);
  const auto frames = FramesOf(fs, path);
  ASSERT_EQ(frames.size(), 3u);
  bytes[frames[1].offset + 100] ^= 0x40;
  bytes[frames[2].offset + 100] ^= 0x40;
  ASSERT_TRUE(fs.WriteRaw(path, bytes).ok());
  const SealedHourScan scan = ScanSealedHours(&fs, kSealedRoot, FromUnixSeconds(kHour0));
  ASSERT_EQ(scan.damaged.size(), 1u);
  EXPECT_EQ(scan.damaged[0].first, FromUnixNanos(frames[1].min_exchange_ns));
  EXPECT_EQ(scan.damaged[0].last, FromUnixNanos(frames[2].max_exchange_ns));
  EXPECT_EQ(scan.damaged[0].ticks, uint64_t{frames[1].tick_count} + frames[2].tick_count);
}

TEST(SealedHourCheckTest, AFileThatDoesNotOpenIsItsWholeHour) {
  fs::FaultFileSystem fs;
  auto [path, bytes] = WriteSealedHour(fs, kHour0, 100);
  ASSERT_TRUE(fs.WriteRaw(path, bytes.substr(0, bytes.size() - 5)).ok());
  const SealedHourScan scan = ScanSealedHours(&fs, kSealedRoot, FromUnixSeconds(kHour0));
  ASSERT_EQ(scan.damaged.size(), 1u);
  EXPECT_EQ(scan.damaged[0].first, FromUnixSeconds(kHour0));
  EXPECT_EQ(scan.damaged[0].last, FromUnixSeconds(kHour0 + 3600) - Duration{1});
  EXPECT_FALSE(scan.damaged[0].detail.empty());
}

TEST(SealedHourCheckTest, HoursBeforeTheWindowAreLeftToVerify) {
  fs::FaultFileSystem fs;
  auto [path, bytes] = WriteSealedHour(fs, kHour0, 100);
  ASSERT_TRUE(fs.WriteRaw(path, bytes.substr(0, bytes.size() - 5)).ok());
  const SealedHourScan scan = ScanSealedHours(&fs, kSealedRoot, FromUnixSeconds(kHour0 + 3600));
  EXPECT_EQ(scan.files_checked, 0u);
  EXPECT_TRUE(scan.damaged.empty());
  // Within the hour: the hour is checked.
  EXPECT_EQ(ScanSealedHours(&fs, kSealedRoot, FromUnixSeconds(kHour0 + 1800)).damaged.size(), 1u);
}

TEST(SealedHourCheckTest, ACancelledScanStops) {
  fs::FaultFileSystem fs;
  WriteSealedHour(fs, kHour0, 100);
  const std::atomic<bool> cancel{true};
  EXPECT_EQ(ScanSealedHours(&fs, kSealedRoot, FromUnixSeconds(kHour0), &cancel).files_checked, 0u);
}

}  // namespace
}  // namespace ibstream::recorder::sealed_hour_check_test
