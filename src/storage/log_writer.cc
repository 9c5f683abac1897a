#include "storage/log_writer.h"

#include <cstring>

#include "common/check.h"
#include "storage/coding.h"
#include "storage/crc32c.h"
#include "storage/log_format.h"

namespace ibstream::storage::log {
namespace {

// `n` more bytes at the end of `out`, for the caller to write.
char* ExtendBy(std::string* out, size_t n) {
  const size_t at = out->size();
  out->resize(at + n);
  return out->data() + at;
}
char* ExtendBy(ByteBuffer* out, size_t n) { return out->Extend(n); }

void PadWithZeros(std::string* out, size_t n) { out->append(n, '\0'); }
void PadWithZeros(ByteBuffer* out, size_t n) { out->AppendZeros(n); }

// Fills the header of a physical record whose payload already follows it at `header`.
void FinishHeader(uint32_t salt_crc, uint8_t type, size_t length, char* header) {
  EncodeFixed16(header + 4, static_cast<uint16_t>(length));
  header[6] = static_cast<char>(type);
  // length, type and payload are contiguous: one CRC32C pass after the salt.
  EncodeFixed32(header, crc32c::Extend(salt_crc, header + 4, 3 + length));
}

}  // namespace

Writer::Writer(uint64_t salt, uint64_t area_offset)
    : area_offset_(area_offset), block_offset_(area_offset % kBlockSize) {
  char salt_bytes[8];
  EncodeFixed64(salt_bytes, salt);
  salt_crc_ = crc32c::Value(salt_bytes, 8);
}

void Writer::AddRecord(std::string_view payload, std::string* out) { AddRecordTo(payload, out); }
void Writer::AddRecord(std::string_view payload, ByteBuffer* out) { AddRecordTo(payload, out); }

template <typename Out>
void Writer::AddRecordTo(std::string_view payload, Out* out) {
  IBSTREAM_CHECK(!reserved_, "log record added during a reservation");
  const char* ptr = payload.data();
  size_t left = payload.size();
  bool begin = true;
  do {
    const size_t leftover = kBlockSize - block_offset_;
    if (leftover < kHeaderSize) {
      // Too little room for a header: pad the block with zeros.
      PadWithZeros(out, leftover);
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

template <typename Out>
void Writer::EmitPhysicalRecord(uint8_t type, const char* data, size_t length, Out* out) {
  IBSTREAM_CHECK(length <= 0xffff, "log fragment longer than 64 KiB");
  IBSTREAM_CHECK(block_offset_ + kHeaderSize + length <= kBlockSize, "log fragment past block");
  char* header = ExtendBy(out, kHeaderSize + length);
  if (length > 0) std::memcpy(header + kHeaderSize, data, length);
  FinishHeader(salt_crc_, type, length, header);
  block_offset_ += kHeaderSize + length;
  area_offset_ += kHeaderSize + length;
}

Writer::Reservation Writer::Reserve(size_t length, ByteBuffer* out, std::string_view prefix) {
  IBSTREAM_CHECK(!reserved_, "log reservation already open");
  IBSTREAM_CHECK(prefix.size() <= 8 && prefix.size() <= length, "log reservation prefix too long");
  reserved_ = true;
  reserved_length_ = length;
  if (kBlockSize - block_offset_ < kHeaderSize) {
    // The padding AddRecord would write first.
    PadWithZeros(out, kBlockSize - block_offset_);
    area_offset_ += kBlockSize - block_offset_;
    block_offset_ = 0;
  }
  if (kHeaderSize + length <= kBlockSize - block_offset_) {
    spilled_ = false;
    reserved_at_ = out->size();
    char* header = out->Extend(kHeaderSize + length);
    EncodeFixed16(header + 4, static_cast<uint16_t>(length));
    header[6] = static_cast<char>(kFullType);
    char* payload = header + kHeaderSize;
    if (!prefix.empty()) std::memcpy(payload, prefix.data(), prefix.size());
    return {payload + prefix.size(), crc32c::Extend(salt_crc_, header + 4, 3 + prefix.size())};
  }
  spilled_ = true;
  spill_.resize(length);
  if (!prefix.empty()) std::memcpy(spill_.data(), prefix.data(), prefix.size());
  return {spill_.data() + prefix.size(), 0};
}

void Writer::Commit(ByteBuffer* out) {
  IBSTREAM_CHECK(reserved_, "log commit without a reservation");
  uint32_t crc = 0;
  if (!spilled_) {
    crc = crc32c::Extend(salt_crc_, out->data() + reserved_at_ + 4, 3 + reserved_length_);
  }
  Commit(out, crc);
}

void Writer::Commit(ByteBuffer* out, uint32_t payload_crc) {
  IBSTREAM_CHECK(reserved_, "log commit without a reservation");
  reserved_ = false;
  if (spilled_) {
    AddRecordTo(spill_, out);
    return;
  }
  char* header = out->data() + reserved_at_;
#ifndef NDEBUG
  IBSTREAM_CHECK(payload_crc == crc32c::Extend(salt_crc_, header + 4, 3 + reserved_length_),
                 "log commit with a wrong payload checksum");
#endif
  EncodeFixed32(header, payload_crc);
  block_offset_ += kHeaderSize + reserved_length_;
  area_offset_ += kHeaderSize + reserved_length_;
}

}  // namespace ibstream::storage::log
