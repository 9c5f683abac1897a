// CRC32C (Castagnoli polynomial 0x1EDC6F41, reflected 0x82F63B78), as used by iSCSI, ext4 and
// LevelDB. Uses the SSE4.2 crc32 instruction when the CPU has it, a table otherwise; both give
// the same values (tested against the published check value 0xE3069283 for "123456789").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ibstream::storage::crc32c {

// Returns the CRC32C of `data` appended to a message whose CRC32C is `crc`.
uint32_t Extend(uint32_t crc, const char* data, size_t n);

inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view data) { return Extend(0, data.data(), data.size()); }

// True when the hardware path is in use (for benchmarks and reports).
bool HardwareAccelerated();

// The table-driven path, whatever the CPU: lets tests compare both implementations.
uint32_t ExtendPortableForTest(uint32_t crc, const char* data, size_t n);

}  // namespace ibstream::storage::crc32c
