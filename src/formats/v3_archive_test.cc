#include "formats/v3_archive.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "formats/test_ticks.h"
#include "formats/v3_json.h"
#include "formats/v3_layout.h"
#include "formats/v3_protobuf.h"
#include "formats/v3_writer.h"

namespace ibstream::formats::v3_archive_test {
namespace {

namespace stdfs = std::filesystem;

constexpr int64_t kHour = 1755784800;  // 2025-08-21 14:00:00 UTC
constexpr int64_t kMnq = testing::kMnq;

Tick Quote(int64_t second, double bid) {
  Tick tick = testing::VerbatimBidAsk();
  tick.exchange_time = FromUnixSeconds(second);
  tick.receive_time = FromUnixSeconds(second) + std::chrono::microseconds(500);
  tick.bid_price = bid;
  return tick;
}

Tick Trade(int64_t second, double price) {
  Tick tick = testing::VerbatimLast();
  tick.exchange_time = FromUnixSeconds(second);
  tick.receive_time = FromUnixSeconds(second) + std::chrono::microseconds(700);
  tick.price = price;
  return tick;
}

class V3ArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = stdfs::temp_directory_path() /
            ("v3_archive_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    stdfs::remove_all(base_);
    stdfs::create_directories(base_);
  }
  void TearDown() override { stdfs::remove_all(base_); }

  // Writes `ticks` as the original did (both formats unless told otherwise).
  void Write(const std::vector<Tick>& ticks, bool json = true, bool protobuf = true) {
    V3WriterOptions options;
    options.base_dir = base_.string();
    options.json = json;
    options.protobuf = protobuf;
    V3Writer writer(options);
    for (const Tick& tick : ticks) ASSERT_TRUE(writer.Append(tick).ok());
    ASSERT_TRUE(writer.Close().ok());
  }

  std::string PathOf(V3Format format, const Tick& tick) const {
    return (base_ / V3RelativePath(format, tick.stream(), tick.exchange_time)).string();
  }

  V3ArchiveRequest Request(int64_t from, int64_t to) const {
    V3ArchiveRequest request;
    request.dir = base_.string();
    request.contract_id = kMnq;
    request.from = FromUnixSeconds(from);
    request.to = FromUnixSeconds(to);
    return request;
  }

  std::vector<Tick> Read(const V3ArchiveRequest& request, V3ArchiveStats& stats) {
    std::vector<Tick> out;
    Status status = ReadV3Archive(
        request,
        [&](const Tick& tick) {
          out.push_back(tick);
          return Status::Ok();
        },
        &stats);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return out;
  }

  static std::vector<int64_t> Seconds(const std::vector<Tick>& ticks) {
    std::vector<int64_t> out;
    for (const Tick& tick : ticks) out.push_back(ToUnixSeconds(tick.exchange_time));
    return out;
  }

