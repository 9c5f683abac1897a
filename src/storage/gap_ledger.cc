#include "storage/gap_ledger.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "storage/coding.h"
#include "storage/generation_log.h"
#include "storage/layout.h"
#include "storage/log_writer.h"
#include "storage/tick_codec.h"
#include "storage/tick_writer.h"

namespace ibstream::storage {

using fs::CreateDirs;
using fs::FileSystem;
using fs::JoinPath;
namespace {

constexpr std::string_view kGapsMagic = "IBSGAPS1";
constexpr uint8_t kGapRecordKind = 16;
constexpr uint8_t kGapFillKind = 17;
constexpr size_t kGapFixedSize = 48;
constexpr uint8_t kGapFillVersion = 1;
constexpr size_t kGapFillSize = 56;
constexpr std::string_view kQuarantineInfix = ".damaged-";

constexpr std::string_view kLedgerPrefix = "ledger";
constexpr std::string_view kLedgerDropEvent = "gap_ledger_record_dropped";

// Frames the GAP record of `gap` and, when it has one, its FILL record into *out: one append,
// so a reader finds the fill right after its snapshot.
void AddSnapshotRecords(const GapRecord& gap, log::Writer* writer, std::string* out) {
  std::string record(1, static_cast<char>(kGapRecordKind));
  record += EncodeGapRecord(gap);
  writer->AddRecord(record, out);
  if (gap.fill) {
    record.assign(1, static_cast<char>(kGapFillKind));
    record += EncodeGapFillRecord(gap.id, *gap.fill);
    writer->AddRecord(record, out);
  }
}

// Reads every ledger generation, oldest first; the last snapshot of each id wins.
Status ReadGenerations(FileSystem* fs, const std::string& dir, std::map<uint64_t, GapRecord>* gaps,
                       uint32_t* max_generation, std::vector<std::string>* files,
                       LedgerDamage* damage) {
  *max_generation = 0;
  auto ledgers = log::ListGenerations(fs, dir, kLedgerPrefix);
  if (!ledgers.ok()) return ledgers.status();
  const log::GenerationReadOptions options{
      kGapsMagic, {kGapRecordKind, kGapFillKind}, kLedgerDropEvent};
  const log::GenerationRecordFn on_record = [gaps](uint8_t kind, std::string_view payload) {
    if (kind == kGapFillKind) {
      auto fill = DecodeGapFillRecord(payload);
      if (!fill.ok()) return fill.status();
      // It belongs to the snapshot before it; one whose snapshot was lost to damage (already
      // reported) has nothing to describe.
      if (auto it = gaps->find(fill->first); it != gaps->end()) it->second.fill = fill->second;
      return Status::Ok();
    }
    auto gap = DecodeGapRecord(payload);
    if (!gap.ok()) return gap.status();
    (*gaps)[gap->id] = std::move(*gap);
    return Status::Ok();
  };
  for (const auto& [n, name] : *ledgers) {
    *max_generation = std::max(*max_generation, n);
    files->push_back(name);
    IBSTREAM_RETURN_IF_ERROR(
        log::ReadGenerationFile(fs, JoinPath(dir, name), name, options, on_record, damage));
  }
  return Status::Ok();
}

}  // namespace

std::string_view BackfillStateName(BackfillState state) {
  switch (state) {
    case BackfillState::kPending:
      return "pending";
    case BackfillState::kFilled:
      return "filled";
    case BackfillState::kPartial:
      return "partial";
    case BackfillState::kFailed:
      return "failed";
  }
  return "unknown";
}

std::string EncodeGapRecord(const GapRecord& gap) {
  std::string out(kGapFixedSize, '\0');
  char* p = out.data();
  EncodeFixed64(p, gap.id);
  EncodeFixed64(p + 8, static_cast<uint64_t>(gap.stream.contract_id));
  p[16] = static_cast<char>(gap.stream.type);
  p[17] = static_cast<char>(gap.state);
  EncodeFixed16(p + 18, static_cast<uint16_t>(gap.cause.size()));
  EncodeFixed16(p + 20, static_cast<uint16_t>(gap.reason.size()));
  // 22..23 reserved
  EncodeFixed64(p + 24, static_cast<uint64_t>(ToUnixNanos(gap.start)));
  EncodeFixed64(p + 32, static_cast<uint64_t>(ToUnixNanos(gap.end)));
  EncodeFixed64(p + 40, static_cast<uint64_t>(ToUnixNanos(gap.updated_at)));
  out += gap.cause;
  out += gap.reason;
  return out;
}

Result<GapRecord> DecodeGapRecord(std::string_view bytes) {
  if (bytes.size() < kGapFixedSize) return Corruption("gap record: too short");
  const char* p = bytes.data();
  GapRecord gap;
  gap.id = DecodeFixed64(p);
  gap.stream.contract_id = static_cast<int64_t>(DecodeFixed64(p + 8));
  const auto type = static_cast<uint8_t>(p[16]);
  const auto state = static_cast<uint8_t>(p[17]);
  if (!IsStoredTickType(type) || state > 3 || p[22] != 0 || p[23] != 0) {
    return Corruption("gap record: bad type, state or reserved bytes");
  }
  gap.stream.type = static_cast<TickType>(type);
  gap.state = static_cast<BackfillState>(state);
  const size_t cause_len = DecodeFixed16(p + 18);
  const size_t reason_len = DecodeFixed16(p + 20);
  if (bytes.size() != kGapFixedSize + cause_len + reason_len) {
    return Corruption("gap record: length mismatch");
  }
  gap.start = FromUnixNanos(static_cast<int64_t>(DecodeFixed64(p + 24)));
  gap.end = FromUnixNanos(static_cast<int64_t>(DecodeFixed64(p + 32)));
  gap.updated_at = FromUnixNanos(static_cast<int64_t>(DecodeFixed64(p + 40)));
  gap.cause.assign(p + kGapFixedSize, cause_len);
  gap.reason.assign(p + kGapFixedSize + cause_len, reason_len);
  return gap;
}

std::string EncodeGapFillRecord(uint64_t id, const GapFill& fill) {
  std::string out(kGapFillSize, '\0');
  char* p = out.data();
  p[0] = static_cast<char>(kGapFillVersion);
  // 1..7 reserved
  EncodeFixed64(p + 8, id);
  EncodeFixed64(p + 16, static_cast<uint64_t>(ToUnixNanos(fill.queued_at)));
  EncodeFixed64(p + 24, static_cast<uint64_t>(ToUnixNanos(fill.filled_at)));
  EncodeFixed32(p + 32, fill.requests);
  EncodeFixed32(p + 36, fill.requests_needed);
  EncodeFixed64(p + 40, static_cast<uint64_t>(fill.pacing_minimum.count()));
  EncodeFixed64(p + 48, static_cast<uint64_t>(fill.round_trip.count()));
  return out;
}

Result<std::pair<uint64_t, GapFill>> DecodeGapFillRecord(std::string_view bytes) {
  if (bytes.size() < kGapFillSize) return Corruption("gap fill record: too short");
  const char* p = bytes.data();
  if (static_cast<uint8_t>(p[0]) < kGapFillVersion) {
    return Corruption("gap fill record: bad version");
  }
  GapFill fill;
  const uint64_t id = DecodeFixed64(p + 8);
  fill.queued_at = FromUnixNanos(static_cast<int64_t>(DecodeFixed64(p + 16)));
  fill.filled_at = FromUnixNanos(static_cast<int64_t>(DecodeFixed64(p + 24)));
  fill.requests = DecodeFixed32(p + 32);
  fill.requests_needed = DecodeFixed32(p + 36);
  fill.pacing_minimum = Duration(static_cast<int64_t>(DecodeFixed64(p + 40)));
  fill.round_trip = Duration(static_cast<int64_t>(DecodeFixed64(p + 48)));
  return std::make_pair(id, fill);
}

std::string LedgerQuarantineName(std::string_view ledger_name, TimePoint now) {
  std::string stamp;
  for (char c : FormatIsoUtc(std::chrono::floor<std::chrono::seconds>(now))) {
    if (c != '-' && c != ':') stamp += c;
  }
  return std::string(ledger_name) + std::string(kQuarantineInfix) + stamp;
}

bool IsLedgerQuarantineName(std::string_view name) {
  return name.substr(0, 7) == "ledger." && name.find(kQuarantineInfix) != std::string_view::npos &&
         !IsTempName(name);
}

Result<std::vector<GapRecord>> GapLedger::ReadAllReporting(FileSystem* fs, const std::string& root,
                                                           LedgerDamage* damage) {
  LedgerDamage ignored;
  if (damage == nullptr) damage = &ignored;
  std::map<uint64_t, GapRecord> gaps;
  uint32_t max_generation;
  std::vector<std::string> files;
  IBSTREAM_RETURN_IF_ERROR(
      ReadGenerations(fs, GapsRoot(root), &gaps, &max_generation, &files, damage));
  std::vector<GapRecord> out;
  for (auto& [id, gap] : gaps) out.push_back(std::move(gap));
  return out;
}

Result<std::vector<GapRecord>> GapLedger::ReadAll(FileSystem* fs, const std::string& root,
                                                  uint64_t* corrupt_bytes) {
  LedgerDamage damage;
  auto gaps = ReadAllReporting(fs, root, &damage);
  if (corrupt_bytes != nullptr) *corrupt_bytes += damage.corrupt_bytes + damage.truncated_bytes;
  return gaps;
}

Result<std::unique_ptr<GapLedger>> GapLedger::Open(FileSystem* fs, const std::string& root,
                                                   TimePoint now, LedgerDamage* damage) {
  LedgerDamage ignored;
  if (damage == nullptr) damage = &ignored;
  std::unique_ptr<GapLedger> ledger(new GapLedger(fs, root));
  const std::string dir = GapsRoot(root);
  IBSTREAM_RETURN_IF_ERROR(CreateDirs(fs, dir));
  uint32_t max_generation;
  std::vector<std::string> old_files;
  IBSTREAM_RETURN_IF_ERROR(
      ReadGenerations(fs, dir, &ledger->gaps_, &max_generation, &old_files, damage));
  for (const auto& [id, gap] : ledger->gaps_) ledger->next_id_ = std::max(ledger->next_id_, id + 1);

  // Damaged generations are kept, byte for byte, before compaction deletes them.
  for (const std::string& name : damage->damaged_files) {
    const std::string copy = JoinPath(dir, LedgerQuarantineName(name, now));
    auto bytes = fs::ReadFileToString(fs, JoinPath(dir, name));
    Status status = bytes.status();
    if (status.ok()) status = fs::WriteFileAtomically(fs, copy, *bytes);
    if (!status.ok()) return status.WithContext("quarantining damaged gap ledger " + name);
    damage->quarantined.push_back(copy);
    spdlog::error(
        "gap ledger: {} is damaged ({} bytes dropped, {} bytes truncated); copied to {}, {} gaps "
        "kept",
        name, damage->corrupt_bytes, damage->truncated_bytes, copy, ledger->gaps_.size());
  }

  // A fresh generation holding the compacted state.
  IBSTREAM_RETURN_IF_ERROR(ledger->StartGeneration(max_generation + 1));
  for (const std::string& name : old_files)
    IBSTREAM_RETURN_IF_ERROR(fs->DeleteFile(JoinPath(dir, name)));
  if (!old_files.empty()) IBSTREAM_RETURN_IF_ERROR(fs->SyncDir(dir));
  return ledger;
}

Status GapLedger::StartGeneration(uint32_t generation) {
  const std::string dir = GapsRoot(root_);
  log::FileHeader header;
  header.magic = std::string(kGapsMagic);
  header.content_version = 1;
  header.salt = NewSalt();
  header.generation = generation;
  std::string bytes = log::EncodeFileHeader(header);
  auto writer = std::make_unique<log::Writer>(header.salt);
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, gap] : gaps_) AddSnapshotRecords(gap, writer.get(), &bytes);
  }
  const std::string path = JoinPath(dir, log::GenerationName(kLedgerPrefix, generation));
  auto file = fs_->NewWritableFile(path + ".tmp", /*exclusive=*/false);
  if (!file.ok()) return file.status();
  Status status = (*file)->Append(bytes);
  if (status.ok()) status = (*file)->Sync();
  if (status.ok()) status = fs_->Rename(path + ".tmp", path);
  if (status.ok()) status = fs_->SyncDir(dir);
  if (!status.ok()) {
    (void)fs_->DeleteFile(path + ".tmp");  // a leftover is removed by the next Open
    return status;
  }
  file_ = std::move(*file);
  writer_ = std::move(writer);
  generation_ = generation;
  return Status::Ok();
}

