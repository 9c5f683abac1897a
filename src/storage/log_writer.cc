#include "storage/log_writer.h"

#include "common/check.h"
#include "storage/coding.h"
#include "storage/crc32c.h"
#include "storage/log_format.h"

namespace ibstream::storage::log {

Writer::Writer(uint64_t salt, uint64_t area_offset)
    : area_offset_(area_offset), block_offset_(area_offset % kBlockSize) {
  char salt_bytes[8];
  EncodeFixed64(salt_bytes, salt);
  salt_crc_ = crc32c::Value(salt_bytes, 8);
}

void Writer::AddRecord(std::string_view payload, std::string* out) {
  const char* ptr = payload.data();
  size_t left = payload.size();
  bool begin = true;
  do {
    const size_t leftover = kBlockSize - block_offset_;
    if (leftover < kHeaderSize) {
      // Too little room for a header: pad the block with zeros.
      out->append(leftover, '\0');
      area_offset_ += leftover;
      block_offset_ = 0;
    }
    const size_t avail = kBlockSize - block_offset_ - kHeaderSize;
    const size_t fragment = left < avail ? left : avail;
    const bool end = (left == fragment);
    uint8_t type;
    if (begin && end) {
      type = kFullType;
    } else if (begin) {
      type = kFirstType;
    } else if (end) {
      type = kLastType;
    } else {
      type = kMiddleType;
    }
    EmitPhysicalRecord(type, ptr, fragment, out);
    ptr += fragment;
    left -= fragment;
    begin = false;
  } while (left > 0);
}

void Writer::EmitPhysicalRecord(uint8_t type, const char* data, size_t length, std::string* out) {
  IBSTREAM_CHECK(length <= 0xffff, "log fragment longer than 64 KiB");
  IBSTREAM_CHECK(block_offset_ + kHeaderSize + length <= kBlockSize, "log fragment past block");
  char header[kHeaderSize];
  EncodeFixed16(header + 4, static_cast<uint16_t>(length));
  header[6] = static_cast<char>(type);
  uint32_t crc = crc32c::Extend(salt_crc_, header + 4, 3);
  crc = crc32c::Extend(crc, data, length);
  EncodeFixed32(header, crc);
  out->append(header, kHeaderSize);
  out->append(data, length);
  block_offset_ += kHeaderSize + length;
  area_offset_ += kHeaderSize + length;
}

}  // namespace ibstream::storage::log
