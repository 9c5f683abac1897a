// The column reader returns what QueryTicks returns, tick for tick and field for field, with the
// same statistics and the same damage reports: on a store with every kind, several hours,
// backfilled ticks of every deduplication rule, damaged frames, files and journal records, and
// unsealed journals.
#include "storage/column_query.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <string>
#include <vector>

#include "common/clock.h"
#include "fs/fault_file_system.h"
#include "storage/closed_file.h"
#include "storage/journal.h"
#include "storage/layout.h"
#include "storage/query.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

namespace ibstream::storage::column_query_test {
namespace {

using fs::FaultFileSystem;
using fs::JoinPath;
using testing::kHour0;
using testing::MakeTick;

constexpr int64_t kMnq = 711280073;
constexpr int64_t kOther = 495512563;
const std::string kRoot = "/store";
constexpr int64_t kHour1 = kHour0 + 3600;
constexpr int64_t kHour2 = kHour0 + 7200;
const std::vector<TickType> kSixKinds = {TickType::kBidAsk,   TickType::kLast,  TickType::kAllLast,
                                         TickType::kMidPoint, TickType::kQuote, TickType::kTrade};

// MakeTick with more variety: several exchanges, an unset size now and then.
Tick VariedTick(int64_t contract, TickType type, int64_t seconds, uint64_t sequence,
                TickSource source = TickSource::kLive) {
  Tick t = MakeTick(contract, type, seconds, sequence, source);
  if (type == TickType::kLast || type == TickType::kAllLast) {
    static const char* const kExchanges[] = {"CME", "ISLAND", "", "ARCA"};
    t.exchange = kExchanges[sequence % 4];
    t.attributes = static_cast<uint8_t>(sequence % 4);  // past limit, unreported
  }
  if (type == TickType::kQuote) {
    if (sequence % 5 == 0) t.bid_size = Decimal::Unset();
    // Sizes of every scale, and mantissas past 2^53 (whose double is not a plain quotient).
    const auto scale = static_cast<int>(sequence % 19);
    const auto mantissa = static_cast<int64_t>(sequence * 7919 % 100000007);
    t.ask_size = Decimal::FromParts(sequence % 7 == 0 ? -mantissa : mantissa, scale);
    if (sequence % 9 == 0) {
      t.bid_size = Decimal::FromParts((int64_t{1} << 53) + static_cast<int64_t>(sequence), scale);
    }
  }
  if (type == TickType::kTrade && sequence % 6 == 0) t.volume = Decimal::Unset();
  return t;
}

// `t` as a backfill fetched `fetch` hours later: same content, another receive time.
Tick AsBackfill(Tick t, int fetch, uint64_t sequence) {
  t.source = TickSource::kBackfill;
  t.receive_time = t.exchange_time + std::chrono::hours(fetch);
  t.sequence = sequence;
  return t;
}

class ColumnQueryTest : public ::testing::Test {
 protected:
  void WriteClosed(const StreamKey& stream, int64_t hour, std::vector<Tick> ticks,
                   uint64_t source_id = 1) {
    std::sort(ticks.begin(), ticks.end(),
              [](const Tick& a, const Tick& b) { return OrderKey(a) < OrderKey(b); });
    std::vector<std::string> encoded;
    for (const Tick& t : ticks) AppendTick(t, &encoded.emplace_back());
    std::vector<std::string_view> records(encoded.begin(), encoded.end());
    ClosedFileHeader header;
    header.stream = stream;
    header.hour = FromUnixSeconds(hour);
    header.source_id = source_id;
    auto bytes = BuildClosedFile(header, records);
    ASSERT_TRUE(bytes.ok());
    const std::string dir = ClosedHourDir(kRoot, FromUnixSeconds(hour));
    ASSERT_TRUE(fs::CreateDirs(&fs_, dir).ok());
    const std::string path = JoinPath(dir, ClosedFileName(stream, source_id));
    ASSERT_TRUE(fs_.WriteRaw(path, *bytes).ok());
    closed_paths_.push_back(path);
  }

