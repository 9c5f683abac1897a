#include "storage/recovery.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "storage/closed_file.h"
#include "storage/journal.h"
#include "storage/layout.h"
#include "storage/log_writer.h"
#include "storage/tick_codec.h"

namespace ibstream::storage {

using fs::CreateDirs;
using fs::FileSystem;
using fs::JoinPath;
using fs::ReadFileToString;
using fs::WriteFileAtomically;
namespace {

Result<std::vector<std::string>> ListIfExists(FileSystem* fs, const std::string& dir) {
  if (!fs->Exists(dir)) return std::vector<std::string>{};
  return fs->ListDir(dir);
}

// Deletes every "*.tmp" below `dir` (two directory levels at most in our layout).
Status DeleteTempFiles(FileSystem* fs, const std::string& dir, int depth, uint64_t* deleted) {
  auto names = ListIfExists(fs, dir);
  if (!names.ok()) return names.status();
  bool any = false;
  for (const std::string& name : *names) {
    const std::string path = JoinPath(dir, name);
    if (IsTempName(name)) {
      IBSTREAM_RETURN_IF_ERROR(fs->DeleteFile(path));
      ++*deleted;
      any = true;
    } else if (depth > 0) {
      auto is_dir = fs->IsDirectory(path);
      if (is_dir.ok() && *is_dir)
        IBSTREAM_RETURN_IF_ERROR(DeleteTempFiles(fs, path, depth - 1, deleted));
    }
  }
  if (any) IBSTREAM_RETURN_IF_ERROR(fs->SyncDir(dir));
  return Status::Ok();
}

// Reads a manifest: one journal file name per line.
std::vector<std::string> ParseManifest(const std::string& text) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) names.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return names;
}

Status CompleteManifest(FileSystem* fs, const std::string& dir, const std::string& manifest) {
  auto text = ReadFileToString(fs, JoinPath(dir, manifest));
  if (!text.ok()) return text.status();
  for (const std::string& name : ParseManifest(*text)) {
    if (!ParseJournalName(name)) continue;  // only journal names are ever listed
    const std::string path = JoinPath(dir, name);
    if (fs->Exists(path)) IBSTREAM_RETURN_IF_ERROR(fs->DeleteFile(path));
  }
  IBSTREAM_RETURN_IF_ERROR(fs->SyncDir(dir));
  IBSTREAM_RETURN_IF_ERROR(fs->DeleteFile(JoinPath(dir, manifest)));
  return fs->SyncDir(dir);
}

Status Quarantine(FileSystem* fs, const std::string& root, const std::string& date,
                  const std::string& dir, const std::string& name) {
  const std::string qdir = QuarantineRoot(root);
  IBSTREAM_RETURN_IF_ERROR(CreateDirs(fs, qdir));
  const std::string qpath = JoinPath(qdir, date + "_" + name);
  if (!fs->Exists(qpath)) {
    auto bytes = ReadFileToString(fs, JoinPath(dir, name));
    if (!bytes.ok()) return bytes.status();
    IBSTREAM_RETURN_IF_ERROR(WriteFileAtomically(fs, qpath, *bytes));
  }
  return Status::Ok();
}

