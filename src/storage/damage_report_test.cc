// Damaged data is never read silently: what queries skip, what verify calls damage, and the gap
// ledger's quarantine of a damaged generation.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/clock.h"
#include "fs/fault_file_system.h"
#include "storage/closed_file.h"
#include "storage/gap_ledger.h"
#include "storage/journal.h"
#include "storage/layout.h"
#include "storage/query.h"
#include "storage/test_ticks.h"
#include "storage/tick_codec.h"
#include "storage/verify.h"

namespace ibstream::storage::damage_report_test {
namespace {

using fs::FaultFileSystem;
using fs::JoinPath;
using fs::ReadFileToString;
using testing::kHour0;
using testing::MakeTick;

constexpr int64_t kMnq = 711280073;
const std::string kRoot = "/store";

class DamageReportTest : public ::testing::Test {
 protected:
  // Writes `n` ticks of MNQ bid/ask into generation `generation` of hour 0; returns the path.
  std::string WriteJournal(uint32_t generation, int n, uint64_t first_sequence) {
    auto file = JournalFile::Create(&fs_, kRoot, FromUnixSeconds(kHour0), generation, false);
    EXPECT_TRUE(file.ok());
    for (int i = 0; i < n; ++i) {
      const uint64_t seq = first_sequence + static_cast<uint64_t>(i);
      (*file)->AddTick(MakeTick(kMnq, TickType::kBidAsk, kHour0 + 1 + i % 3000, seq));
    }
    EXPECT_TRUE((*file)->Write().ok());
    EXPECT_TRUE((*file)->Sync().ok());
    return (*file)->path();
  }

  std::string Read(const std::string& path) { return *ReadFileToString(&fs_, path); }

  void FlipByte(const std::string& path, size_t offset) {
    std::string bytes = Read(path);
    ASSERT_LT(offset, bytes.size());
    bytes[offset] ^= 0x5a;
    ASSERT_TRUE(fs_.WriteRaw(path, bytes).ok());
  }

  // Queries MNQ bid/ask over the day around hour 0.
  size_t Query(QueryStats* stats) {
    size_t count = 0;
    const Status status = QueryTicks(
        &fs_, kRoot,
        {{{kMnq, TickType::kBidAsk}},
         FromUnixSeconds(kHour0 - 86400),
         FromUnixSeconds(kHour0 + 86400)},
        [&](const Tick&) {
          ++count;
          return Status::Ok();
        },
        stats);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return count;
  }

  VerifyReport Verify() {
    auto report = VerifyStore(&fs_, kRoot, {}, nullptr);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : VerifyReport();
  }

  // A ledger of `n` gaps in ledger.1.log; returns its path.
  std::string WriteLedger(int n) {
    auto ledger = GapLedger::Open(&fs_, kRoot, FromUnixSeconds(kHour0));
    EXPECT_TRUE(ledger.ok());
    for (int i = 0; i < n; ++i) {
      GapRecord gap;
      gap.stream = {kMnq, TickType::kBidAsk};
      gap.start = FromUnixSeconds(kHour0 + 60 * i);
      gap.end = FromUnixSeconds(kHour0 + 60 * i + 30);
      gap.cause = "disconnect";
      EXPECT_TRUE((*ledger)->Add(gap).ok());
    }
    return JoinPath(GapsRoot(kRoot), "ledger.1.log");
  }