  std::string WriteJournal(int64_t hour, uint32_t generation, const std::vector<Tick>& ticks) {
    auto file = JournalFile::Create(&fs_, kRoot, FromUnixSeconds(hour), generation, false);
    EXPECT_TRUE(file.ok());
    for (const Tick& t : ticks) (*file)->AddTick(t);
    EXPECT_TRUE((*file)->Write().ok());
    EXPECT_TRUE((*file)->Sync().ok());
    return (*file)->path();  // not sealed: a journal being written
  }

  void Damage(const std::string& path, size_t offset) {
    std::string bytes = *fs::ReadFileToString(&fs_, path);
    ASSERT_LT(offset, bytes.size());
    bytes[offset] ^= 0x5a;
    ASSERT_TRUE(fs_.WriteRaw(path, bytes).ok());
  }

  // Hour 0: every kind, with backfills of each rule; another contract. Hour 1: a long bid/ask
  // file with a damaged frame, an all_last file cut short, backfilled trades. Hour 2: unsealed
  // journals, one with damaged records, and a journal of hour 0 repeating closed ticks. Hour 3:
  // a file where its directory should be; and one where a journal day's should be.
  void BuildStore() {
    uint64_t seq = 1;
    std::vector<Tick> repeated_in_journal;
    for (TickType type : kSixKinds) {
      std::vector<Tick> ticks;
      for (int i = 0; i < 300; ++i) {
        ticks.push_back(VariedTick(kMnq, type, kHour0 + i * 11 % 3600, seq++));
      }
      // Rule 2: backfilled copies of live ticks; rule 3: the same second fetched twice.
      for (int i = 0; i < 20; ++i) ticks.push_back(AsBackfill(ticks[i * 7], 1, seq++));
      for (int i = 0; i < 10; ++i) {
        const Tick fetched = VariedTick(kMnq, type, kHour0 + 3500, seq++);
        const Tick b = AsBackfill(fetched, 1, seq++);
        ticks.push_back(b);
        ticks.push_back(AsBackfill(b, 2, seq++));
        ticks.push_back(AsBackfill(b, 2, seq++));
      }
      for (int i = 0; i < 15; ++i) repeated_in_journal.push_back(ticks[i * 13]);
      WriteClosed({kMnq, type}, kHour0, ticks);
      WriteClosed({kOther, type}, kHour0, {VariedTick(kOther, type, kHour0 + 5, seq++)});
    }
    WriteJournal(kHour0, 1, repeated_in_journal);  // rule 1: bit-identical records

    std::vector<Tick> long_file;
    for (int i = 0; i < 3 * static_cast<int>(kTicksPerFrame) - 100; ++i) {
      long_file.push_back(VariedTick(kMnq, TickType::kBidAsk, kHour1 + i * 3600 / 12288, seq++));
    }
    WriteClosed({kMnq, TickType::kBidAsk}, kHour1, long_file);
    {
      auto reader = ClosedFileReader::Open(&fs_, closed_paths_.back());
      ASSERT_TRUE(reader.ok());
      const ClosedFrameInfo& second = (*reader)->frames()[1];
      Damage(closed_paths_.back(), second.offset + second.compressed_size / 2);
    }
    std::vector<Tick> all_last;
    for (int i = 0; i < 50; ++i)
      all_last.push_back(VariedTick(kMnq, TickType::kAllLast, kHour1 + i, seq++));
    WriteClosed({kMnq, TickType::kAllLast}, kHour1, all_last);
    {
      const std::string path = closed_paths_.back();
      const std::string bytes = *fs::ReadFileToString(&fs_, path);
      ASSERT_TRUE(fs_.WriteRaw(path, bytes.substr(0, bytes.size() - 10)).ok());
    }
    std::vector<Tick> trades;
    for (int i = 0; i < 40; ++i)
      trades.push_back(VariedTick(kMnq, TickType::kTrade, kHour1 + i * 60, seq++));
    for (int i = 0; i < 40; i += 3) {
      Tick b = AsBackfill(trades[static_cast<size_t>(i)], 1, seq++);
      b.volume = Decimal::Unset();  // IB's history has none: still the live trade's duplicate
      trades.push_back(b);
    }
    WriteClosed({kMnq, TickType::kTrade}, kHour1, trades);

    std::vector<Tick> live;
    for (int i = 0; i < 2000; ++i) {
      live.push_back(
          VariedTick(kMnq, i % 3 == 0 ? TickType::kLast : TickType::kBidAsk, kHour2 + i, seq++));
    }
    WriteJournal(kHour2, 1, live);
    const std::string damaged =
        WriteJournal(kHour2, 2, std::vector<Tick>(live.begin(), live.begin() + 1500));
    Damage(damaged, log::kFileHeaderSize + 40000);
    // Files where an hour's and a day's directories should be.
    ASSERT_TRUE(
        fs_.WriteRaw(ClosedHourDir(kRoot, FromUnixSeconds(kHour2 + 3600)), "not a directory").ok());
    ASSERT_TRUE(fs_.WriteRaw(JoinPath(JournalRoot(kRoot), "2025-08-22"), "x").ok());
  }