  stdfs::path base_;
};

TEST_F(V3ArchiveTest, ReturnsTheRangeInTimeOrderAcrossHoursAndTypes) {
  Write({Quote(kHour - 1, 1), Trade(kHour + 5, 2), Quote(kHour + 5, 3), Quote(kHour + 3599, 4),
         Trade(kHour + 3600, 5), Quote(kHour + 3601, 6), Quote(kHour + 7200, 7)});
  V3ArchiveStats stats;
  std::vector<Tick> ticks = Read(Request(kHour, kHour + 7200), stats);
  // [from, to): the quote at kHour - 1 and the one at `to` are out.
  EXPECT_EQ(Seconds(ticks),
            (std::vector<int64_t>{kHour + 5, kHour + 5, kHour + 3599, kHour + 3600, kHour + 3601}));
  // Same second: receive time orders the quote (+500 µs) before the trade (+700 µs).
  EXPECT_EQ(ticks[0].type, TickType::kBidAsk);
  EXPECT_EQ(ticks[1].type, TickType::kLast);
  EXPECT_EQ(ticks[1].price, 2);
  EXPECT_EQ(ticks[4].bid_price, 6);
  EXPECT_TRUE(stats.clean());
  EXPECT_EQ(stats.ticks_returned, 5u);
  // Hours 13 (before from), 14, 15 and 16 (the hour of `to`, read as the margin after).
  EXPECT_EQ(stats.hours_read, 4u);
  EXPECT_EQ(stats.files_read, 6u);          // JSON only ...
  EXPECT_EQ(stats.files_other_format, 6u);  // ... its protobuf twins are not read
  EXPECT_EQ(stats.records_read, 7u);
}

TEST_F(V3ArchiveTest, TheHourContainingFromIsRead) {
  // The original's range query skipped this hour: a start at 14:30 lost 14:30-15:00.
  Write({Quote(kHour + 1800, 1), Quote(kHour + 1801, 2), Quote(kHour + 3600, 3)});
  V3ArchiveStats stats;
  EXPECT_EQ(Seconds(Read(Request(kHour + 1800, kHour + 3601), stats)),
            (std::vector<int64_t>{kHour + 1800, kHour + 1801, kHour + 3600}));
}

TEST_F(V3ArchiveTest, BothFormatsGiveTheSameTicksAndNeverTwice) {
  std::mt19937_64 random(testing::TestSeed(7));
  SCOPED_TRACE("seed 7 (IBSTREAM_TEST_SEED overrides)");
  std::vector<Tick> ticks;
  for (int i = 0; i < 300; ++i) {
    Tick tick = testing::RandomV3Tick(random);
    tick.contract_id = kMnq;
    tick.exchange_time = FromUnixSeconds(kHour + static_cast<int64_t>(random() % (3 * 3600)));
    ticks.push_back(tick);
  }
  Write(ticks);
  V3ArchiveRequest request = Request(kHour, kHour + 3 * 3600);
  V3ArchiveStats json_stats;
  std::vector<Tick> from_json = Read(request, json_stats);
  request.prefer = V3Format::kProtobuf;
  V3ArchiveStats protobuf_stats;
  std::vector<Tick> from_protobuf = Read(request, protobuf_stats);
  EXPECT_EQ(from_json.size(), ticks.size());
  EXPECT_EQ(from_json, from_protobuf);
  EXPECT_EQ(json_stats.files_read, protobuf_stats.files_read);
  EXPECT_EQ(json_stats.files_other_format, json_stats.files_read);
  EXPECT_TRUE(json_stats.clean() && protobuf_stats.clean());
  for (size_t i = 1; i < from_json.size(); ++i) {
    EXPECT_LE(from_json[i - 1].exchange_time, from_json[i].exchange_time) << i;
  }
}

TEST_F(V3ArchiveTest, AnHourWithOnlyTheOtherFormatIsStillRead) {
  Write({Quote(kHour + 1, 1)}, /*json=*/false, /*protobuf=*/true);
  Write({Quote(kHour + 3601, 2)}, /*json=*/true, /*protobuf=*/false);
  V3ArchiveStats stats;
  EXPECT_EQ(Seconds(Read(Request(kHour, kHour + 7200), stats)),
            (std::vector<int64_t>{kHour + 1, kHour + 3601}));
  EXPECT_EQ(stats.files_read, 2u);
  EXPECT_EQ(stats.files_other_format, 0u);
}

TEST_F(V3ArchiveTest, SelectsContractAndTypes) {
  Tick other = Quote(kHour + 2, 9);
  other.contract_id = 495512551;
  Tick mid = Trade(kHour + 3, 0);
  mid.type = TickType::kMidPoint;
  mid.price = 23260.25;
  Write({Quote(kHour + 1, 1), other, mid, Trade(kHour + 4, 2)});
  V3ArchiveRequest request = Request(kHour, kHour + 3600);
  request.types = {TickType::kLast, TickType::kMidPoint};
  V3ArchiveStats stats;
  std::vector<Tick> ticks = Read(request, stats);
  ASSERT_EQ(ticks.size(), 2u);
  EXPECT_EQ(ticks[0].type, TickType::kMidPoint);
  EXPECT_EQ(ticks[0].price, 23260.25);
  EXPECT_EQ(ticks[1].type, TickType::kLast);
  EXPECT_EQ(stats.files_read, 2u);
}

TEST_F(V3ArchiveTest, OldPerSecondFilesAndAnyEpochSuffix) {
  // Before 2025-08-01 the name carried the tick's own second: many files per hour.
  const stdfs::path dir = base_ / "v3/json/2025/08/21/14";
  stdfs::create_directories(dir);
  for (int64_t second : {kHour + 9, kHour + 3}) {
    std::string line;
    AppendV3Json(Quote(second, static_cast<double>(second - kHour)), line);
    std::ofstream(dir / ("711280073_bid_ask_" + std::to_string(second) + ".jsonl")) << line;
  }
  V3ArchiveStats stats;
  EXPECT_EQ(Seconds(Read(Request(kHour, kHour + 3600), stats)),
            (std::vector<int64_t>{kHour + 3, kHour + 9}));
  EXPECT_EQ(stats.files_read, 2u);
}

TEST_F(V3ArchiveTest, ARecordFiledAnHourOffIsFoundAndOrdered) {
  // A record of 14:59:59 filed under hour 15, and one of 15:00:00 filed under hour 14.
  Write({Quote(kHour + 10, 1), Quote(kHour + 3610, 4)}, true, false);
  std::string late;
  AppendV3Json(Quote(kHour + 3599, 2), late);
  std::ofstream(base_ / "v3/json/2025/08/21/15/711280073_bid_ask_1755788400.jsonl", std::ios::app)
      << late;
  std::string early;
  AppendV3Json(Quote(kHour + 3600, 3), early);
  std::ofstream(base_ / "v3/json/2025/08/21/14/711280073_bid_ask_1755784800.jsonl", std::ios::app)
      << early;
  V3ArchiveStats stats;
  EXPECT_EQ(Seconds(Read(Request(kHour, kHour + 7200), stats)),
            (std::vector<int64_t>{kHour + 10, kHour + 3599, kHour + 3600, kHour + 3610}));
  // And with from at 15:00 the early-filed 15:00:00 record (in hour 14) is still found.
  V3ArchiveStats from_15;
  EXPECT_EQ(Seconds(Read(Request(kHour + 3600, kHour + 7200), from_15)),
            (std::vector<int64_t>{kHour + 3600, kHour + 3610}));
}

TEST_F(V3ArchiveTest, DamageIsCountedAndTheReadGoesOn) {
  Write({Quote(kHour + 1, 1), Quote(kHour + 2, 2), Trade(kHour + 3, 3), Quote(kHour + 3601, 4)},
        true, false);
  const stdfs::path quotes = base_ / "v3/json/2025/08/21/14/711280073_bid_ask_1755784800.jsonl";
  std::ofstream(quotes, std::ios::app) << "{\"ts\":garbage\n\xff\xfe\n";
  // A record of another contract inside MNQ's file.
  Tick stranger = Quote(kHour + 4, 5);
  stranger.contract_id = 42;
  std::string line;
  AppendV3Json(stranger, line);
  std::ofstream(quotes, std::ios::app) << line;
  // A protobuf-only hour whose file is torn and starts with garbage framing.
  const stdfs::path torn = base_ / "v3/protobuf/2025/08/21/16/711280073_last_1755792000.pb";
  stdfs::create_directories(torn.parent_path());
  std::string bytes;
  ASSERT_TRUE(AppendV3Protobuf(Trade(kHour + 7201, 6), bytes).ok());
  std::ofstream(torn, std::ios::binary) << bytes << bytes.substr(0, 10);
  // Noise in the tree.
  stdfs::create_directories(base_ / "v3/json/2025/08/21/notanhour");
  std::ofstream(base_ / "v3/json/2025/08/21/14/README.txt") << "notes";

  V3ArchiveStats stats;
  EXPECT_EQ(Seconds(Read(Request(kHour, kHour + 3 * 3600), stats)),
            (std::vector<int64_t>{kHour + 1, kHour + 2, kHour + 3, kHour + 3601, kHour + 7201}));
  EXPECT_FALSE(stats.clean());
  EXPECT_EQ(stats.bad_records, 4u);  // two bad lines, the stranger, the torn record
  EXPECT_EQ(stats.unrecognized_files, 2u);
  ASSERT_GE(stats.problems.size(), 4u);
  EXPECT_NE(stats.problems[0].find(quotes.string() + ": line 3:"), std::string::npos)
      << stats.problems[0];
  bool named_stranger = false;
  bool named_torn = false;
  for (const std::string& problem : stats.problems) {
    named_stranger |=
        problem.find("line 5: cid 42 tt bid_ask does not match the file name") != std::string::npos;
    named_torn |= problem.rfind(torn.string() + ": ", 0) == 0;
  }
  EXPECT_TRUE(named_stranger);
  EXPECT_TRUE(named_torn);
}

TEST_F(V3ArchiveTest, RandomGarbageFilesNeverCrash) {
  const uint64_t seed = testing::TestSeed(11);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  Write({Quote(kHour + 1, 1), Trade(kHour + 2, 2)});
  for (int i = 0; i < 40; ++i) {
    std::string junk(random() % 300, '\0');
    for (char& c : junk) c = static_cast<char>(random());
    const bool json = random() % 2 == 0;
    const stdfs::path path =
        base_ / (json ? "v3/json" : "v3/protobuf") / "2025/08/21/15" /
        ("711280073_bid_ask_" + std::to_string(kHour + 3600 + i) + (json ? ".jsonl" : ".pb"));
    stdfs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << junk;
  }
  V3ArchiveStats stats;
  std::vector<Tick> ticks = Read(Request(kHour, kHour + 7200), stats);
  EXPECT_GE(ticks.size(), 2u);
  // Hour 14: two JSON files read, their protobuf twins not; hour 15: the 40 junk files of one
  // format read, the other format's counted.
  EXPECT_EQ(stats.files_read + stats.files_other_format, 44u);
  EXPECT_GT(stats.bad_records, 0u);
}

TEST_F(V3ArchiveTest, MissingDirectories) {
  V3ArchiveStats stats;
  Status status = ReadV3Archive(
      Request(kHour, kHour + 3600), [](const Tick&) { return Status::Ok(); }, &stats);
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find("no v3 archive in " + base_.string()), std::string::npos);