Status GapLedger::RecoverFromWriteError() {
  // The current generation may end in a torn record: never append to it again. A new generation
  // holds every gap; the old one goes once the new one is durable.
  const uint32_t old_generation = generation_;
  IBSTREAM_RETURN_IF_ERROR(StartGeneration(generation_ + 1)
                               .WithContext("gap ledger: writing a new generation after a write "
                                            "error"));
  failed_ = false;
  const std::string dir = GapsRoot(root_);
  Status removed =
      fs_->DeleteFile(JoinPath(dir, log::GenerationName(kLedgerPrefix, old_generation)));
  if (removed.ok()) removed = fs_->SyncDir(dir);
  // Harmless when it stays: the next Open reads it and the newer generation wins.
  if (!removed.ok()) spdlog::warn("gap ledger: old generation kept: {}", removed.ToString());
  spdlog::info("event=gap_ledger_resumed generation={}", generation_);
  return Status::Ok();
}

Status GapLedger::WriteSnapshot(const GapRecord& gap) {
  if (fatal_) return Unavailable("gap ledger stopped after a failed fdatasync");
  if (failed_) IBSTREAM_RETURN_IF_ERROR(RecoverFromWriteError());
  std::string framed;
  AddSnapshotRecords(gap, writer_.get(), &framed);
  Status status = file_->Append(framed);
  if (!status.ok()) {
    // Never append after a torn write: the next write starts a new generation first.
    failed_ = true;
    return status;
  }
  status = file_->Sync();
  if (!status.ok()) {
    fatal_ = true;
    FatalStorageError(status.WithContext("fdatasync gap ledger"));
    return status;
  }
  return Status::Ok();
}

