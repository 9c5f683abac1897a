// Frames payloads as log records (see log_format.h) into a caller-owned buffer, so that many
// records can be handed to the file in one write (group commit).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ibstream::storage::log {

class Writer {
 public:
  // `area_offset`: bytes already in the block area (0 for a new file).
  explicit Writer(uint64_t salt, uint64_t area_offset = 0);

  // Appends the physical records of `payload` to `out`.
  void AddRecord(std::string_view payload, std::string* out);

  // Bytes in the block area, counting everything AddRecord produced.
  uint64_t area_offset() const { return area_offset_; }

 private:
  void EmitPhysicalRecord(uint8_t type, const char* data, size_t length, std::string* out);

  uint32_t salt_crc_;  // CRC32C state after the 8 salt bytes
  uint64_t area_offset_;
  size_t block_offset_;
};

}  // namespace ibstream::storage::log