  // Only the protobuf tree, and a range with no hour directory at all: nothing, cleanly.
  Write({Quote(kHour + 1, 1)}, false, true);
  EXPECT_TRUE(Read(Request(kHour + 10 * 3600, kHour + 11 * 3600), stats).empty());
  EXPECT_TRUE(stats.clean());
  // An empty range, and the widest one.
  EXPECT_TRUE(Read(Request(kHour + 5, kHour + 5), stats).empty());
  V3ArchiveRequest everything = Request(0, 0);
  everything.from = TimePoint::min();
  everything.to = TimePoint::max();
  EXPECT_EQ(Read(everything, stats).size(), 1u);
  // The v3 directory itself is accepted.
  V3ArchiveRequest request = Request(kHour, kHour + 3600);
  request.dir = (base_ / "v3").string();
  EXPECT_EQ(Read(request, stats).size(), 1u);
  request.dir = (base_ / "v3/").string();
  EXPECT_EQ(Read(request, stats).size(), 1u);
}

TEST_F(V3ArchiveTest, ASinkErrorStopsTheRead) {
  Write({Quote(kHour + 1, 1), Quote(kHour + 2, 2), Quote(kHour + 3, 3)});
  int calls = 0;
  Status status = ReadV3Archive(
      Request(kHour, kHour + 3600),
      [&](const Tick&) { return ++calls == 2 ? IoError("disk full") : Status::Ok(); }, nullptr);
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace ibstream::formats::v3_archive_test