  FaultFileSystem fs_;
  std::vector<std::string> closed_paths_;
};

// The ticks and statistics of QueryTicks.
std::vector<Tick> QueryAsTicks(fs::FileSystem* fs, const std::vector<TickType>& types,
                               TimePoint from, TimePoint to, QueryStats* stats) {
  QueryRequest request;
  for (TickType type : types) request.streams.push_back({kMnq, type});
  request.from = from;
  request.to = to;
  std::vector<Tick> ticks;
  const Status status = QueryTicks(
      fs, kRoot, request,
      [&](const Tick& t) {
        ticks.push_back(t);
        return Status::Ok();
      },
      stats);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return ticks;
}

bool SameDouble(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) ||
         std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

double Expected(const Tick& t, TickColumn column, double value) {
  return KindStoresColumn(t.type, column) ? value : std::nan("");
}
double ExpectedSize(const Tick& t, TickColumn column, const Decimal& value) {
  return KindStoresColumn(t.type, column) && value.is_set() ? value.ToDouble() : std::nan("");
}

// Every filled column of `c` against the Tick route's ticks, row by row.
void ExpectSameRows(const std::vector<Tick>& ticks, const std::vector<TickType>& types,
                    const TickColumnData& c, uint32_t columns) {
  ASSERT_EQ(c.rows, ticks.size());
  auto filled = [&](uint32_t column, size_t size) {
    EXPECT_EQ(size, (columns & column) != 0 ? ticks.size() : 0u) << column;
    return (columns & column) != 0;
  };
  const bool type = filled(kColumnType, c.type.size());
  const bool times = filled(kColumnExchangeTime, c.exchange_time_ns.size());
  const bool receive = filled(kColumnReceiveTime, c.receive_time_ns.size());
  const bool sequence = filled(kColumnSequence, c.sequence.size());
  const bool source = filled(kColumnSource, c.source.size());
  const bool price = filled(kColumnPrice, c.price.size());
  const bool size = filled(kColumnSize, c.size.size());
  const bool bid = filled(kColumnBidPrice, c.bid_price.size());
  const bool bid_size = filled(kColumnBidSize, c.bid_size.size());
  const bool ask = filled(kColumnAskPrice, c.ask_price.size());
  const bool ask_size = filled(kColumnAskSize, c.ask_size.size());
  const bool volume = filled(kColumnVolume, c.volume.size());
  const bool exchange = filled(kColumnExchange, c.exchange.size());
  const bool conditions = filled(kColumnSpecialConditions, c.special_conditions.size());
  const bool attributes = filled(kColumnAttributes, c.attributes.size());
  // The names of the codes, numbered in order of first appearance in the answer.
  std::vector<std::string> exchange_names, condition_names;
  for (const Tick& t : ticks) {
    if (t.type != TickType::kLast && t.type != TickType::kAllLast) continue;
    auto first_time = [](std::vector<std::string>* names, const std::string& name) {
      if (std::find(names->begin(), names->end(), name) == names->end()) names->push_back(name);
    };
    first_time(&exchange_names, t.exchange);
    first_time(&condition_names, t.special_conditions);
  }
  if (exchange) {
    EXPECT_EQ(c.exchange_names, exchange_names);
  }
  if (conditions) {
    EXPECT_EQ(c.condition_names, condition_names);
  }
  for (size_t r = 0; r < ticks.size(); ++r) {
    const Tick& t = ticks[r];
    SCOPED_TRACE("row " + std::to_string(r));
    if (type) {
      EXPECT_EQ(types[static_cast<size_t>(c.type[r])], t.type);
    }
    if (times) {
      EXPECT_EQ(c.exchange_time_ns[r], ToUnixNanos(t.exchange_time));
    }
    if (receive) {
      EXPECT_EQ(c.receive_time_ns[r], ToUnixNanos(t.receive_time));
    }
    if (sequence) {
      EXPECT_EQ(c.sequence[r], t.sequence);
    }
    if (source) {
      EXPECT_EQ(c.source[r], static_cast<int8_t>(t.source));
    }
    if (price) {
      EXPECT_TRUE(SameDouble(c.price[r], Expected(t, kColumnPrice, t.price)));
    }
    if (size) {
      EXPECT_TRUE(SameDouble(c.size[r], ExpectedSize(t, kColumnSize, t.size)));
    }
    if (bid) {
      EXPECT_TRUE(SameDouble(c.bid_price[r], Expected(t, kColumnBidPrice, t.bid_price)));
    }
    if (bid_size) {
      EXPECT_TRUE(SameDouble(c.bid_size[r], ExpectedSize(t, kColumnBidSize, t.bid_size)));
    }
    if (ask) {
      EXPECT_TRUE(SameDouble(c.ask_price[r], Expected(t, kColumnAskPrice, t.ask_price)));
    }
    if (ask_size) {
      EXPECT_TRUE(SameDouble(c.ask_size[r], ExpectedSize(t, kColumnAskSize, t.ask_size)));
    }
    if (volume) {
      EXPECT_TRUE(SameDouble(c.volume[r], ExpectedSize(t, kColumnVolume, t.volume)));
    }
    const bool trade = t.type == TickType::kLast || t.type == TickType::kAllLast;
    if (exchange) {
      if (trade) {
        ASSERT_GE(c.exchange[r], 0);
        EXPECT_EQ(c.exchange_names[static_cast<size_t>(c.exchange[r])], t.exchange);
      } else {
        EXPECT_EQ(c.exchange[r], -1);
      }
    }
    if (conditions) {
      if (trade) {
        ASSERT_GE(c.special_conditions[r], 0);
        EXPECT_EQ(c.condition_names[static_cast<size_t>(c.special_conditions[r])],
                  t.special_conditions);
      } else {
        EXPECT_EQ(c.special_conditions[r], -1);
      }
    }
    if (attributes) {
      const uint8_t mask = trade                         ? (kAttrPastLimit | kAttrUnreported)
                           : t.type == TickType::kBidAsk ? (kAttrBidPastLow | kAttrAskPastHigh)
                                                         : 0;
      EXPECT_EQ(c.attributes[r], t.attributes & mask);
    }
  }
}

void ExpectSameStats(const QueryStats& a, const QueryStats& b) {
  EXPECT_EQ(a.closed_files_read, b.closed_files_read);
  EXPECT_EQ(a.journals_read, b.journals_read);
  EXPECT_EQ(a.ticks_returned, b.ticks_returned);
  EXPECT_EQ(a.duplicates_dropped, b.duplicates_dropped);
  EXPECT_EQ(a.backfill_overlaps_dropped, b.backfill_overlaps_dropped);
  EXPECT_EQ(a.backfill_repeats_dropped, b.backfill_repeats_dropped);
  EXPECT_EQ(a.corrupt_files, b.corrupt_files);
  EXPECT_EQ(a.skipped_bytes, b.skipped_bytes);
  ASSERT_EQ(a.skipped.size(), b.skipped.size());
  for (size_t i = 0; i < a.skipped.size(); ++i) {
    EXPECT_EQ(a.skipped[i].path, b.skipped[i].path);
    EXPECT_EQ(a.skipped[i].bytes, b.skipped[i].bytes);
    EXPECT_EQ(a.skipped[i].reason, b.skipped[i].reason);
  }
}

// The thread counts every answer is checked with: one reader, and hours read at once.
constexpr size_t kThreadCounts[] = {1, 2, 4};

// Both readers over one request; the column reader's result, read by 1, 2 and 4 threads, is
// checked against the Tick reader's. Returns the Tick reader's statistics.
QueryStats ExpectSameAnswer(fs::FileSystem* fs, const std::vector<TickType>& types, TimePoint from,
                            TimePoint to, uint32_t columns = kAllTickColumns) {
  QueryStats tick_stats;
  const std::vector<Tick> ticks = QueryAsTicks(fs, types, from, to, &tick_stats);
  for (size_t threads : kThreadCounts) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    ColumnQueryRequest request;
    request.contract_id = kMnq;
    request.types = types;
    request.from = from;
    request.to = to;
    request.columns = columns;
    request.threads = threads;
    TickColumnData c;
    QueryStats column_stats;
    const Status status = QueryTickColumns(fs, kRoot, request, &c, &column_stats);
    EXPECT_TRUE(status.ok()) << status.ToString();
    ExpectSameRows(ticks, types, c, columns);
    ExpectSameStats(column_stats, tick_stats);
  }
  return tick_stats;
}

TEST_F(ColumnQueryTest, EveryKindAndEveryRuleAsTheTickReader) {
  BuildStore();
  const QueryStats stats = ExpectSameAnswer(&fs_, kSixKinds, FromUnixSeconds(kHour0 - 86400),
                                            FromUnixSeconds(kHour0 + 86400));
  // The store exercises what it claims to.
  EXPECT_GT(stats.ticks_returned, 5000u);
  EXPECT_GT(stats.duplicates_dropped, 0u) << "rule 1";
  EXPECT_GT(stats.backfill_overlaps_dropped, 0u) << "rule 2";
  EXPECT_GT(stats.backfill_repeats_dropped, 0u) << "rule 3";
  EXPECT_EQ(stats.skipped.size(), 5u)
      << "a damaged frame, a file cut short, journal records, two files for directories";
  EXPECT_EQ(stats.journals_read, 3u);
}

TEST_F(ColumnQueryTest, WindowsAndSubsetsOfKindsAndColumns) {
  BuildStore();
  const TimePoint from = FromUnixSeconds(kHour0 + 1234);
  const TimePoint to = FromUnixSeconds(kHour2 + 700);
  ExpectSameAnswer(&fs_, {TickType::kLast}, from, to);
  ExpectSameAnswer(&fs_, {TickType::kTrade, TickType::kBidAsk}, from, to);
  ExpectSameAnswer(&fs_, {TickType::kQuote, TickType::kMidPoint, TickType::kAllLast},
                   FromUnixSeconds(kHour0), FromUnixSeconds(kHour1));
  ExpectSameAnswer(&fs_, kSixKinds, from, to, kColumnExchangeTime | kColumnPrice | kColumnExchange);
  ExpectSameAnswer(&fs_, {TickType::kBidAsk}, FromUnixSeconds(kHour1 + 900),
                   FromUnixSeconds(kHour1 + 1000));
}

TEST_F(ColumnQueryTest, EmptyStoreAndEmptyWindow) {
  ExpectSameAnswer(&fs_, kSixKinds, FromUnixSeconds(kHour0), FromUnixSeconds(kHour2));
  BuildStore();
  ExpectSameAnswer(&fs_, kSixKinds, FromUnixSeconds(kHour2), FromUnixSeconds(kHour2));
  ExpectSameAnswer(&fs_, kSixKinds, FromUnixSeconds(kHour0 - 7200), FromUnixSeconds(kHour0));
}

TEST_F(ColumnQueryTest, ColumnsAreSizedOnceFromTheIndexes) {
  BuildStore();
  ColumnQueryRequest request;
  request.contract_id = kMnq;
  request.types = {TickType::kBidAsk};
  request.from = FromUnixSeconds(kHour1);
  request.to = FromUnixSeconds(kHour1 + 3600);
  TickColumnData c;
  ASSERT_TRUE(QueryTickColumns(&fs_, kRoot, request, &c, nullptr).ok());
  // Three frames indexed, the damaged one skipped: room for all three, reserved before reading.
  const size_t indexed = 3 * kTicksPerFrame - 100;
  EXPECT_LT(c.rows, indexed);
  EXPECT_GE(c.exchange_time_ns.capacity(), indexed);
  EXPECT_LT(c.exchange_time_ns.capacity(), indexed + 4096 / sizeof(int64_t))
      << "one mapping of the indexed size, not a doubling";
}

// A file system whose first listing of `hidden_dir` leaves out `hidden_name`: a closed file that
// appears after the column reader sized its columns (as when a conversion races the read).
class LateFileFileSystem : public fs::FileSystem {
 public:
  LateFileFileSystem(fs::FileSystem* base, std::string hidden_dir, std::string hidden_name)
      : base_(base), hidden_dir_(std::move(hidden_dir)), hidden_name_(std::move(hidden_name)) {}

  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    auto names = base_->ListDir(path);
    if (names.ok() && path == hidden_dir_ && !listed_once_.exchange(true)) {
      names->erase(std::remove(names->begin(), names->end(), hidden_name_), names->end());
    }
    return names;
  }
  Result<std::unique_ptr<fs::WritableFile>> NewWritableFile(const std::string& path,
                                                            bool exclusive) override {
    return base_->NewWritableFile(path, exclusive);
  }
  Result<std::unique_ptr<fs::WritableFile>> NewAppendableFile(const std::string& path) override {
    return base_->NewAppendableFile(path);
  }
  Result<std::unique_ptr<fs::RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    return base_->NewRandomAccessFile(path);
  }
  Result<bool> IsDirectory(const std::string& path) override { return base_->IsDirectory(path); }
  bool Exists(const std::string& path) override { return base_->Exists(path); }
  Status CreateDir(const std::string& path) override { return base_->CreateDir(path); }
  Status SyncDir(const std::string& path) override { return base_->SyncDir(path); }
  Status Rename(const std::string& from, const std::string& to) override {
    return base_->Rename(from, to);
  }
  Status DeleteFile(const std::string& path) override { return base_->DeleteFile(path); }
  Status DeleteDir(const std::string& path) override { return base_->DeleteDir(path); }
  Status TruncateAndSync(const std::string& path, uint64_t size) override {
    return base_->TruncateAndSync(path, size);
  }
  Result<uint64_t> FileSize(const std::string& path) override { return base_->FileSize(path); }
  Result<fs::SpaceInfo> GetSpace(const std::string& path) override { return base_->GetSpace(path); }

 private:
  fs::FileSystem* base_;
  std::string hidden_dir_;
  std::string hidden_name_;
  std::atomic<bool> listed_once_{false};
};

