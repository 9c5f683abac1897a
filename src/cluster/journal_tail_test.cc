#include "cluster/journal_tail.h"

#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <thread>

#include "fs/fault_file_system.h"
#include "storage/layout.h"
#include "storage/store.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

namespace ibstream::cluster::journal_tail_test {
namespace {

using namespace std::chrono_literals;
using storage::testing::kHour0;
using storage::testing::MakeTick;

constexpr char kRoot[] = "/store";
constexpr int64_t kMnq = 711280073;

TEST(CursorTest, GoldenTextAndRoundTrip) {
  PublishCursor cursor;
  EXPECT_EQ(EncodeCursor(cursor), "ibstream-nats-cursor 1\nend\n");
  cursor.started = true;
  cursor.next = JournalPosition{kHour0 * 1000000000LL, 2, true, 17};
  cursor.offset = 4096;
  cursor.gaps = {{3, 100}, {9, -5}};
  const std::string text = EncodeCursor(cursor);
  EXPECT_EQ(text,
            "ibstream-nats-cursor 1\n"
            "journal 1755784800000000000 2 s 4096 17\n"
            "gap 3 100\n"
            "gap 9 -5\n"
            "end\n");
  auto decoded = DecodeCursor(text);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, cursor);
}

TEST(CursorTest, DamagedFilesAreNamedErrors) {
  const struct {
    const char* text;
    const char* error;
  } cases[] = {
      {"", "no \"end\""},
      {"ibstream-nats-cursor 2\nend\n", "line 1"},
      {"ibstream-nats-cursor 1\njournal 1 2 n 3\nend\n", "line 2"},
      {"ibstream-nats-cursor 1\njournal 1 2 x 3 4\nend\n", "line 2"},
      {"ibstream-nats-cursor 1\njournal 1 2 n 3 4\njournal 1 2 n 3 4\nend\n", "line 3"},
      {"ibstream-nats-cursor 1\ngap a 1\nend\n", "line 2"},
      {"ibstream-nats-cursor 1\nend\nend\n", "line 3"},
      {"ibstream-nats-cursor 1\nend", "cut short"},
      {"ibstream-nats-cursor 1\njournal 1 2 n 3 4\n", "no \"end\""},
  };
  for (const auto& c : cases) {
    auto decoded = DecodeCursor(c.text);
    ASSERT_FALSE(decoded.ok()) << c.text;
    EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
    EXPECT_NE(decoded.status().message().find(c.error), std::string::npos)
        << decoded.status().ToString();
  }
}

TEST(CursorTest, SaveAndLoadThroughTheFileSystem) {
  fs::FaultFileSystem fs;
  ASSERT_TRUE(fs::CreateDirs(&fs, "/s/nats").ok());
  auto missing = LoadCursor(&fs, "/s/nats/r.cursor");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  PublishCursor cursor;
  cursor.started = true;
  cursor.next.record = 5;
  ASSERT_TRUE(SaveCursor(&fs, "/s/nats/r.cursor", cursor).ok());
  fs.Crash(/*seed=*/7);  // the rename protocol made it durable
  auto loaded = LoadCursor(&fs, "/s/nats/r.cursor");
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ(**loaded, cursor);
}

class JournalTailTest : public ::testing::Test {
 protected:
  storage::StoreOptions Options() {
    storage::StoreOptions options;
    options.root = kRoot;
    options.background_maintenance = false;
    options.writer.fsync = storage::FsyncPolicy::kAlways;
    options.keep_journals_from = [this] { return FromUnixNanos(keep_from_.load()); };
    return options;
  }

  fs::FaultFileSystem fs_;
  ManualClock clock_{FromUnixSeconds(kHour0 + 10)};
  std::atomic<int64_t> keep_from_{std::numeric_limits<int64_t>::min()};
};

TEST_F(JournalTailTest, ReadsTickRecordsInJournalOrderFromAnyOffset) {
  auto store = storage::Store::Open(&fs_, clock_, Options());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<Tick> written;
  for (uint64_t i = 1; i <= 10; ++i) {
    written.push_back(MakeTick(kMnq, i % 2 ? TickType::kBidAsk : TickType::kLast, kHour0, i));
    ASSERT_TRUE((*store)->writer().Append(written.back()).ok());
  }
  ASSERT_TRUE((*store)->writer().Flush(10s).ok());
  auto files = ListJournals(&fs_, kRoot);
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);

