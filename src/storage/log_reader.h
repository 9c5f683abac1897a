// Reads log records back (see log_format.h), reporting damaged bytes to a Reporter.
//
// Behaviour on damage, following LevelDB's reader (FORMAT.md §3.3):
//   - a header or record cut off at end of file: plain end of file (a writer died mid-write);
//   - a length running past the block (not at EOF), or a checksum mismatch: the rest of the
//     block is dropped and reported (the length itself may be wrong);
//   - a zero-filled header: skipped silently (preallocated space);
//   - a FIRST without its LAST before EOF: dropped silently; MIDDLE or LAST without FIRST, and
//     unknown types: reported.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "fs/file_system.h"
#include "storage/log_format.h"

namespace ibstream::storage::log {

class Reader {
 public:
  class Reporter {
   public:
    virtual ~Reporter() = default;
    // `bytes` of the block area were dropped for `reason`.
    virtual void Corruption(uint64_t bytes, const Status& reason) = 0;
  };

  // Reads the block area that starts at file offset `base`. Records that start before
  // `initial_offset` (an offset in the block area) are skipped. `file` and `reporter` (may be
  // null) must outlive the reader.
  Reader(const fs::RandomAccessFile* file, uint64_t base, uint64_t salt, Reporter* reporter,
         uint64_t initial_offset = 0);

  // Reads the next record into *record (valid until the next call; may point into *scratch).
  // Returns false at end of input.
  bool ReadRecord(std::string_view* record, std::string* scratch);

  // Block-area offset of the first byte of the last record returned.
  uint64_t LastRecordOffset() const { return last_record_offset_; }
  // Block-area offset just past the last record returned (0 before any).
  uint64_t EndOfLastRecord() const { return end_of_last_record_; }
  // Whether a read error ended the input early.
  bool read_error() const { return read_error_; }

 private:
  enum : int {
    kEof = kMaxRecordType + 1,
    kBadRecord = kMaxRecordType + 2,
    kSkipped = kMaxRecordType + 3,  // a valid record that starts before initial_offset_
  };

  bool SkipToInitialBlock();
  int ReadPhysicalRecord(std::string_view* result);
  void ReportCorruption(uint64_t bytes, const char* reason);
  void ReportDrop(uint64_t bytes, const Status& reason);

  const fs::RandomAccessFile* file_;
  uint64_t base_;
  uint32_t salt_crc_;
  Reporter* reporter_;
  std::string backing_store_;
  std::string_view buffer_;
  bool eof_ = false;
  bool read_error_ = false;
  uint64_t last_record_offset_ = 0;
  uint64_t end_of_last_record_ = 0;
  uint64_t end_of_buffer_offset_ = 0;  // block-area offset just past buffer_
  uint64_t initial_offset_;
  bool resyncing_;
};

}  // namespace ibstream::storage::log