TEST_F(ColumnQueryTest, AFileThatAppearsAfterTheColumnsWereSizedStillFitsIn) {
  // Four hours of 5000 ticks; the third hour's file is missing when the columns are sized, so
  // the fourth hour's rows lie past the reservation (while other threads may be writing theirs).
  constexpr int kHours = 4;
  for (int h = 0; h < kHours; ++h) {
    std::vector<Tick> ticks;
    for (int i = 0; i < 5000; ++i) {
      ticks.push_back(
          VariedTick(kMnq, TickType::kLast, kHour0 + h * 3600 + i * 3600 / 5000, 1 + h * 5000 + i));
    }
    WriteClosed({kMnq, TickType::kLast}, kHour0 + h * 3600, ticks);
  }
  const std::string dir = ClosedHourDir(kRoot, FromUnixSeconds(kHour2));
  const std::string name = ClosedFileName({kMnq, TickType::kLast}, 1);
  ColumnQueryRequest request;
  request.contract_id = kMnq;
  request.types = {TickType::kLast};
  request.from = FromUnixSeconds(kHour0);
  request.to = FromUnixSeconds(kHour0 + kHours * 3600);
  QueryStats tick_stats;
  const std::vector<Tick> expected =
      QueryAsTicks(&fs_, {TickType::kLast}, request.from, request.to, &tick_stats);
  ASSERT_EQ(expected.size(), 20000u);

  for (size_t threads : kThreadCounts) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    LateFileFileSystem late(&fs_, dir, name);
    request.threads = threads;
    TickColumnData c;
    QueryStats stats;
    ASSERT_TRUE(QueryTickColumns(&late, kRoot, request, &c, &stats).ok());
    ASSERT_TRUE(late.ListDir(dir).ok());  // (the wrapper has shown the file by now)
    EXPECT_GE(c.exchange_time_ns.capacity(), 20000u);
    ExpectSameRows(expected, {TickType::kLast}, c, kAllTickColumns);
    ExpectSameStats(stats, tick_stats);
  }
}

