// Start-up recovery and conversion of journal hours into closed files (FORMAT.md §5, §6).
//
// Both are idempotent: a crash at any point during either leaves a state from which running
// them again finishes the work without losing or duplicating ticks.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"

namespace ibstream::storage {

struct RecoveryReport {
  uint64_t journals_scanned = 0;
  uint64_t torn_tails_truncated = 0;
  uint64_t bytes_truncated = 0;
  uint64_t files_quarantined = 0;
  uint64_t corrupt_bytes = 0;
  uint64_t records_salvaged = 0;
  uint64_t temp_files_deleted = 0;
  uint64_t empty_journals_deleted = 0;
  uint64_t manifests_completed = 0;
  std::vector<std::string> problems;  // one line per damaged file
};

// Called once per damaged file, with the path and what was found (also logged).
using CorruptionCallback = std::function<void(const std::string& path, const std::string& what)>;

// Deletes work-in-progress (.tmp) files, finishes interrupted conversions, truncates torn
// journal tails, and quarantines journals damaged in the middle after salvaging their valid
// records into "HH.g<N>.s.wal". Never appends to a recovered file.
Result<RecoveryReport> RecoverStore(fs::FileSystem* fs, const std::string& root,
                                    const CorruptionCallback& on_corruption);

// UTC hours (receive time) for which journals exist, oldest first.
Result<std::vector<TimePoint>> ListJournalHours(fs::FileSystem* fs, const std::string& root);

struct ConversionReport {
  uint64_t journals = 0;
  uint64_t ticks = 0;
  uint64_t files_written = 0;
  uint64_t corrupt_bytes = 0;
};

// Turns every journal of `journal_hour` into closed files (one per stream and IB-time hour),
// written by the rename protocol, then deletes the journals (through a manifest, so a crash in
// between never converts a journal twice). The journals must not be written meanwhile.
Status ConvertJournalHour(fs::FileSystem* fs, const std::string& root, TimePoint journal_hour,
                          int zstd_level, ConversionReport* report);

}  // namespace ibstream::storage
