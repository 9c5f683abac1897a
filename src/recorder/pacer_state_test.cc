#include "recorder/pacer_state.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fs/fault_file_system.h"

namespace ibstream::recorder::pacer_state_test {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = FromUnixSeconds(1754925330);

TEST(PacerStateTest, GoldenBytes) {
  const std::string bytes = EncodePacerState({{kT0 + 250ms, 1}, {kT0 + 2s, 2}});
  // 1754925330250 ms = 0x0000_0198_99B3_6F4A; 1754925332000 ms = 0x0000_0198_99B3_7620.
  const std::string expected_body = std::string("IBPS\x01", 5) +
                                    std::string("\x02\x00\x00\x00", 4) +
                                    std::string("\x4a\x6f\xb3\x99\x98\x01\x00\x00\x01", 9) +
                                    std::string("\x20\x76\xb3\x99\x98\x01\x00\x00\x02", 9);
  ASSERT_EQ(bytes.size(), expected_body.size() + 4);
  EXPECT_EQ(bytes.substr(0, expected_body.size()), expected_body);
}

TEST(PacerStateTest, RoundTrips) {
  const std::vector<PacerSend> sends = {{kT0, 1}, {kT0 + 1500ms, 2}, {kT0 + 9min, 1}};
  auto decoded = DecodePacerState(EncodePacerState(sends));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, sends);
  auto empty = DecodePacerState(EncodePacerState({}));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(PacerStateTest, DamageIsACorruptionError) {
  const std::string good = EncodePacerState({{kT0, 1}, {kT0 + 1s, 2}});
  std::vector<std::string> damaged = {"", "IBPS", good.substr(0, good.size() - 1), good + "x"};
  std::string bad_magic = good;
  bad_magic[0] = 'X';
  damaged.push_back(bad_magic);
  std::string bad_version = good;
  bad_version[4] = 2;
  damaged.push_back(bad_version);
  std::string flipped = good;
  flipped[12] ^= 0x10;
  damaged.push_back(flipped);
  std::string huge_count = good;
  huge_count[8] = '\x7f';
  damaged.push_back(huge_count);
  for (const std::string& bytes : damaged) {
    auto decoded = DecodePacerState(bytes);
    ASSERT_FALSE(decoded.ok()) << bytes.size() << " bytes";
    EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption) << decoded.status().ToString();
  }
}

TEST(PacerStateTest, KeepsOnlyTheMostRecentEntries) {
  std::vector<PacerSend> many;
  for (uint32_t i = 0; i < kMaxPacerStateEntries + 10; ++i) many.push_back({kT0 + i * 1s, 1});
  auto decoded = DecodePacerState(EncodePacerState(many));
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->size(), kMaxPacerStateEntries);
  EXPECT_EQ(decoded->front().at, kT0 + 10s);
}

TEST(PacerStateTest, WritesAndReadsThroughTheFileSystem) {
  fs::FaultFileSystem fs;
  const std::string path = PacerStatePath("/data");
  EXPECT_EQ(path, "/data/gaps/pacer.state");
  auto absent = ReadPacerState(&fs, path);
  ASSERT_TRUE(absent.ok()) << absent.status().ToString();
  EXPECT_TRUE(absent->empty());

  const std::vector<PacerSend> sends = {{kT0, 2}, {kT0 + 3s, 1}};
  ASSERT_TRUE(WritePacerState(&fs, path, sends).ok());
  auto read = ReadPacerState(&fs, path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, sends);

  // A damaged file is an error naming the file.
  auto file = fs.NewWritableFile(path, false);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("IBPS junk").ok());
  auto damaged = ReadPacerState(&fs, path);
  ASSERT_FALSE(damaged.ok());
  EXPECT_NE(damaged.status().ToString().find("pacer.state"), std::string::npos);
}

}  // namespace
}  // namespace ibstream::recorder::pacer_state_test