TEST_F(ColumnQueryTest, CodesFollowTheFirstAppearanceOfTheirNamesOverEveryHour) {
  // Each hour meets the names in another order: the hours' own codes differ from the answer's.
  const std::vector<std::vector<std::string>> names_of_hour = {
      {"ARCA", "CME"}, {"CME", "ISLAND", "ARCA"}, {"ISLAND", "", "NYSE"}};
  uint64_t seq = 1;
  for (size_t h = 0; h < names_of_hour.size(); ++h) {
    std::vector<Tick> ticks;
    for (size_t i = 0; i < 30; ++i) {
      Tick t = MakeTick(kMnq, TickType::kLast, kHour0 + static_cast<int64_t>(h * 3600 + i), seq++);
      t.exchange = names_of_hour[h][i % names_of_hour[h].size()];
      t.special_conditions = names_of_hour[h][(i + 1) % names_of_hour[h].size()];
      ticks.push_back(t);
    }
    WriteClosed({kMnq, TickType::kLast}, kHour0 + static_cast<int64_t>(h * 3600), ticks);
  }
  ExpectSameAnswer(&fs_, {TickType::kLast}, FromUnixSeconds(kHour0),
                   FromUnixSeconds(kHour0 + 86400));
}

TEST_F(ColumnQueryTest, RefusesDepthRepeatsAndNoKinds) {
  TickColumnData c;
  ColumnQueryRequest request;
  request.contract_id = kMnq;
  request.to = FromUnixSeconds(kHour1);
  EXPECT_EQ(QueryTickColumns(&fs_, kRoot, request, &c, nullptr).code(),
            StatusCode::kInvalidArgument);
  request.types = {TickType::kDepth};
  EXPECT_EQ(QueryTickColumns(&fs_, kRoot, request, &c, nullptr).code(),
            StatusCode::kInvalidArgument);
  request.types = {TickType::kLast, TickType::kLast};
  EXPECT_EQ(QueryTickColumns(&fs_, kRoot, request, &c, nullptr).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ibstream::storage::column_query_test
