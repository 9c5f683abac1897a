// QueryTicks orders each hour's ticks whatever runs they come in: closed files of several
// streams plus journal ticks in few or many out-of-order blocks (merged or sorted).
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "fs/fault_file_system.h"
#include "storage/journal.h"
#include "storage/query.h"
#include "storage/recovery.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

namespace ibstream::storage::query_order_test {
namespace {

using testing::kHour0;
using testing::MakeTick;

constexpr int64_t kMnq = 711280073;
const char* const kRoot = "/data";

class QueryOrderTest : public ::testing::TestWithParam<int> {
 protected:
  void WriteJournal(int64_t hour, const std::vector<Tick>& ticks) {
    auto journal = JournalFile::Create(&fs_, kRoot, FromUnixSeconds(hour), 1, false);
    ASSERT_TRUE(journal.ok()) << journal.status().ToString();
    for (const Tick& tick : ticks) (*journal)->AddTick(tick);
    (*journal)->AddSeal();
    ASSERT_TRUE((*journal)->Write().ok());
    ASSERT_TRUE((*journal)->Sync().ok());
    ASSERT_TRUE((*journal)->Close().ok());
  }

  fs::FaultFileSystem fs_;
};

TEST_P(QueryOrderTest, AnHourComesInOrderKeyOrder) {
  const int journal_blocks = GetParam();
  const TickType kinds[] = {TickType::kBidAsk, TickType::kLast, TickType::kMidPoint};
  std::vector<Tick> all;
  // Closed files: three streams of the hour, interleaved in time.
  std::vector<Tick> closed;
  for (int i = 0; i < 300; ++i) {
    closed.push_back(MakeTick(kMnq, kinds[i % 3], kHour0 + i * 10, static_cast<uint64_t>(i) + 1));
  }
  WriteJournal(kHour0, closed);
  ConversionReport report;
  ASSERT_TRUE(ConvertJournalHour(&fs_, kRoot, FromUnixSeconds(kHour0), 3, &report).ok());
  ASSERT_EQ(report.files_written, 3u);
  all = closed;
  // Late ticks of the same hour in a later journal, written as `journal_blocks` blocks in
  // reverse time order (each block in order): that many runs.
  std::vector<Tick> late;
  for (int i = 0; i < 240; ++i) {
    late.push_back(
        MakeTick(kMnq, kinds[i % 3], kHour0 + 5 + i * 12, 1000 + static_cast<uint64_t>(i)));
  }
  all.insert(all.end(), late.begin(), late.end());
  std::vector<Tick> written;
  const size_t block = (late.size() + journal_blocks - 1) / journal_blocks;
  for (size_t end = late.size(); end > 0;) {
    const size_t start = end > block ? end - block : 0;
    written.insert(written.end(), late.begin() + static_cast<std::ptrdiff_t>(start),
                   late.begin() + static_cast<std::ptrdiff_t>(end));
    end = start;
  }
  WriteJournal(kHour0 + 3600, written);

  QueryRequest request;
  for (TickType kind : kinds) request.streams.push_back({kMnq, kind});
  request.from = FromUnixSeconds(kHour0);
  request.to = FromUnixSeconds(kHour0 + 7200);
  std::vector<Tick> got;
  QueryStats stats;
  ASSERT_TRUE(QueryTicks(
                  &fs_, kRoot, request,
                  [&](const Tick& t) {
                    got.push_back(t);
                    return Status::Ok();
                  },
                  &stats)
                  .ok());
  EXPECT_TRUE(stats.complete());
  std::sort(all.begin(), all.end(),
            [](const Tick& a, const Tick& b) { return OrderKey(a) < OrderKey(b); });
  ASSERT_EQ(got.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(got[i].sequence, all[i].sequence) << "row " << i;
    ASSERT_EQ(got[i].type, all[i].type) << "row " << i;
  }
}

// 1, 2 and 5 blocks are merged (few runs); 80 blocks are more runs than are merged: sorted.
INSTANTIATE_TEST_SUITE_P(JournalBlocks, QueryOrderTest, ::testing::Values(1, 2, 5, 80));

}  // namespace
}  // namespace ibstream::storage::query_order_test
