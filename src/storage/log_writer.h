// Frames payloads as log records (see log_format.h) into a caller-owned buffer, so that many
// records can be handed to the file in one write (group commit).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/byte_buffer.h"

namespace ibstream::storage::log {

class Writer {
 public:
  // `area_offset`: bytes already in the block area (0 for a new file).
  explicit Writer(uint64_t salt, uint64_t area_offset = 0);

  // Appends the physical records of `payload` to `out`.
  void AddRecord(std::string_view payload, std::string* out);
  void AddRecord(std::string_view payload, ByteBuffer* out);

  // In-place framing, for a producer that encodes its payload straight into the output:
  //
  //   log::Writer::Reservation r = writer.Reserve(length, &out);
  //   ...write exactly `length` bytes at r.payload...
  //   writer.Commit(&out);  // header and CRC32C, in place
  //
  // The bytes are identical to AddRecord() of the same payload. When the payload fits the rest
  // of the current block as one FULL record, r.payload points into `out` (after the block's
  // zero padding, if due, and room for the header); otherwise at a spill buffer of the writer's,
  // which Commit() frames with AddRecord (FIRST/MIDDLE/LAST). Between Reserve and Commit neither
  // `out` nor this writer may be used otherwise.
  //
  // `prefix`: the first bytes of the payload (at most 8, e.g. a record kind), written by Reserve;
  // then `length` counts them, r.payload points just past them and r.crc covers them.
  struct Reservation {
    char* payload;
    // The CRC32C of what the record's checksum covers before r.payload (salt, length, type,
    // prefix). A producer that extends it over the rest of the payload while encoding
    // (crc32c::Extend semantics) can pass the result to Commit(out, crc) and save reading the
    // payload back.
    uint32_t crc;
  };
  Reservation Reserve(size_t length, ByteBuffer* out, std::string_view prefix = {});
  void Commit(ByteBuffer* out);
  // `payload_crc` must be crc32c::Extend(reservation.crc, reservation.payload, the rest of the
  // length); checked in debug builds. Ignored when the payload was spilled (its fragments get their
  // own checksums).
  void Commit(ByteBuffer* out, uint32_t payload_crc);

  // Bytes in the block area, counting everything AddRecord and Commit produced.
  uint64_t area_offset() const { return area_offset_; }

 private:
  template <typename Out>
  void AddRecordTo(std::string_view payload, Out* out);
  template <typename Out>
  void EmitPhysicalRecord(uint8_t type, const char* data, size_t length, Out* out);

  uint32_t salt_crc_;  // CRC32C state after the 8 salt bytes
  uint64_t area_offset_;
  size_t block_offset_;

  // The open reservation (between Reserve and Commit).
  bool reserved_ = false;
  bool spilled_ = false;    // the payload is in spill_, not in the output
  size_t reserved_at_ = 0;  // offset in the output of the record's header
  size_t reserved_length_ = 0;
  std::string spill_;
};

}  // namespace ibstream::storage::log
