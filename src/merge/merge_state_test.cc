#include "merge/merge_state.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace ibstream::merge::merge_state_test {
namespace {

MergeState Sample() {
  MergeState state;
  StreamMergeState a;
  a.merged_to = FromUnixSeconds(1755770460);
  a.source = "gw-live";
  state.streams[StreamKey{711, TickType::kBidAsk}] = a;
  StreamMergeState b;
  b.merged_to = FromUnixSeconds(1755770470);
  b.source = "";
  b.open_gap_id = 4;
  b.open_gap_start = FromUnixSeconds(1755770415);
  b.open_gap_cause = "disconnect+stall";
  b.open_gap_reason = "lost by every recorder: a (disconnect), b (stall: \"quiet\")";
  state.streams[StreamKey{265598, TickType::kTrade}] = b;
  return state;
}

TEST(MergeStateTest, RoundTrips) {
  const MergeState state = Sample();
  auto decoded = DecodeMergeState(EncodeMergeState(state));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, state);
}

TEST(MergeStateTest, RefusesMalformedDocuments) {
  const char* bad[] = {
      "",
      "[]",
      "{\"version\":2,\"streams\":[]}",
      "{\"version\":1}",
      "{\"version\":1,\"streams\":[1]}",
      "{\"version\":1,\"streams\":[{\"contract_id\":1}]}",
      "{\"version\":1,\"streams\":[{\"contract_id\":1,\"type\":\"nope\",\"merged_to_ns\":0,"
      "\"source\":\"\",\"open_gap_id\":0,\"open_gap_start_ns\":0,\"open_gap_cause\":\"\","
      "\"open_gap_reason\":\"\"}]}",
      "{\"version\":1,\"streams\":[{\"contract_id\":\"1\",\"type\":\"last\",\"merged_to_ns\":0,"
      "\"source\":\"\",\"open_gap_id\":0,\"open_gap_start_ns\":0,\"open_gap_cause\":\"\","
      "\"open_gap_reason\":\"\"}]}",
      "{\"version\":1,\"streams\":[{\"contract_id\":1,\"type\":\"last\",\"merged_to_ns\":0,"
      "\"source\":\"\",\"open_gap_id\":-1,\"open_gap_start_ns\":0,\"open_gap_cause\":\"\","
      "\"open_gap_reason\":\"\"}]}",
  };
  for (const char* text : bad) {
    SCOPED_TRACE(text);
    auto decoded = DecodeMergeState(text);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), StatusCode::kParseError);
  }
}

TEST(MergeStateTest, FileIsAbsentEmptyWrittenAndReadBack) {
  const std::string root =
      (std::filesystem::path(::testing::TempDir()) / "merge_state_test").string();
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root);
  auto empty = ReadMergeState(fs::PosixFileSystem(), root);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->streams.empty());
  ASSERT_TRUE(WriteMergeState(fs::PosixFileSystem(), root, Sample()).ok());
  auto back = ReadMergeState(fs::PosixFileSystem(), root);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, Sample());
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace ibstream::merge::merge_state_test