Status RecoverJournal(FileSystem* fs, const std::string& root, const std::string& date,
                      const std::string& dir, const std::string& name, const JournalName& parsed,
                      const CorruptionCallback& on_corruption, RecoveryReport* report) {
  const std::string path = JoinPath(dir, name);
  std::string salvaged;  // framed records, if salvage is needed
  std::vector<std::string> records;
  JournalScan scan;
  IBSTREAM_RETURN_IF_ERROR(ScanJournal(
      fs, path, [&](std::string_view record) { records.emplace_back(record); }, &scan));
  ++report->journals_scanned;
  auto complain = [&](const std::string& what) {
    spdlog::error("event=storage_recovery path={} problem=\"{}\"", path, what);
    report->problems.push_back(path + ": " + what);
    if (on_corruption) on_corruption(path, what);
  };

  if (!scan.header_ok) {
    if (scan.file_size <= log::kFileHeaderSize) {
      // Created but its header never became durable: it cannot hold acknowledged ticks.
      IBSTREAM_RETURN_IF_ERROR(fs->DeleteFile(path));
      IBSTREAM_RETURN_IF_ERROR(fs->SyncDir(dir));
      ++report->empty_journals_deleted;
      return Status::Ok();
    }
    complain("unreadable header (" + scan.header_status.message() + "); moved to quarantine");
    IBSTREAM_RETURN_IF_ERROR(Quarantine(fs, root, date, dir, name));
    IBSTREAM_RETURN_IF_ERROR(fs->DeleteFile(path));
    IBSTREAM_RETURN_IF_ERROR(fs->SyncDir(dir));
    ++report->files_quarantined;
    report->corrupt_bytes += scan.file_size;
    return Status::Ok();
  }
  if (scan.read_error) return IoError("recovery: could not read all of " + path);

  if (!scan.damage_before_valid) {
    // At most a torn tail: everything valid is a prefix.
    if (scan.valid_end < scan.file_size) {
      report->bytes_truncated += scan.file_size - scan.valid_end;
      ++report->torn_tails_truncated;
      spdlog::info("event=storage_torn_tail_truncated path={} bytes={}", path,
                   scan.file_size - scan.valid_end);
      IBSTREAM_RETURN_IF_ERROR(fs->TruncateAndSync(path, scan.valid_end));
    }
    return Status::Ok();
  }

  // Valid records after a damaged region: media damage or a bug. Keep a copy, salvage.
  std::string what = "damaged in the middle (" + std::to_string(scan.corrupt_bytes) +
                     " bytes dropped, " + std::to_string(scan.bad_records) +
                     " undecodable records); " + std::to_string(records.size()) +
                     " records salvaged, original in quarantine";
  for (const std::string& p : scan.problems) what += "; " + p;
  complain(what);
  IBSTREAM_RETURN_IF_ERROR(Quarantine(fs, root, date, dir, name));
  log::FileHeader header = scan.header;
  header.salt = NewSalt();
  header.flags |= log::kFlagSalvaged;
  std::string bytes = log::EncodeFileHeader(header);
  log::Writer writer(header.salt);
  std::string record;
  for (const std::string& body : records) {
    record.assign(1, static_cast<char>(JournalRecordKind::kTick));
    record += body;
    writer.AddRecord(record, &bytes);
  }
  JournalName salvage_name = parsed;
  salvage_name.salvaged = true;
  const std::string salvage_path = JoinPath(dir, FormatJournalName(salvage_name));
  IBSTREAM_RETURN_IF_ERROR(WriteFileAtomically(fs, salvage_path, bytes));
  if (salvage_path != path) {
    IBSTREAM_RETURN_IF_ERROR(fs->DeleteFile(path));
    IBSTREAM_RETURN_IF_ERROR(fs->SyncDir(dir));
  }
  ++report->files_quarantined;
  report->corrupt_bytes += scan.corrupt_bytes;
  report->records_salvaged += records.size();
  return Status::Ok();
}

