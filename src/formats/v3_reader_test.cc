#include "formats/v3_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "formats/test_ticks.h"
#include "formats/v3_json.h"
#include "formats/v3_protobuf.h"

namespace ibstream::formats::v3_reader_test {
namespace {

constexpr std::string_view kVerbatimBidAsk =
    R"({"ts":1754010291904089,"st":1754010291904096,"cid":711280073,"tt":"bid_ask","rid":2038625861,"bp":23260.0,"bs":4.0,"ap":23260.5,"as":2.0})"
    "\n";
constexpr std::string_view kVerbatimLast =
    R"({"ts":1754010291911017,"st":1754010291911022,"cid":711280073,"tt":"last","rid":1793293976,"p":23261.0,"s":10.0})"
    "\n";

struct Collected {
  std::vector<V3Record> records;
  V3ReadStats stats;
  V3RecordCallback Sink() {
    return [this](const V3Record& record) { records.push_back(record); };
  }
};

std::string ProtobufOf(const std::vector<Tick>& ticks) {
  std::string out;
  for (const Tick& tick : ticks) EXPECT_TRUE(AppendV3Protobuf(tick, out).ok());
  return out;
}

std::vector<Tick> SomeTicks(uint64_t seed, int count) {
  std::mt19937_64 random(seed);
  std::vector<Tick> ticks;
  for (int i = 0; i < count; ++i) ticks.push_back(testing::RandomV3Tick(random));
  return ticks;
}

// Feeds `data` in chunks of the given sizes (cycled), then finishes.
template <typename Decoder>
void FeedInChunks(Decoder& decoder, std::string_view data, const std::vector<size_t>& sizes) {
  size_t i = 0;
  while (!data.empty()) {
    const size_t n = std::min(data.size(), sizes[i++ % sizes.size()]);
    decoder.Feed(data.substr(0, n));
    data.remove_prefix(n);
  }
  decoder.Finish();
}

TEST(V3ReaderTest, JsonLinesGoodBadAndBlank) {
  std::string data;
  data += kVerbatimBidAsk;
  data += "not json\n";
  data += "\n";
  data += "   \r\n";
  data += kVerbatimLast;
  data += R"({"ts":1,"cid":1,"tt":"nope"})"
          "\n";
  data += R"({"ts":5,"cid":2,"tt":"mid_point","mp":1.5})";  // unterminated last line
  Collected out;
  DecodeV3JsonLines(data, out.Sink(), out.stats);
  ASSERT_EQ(out.records.size(), 3u);
  EXPECT_EQ(out.stats.records, 3u);
  EXPECT_EQ(out.stats.errors, 2u);
  ASSERT_EQ(out.stats.error_messages.size(), 2u);
  EXPECT_EQ(out.stats.error_messages[0], "line 2: column 1: expected '{'");
  EXPECT_NE(out.stats.error_messages[1].find("line 6: "), std::string::npos);
  // Sequence = line number.
  EXPECT_EQ(out.records[0].tick.sequence, 1u);
  EXPECT_EQ(out.records[1].tick.sequence, 5u);
  EXPECT_EQ(out.records[2].tick.sequence, 7u);
  EXPECT_EQ(out.records[2].tick.price, 1.5);

  std::string rendered;
  for (size_t i = 0; i < 2; ++i) AppendV3Json(out.records[i], rendered);
  EXPECT_EQ(rendered, std::string(kVerbatimBidAsk) + std::string(kVerbatimLast));
}

TEST(V3ReaderTest, UnterminatedBadLastLineIsCountedAsSuch) {
  Collected out;
  // Appended rather than `std::string(...) + "..."`: GCC 12 reports a false -Warray-bounds on
  // that temporary when the test is built with the precompiled header.
  std::string data(kVerbatimBidAsk);
  data += R"({"ts":17540102919)";
  DecodeV3JsonLines(data, out.Sink(), out.stats);
  EXPECT_EQ(out.stats.records, 1u);
  EXPECT_EQ(out.stats.errors, 1u);
  EXPECT_NE(out.stats.error_messages[0].find("line 2 (unterminated)"), std::string::npos);
}

TEST(V3ReaderTest, JsonChunkingDoesNotMatter) {
  std::string data;
  const auto ticks = SomeTicks(7, 300);
  for (const Tick& tick : ticks) AppendV3Json(tick, data);
  for (const std::vector<size_t>& sizes :
       std::vector<std::vector<size_t>>{{1}, {2, 3, 5}, {17}, {4096}, {data.size()}}) {
    Collected out;
    V3JsonLinesDecoder decoder(out.Sink(), out.stats);
    FeedInChunks(decoder, data, sizes);
    ASSERT_EQ(out.records.size(), ticks.size());
    EXPECT_EQ(out.stats.errors, 0u);
    for (size_t i = 0; i < ticks.size(); ++i) {
      Tick expected = ticks[i];
      expected.sequence = i + 1;
      ASSERT_EQ(out.records[i].tick, expected) << "record " << i;
    }
  }
}

TEST(V3ReaderTest, OverlongJsonLineIsOneErrorAndReadingContinues) {
  for (bool one_chunk : {true, false}) {
    std::string data(kVerbatimBidAsk);
    data.append(kV3MaxLineBytes + 10, 'x');
    data += "\n";
    data += kVerbatimLast;
    Collected out;
    V3JsonLinesDecoder decoder(out.Sink(), out.stats);
    FeedInChunks(decoder, data, {one_chunk ? data.size() : 65536});
    EXPECT_EQ(out.stats.records, 2u);
    EXPECT_EQ(out.stats.errors, 1u);
    EXPECT_NE(out.stats.error_messages[0].find("line 2: longer than"), std::string::npos);
    ASSERT_EQ(out.records.size(), 2u);
    EXPECT_EQ(out.records[1].tick.sequence, 3u);
  }
}

TEST(V3ReaderTest, ProtobufRecordsAndChunking) {
  const auto ticks = SomeTicks(11, 300);
  const std::string data = ProtobufOf(ticks);
  for (const std::vector<size_t>& sizes :
       std::vector<std::vector<size_t>>{{1}, {3, 4, 5}, {73}, {4096}, {data.size()}}) {
    Collected out;
    V3ProtobufDecoder decoder(out.Sink(), out.stats);
    FeedInChunks(decoder, data, sizes);
    ASSERT_EQ(out.records.size(), ticks.size());
    EXPECT_EQ(out.stats.errors, 0u);
    for (size_t i = 0; i < ticks.size(); ++i) {
      Tick expected = ticks[i];
      expected.sequence = i + 1;
      ASSERT_EQ(out.records[i].tick, expected) << "record " << i;
    }
  }
}

TEST(V3ReaderTest, ProtobufTornTailIsOneErrorAfterEveryWholeRecord) {
  const std::string whole = ProtobufOf({testing::VerbatimBidAsk(), testing::VerbatimLast()});
  for (size_t cut = 1; cut < 52; ++cut) {
    Collected out;
    DecodeV3ProtobufRecords(std::string_view(whole).substr(0, whole.size() - cut), out.Sink(),
                            out.stats);
    EXPECT_EQ(out.stats.records, 1u) << cut;
    EXPECT_EQ(out.stats.errors, 1u) << cut;
    EXPECT_NE(out.stats.error_messages[0].find("record 2 at byte 73: torn record at end"),
              std::string::npos)
        << out.stats.error_messages[0];
  }
}

TEST(V3ReaderTest, BadProtobufMessageIsSkippedWithFramingIntact) {
  std::string data = ProtobufOf({testing::VerbatimBidAsk()});
  data += std::string("\x00\x00\x00\x03\x0a\x01\x01", 7);  // field 1 with the wrong wire type
  data += std::string("\x00\x00\x00\x00", 4);              // empty message: no tt
  data += ProtobufOf({testing::VerbatimLast()});
  Collected out;
  DecodeV3ProtobufRecords(data, out.Sink(), out.stats);
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(out.records[1].tick.sequence, 4u);
  EXPECT_EQ(out.stats.errors, 2u);
  EXPECT_EQ(out.stats.error_messages[0],
            "record 2 at byte 73: byte 1: field 1 has wire type 2, expected 0");
  EXPECT_EQ(out.stats.error_messages[1], "record 3 at byte 80: missing tt");
}

TEST(V3ReaderTest, HugeLengthPrefixStopsTheReadWithOneError) {
  std::string data = ProtobufOf({testing::VerbatimBidAsk()});
  data += std::string("\x7f\xff\xff\xff", 4);
  data += ProtobufOf({testing::VerbatimLast()});
  for (size_t chunk : {size_t{1}, size_t{5}, data.size()}) {
    Collected out;
    V3ProtobufDecoder decoder(out.Sink(), out.stats);
    FeedInChunks(decoder, data, {chunk});
    EXPECT_EQ(out.stats.records, 1u);
    EXPECT_EQ(out.stats.errors, 1u);
    EXPECT_NE(out.stats.error_messages[0].find("framing lost"), std::string::npos);
  }
}

// The original's HTTP reader unpacked the prefix little-endian. Reading our (and the original
// writer's) files that way sees a length of 0x45000000 for a 69-byte record: prove the two byte
// orders differ, so a little-endian reader cannot be silently "compatible".
TEST(V3ReaderTest, LittleEndianPrefixIsNotAccepted) {
  std::string record = ProtobufOf({testing::VerbatimBidAsk()});
  std::reverse(record.begin(), record.begin() + 4);  // as a little-endian writer would frame it
  Collected out;
  DecodeV3ProtobufRecords(record, out.Sink(), out.stats);
  EXPECT_EQ(out.stats.records, 0u);
  EXPECT_EQ(out.stats.errors, 1u);
}

TEST(V3ReaderTest, ErrorMessagesAreCapped) {
  std::string data;
  for (int i = 0; i < 100; ++i) data += "garbage\n";
  Collected out;
  DecodeV3JsonLines(data, out.Sink(), out.stats);
  EXPECT_EQ(out.stats.errors, 100u);
  EXPECT_EQ(out.stats.error_messages.size(), V3ReadStats::kMaxErrorMessages);
}

// Seeded random garbage, pure and mixed with valid records: never a crash, every record either
// delivered or counted.
TEST(V3ReaderTest, RandomGarbageNeverCrashes) {
  const uint64_t seed = testing::TestSeed(20250808);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  const std::string valid_json = [] {
    std::string out;
    for (const Tick& tick : SomeTicks(3, 50)) AppendV3Json(tick, out);
    return out;
  }();
  const std::string valid_pb = ProtobufOf(SomeTicks(5, 50));
  for (int round = 0; round < 3000; ++round) {
    const bool json = round % 2 == 0;
    std::string data = json ? valid_json : valid_pb;
    switch (round % 3) {
      case 0:  // pure garbage, biased towards the format's own bytes
        data.assign(random() % 2000, '\0');
        for (char& c : data) c = static_cast<char>(random());
        if (json) {
          for (char& c : data) {
            if (random() % 4 == 0) c = "{}\":,\n0123456789.e-tsNaI"[random() % 25];
          }
        }
        break;
      case 1:  // valid data with flipped bytes
        for (int flips = 1 + static_cast<int>(random() % 8); flips > 0; --flips) {
          data[random() % data.size()] = static_cast<char>(random());
        }
        break;
      default:  // valid data cut at a random point
        data.resize(random() % data.size());
        break;
    }
    Collected out;
    if (json) {
      V3JsonLinesDecoder decoder(out.Sink(), out.stats);
      FeedInChunks(decoder, data, {1 + random() % 300});
    } else {
      V3ProtobufDecoder decoder(out.Sink(), out.stats);
      FeedInChunks(decoder, data, {1 + random() % 300});
    }
    ASSERT_EQ(out.stats.records, out.records.size());
    if (round % 3 == 2 && !data.empty() && data.size() < (json ? valid_json : valid_pb).size()) {
      // A cut inside a record leaves exactly one error at the end, and nothing before it.
      ASSERT_LE(out.stats.errors, 1u);
    }
  }
}

class V3ReadFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("v3_reader_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, std::string_view data) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << data;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(V3ReadFileTest, ReadsBothFormatsByExtension) {
  const auto ticks = SomeTicks(13, 5000);  // more than one 256 KiB read
  std::string json, pb;
  for (const Tick& tick : ticks) AppendV3Json(tick, json);
  pb = ProtobufOf(ticks);
  for (const std::string& path : {Write("1_last_0.jsonl", json), Write("1_last_0.pb", pb)}) {
    Collected out;
    ASSERT_TRUE(ReadV3File(path, out.Sink(), out.stats).ok());
    EXPECT_EQ(out.stats.errors, 0u) << path;
    ASSERT_EQ(out.records.size(), ticks.size()) << path;
    EXPECT_EQ(out.records.back().tick.sequence, ticks.size());
  }
}

TEST_F(V3ReadFileTest, MissingFileAndUnknownExtension) {
  Collected out;
  EXPECT_EQ(ReadV3File((dir_ / "nope.pb").string(), out.Sink(), out.stats).code(),
            StatusCode::kIoError);
  EXPECT_EQ(ReadV3File(Write("a.txt", "x"), out.Sink(), out.stats).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ibstream::formats::v3_reader_test