  TailBatch batch;
  ASSERT_TRUE(ReadJournalFrom(&fs_, files->front(), 0, 0, 4, &batch).ok());
  ASSERT_EQ(batch.entries.size(), 4u);
  EXPECT_FALSE(batch.sealed);
  // Resume where the first read stopped: the next six, then nothing.
  TailBatch rest;
  ASSERT_TRUE(
      ReadJournalFrom(&fs_, files->front(), batch.end_offset, batch.next_record, 100, &rest).ok());
  ASSERT_EQ(rest.entries.size(), 6u);
  for (size_t i = 0; i < 10; ++i) {
    const TailBatch& b = i < 4 ? batch : rest;
    const TailBatch::Entry& e = b.entries[i < 4 ? i : i - 4];
    EXPECT_EQ(e.position.record, i);
    EXPECT_EQ(e.position.hour_ns, kHour0 * 1000000000LL);
    EXPECT_EQ(e.stream, (StreamKey{kMnq, written[i].type}));
    Tick decoded;
    ASSERT_TRUE(storage::DecodeTick(b.record(e), &decoded).ok());
    EXPECT_TRUE(storage::SameStoredTick(decoded, written[i])) << i;
  }
  TailBatch none;
  ASSERT_TRUE(
      ReadJournalFrom(&fs_, files->front(), rest.end_offset, rest.next_record, 100, &none).ok());
  EXPECT_TRUE(none.entries.empty());
  EXPECT_EQ(none.next_record, 10u);
}

TEST_F(JournalTailTest, StoreKeepsJournalsTheCursorHasNotPassed) {
  auto store = storage::Store::Open(&fs_, clock_, Options());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->writer().Append(MakeTick(kMnq, TickType::kLast, kHour0, 1)).ok());
  ASSERT_TRUE((*store)->writer().Flush(10s).ok());
  clock_.Set(FromUnixSeconds(kHour0 + 3600 + 5));
  ASSERT_TRUE((*store)->writer().Append(MakeTick(kMnq, TickType::kLast, kHour0 + 3601, 2)).ok());
  ASSERT_TRUE((*store)->writer().Flush(10s).ok());
  // The writer rotates on its own thread after the batch that found the new hour: wait for the
  // new journal and the old one's seal (the flush above may be acknowledged before them).
  Result<std::vector<JournalFileRef>> files = ListJournals(&fs_, kRoot);
  TailBatch first;
  TailBatch second;
  for (int attempt = 0; attempt < 10000; ++attempt) {
    files = ListJournals(&fs_, kRoot);
    ASSERT_TRUE(files.ok());
    first = TailBatch{};
    if (files->size() == 2u && ReadJournalFrom(&fs_, files->at(0), 0, 0, 100, &first).ok() &&
        first.sealed) {
      break;
    }
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_EQ(files->size(), 2u);
  EXPECT_LT(files->at(0).key(), files->at(1).key());
  ASSERT_TRUE(ReadJournalFrom(&fs_, files->at(1), 0, 0, 100, &second).ok());
  EXPECT_EQ(first.entries.size() + second.entries.size(), 2u);
  EXPECT_TRUE(first.sealed) << "rotation seals the first hour";
  EXPECT_FALSE(second.sealed);

  // The cursor is still in the first hour: Maintain converts nothing.
  keep_from_ = kHour0 * 1000000000LL;
  ASSERT_TRUE((*store)->Maintain().ok());
  EXPECT_EQ(ListJournals(&fs_, kRoot)->size(), 2u);
  // The cursor moved on: the first hour is converted and its journal deleted.
  keep_from_ = (kHour0 + 3600) * 1000000000LL;
  ASSERT_TRUE((*store)->Maintain().ok());
  EXPECT_EQ(ListJournals(&fs_, kRoot)->size(), 1u);
}

TEST(ListJournalsTest, OrdersByHourGenerationThenSalvaged) {
  fs::FaultFileSystem fs;
  const TimePoint h0 = FromUnixSeconds(kHour0);
  const TimePoint h1 = FromUnixSeconds(kHour0 + 3600);
  const std::string d0 = storage::JournalDir(kRoot, h0);
  const std::string d1 = storage::JournalDir(kRoot, h1);
  ASSERT_TRUE(fs::CreateDirs(&fs, d0).ok());
  ASSERT_TRUE(fs::CreateDirs(&fs, d1).ok());
  for (const auto& [dir, name] :
       std::vector<std::pair<std::string, std::string>>{{d1, "15.g1.wal"},
                                                        {d0, "14.g2.wal"},
                                                        {d0, "14.g1.s.wal"},
                                                        {d0, "14.g10.wal"},
                                                        {d0, "14.converted"},
                                                        {d0, "notes.txt"}}) {
    ASSERT_TRUE(fs::WriteFileAtomically(&fs, fs::JoinPath(dir, name), "x").ok());
  }
  auto files = ListJournals(&fs, kRoot);
  ASSERT_TRUE(files.ok());
  std::vector<std::string> names;
  for (const auto& f : *files) names.push_back(f.path.substr(f.path.rfind('/') + 1));
  EXPECT_EQ(names,
            (std::vector<std::string>{"14.g1.s.wal", "14.g2.wal", "14.g10.wal", "15.g1.wal"}));
  EXPECT_TRUE(ListJournals(&fs, "/nowhere")->empty());
}

}  // namespace
}  // namespace ibstream::cluster::journal_tail_test
