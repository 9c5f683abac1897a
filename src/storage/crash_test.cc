// Thousands of seeded power cuts against the fault-injecting file system: the journal is
// written, synced, rotated and converted at random, the machine "dies" after a random number of
// operations (also during recovery and conversion), and after every restart
//   durable ⊆ recovered ⊆ written, no tick is stored twice, and recovery is idempotent.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "common/sanitizers.h"
#include "fs/fault_file_system.h"
#include "storage/closed_file.h"
#include "storage/journal.h"
#include "storage/layout.h"
#include "storage/query.h"
#include "storage/recovery.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"

namespace ibstream::storage::crash_test {

using fs::FaultFileSystem;
using fs::JoinPath;
namespace {

using testing::kHour0;
using testing::MakeTick;

const std::string kRoot = "/store";
const StreamKey kStreams[] = {
    {711280073, TickType::kBidAsk}, {711280073, TickType::kLast}, {42, TickType::kAllLast}};

// Every stored tick by sequence, reading files directly (no query deduplication), so that a
// tick stored twice is seen twice.
std::multimap<uint64_t, Tick> RawContents(FaultFileSystem& fs) {
  std::multimap<uint64_t, Tick> out;
  Tick tick;
  auto hours = ListJournalHours(&fs, kRoot);
  EXPECT_TRUE(hours.ok());
  for (TimePoint hour : *hours) {
    const std::string dir = JournalDir(kRoot, hour);
    const auto names = fs.ListDir(dir);
    for (const std::string& name : *names) {
      if (!ParseJournalName(name)) continue;
      JournalScan scan;
      EXPECT_TRUE(ScanJournal(
                      &fs, JoinPath(dir, name),
                      [&](std::string_view r) {
                        EXPECT_TRUE(DecodeTick(r, &tick).ok());
                        out.emplace(tick.sequence, tick);
                      },
                      &scan)
                      .ok());
    }
  }
  const std::string closed = ClosedRoot(kRoot);
  if (!fs.Exists(closed)) return out;
  const auto dates = fs.ListDir(closed);
  for (const std::string& date : *dates) {
    const auto hours_of_date = fs.ListDir(JoinPath(closed, date));
    for (const std::string& hh : *hours_of_date) {
      const std::string dir = JoinPath(JoinPath(closed, date), hh);
      const auto names = fs.ListDir(dir);
      for (const std::string& name : *names) {
        auto reader = ClosedFileReader::Open(&fs, JoinPath(dir, name));
        EXPECT_TRUE(reader.ok()) << name << ": " << reader.status().ToString();
        if (!reader.ok()) continue;
        EXPECT_TRUE((*reader)->Verify().ok());
        EXPECT_TRUE((*reader)
                        ->ReadRange(FromUnixNanos(INT64_MIN), FromUnixNanos(INT64_MAX),
                                    [&](const Tick& t) { out.emplace(t.sequence, t); })
                        .ok());
      }
    }
  }
  return out;
}

// Recovery as the store runs it: repair, then convert every hour before `now_hour`.
Status RecoverAndConvert(FaultFileSystem& fs, TimePoint now_hour) {
  auto report = RecoverStore(&fs, kRoot, nullptr);
  if (!report.ok()) return report.status();
  auto hours = ListJournalHours(&fs, kRoot);
  if (!hours.ok()) return hours.status();
  for (TimePoint h : *hours) {
    if (h >= now_hour) break;
    ConversionReport conversion;
    IBSTREAM_RETURN_IF_ERROR(ConvertJournalHour(&fs, kRoot, h, 1, &conversion));
  }
  return Status::Ok();
}

struct Workload {
  std::map<uint64_t, Tick> written;  // every tick handed to a file (even if the write failed)
  std::set<uint64_t> durable;        // covered by a completed sync
  TimePoint hour;
};

// Runs random journal work until the machine dies or the steps run out.
void RunWorkload(FaultFileSystem& fs, std::mt19937_64& rng, Workload* w) {
  w->hour = FromUnixSeconds(kHour0);
  uint32_t generation = 1;
  auto file = JournalFile::Create(&fs, kRoot, w->hour, generation, false);
  if (!file.ok()) return;
  std::vector<uint64_t> unsynced;
  uint64_t seq = 0;
  const int steps = 5 + static_cast<int>(rng() % 40);
  for (int step = 0; step < steps; ++step) {
    const int action = static_cast<int>(rng() % 12);
    if (action < 6) {
      const int n = 1 + static_cast<int>(rng() % 40);
      for (int i = 0; i < n; ++i) {
        const StreamKey& s = kStreams[rng() % 3];
        // IB times up to two hours late and a little early.
        const int64_t exchange =
            ToUnixSeconds(w->hour) - 7200 + static_cast<int64_t>(rng() % 10800);
        Tick t = MakeTick(s.contract_id, s.type, exchange, ++seq);
        (*file)->AddTick(t);
        w->written[seq] = t;
        unsynced.push_back(seq);
      }
      if (!(*file)->Write().ok()) return;
    } else if (action < 9) {
      if (!(*file)->Sync().ok()) return;
      w->durable.insert(unsynced.begin(), unsynced.end());
      unsynced.clear();
    } else if (action < 11) {
      // Rotate to the next hour (or, sometimes, a new generation of the same hour).
      (*file)->AddSeal();
      if (!(*file)->Write().ok() || !(*file)->Sync().ok()) return;
      w->durable.insert(unsynced.begin(), unsynced.end());
      unsynced.clear();
      if (rng() % 3 != 0) {
        w->hour += std::chrono::hours(1);
        generation = 1;
      } else {
        ++generation;
      }
      file = JournalFile::Create(&fs, kRoot, w->hour, generation, false);
      if (!file.ok()) return;
    } else {
      // Convert the sealed hours, as the maintenance thread does.
      auto hours = ListJournalHours(&fs, kRoot);
      if (!hours.ok()) return;
      for (TimePoint h : *hours) {
        if (h >= w->hour) break;
        ConversionReport report;
        if (!ConvertJournalHour(&fs, kRoot, h, 1, &report).ok()) return;
      }
    }
  }
}

void CheckInvariants(FaultFileSystem& fs, const Workload& w, uint64_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  const auto raw = RawContents(fs);
  std::set<uint64_t> seen;
  for (const auto& [seq, tick] : raw) {
    ASSERT_TRUE(seen.insert(seq).second) << "tick " << seq << " stored twice";
    auto it = w.written.find(seq);
    ASSERT_NE(it, w.written.end()) << "tick " << seq << " was never written";
    ASSERT_TRUE(SameStoredTick(it->second, tick)) << "tick " << seq << " differs";
  }
  for (uint64_t seq : w.durable) ASSERT_TRUE(seen.count(seq)) << "durable tick " << seq << " lost";
  // The query engine sees exactly the same ticks.
  std::vector<StreamKey> streams(std::begin(kStreams), std::end(kStreams));
  uint64_t returned = 0;
  QueryStats stats;
  ASSERT_TRUE(QueryTicks(
                  &fs, kRoot,
                  {streams, FromUnixSeconds(kHour0 - 86400), FromUnixSeconds(kHour0 + 86400)},
                  [&](const Tick&) {
                    ++returned;
                    return Status::Ok();
                  },
                  &stats)
                  .ok());
  ASSERT_EQ(returned, raw.size());
}

// Seeds per run: the sanitizers run the first 1,000 of the same sequence (each seed costs about
// ten times as much under them; what they add is checking the same code paths' memory use).
constexpr int kPowerCutSeeds = ReducedUnderSanitizers(3000, 1000);

TEST(CrashTest, SeededPowerCutsKeepEveryDurableTick) {
  const uint64_t base_seed = 20250821;
  const int iterations = kPowerCutSeeds;
  int crashes_in_recovery = 0;
  for (int i = 0; i < iterations; ++i) {
    const uint64_t seed = base_seed + static_cast<uint64_t>(i);
    std::mt19937_64 rng(seed);
    FaultFileSystem fs;
    Workload w;
    if (rng() % 4 != 0) fs.DieAfterOperations(static_cast<int64_t>(rng() % 300));
    RunWorkload(fs, rng, &w);
    fs.Crash(seed);

    // Restart; the machine may die again during recovery or conversion.
    const TimePoint now_hour = w.hour + std::chrono::hours(rng() % 2);
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (rng() % 2 == 0) fs.DieAfterOperations(static_cast<int64_t>(rng() % 40));
      const Status status = RecoverAndConvert(fs, now_hour);
      if (fs.dead()) {
        ++crashes_in_recovery;
        fs.Crash(seed * 31 + static_cast<uint64_t>(attempt));
        continue;
      }
      ASSERT_TRUE(status.ok()) << "seed " << seed << ": " << status.ToString();
      fs.DieAfterOperations(-1);
    }
    ASSERT_TRUE(RecoverAndConvert(fs, now_hour).ok()) << "seed " << seed;
    CheckInvariants(fs, w, seed);
    if (::testing::Test::HasFatalFailure()) return;

    // Idempotent: another recovery changes nothing.
    const auto before = RawContents(fs);
    ASSERT_TRUE(RecoverAndConvert(fs, now_hour + std::chrono::hours(1)).ok()) << "seed " << seed;
    const auto after = RawContents(fs);
    ASSERT_EQ(before.size(), after.size()) << "seed " << seed;
  }
  EXPECT_GT(crashes_in_recovery, iterations / 30)
      << "the loop must also crash recovery and conversion";
}

}  // namespace
}  // namespace ibstream::storage::crash_test
