// Journal files: the append-only, checksummed log the writer thread fills (FORMAT.md §3).
//
// A journal is a log file (log_format.h) with magic "IBSJRNL1" whose records are
//   kind u8 = 1 (TICK) followed by one tick record (tick_codec.h), or
//   kind u8 = 2 (SEAL) followed by u64 tick_count: the file was closed cleanly.
// One JournalFile has one owner (the writer thread, or recovery when salvaging).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "model/tick.h"
#include "storage/byte_buffer.h"
#include "storage/log_format.h"
#include "storage/log_writer.h"

namespace ibstream::storage {

inline constexpr std::string_view kJournalMagic = "IBSJRNL1";
enum class JournalRecordKind : uint8_t { kTick = 1, kSeal = 2 };

// A fresh random salt for a new log file.
uint64_t NewSalt();

class JournalFile {
 public:
  // Creates the journal of generation `generation` for `hour` (O_EXCL), writes and syncs its
  // header and makes the new directory entry (and any new directories) durable.
  static Result<std::unique_ptr<JournalFile>> Create(fs::FileSystem* fs, const std::string& root,
                                                     TimePoint hour, uint32_t generation,
                                                     bool salvaged);

  // Frames records into the pending buffer; nothing reaches the file until Write().
  void AddTick(const Tick& tick);
  void AddSeal();
  // Hands the pending buffer to the file in one append. After an error an unknown prefix may
  // be in the file: the caller must abandon the file (never append to it again).
  Status Write();
  // For a producer that frames records itself (the TickWriter queue): the framer of this file,
  // the appending of bytes it framed, and the count of tick records among them (for the SEAL).
  // The caller serialises access to framer().
  log::Writer& framer() { return writer_; }
  Status WriteFramed(std::string_view bytes) { return file_->Append(bytes); }
  void CountTicks(uint64_t n) { ticks_ += n; }
  // Frames one tick record (kind byte + tick) with `framer` at the end of `out`: the record is
  // encoded and checksummed in place (no intermediate copy). `tick` must be valid for storage.
  static void FrameTick(const Tick& tick, log::Writer& framer, ByteBuffer* out);

  // fdatasync. A failure here is fatal for the caller (see FORMAT.md §6).
  Status Sync();
  Status Close();

  TimePoint hour() const { return hour_; }
  const std::string& path() const { return path_; }
  uint64_t ticks() const { return ticks_; }
  // Bytes in the file as far as this handle knows (header and written records).
  uint64_t size() const { return file_->Size(); }

 private:
  JournalFile(std::unique_ptr<fs::WritableFile> file, std::string path, TimePoint hour,
              uint64_t salt);

  std::unique_ptr<fs::WritableFile> file_;
  std::string path_;
  TimePoint hour_;
  log::Writer writer_;
  ByteBuffer pending_;
  uint64_t ticks_ = 0;
};

// 1 + the highest generation of any journal of `hour` (1 when there is none).
Result<uint32_t> NextGeneration(fs::FileSystem* fs, const std::string& root, TimePoint hour);

// What reading one journal found.
struct JournalScan {
  bool header_ok = false;
  Status header_status;
  log::FileHeader header;
  uint64_t file_size = 0;
  uint64_t ticks = 0;
  bool sealed = false;
  uint64_t valid_end = 0;            // file offset just past the last valid record
  uint64_t corrupt_bytes = 0;        // bytes the reader dropped (checksum, framing)
  uint64_t bad_records = 0;          // records with a valid checksum that do not decode
  bool damage_before_valid = false;  // valid records follow a damaged region: mid-file damage
  bool read_error = false;
  std::vector<std::string> problems;  // one line per damaged region
};

// Reads every valid record of a journal, calling `on_tick` with each tick record's bytes
// (validated: it decodes) in file order. Untrusted input: never crashes.
Status ScanJournal(fs::FileSystem* fs, const std::string& path,
                   const std::function<void(std::string_view tick_record)>& on_tick,
                   JournalScan* scan);

}  // namespace ibstream::storage