uint64_t Fnv1a(std::string_view text, uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

Result<std::vector<TimePoint>> ListJournalHours(FileSystem* fs, const std::string& root) {
  std::vector<TimePoint> hours;
  auto dates = ListIfExists(fs, JournalRoot(root));
  if (!dates.ok()) return dates.status();
  for (const std::string& date : *dates) {
    auto names = fs->ListDir(JoinPath(JournalRoot(root), date));
    if (!names.ok()) continue;
    for (const std::string& name : *names) {
      auto parsed = ParseJournalName(name);
      if (!parsed) continue;
      auto hour = ParseHour(date, parsed->hour_name);
      if (hour && (hours.empty() || hours.back() != *hour)) hours.push_back(*hour);
    }
  }
  std::sort(hours.begin(), hours.end());
  hours.erase(std::unique(hours.begin(), hours.end()), hours.end());
  return hours;
}

Result<RecoveryReport> RecoverStore(FileSystem* fs, const std::string& root,
                                    const CorruptionCallback& on_corruption) {
  RecoveryReport report;
  IBSTREAM_RETURN_IF_ERROR(CreateDirs(fs, root));
  IBSTREAM_RETURN_IF_ERROR(DeleteTempFiles(fs, JournalRoot(root), 1, &report.temp_files_deleted));
  IBSTREAM_RETURN_IF_ERROR(DeleteTempFiles(fs, ClosedRoot(root), 2, &report.temp_files_deleted));
  IBSTREAM_RETURN_IF_ERROR(
      DeleteTempFiles(fs, QuarantineRoot(root), 0, &report.temp_files_deleted));
  IBSTREAM_RETURN_IF_ERROR(DeleteTempFiles(fs, GapsRoot(root), 0, &report.temp_files_deleted));

  auto dates = ListIfExists(fs, JournalRoot(root));
  if (!dates.ok()) return dates.status();
  for (const std::string& date : *dates) {
    const std::string dir = JoinPath(JournalRoot(root), date);
    auto names = fs->ListDir(dir);
    if (!names.ok()) return names.status();
    // Interrupted conversions first: their journals are already in closed files.
    for (const std::string& name : *names) {
      if (name.size() > 10 && name.substr(name.size() - 10) == ".converted") {
        IBSTREAM_RETURN_IF_ERROR(CompleteManifest(fs, dir, name));
        ++report.manifests_completed;
      }
    }
    names = fs->ListDir(dir);
    if (!names.ok()) return names.status();
    for (const std::string& name : *names) {
      auto parsed = ParseJournalName(name);
      if (!parsed) continue;
      IBSTREAM_RETURN_IF_ERROR(
          RecoverJournal(fs, root, date, dir, name, *parsed, on_corruption, &report));
    }
  }
  return report;
}

Status ConvertJournalHour(FileSystem* fs, const std::string& root, TimePoint journal_hour,
                          int zstd_level, ConversionReport* report) {
  *report = ConversionReport();
  const std::string dir = JournalDir(root, journal_hour);
  const std::string hh = HourName(journal_hour);
  auto names = ListIfExists(fs, dir);
  if (!names.ok()) return names.status();

  std::string arena;
  struct Ref {
    size_t offset;
    size_t size;
  };
  std::map<std::pair<StreamKey, int64_t>, std::vector<Ref>> groups;
  std::vector<std::string> journals;
  uint64_t source_id = 0xcbf29ce484222325ULL;
  for (const std::string& name : *names) {
    auto parsed = ParseJournalName(name);
    if (!parsed || parsed->hour_name != hh) continue;
    JournalScan scan;
    IBSTREAM_RETURN_IF_ERROR(ScanJournal(
        fs, JoinPath(dir, name),
        [&](std::string_view record) {
          const TickOrderKey key = OrderKeyOfRecord(record.data());
          const StreamKey stream{key.contract_id, static_cast<TickType>(key.type)};
          const int64_t hour = ToUnixNanos(HourStart(FromUnixNanos(key.exchange_ns)));
          groups[{stream, hour}].push_back(Ref{arena.size(), record.size()});
          arena.append(record);
        },
        &scan));
    if (!scan.header_ok) {
      spdlog::error("event=conversion_skipped path={} error=\"{}\"", name,
                    scan.header_status.ToString());
      continue;
    }
    report->corrupt_bytes += scan.corrupt_bytes;
    report->ticks += scan.ticks;
    journals.push_back(name);
    source_id = Fnv1a(name + ":" + std::to_string(scan.header.salt) + ";", source_id);
  }
  report->journals = journals.size();
  if (journals.empty()) return Status::Ok();

  std::vector<std::string> synced_dirs;
  std::vector<std::string_view> records;
  for (auto& [key, refs] : groups) {
    const auto& [stream, hour_ns] = key;
    std::sort(refs.begin(), refs.end(), [&](const Ref& a, const Ref& b) {
      const TickOrderKey ka = OrderKeyOfRecord(arena.data() + a.offset);
      const TickOrderKey kb = OrderKeyOfRecord(arena.data() + b.offset);
      if (ka != kb) return ka < kb;
      return std::string_view(arena.data() + a.offset, a.size) <
             std::string_view(arena.data() + b.offset, b.size);
    });
    records.clear();
    for (const Ref& ref : refs) {
      const std::string_view r(arena.data() + ref.offset, ref.size);
      if (!records.empty() && records.back() == r) continue;  // the same record twice
      records.push_back(r);
    }
    ClosedFileHeader header;
    header.stream = stream;
    header.hour = FromUnixNanos(hour_ns);
    header.source_id = source_id;
    auto bytes = BuildClosedFile(header, records, zstd_level);
    if (!bytes.ok()) return bytes.status();
    const std::string closed_dir = ClosedHourDir(root, header.hour);
    IBSTREAM_RETURN_IF_ERROR(CreateDirs(fs, closed_dir));
    const std::string path = JoinPath(closed_dir, ClosedFileName(stream, source_id));
    auto file = fs->NewWritableFile(path + ".tmp", /*exclusive=*/false);
    if (!file.ok()) return file.status();
    IBSTREAM_RETURN_IF_ERROR((*file)->Append(*bytes));
    IBSTREAM_RETURN_IF_ERROR((*file)->Sync());
    IBSTREAM_RETURN_IF_ERROR((*file)->Close());
    IBSTREAM_RETURN_IF_ERROR(fs->Rename(path + ".tmp", path));
    if (std::find(synced_dirs.begin(), synced_dirs.end(), closed_dir) == synced_dirs.end()) {
      synced_dirs.push_back(closed_dir);
    }
    ++report->files_written;
  }
  for (const std::string& d : synced_dirs) IBSTREAM_RETURN_IF_ERROR(fs->SyncDir(d));

  // The closed files are durable: record which journals they replace, then delete those.
  std::string manifest;
  for (const std::string& name : journals) manifest += name + "\n";
  IBSTREAM_RETURN_IF_ERROR(WriteFileAtomically(fs, JoinPath(dir, ManifestName(hh)), manifest));
  return CompleteManifest(fs, dir, ManifestName(hh));
}

}  // namespace ibstream::storage
