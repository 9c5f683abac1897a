#include "storage/log_format.h"

#include "storage/coding.h"
#include "storage/crc32c.h"

namespace ibstream::storage::log {

std::string EncodeFileHeader(const FileHeader& header) {
  IBSTREAM_CHECK(header.magic.size() == 8, "log magic must be 8 bytes");
  std::string out(kFileHeaderSize, '\0');
  char* p = out.data();
  std::memcpy(p, header.magic.data(), 8);
  EncodeFixed16(p + 8, header.format_version);
  EncodeFixed16(p + 10, header.content_version);
  EncodeFixed32(p + 12, header.block_size);
  EncodeFixed64(p + 16, header.salt);
  EncodeFixed64(p + 24, static_cast<uint64_t>(header.hour_start_ns));
  EncodeFixed32(p + 32, header.generation);
  EncodeFixed32(p + 36, header.flags);
  EncodeFixed32(p + 40, 0);
  EncodeFixed32(p + 44, crc32c::Value(p, 44));
  return out;
}

Result<FileHeader> DecodeFileHeader(std::string_view bytes, std::string_view expected_magic) {
  if (bytes.size() < kFileHeaderSize) return Corruption("log header: file shorter than 48 bytes");
  const char* p = bytes.data();
  if (std::string_view(p, 8) != expected_magic) return Corruption("log header: bad magic");
  if (DecodeFixed32(p + 44) != crc32c::Value(p, 44)) {
    return Corruption("log header: checksum mismatch");
  }
  FileHeader h;
  h.magic.assign(p, 8);
  h.format_version = DecodeFixed16(p + 8);
  h.content_version = DecodeFixed16(p + 10);
  h.block_size = DecodeFixed32(p + 12);
  h.salt = DecodeFixed64(p + 16);
  h.hour_start_ns = static_cast<int64_t>(DecodeFixed64(p + 24));
  h.generation = DecodeFixed32(p + 32);
  h.flags = DecodeFixed32(p + 36);
  if (h.format_version != kLogFormatVersion) {
    return Corruption("log header: unsupported format version " + std::to_string(h.format_version));
  }
  if (h.block_size != kBlockSize) return Corruption("log header: unsupported block size");
  return h;
}

}  // namespace ibstream::storage::log