Result<uint64_t> GapLedger::Add(GapRecord gap) {
  if (gap.cause.size() > 0xffff || gap.reason.size() > 0xffff) {
    return InvalidArgument("gap cause or reason longer than 65535 bytes");
  }
  std::lock_guard write_lock(write_mu_);
  {
    std::lock_guard lock(mu_);
    gap.id = next_id_;
  }
  IBSTREAM_RETURN_IF_ERROR(WriteSnapshot(gap));
  std::lock_guard lock(mu_);
  ++next_id_;
  gaps_[gap.id] = gap;
  return gap.id;
}

Status GapLedger::Update(uint64_t id, BackfillState state, std::string reason, TimePoint updated_at,
                         std::optional<TimePoint> end, std::optional<GapFill> fill) {
  if (reason.size() > 0xffff) return InvalidArgument("gap reason longer than 65535 bytes");
  std::lock_guard write_lock(write_mu_);
  GapRecord gap;
  {
    std::lock_guard lock(mu_);
    auto it = gaps_.find(id);
    if (it == gaps_.end()) return NotFound("no gap with id " + std::to_string(id));
    gap = it->second;
  }
  gap.state = state;
  gap.reason = std::move(reason);
  gap.updated_at = updated_at;
  if (end) gap.end = *end;
  gap.fill = fill;
  IBSTREAM_RETURN_IF_ERROR(WriteSnapshot(gap));
  std::lock_guard lock(mu_);
  gaps_[id] = std::move(gap);  // entries are never removed: `id` is still there
  return Status::Ok();
}

std::vector<GapRecord> GapLedger::List(std::optional<int64_t> contract_id) const {
  std::lock_guard lock(mu_);
  std::vector<GapRecord> out;
  for (const auto& [id, gap] : gaps_) {
    if (!contract_id || gap.stream.contract_id == *contract_id) out.push_back(gap);
  }
  return out;
}

}  // namespace ibstream::storage
