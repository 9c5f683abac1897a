#include "storage/journal.h"

#include <random>

#include "storage/coding.h"
#include "storage/layout.h"
#include "storage/log_reader.h"
#include "storage/tick_codec.h"

namespace ibstream::storage {

using fs::CreateDirs;
using fs::FileSystem;
using fs::JoinPath;
using fs::WritableFile;

uint64_t NewSalt() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

JournalFile::JournalFile(std::unique_ptr<WritableFile> file, std::string path, TimePoint hour,
                         uint64_t salt)
    : file_(std::move(file)), path_(std::move(path)), hour_(hour), writer_(salt) {}

Result<std::unique_ptr<JournalFile>> JournalFile::Create(FileSystem* fs, const std::string& root,
                                                         TimePoint hour, uint32_t generation,
                                                         bool salvaged) {
  const std::string dir = JournalDir(root, hour);
  IBSTREAM_RETURN_IF_ERROR(CreateDirs(fs, dir));
  const std::string path = JoinPath(dir, FormatJournalName({HourName(hour), generation, salvaged}));
  log::FileHeader header;
  header.magic = std::string(kJournalMagic);
  header.content_version = 1;
  header.salt = NewSalt();
  header.hour_start_ns = ToUnixNanos(hour);
  header.generation = generation;
  header.flags = salvaged ? log::kFlagSalvaged : 0;
  auto file = fs->NewWritableFile(path, /*exclusive=*/true);
  if (!file.ok()) return file.status();
  IBSTREAM_RETURN_IF_ERROR((*file)->Append(log::EncodeFileHeader(header)));
  IBSTREAM_RETURN_IF_ERROR((*file)->Sync());
  IBSTREAM_RETURN_IF_ERROR(fs->SyncDir(dir));
  return std::unique_ptr<JournalFile>(new JournalFile(std::move(*file), path, hour, header.salt));
}

void JournalFile::FrameTick(const Tick& tick, log::Writer& framer, ByteBuffer* out) {
  constexpr char kKind = static_cast<char>(JournalRecordKind::kTick);
  const log::Writer::Reservation record =
      framer.Reserve(1 + EncodedTickSize(tick), out, std::string_view(&kKind, 1));
  framer.Commit(out, EncodeTickExtendCrc(tick, record.payload, record.crc));
}

void JournalFile::AddTick(const Tick& tick) {
  FrameTick(tick, writer_, &pending_);
  ++ticks_;
}

void JournalFile::AddSeal() {
  char record[9];
  record[0] = static_cast<char>(JournalRecordKind::kSeal);
  EncodeFixed64(record + 1, ticks_);
  writer_.AddRecord(std::string_view(record, sizeof(record)), &pending_);
}

Status JournalFile::Write() {
  if (pending_.empty()) return Status::Ok();
  Status status = file_->Append(pending_.view());
  pending_.clear();
  return status;
}

Status JournalFile::Sync() { return file_->Sync(); }
Status JournalFile::Close() { return file_->Close(); }

Result<uint32_t> NextGeneration(FileSystem* fs, const std::string& root, TimePoint hour) {
  const std::string dir = JournalDir(root, hour);
  uint32_t next = 1;
  if (!fs->Exists(dir)) return next;
  auto names = fs->ListDir(dir);
  if (!names.ok()) return names.status();
  const std::string hh = HourName(hour);
  for (const std::string& name : *names) {
    // Temporary salvage files count too: their generation is taken.
    std::string_view base = name;
    if (IsTempName(base)) base.remove_suffix(4);
    auto parsed = ParseJournalName(base);
    if (parsed && parsed->hour_name == hh && parsed->generation >= next) {
      next = parsed->generation + 1;
    }
  }
  return next;
}

namespace {

class ScanReporter final : public log::Reader::Reporter {
 public:
  explicit ScanReporter(JournalScan* scan) : scan_(scan) {}
  void Corruption(uint64_t bytes, const Status& reason) override {
    scan_->corrupt_bytes += bytes;
    scan_->problems.push_back(std::to_string(bytes) + " bytes dropped: " + reason.message());
    damaged_ = true;
  }
  bool damaged_ = false;

 private:
  JournalScan* scan_;
};

}  // namespace

Status ScanJournal(FileSystem* fs, const std::string& path,
                   const std::function<void(std::string_view)>& on_tick, JournalScan* scan) {
  *scan = JournalScan();
  auto file = fs->NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  scan->file_size = (*file)->Size();
  std::string header_bytes;
  IBSTREAM_RETURN_IF_ERROR((*file)->Read(0, log::kFileHeaderSize, &header_bytes));
  auto header = log::DecodeFileHeader(header_bytes, kJournalMagic);
  if (!header.ok()) {
    scan->header_status = header.status();
    return Status::Ok();
  }
  scan->header_ok = true;
  scan->header = *header;
  scan->valid_end = log::kFileHeaderSize;

  ScanReporter reporter(scan);
  log::Reader reader(file->get(), log::kFileHeaderSize, header->salt, &reporter);
  std::string scratch;
  std::string_view record;
  Tick tick;
  while (reader.ReadRecord(&record, &scratch)) {
    bool valid = false;
    if (!record.empty() &&
        static_cast<uint8_t>(record[0]) == static_cast<uint8_t>(JournalRecordKind::kTick)) {
      const std::string_view body = record.substr(1);
      auto used = DecodeTick(body, &tick);
      if (used.ok() && *used == body.size()) {
        valid = true;
        ++scan->ticks;
        on_tick(body);
      }
    } else if (record.size() == 9 &&
               static_cast<uint8_t>(record[0]) == static_cast<uint8_t>(JournalRecordKind::kSeal)) {
      valid = true;
      scan->sealed = true;
    }
    if (!valid) {
      ++scan->bad_records;
      scan->problems.push_back("record at offset " + std::to_string(reader.LastRecordOffset()) +
                               " does not decode");
      reporter.damaged_ = true;
      continue;
    }
    if (reporter.damaged_) scan->damage_before_valid = true;
    scan->valid_end = log::kFileHeaderSize + reader.EndOfLastRecord();
  }
  scan->read_error = reader.read_error();
  return Status::Ok();
}

}  // namespace ibstream::storage
