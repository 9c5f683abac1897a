#include "python/tick_columns.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "fs/file_system.h"
#include "storage/closed_file.h"
#include "storage/column_query.h"
#include "storage/journal.h"
#include "storage/layout.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

namespace ibstream::python::tick_columns_test {
namespace {

std::string Names(const std::vector<TickField>& fields) {
  std::string out;
  for (TickField f : fields) {
    if (!out.empty()) out += ',';
    out += TickFieldName(f);
  }
  return out;
}

TEST(TickFieldsOfTest, EachKindShowsWhatItStores) {
  const struct {
    std::vector<TickType> types;
    const char* fields;
  } cases[] = {
      {{TickType::kBidAsk},
       "exchange_time,receive_time,sequence,source,bid_price,bid_size,ask_price,ask_size,"
       "bid_past_low,ask_past_high"},
      {{TickType::kLast},
       "exchange_time,receive_time,sequence,source,price,size,exchange,special_conditions,"
       "past_limit,unreported"},
      {{TickType::kAllLast},
       "exchange_time,receive_time,sequence,source,price,size,exchange,special_conditions,"
       "past_limit,unreported"},
      {{TickType::kMidPoint}, "exchange_time,receive_time,sequence,source,price"},
      {{TickType::kQuote},
       "exchange_time,receive_time,sequence,source,bid_price,bid_size,ask_price,ask_size"},
      {{TickType::kTrade}, "exchange_time,receive_time,sequence,source,price,size,volume"},
      {{TickType::kMidPoint, TickType::kQuote},
       "type,exchange_time,receive_time,sequence,source,price,bid_price,bid_size,ask_price,"
       "ask_size"},
      {{TickType::kBidAsk, TickType::kLast, TickType::kAllLast, TickType::kMidPoint,
        TickType::kQuote, TickType::kTrade},
       "type,exchange_time,receive_time,sequence,source,price,size,bid_price,bid_size,ask_price,"
       "ask_size,volume,exchange,special_conditions,past_limit,unreported,bid_past_low,"
       "ask_past_high"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Names(TickFieldsOf(c.types)), c.fields) << c.fields;
  }
}

TEST(TickFieldsOfTest, EveryFieldButTheKindBelongsToSomeKind) {
  for (int i = 0; i < kTickFieldCount; ++i) {
    const auto field = static_cast<TickField>(i);
    bool stored = false;
    for (TickType type : kAllStreamKinds) stored = stored || KindStoresField(type, field);
    EXPECT_EQ(stored, field != TickField::kType) << TickFieldName(field);
  }
}

TEST(TickFieldsOfTest, TheColumnReaderStoresWhatEachKindShows) {
  const std::pair<TickField, storage::TickColumn> same[] = {
      {TickField::kPrice, storage::kColumnPrice},
      {TickField::kSize, storage::kColumnSize},
      {TickField::kBidPrice, storage::kColumnBidPrice},
      {TickField::kBidSize, storage::kColumnBidSize},
      {TickField::kAskPrice, storage::kColumnAskPrice},
      {TickField::kAskSize, storage::kColumnAskSize},
      {TickField::kVolume, storage::kColumnVolume},
      {TickField::kExchange, storage::kColumnExchange},
      {TickField::kSpecialConditions, storage::kColumnSpecialConditions}};
  for (TickType type : kAllStreamKinds) {
    if (type == TickType::kDepth) continue;
    for (const auto& [field, column] : same) {
      EXPECT_EQ(KindStoresField(type, field), storage::KindStoresColumn(type, column))
          << TickTypeName(type) << " " << TickFieldName(field);
    }
  }
}

// A store on disk (the module reads through the real file system): closed files of three kinds
// with backfilled repeats, and an unsealed journal of the next hour.
class TickColumnsStoreTest : public ::testing::Test {
 protected:
  TickColumnsStoreTest()
      : root_((std::filesystem::temp_directory_path() /
               ("ibstream_tick_columns_" + std::to_string(::getpid())))
                  .string()) {
    std::filesystem::remove_all(root_);
  }
  ~TickColumnsStoreTest() override {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  void WriteClosed(TickType type, std::vector<Tick> ticks) {
    std::sort(ticks.begin(), ticks.end(), [](const Tick& a, const Tick& b) {
      return storage::OrderKey(a) < storage::OrderKey(b);
    });
    std::vector<std::string> encoded;
    for (const Tick& t : ticks) storage::AppendTick(t, &encoded.emplace_back());
    std::vector<std::string_view> records(encoded.begin(), encoded.end());
    storage::ClosedFileHeader header;
    header.stream = {kContract, type};
    header.hour = FromUnixSeconds(storage::testing::kHour0);
    header.source_id = 1;
    auto bytes = storage::BuildClosedFile(header, records);
    ASSERT_TRUE(bytes.ok());
    const std::string dir = storage::ClosedHourDir(root_, header.hour);
    ASSERT_TRUE(fs::CreateDirs(fs::PosixFileSystem(), dir).ok());
    ASSERT_TRUE(fs::WriteFileAtomically(
                    fs::PosixFileSystem(),
                    fs::JoinPath(dir, storage::ClosedFileName(header.stream, 1)), *bytes)
                    .ok());
  }

  void BuildStore() {
    const int64_t hour0 = storage::testing::kHour0;
    uint64_t seq = 1;
    for (TickType type : {TickType::kBidAsk, TickType::kLast, TickType::kTrade}) {
      std::vector<Tick> ticks;
      for (int i = 0; i < 500; ++i) {
        Tick t = storage::testing::MakeTick(kContract, type, hour0 + i * 7 % 3600, seq++);
        if (type == TickType::kLast) t.exchange = i % 2 == 0 ? "CME" : "ISLAND";
        if (type == TickType::kLast) t.attributes = static_cast<uint8_t>(i % 4);
        ticks.push_back(t);
      }
      for (int i = 0; i < 30; ++i) {
        Tick b = ticks[static_cast<size_t>(i * 11)];
        b.source = TickSource::kBackfill;
        b.receive_time += std::chrono::hours(2);
        b.sequence = seq++;
        ticks.push_back(b);
      }
      WriteClosed(type, ticks);
    }
    auto journal = storage::JournalFile::Create(fs::PosixFileSystem(), root_,
                                                FromUnixSeconds(hour0 + 3600), 1, false);
    ASSERT_TRUE(journal.ok());
    for (int i = 0; i < 300; ++i) {
      (*journal)->AddTick(storage::testing::MakeTick(
          kContract, i % 2 == 0 ? TickType::kBidAsk : TickType::kLast, hour0 + 3600 + i, seq++));
    }
    ASSERT_TRUE((*journal)->Write().ok());
    ASSERT_TRUE((*journal)->Sync().ok());
  }

  TickRequest Request(std::vector<TickType> types) const {
    TickRequest request;
    request.root = root_;
    request.contract_id = kContract;
    request.types = std::move(types);
    request.from = FromUnixSeconds(storage::testing::kHour0);
    request.to = FromUnixSeconds(storage::testing::kHour0 + 7200);
    return request;
  }

  static constexpr int64_t kContract = 711280073;
  std::string root_;
};

template <typename T>
void ExpectSameColumn(const PodColumn<T>& a, const PodColumn<T>& b, const char* name) {
  ASSERT_EQ(a.size(), b.size()) << name;
  for (size_t i = 0; i < a.size(); ++i) {
    if constexpr (std::is_floating_point_v<T>) {
      EXPECT_TRUE((std::isnan(a[i]) && std::isnan(b[i])) ||
                  std::bit_cast<uint64_t>(a[i]) == std::bit_cast<uint64_t>(b[i]))
          << name << " row " << i;
    } else {
      EXPECT_EQ(a[i], b[i]) << name << " row " << i;
    }
  }
}

// Category codes may be numbered alike or not: the names they stand for must be equal.
void ExpectSameCategories(const PodColumn<int32_t>& a, const std::vector<std::string>& a_names,
                          const PodColumn<int32_t>& b, const std::vector<std::string>& b_names) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i] < 0, b[i] < 0) << i;
    if (a[i] >= 0) {
      EXPECT_EQ(a_names[static_cast<size_t>(a[i])], b_names[static_cast<size_t>(b[i])]) << i;
    }
  }
}