  FaultFileSystem fs_;
};

TEST_F(DamageReportTest, QueryReportsAJournalWithADamagedHeader) {
  const std::string good = WriteJournal(1, 100, 1);
  const std::string bad = WriteJournal(2, 400, 1001);
  FlipByte(bad, 3);  // inside the magic
  QueryStats stats;
  EXPECT_EQ(Query(&stats), 100u) << "the sound journal is still read";
  ASSERT_EQ(stats.skipped.size(), 1u);
  EXPECT_EQ(stats.skipped[0].path, bad);
  EXPECT_EQ(stats.skipped[0].bytes, Read(bad).size());
  EXPECT_NE(stats.skipped[0].reason.find("journal header"), std::string::npos)
      << stats.skipped[0].reason;
  EXPECT_EQ(stats.skipped_bytes, Read(bad).size());
  EXPECT_EQ(stats.corrupt_files, 1u);
  EXPECT_FALSE(stats.complete());
  (void)good;
}

TEST_F(DamageReportTest, QueryReportsDamagedJournalRecords) {
  const std::string path = WriteJournal(1, 1000, 1);
  FlipByte(path, log::kFileHeaderSize + 40000);  // inside the second block
  QueryStats stats;
  const size_t read = Query(&stats);
  EXPECT_GT(read, 600u);
  EXPECT_LT(read, 1000u);
  ASSERT_EQ(stats.skipped.size(), 1u);
  EXPECT_EQ(stats.skipped[0].path, path);
  EXPECT_GT(stats.skipped[0].bytes, 0u);
  EXPECT_NE(stats.skipped[0].reason.find("checksum mismatch"), std::string::npos)
      << stats.skipped[0].reason;
}

TEST_F(DamageReportTest, SoundStoreSkipsNothing) {
  WriteJournal(1, 100, 1);
  QueryStats stats;
  EXPECT_EQ(Query(&stats), 100u);
  EXPECT_TRUE(stats.complete());
  EXPECT_EQ(stats.corrupt_files, 0u);
  EXPECT_TRUE(Verify().ok());
}

TEST_F(DamageReportTest, FileWhereAnHourDirectoryShouldBe) {
  WriteJournal(1, 100, 1);
  const std::string hour_dir = ClosedHourDir(kRoot, FromUnixSeconds(kHour0));
  ASSERT_TRUE(fs_.WriteRaw(hour_dir, "not a directory").ok());
  QueryStats stats;
  EXPECT_EQ(Query(&stats), 100u) << "the query goes on with the journal's ticks";
  ASSERT_EQ(stats.skipped.size(), 1u);
  EXPECT_EQ(stats.skipped[0].path, hour_dir);
  EXPECT_EQ(stats.skipped[0].bytes, 15u);

  const VerifyReport report = Verify();
  EXPECT_FALSE(report.ok());
  bool found = false;
  for (const VerifiedFile& f : report.files) {
    if (f.path != hour_dir) continue;
    found = true;
    EXPECT_EQ(f.severity, VerifiedFile::Severity::kError);
    EXPECT_NE(f.detail.find("where a directory should be"), std::string::npos) << f.detail;
  }
  EXPECT_TRUE(found);
}

TEST_F(DamageReportTest, FileWhereADateDirectoryShouldBe) {
  const std::string date_dir = JoinPath(JournalRoot(kRoot), "2025-08-22");
  ASSERT_TRUE(fs_.WriteRaw(date_dir, "x").ok());
  WriteJournal(1, 10, 1);
  QueryStats stats;
  EXPECT_EQ(Query(&stats), 10u);
  ASSERT_EQ(stats.skipped.size(), 1u);
  EXPECT_EQ(stats.skipped[0].path, date_dir);
  EXPECT_FALSE(Verify().ok());
}

TEST_F(DamageReportTest, TruncatedLedgerIsReportedByVerify) {
  const std::string path = WriteLedger(100);
  ASSERT_TRUE(Verify().ok());
  const std::string bytes = Read(path);
  ASSERT_TRUE(fs_.WriteRaw(path, bytes.substr(0, bytes.size() * 2 / 3)).ok());
  LedgerDamage damage;
  auto gaps = GapLedger::ReadAllReporting(&fs_, kRoot, &damage);
  ASSERT_TRUE(gaps.ok());
  EXPECT_LT(gaps->size(), 100u);
  EXPECT_GT(damage.truncated_bytes, 0u);
  ASSERT_EQ(damage.damaged_files.size(), 1u);
  EXPECT_EQ(damage.damaged_files[0], "ledger.1.log");
  uint64_t corrupt = 0;
  ASSERT_TRUE(GapLedger::ReadAll(&fs_, kRoot, &corrupt).ok());
  EXPECT_EQ(corrupt, damage.truncated_bytes) << "`ibstream gaps` counts it too";

  const VerifyReport report = Verify();
  EXPECT_FALSE(report.ok());
  bool found = false;
  for (const VerifiedFile& f : report.files) {
    if (f.path != path) continue;
    found = true;
    EXPECT_EQ(f.severity, VerifiedFile::Severity::kError);
    EXPECT_NE(f.detail.find("truncated"), std::string::npos) << f.detail;
  }
  EXPECT_TRUE(found);
}

TEST_F(DamageReportTest, DamagedLedgerIsQuarantinedBeforeCompaction) {
  const std::string path = WriteLedger(100);
  const std::string before = Read(path);
  FlipByte(path, before.size() / 2);
  const std::string damaged = Read(path);

  LedgerDamage damage;
  const TimePoint now = FromUnixSeconds(kHour0 + 3723);  // 15:02:03
  auto ledger = GapLedger::Open(&fs_, kRoot, now, &damage);
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  EXPECT_GT(damage.corrupt_bytes, 0u);
  ASSERT_EQ(damage.quarantined.size(), 1u);
  const std::string copy = JoinPath(GapsRoot(kRoot), "ledger.1.log.damaged-20250821T150203Z");
  EXPECT_EQ(damage.quarantined[0], copy);
  EXPECT_EQ(Read(copy), damaged) << "the damaged generation is kept byte for byte";
  EXPECT_FALSE(fs_.Exists(path)) << "compacted into a new generation";
  const size_t kept = (*ledger)->List().size();
  EXPECT_GT(kept, 0u) << "what could be read is kept";
  EXPECT_LT(kept, 100u);
  EXPECT_EQ(LedgerQuarantineName("ledger.1.log", now), "ledger.1.log.damaged-20250821T150203Z");
  EXPECT_TRUE(IsLedgerQuarantineName("ledger.1.log.damaged-20250821T150203Z"));
  EXPECT_FALSE(IsLedgerQuarantineName("ledger.2.log"));
  ledger->reset();

  // The compacted ledger is sound and keeps what was read; the copy stays visible in verify.
  LedgerDamage again;
  auto reread = GapLedger::ReadAllReporting(&fs_, kRoot, &again);
  ASSERT_TRUE(reread.ok());
  EXPECT_TRUE(again.clean());
  EXPECT_EQ(reread->size(), kept);
  const VerifyReport report = Verify();
  EXPECT_FALSE(report.ok());
  bool found = false;
  for (const VerifiedFile& f : report.files) {
    if (f.path == copy) {
      found = true;
      EXPECT_EQ(f.kind, "quarantine");
      EXPECT_EQ(f.severity, VerifiedFile::Severity::kError) << "gaps may have been lost";
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(DamageReportTest, SoundLedgerIsNotQuarantined) {
  WriteLedger(10);
  LedgerDamage damage;
  auto ledger = GapLedger::Open(&fs_, kRoot, FromUnixSeconds(kHour0), &damage);
  ASSERT_TRUE(ledger.ok());
  EXPECT_TRUE(damage.clean());
  EXPECT_TRUE(damage.quarantined.empty());
  EXPECT_EQ((*ledger)->List().size(), 10u);
  auto names = fs_.ListDir(GapsRoot(kRoot));
  ASSERT_TRUE(names.ok());
  for (const std::string& name : *names) EXPECT_FALSE(IsLedgerQuarantineName(name)) << name;
}

}  // namespace
}  // namespace ibstream::storage::damage_report_test
