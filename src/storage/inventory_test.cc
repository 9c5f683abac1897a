// The inventory that lets `ibstream query` say where the data is: closed hours from file names,
// journal ticks at their exact times, and a missing store told from an empty one.
#include "storage/inventory.h"

#include <gtest/gtest.h>

#include <chrono>

#include "fs/fault_file_system.h"
#include "storage/layout.h"
#include "storage/store.h"
#include "storage/test_ticks.h"

namespace ibstream::storage::inventory_test {
namespace {

using namespace std::chrono_literals;
using testing::kHour0;
using testing::MakeTick;

constexpr int64_t kMnq = 711280073;
constexpr int64_t kEs = 495512563;
const std::string kRoot = "/store";

TEST(StoreInventoryTest, AMissingDirectoryAndANonStoreDirectoryAreNotFound) {
  fs::FaultFileSystem fs;
  Status missing = CheckIsStore(&fs, kRoot);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("no store at /store (no such directory)"), std::string::npos)
      << missing.message();

  ASSERT_TRUE(fs.CreateDir(kRoot).ok());
  Status not_a_store = CheckIsStore(&fs, kRoot);
  EXPECT_EQ(not_a_store.code(), StatusCode::kNotFound);
  EXPECT_NE(not_a_store.message().find("none of a store's journal/, closed/ and gaps/"),
            std::string::npos)
      << not_a_store.message();
  EXPECT_EQ(ReadInventory(&fs, kRoot).status().code(), StatusCode::kNotFound);
}

TEST(StoreInventoryTest, ClosedHoursAndJournalTicksGiveEachStreamsExtent) {
  fs::FaultFileSystem fs;
  ManualClock clock(FromUnixSeconds(kHour0 + 10));
  StoreOptions options;
  options.root = kRoot;
  options.background_maintenance = false;
  {
    auto store = Store::Open(&fs, clock, options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->writer().Append(MakeTick(kMnq, TickType::kBidAsk, kHour0 + 5, 1)).ok());
    ASSERT_TRUE((*store)->writer().Append(MakeTick(kMnq, TickType::kLast, kHour0 + 7, 2)).ok());
    ASSERT_TRUE((*store)->writer().Flush(10s).ok());
    (*store)->Close();
  }
  // Reopened two hours later: hour 0 becomes closed files; then ES ticks go to a journal.
  clock.Set(FromUnixSeconds(kHour0 + 2 * 3600 + 10));
  {
    auto store = Store::Open(&fs, clock, options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE(
        (*store)->writer().Append(MakeTick(kEs, TickType::kBidAsk, kHour0 + 2 * 3600 + 3, 3)).ok());
    ASSERT_TRUE(
        (*store)->writer().Append(MakeTick(kEs, TickType::kBidAsk, kHour0 + 2 * 3600 + 9, 4)).ok());
    ASSERT_TRUE((*store)->writer().Flush(10s).ok());
    (*store)->Close();
  }

  auto inventory = ReadInventory(&fs, kRoot);
  ASSERT_TRUE(inventory.ok()) << inventory.status().ToString();
  ASSERT_EQ(inventory->streams.size(), 3u);
  const StreamExtent mnq = inventory->streams.at({kMnq, TickType::kBidAsk});
  EXPECT_EQ(mnq.first, FromUnixSeconds(kHour0)) << "a closed file counts from its hour's start";
  EXPECT_EQ(mnq.last, FromUnixSeconds(kHour0 + 3600)) << "to its hour's end";
  EXPECT_TRUE(inventory->streams.count({kMnq, TickType::kLast}));
  const StreamExtent es = inventory->streams.at({kEs, TickType::kBidAsk});
  EXPECT_EQ(es.first, FromUnixSeconds(kHour0 + 2 * 3600 + 3)) << "journal ticks are exact";
  EXPECT_EQ(es.last, FromUnixSeconds(kHour0 + 2 * 3600 + 9));
}

TEST(StoreInventoryTest, UnparsableNamesAreIgnored) {
  fs::FaultFileSystem fs;
  ASSERT_TRUE(fs.CreateDir(kRoot).ok());
  ASSERT_TRUE(fs.CreateDir(ClosedRoot(kRoot)).ok());
  ASSERT_TRUE(fs.CreateDir(ClosedRoot(kRoot) + "/not-a-date").ok());
  ASSERT_TRUE(fs.CreateDir(JournalRoot(kRoot)).ok());
  ASSERT_TRUE(fs.CreateDir(JournalRoot(kRoot) + "/2025-08-21").ok());
  auto file = fs.NewWritableFile(JournalRoot(kRoot) + "/2025-08-21/garbage.txt", false);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("not a journal").ok());
  ASSERT_TRUE((*file)->Close().ok());
  auto inventory = ReadInventory(&fs, kRoot);
  ASSERT_TRUE(inventory.ok()) << inventory.status().ToString();
  EXPECT_TRUE(inventory->streams.empty());
}

}  // namespace
}  // namespace ibstream::storage::inventory_test
