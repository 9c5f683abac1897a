#include "storage/log_reader.h"

#include "storage/coding.h"
#include "storage/crc32c.h"

namespace ibstream::storage::log {

using fs::RandomAccessFile;

Reader::Reader(const RandomAccessFile* file, uint64_t base, uint64_t salt, Reporter* reporter,
               uint64_t initial_offset)
    : file_(file),
      base_(base),
      reporter_(reporter),
      initial_offset_(initial_offset),
      resyncing_(initial_offset > 0) {
  char salt_bytes[8];
  EncodeFixed64(salt_bytes, salt);
  salt_crc_ = crc32c::Value(salt_bytes, 8);
}

bool Reader::SkipToInitialBlock() {
  const uint64_t offset_in_block = initial_offset_ % kBlockSize;
  uint64_t block_start = initial_offset_ - offset_in_block;
  // A record cannot start in the trailer of a block.
  if (offset_in_block > kBlockSize - 6) block_start += kBlockSize;
  end_of_buffer_offset_ = block_start;
  return true;
}

bool Reader::ReadRecord(std::string_view* record, std::string* scratch) {
  if (last_record_offset_ < initial_offset_ && end_of_buffer_offset_ == 0) {
    if (!SkipToInitialBlock()) return false;
  }
  scratch->clear();
  *record = {};
  bool in_fragmented_record = false;
  uint64_t prospective_record_offset = 0;

  std::string_view fragment;
  while (true) {
    const int record_type = ReadPhysicalRecord(&fragment);
    // Offset of the physical record just read (meaningful for real records only).
    const uint64_t physical_record_offset =
        end_of_buffer_offset_ - buffer_.size() - kHeaderSize - fragment.size();

    if (record_type == kSkipped) continue;
    if (resyncing_) {
      if (record_type == kMiddleType) continue;
      if (record_type == kLastType) {
        resyncing_ = false;
        continue;
      }
      resyncing_ = false;
    }

    switch (record_type) {
      case kFullType:
        if (in_fragmented_record && !scratch->empty()) {
          ReportCorruption(scratch->size(), "partial record without end (1)");
        }
        scratch->clear();
        *record = fragment;
        last_record_offset_ = physical_record_offset;
        end_of_last_record_ = physical_record_offset + kHeaderSize + fragment.size();
        return true;

      case kFirstType:
        if (in_fragmented_record && !scratch->empty()) {
          ReportCorruption(scratch->size(), "partial record without end (2)");
        }
        prospective_record_offset = physical_record_offset;
        scratch->assign(fragment.data(), fragment.size());
        in_fragmented_record = true;
        break;

      case kMiddleType:
        if (!in_fragmented_record) {
          ReportCorruption(fragment.size(), "missing start of fragmented record (1)");
        } else {
          scratch->append(fragment.data(), fragment.size());
        }
        break;

      case kLastType:
        if (!in_fragmented_record) {
          ReportCorruption(fragment.size(), "missing start of fragmented record (2)");
        } else {
          scratch->append(fragment.data(), fragment.size());
          *record = *scratch;
          last_record_offset_ = prospective_record_offset;
          end_of_last_record_ = physical_record_offset + kHeaderSize + fragment.size();
          return true;
        }
        break;

      case kEof:
        // A writer that died between fragments leaves a FIRST without LAST: not corruption.
        scratch->clear();
        return false;

      case kBadRecord:
        if (in_fragmented_record) {
          ReportCorruption(scratch->size(), "error in middle of record");
          in_fragmented_record = false;
          scratch->clear();
        }
        break;

      default:
        ReportCorruption(fragment.size() + (in_fragmented_record ? scratch->size() : 0),
                         "unknown record type");
        in_fragmented_record = false;
        scratch->clear();
        break;
    }
  }
}

int Reader::ReadPhysicalRecord(std::string_view* result) {
  while (true) {
    if (buffer_.size() < kHeaderSize) {
      if (!eof_) {
        // The previous block is consumed (anything left is trailer padding): read the next.
        buffer_ = {};
        const Status status =
            file_->Read(base_ + end_of_buffer_offset_, kBlockSize, &backing_store_);
        if (!status.ok()) {
          backing_store_.clear();
          buffer_ = {};
          ReportDrop(kBlockSize, status);
          eof_ = true;
          read_error_ = true;
          return kEof;
        }
        buffer_ = backing_store_;
        end_of_buffer_offset_ += buffer_.size();
        if (buffer_.size() < kBlockSize) eof_ = true;
        continue;
      }
      // A header cut off at end of file: the writer died mid-header.
      buffer_ = {};
      return kEof;
    }

    const char* header = buffer_.data();
    const uint32_t length = DecodeFixed16(header + 4);
    const auto type = static_cast<uint8_t>(header[6]);
    if (kHeaderSize + length > buffer_.size()) {
      const size_t drop_size = buffer_.size();
      buffer_ = {};
      if (!eof_) {
        ReportCorruption(drop_size, "bad record length");
        return kBadRecord;
      }
      // The record runs past end of file: the writer died mid-record.
      return kEof;
    }

    if (type == kZeroType && length == 0 && DecodeFixed32(header) == 0) {
      // Preallocated space: skip the rest of the buffer without reporting.
      buffer_ = {};
      return kBadRecord;
    }

    uint32_t crc = crc32c::Extend(salt_crc_, header + 4, 3);
    crc = crc32c::Extend(crc, header + kHeaderSize, length);
    if (crc != DecodeFixed32(header)) {
      // The length may be the damaged part: drop the rest of the buffer.
      const size_t drop_size = buffer_.size();
      buffer_ = {};
      ReportCorruption(drop_size, "checksum mismatch");
      return kBadRecord;
    }

    buffer_.remove_prefix(kHeaderSize + length);

    // Skip records that started before initial_offset_.
    if (end_of_buffer_offset_ - buffer_.size() - kHeaderSize - length < initial_offset_) {
      *result = {};
      return kSkipped;
    }
    *result = std::string_view(header + kHeaderSize, length);
    return type;
  }
}

void Reader::ReportCorruption(uint64_t bytes, const char* reason) {
  ReportDrop(bytes, Corruption(reason));
}

void Reader::ReportDrop(uint64_t bytes, const Status& reason) {
  if (reporter_ != nullptr && end_of_buffer_offset_ - buffer_.size() - bytes >= initial_offset_) {
    reporter_->Corruption(bytes, reason);
  }
}

}  // namespace ibstream::storage::log