TEST_F(TickColumnsStoreTest, TheColumnRouteEqualsTheTickRoute) {
  BuildStore();
  for (const std::vector<TickType>& types :
       {std::vector<TickType>{TickType::kBidAsk}, std::vector<TickType>{TickType::kLast},
        std::vector<TickType>{TickType::kBidAsk, TickType::kLast, TickType::kTrade}}) {
    TickColumns by_ticks;
    TickColumns by_columns;
    storage::QueryStats tick_stats;
    storage::QueryStats column_stats;
    ASSERT_TRUE(ReadTickColumnsFromTicks(Request(types), &by_ticks, &tick_stats).ok());
    ASSERT_TRUE(ReadTickColumnsFromColumns(Request(types), &by_columns, &column_stats).ok());
    ASSERT_GT(by_ticks.rows(), 500u);
    EXPECT_GT(tick_stats.backfill_overlaps_dropped, 0u);
    EXPECT_EQ(column_stats.backfill_overlaps_dropped, tick_stats.backfill_overlaps_dropped);
    EXPECT_EQ(column_stats.ticks_returned, tick_stats.ticks_returned);
    EXPECT_EQ(column_stats.journals_read, 1u);
    EXPECT_EQ(by_columns.fields, by_ticks.fields);
    ExpectSameColumn(by_columns.type, by_ticks.type, "type");
    ExpectSameColumn(by_columns.exchange_time_ns, by_ticks.exchange_time_ns, "exchange_time");
    ExpectSameColumn(by_columns.receive_time_ns, by_ticks.receive_time_ns, "receive_time");
    ExpectSameColumn(by_columns.sequence, by_ticks.sequence, "sequence");
    ExpectSameColumn(by_columns.source, by_ticks.source, "source");
    ExpectSameColumn(by_columns.price, by_ticks.price, "price");
    ExpectSameColumn(by_columns.size, by_ticks.size, "size");
    ExpectSameColumn(by_columns.bid_price, by_ticks.bid_price, "bid_price");
    ExpectSameColumn(by_columns.bid_size, by_ticks.bid_size, "bid_size");
    ExpectSameColumn(by_columns.ask_price, by_ticks.ask_price, "ask_price");
    ExpectSameColumn(by_columns.ask_size, by_ticks.ask_size, "ask_size");
    ExpectSameColumn(by_columns.volume, by_ticks.volume, "volume");
    ExpectSameColumn(by_columns.past_limit, by_ticks.past_limit, "past_limit");
    ExpectSameColumn(by_columns.unreported, by_ticks.unreported, "unreported");
    ExpectSameColumn(by_columns.bid_past_low, by_ticks.bid_past_low, "bid_past_low");
    ExpectSameColumn(by_columns.ask_past_high, by_ticks.ask_past_high, "ask_past_high");
    ExpectSameCategories(by_columns.exchange, by_columns.exchange_names, by_ticks.exchange,
                         by_ticks.exchange_names);
    ExpectSameCategories(by_columns.special_conditions, by_columns.condition_names,
                         by_ticks.special_conditions, by_ticks.condition_names);
  }
}

TEST_F(TickColumnsStoreTest, ExactReadsTakeTheTickRoute) {
  BuildStore();
  TickRequest request = Request({TickType::kLast});
  request.exact = true;
  TickColumns c;
  storage::QueryStats stats;
  ASSERT_TRUE(ReadTickColumns(request, &c, &stats).ok());
  ASSERT_GT(c.rows(), 0u);
  EXPECT_EQ(c.exact_size.size(), c.rows()) << "the exact decimals are filled";
}

}  // namespace
}  // namespace ibstream::python::tick_columns_test
