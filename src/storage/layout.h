// Where things live under a storage root (FORMAT.md §1), and the names of the files.
//
//   <root>/journal/YYYY-MM-DD/HH.g<N>.wal        journal generation N of UTC hour HH (receive time)
//   <root>/journal/YYYY-MM-DD/HH.g<N>.s.wal      records salvaged from a damaged generation N
//   <root>/journal/YYYY-MM-DD/HH.converted       conversion manifest (journals to delete)
//   <root>/closed/YYYY-MM-DD/HH/<cid>_<type>.<source>.tks.zst
//                                                one stream, ticks whose IB time is in hour HH
//   <root>/quarantine/<YYYY-MM-DD>_<journal name>   damaged journals kept for forensics
//   <root>/gaps/ledger.<N>.log                   the gap ledger
//
// Any name ending in ".tmp" is work in progress and is deleted by recovery.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "model/tick.h"

namespace ibstream::storage {

// The span of one stored hour: journals and closed files are kept per UTC hour.
inline constexpr Duration kStoreHour = std::chrono::hours(1);
inline constexpr int64_t kNanosPerHour = kStoreHour.count();

// The start of the UTC hour containing `t`.
TimePoint HourStart(TimePoint t);
// "2025-08-21" and "14" for the hour starting at `hour`.
std::string DateDirName(TimePoint hour);
std::string HourName(TimePoint hour);
// Parses "2025-08-21" + "14" back; nullopt when malformed.
std::optional<TimePoint> ParseHour(std::string_view date_dir, std::string_view hour_name);

std::string JournalRoot(const std::string& root);
std::string ClosedRoot(const std::string& root);
std::string QuarantineRoot(const std::string& root);
std::string GapsRoot(const std::string& root);

std::string JournalDir(const std::string& root, TimePoint hour);
std::string ClosedHourDir(const std::string& root, TimePoint hour);

struct JournalName {
  std::string hour_name;  // "14"
  uint32_t generation = 0;
  bool salvaged = false;
};
std::string FormatJournalName(const JournalName& name);
std::optional<JournalName> ParseJournalName(std::string_view file_name);
std::string ManifestName(std::string_view hour_name);  // "14.converted"

// "<cid>_<type>." : the prefix of every closed file of a stream.
std::string ClosedFilePrefix(const StreamKey& stream);
std::string ClosedFileName(const StreamKey& stream, uint64_t source_id);
// Parses "<cid>_<type>.<16 hex>.tks.zst".
std::optional<StreamKey> ParseClosedFileName(std::string_view file_name);

bool IsTempName(std::string_view file_name);

}  // namespace ibstream::storage
