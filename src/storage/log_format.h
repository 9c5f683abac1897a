// The checksummed record log used by journals and the gap ledger (FORMAT.md §3).
//
// A log file is a 48-byte file header followed by the "block area": a sequence of 32 KiB blocks
// (only the last may be partial) holding physical records
//
//   u32 crc32c | u16 length | u8 type | payload[length]
//
// little-endian, where crc32c covers salt (u64 from the file header) ‖ length ‖ type ‖ payload.
// A record never starts in the last 6 bytes of a block (zero padding). A payload that does not
// fit in the rest of a block is split FIRST / MIDDLE... / LAST. This is LevelDB's log framing
// with two changes: the length is covered by the checksum, and a per-file random salt stops
// bytes from another file (or an earlier incarnation) from validating.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ibstream::storage::log {

enum RecordType : uint8_t {
  kZeroType = 0,  // reserved for preallocated (zero-filled) space
  kFullType = 1,
  kFirstType = 2,
  kMiddleType = 3,
  kLastType = 4,
};
inline constexpr uint8_t kMaxRecordType = kLastType;

inline constexpr size_t kBlockSize = 32768;
inline constexpr size_t kHeaderSize = 4 + 2 + 1;

// The file header (FORMAT.md §3.1), 48 bytes:
//   0  char[8] magic          "IBSJRNL1" (journal) or "IBSGAPS1" (gap ledger)
//   8  u16     format_version 1
//  10  u16     content_version (tick layout version for journals)
//  12  u32     block_size     32768
//  16  u64     salt
//  24  i64     hour_start_ns  (journals: the UTC hour the file was opened in; ledger: 0)
//  32  u32     generation
//  36  u32     flags          bit0: written by recovery (salvaged records)
//  40  u32     reserved, 0
//  44  u32     crc32c of bytes [0, 44)
inline constexpr size_t kFileHeaderSize = 48;
inline constexpr uint16_t kLogFormatVersion = 1;
inline constexpr uint32_t kFlagSalvaged = 1;

struct FileHeader {
  std::string magic;  // exactly 8 bytes
  uint16_t format_version = kLogFormatVersion;
  uint16_t content_version = 0;
  uint32_t block_size = kBlockSize;
  uint64_t salt = 0;
  int64_t hour_start_ns = 0;
  uint32_t generation = 0;
  uint32_t flags = 0;
};

std::string EncodeFileHeader(const FileHeader& header);
// Checks magic (must equal `expected_magic`), checksum, version and block size.
Result<FileHeader> DecodeFileHeader(std::string_view bytes, std::string_view expected_magic);

}  // namespace ibstream::storage::log
