#include "recorder/pacer_state.h"

#include <algorithm>
#include <filesystem>

#include "storage/coding.h"
#include "storage/crc32c.h"
#include "storage/layout.h"

namespace ibstream::recorder {

namespace {

constexpr std::string_view kMagic = "IBPS";
constexpr uint8_t kVersion = 1;
constexpr size_t kHeaderSize = 4 + 1 + 4;
constexpr size_t kEntrySize = 8 + 1;
constexpr size_t kCrcSize = 4;

}  // namespace

std::string PacerStatePath(const std::string& storage_root) {
  return storage::GapsRoot(storage_root) + "/pacer.state";
}

std::string EncodePacerState(const std::vector<PacerSend>& sends) {
  const size_t first =
      sends.size() > kMaxPacerStateEntries ? sends.size() - kMaxPacerStateEntries : 0;
  std::string out(kMagic);
  out.push_back(static_cast<char>(kVersion));
  storage::PutFixed32(&out, static_cast<uint32_t>(sends.size() - first));
  for (size_t i = first; i < sends.size(); ++i) {
    const int64_t ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(sends[i].at.time_since_epoch())
            .count();
    storage::PutFixed64(&out, static_cast<uint64_t>(ms));
    out.push_back(static_cast<char>(std::clamp(sends[i].weight, 1, 255)));
  }
  storage::PutFixed32(&out, storage::crc32c::Value(out));
  return out;
}

Result<std::vector<PacerSend>> DecodePacerState(std::string_view bytes) {
  if (bytes.size() < kHeaderSize + kCrcSize) {
    return Corruption("pacer state: " + std::to_string(bytes.size()) + " bytes, too short");
  }
  if (bytes.substr(0, 4) != kMagic) return Corruption("pacer state: bad magic");
  if (static_cast<uint8_t>(bytes[4]) != kVersion) {
    return Corruption("pacer state: unknown version " +
                      std::to_string(static_cast<uint8_t>(bytes[4])));
  }
  const uint32_t count = storage::DecodeFixed32(bytes.data() + 5);
  if (count > kMaxPacerStateEntries ||
      bytes.size() != kHeaderSize + count * kEntrySize + kCrcSize) {
    return Corruption("pacer state: " + std::to_string(count) + " entries do not fit " +
                      std::to_string(bytes.size()) + " bytes");
  }
  const size_t body = bytes.size() - kCrcSize;
  if (storage::crc32c::Value(bytes.data(), body) != storage::DecodeFixed32(bytes.data() + body)) {
    return Corruption("pacer state: checksum mismatch");
  }
  std::vector<PacerSend> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    const char* p = bytes.data() + kHeaderSize + i * kEntrySize;
    const auto ms = static_cast<int64_t>(storage::DecodeFixed64(p));
    const int weight = static_cast<uint8_t>(p[8]);
    if (weight == 0) return Corruption("pacer state: entry " + std::to_string(i) + " weight 0");
    out.push_back(PacerSend{TimePoint(std::chrono::milliseconds(ms)), weight});
  }
  return out;
}

Result<std::vector<PacerSend>> ReadPacerState(fs::FileSystem* fs, const std::string& path) {
  if (!fs->Exists(path)) return std::vector<PacerSend>{};
  auto bytes = fs::ReadFile(fs, path, kHeaderSize + kMaxPacerStateEntries * kEntrySize + kCrcSize);
  if (!bytes.ok()) return bytes.status().WithContext(path);
  auto sends = DecodePacerState(*bytes);
  if (!sends.ok()) return sends.status().WithContext(path);
  return sends;
}

Status WritePacerState(fs::FileSystem* fs, const std::string& path,
                       const std::vector<PacerSend>& sends) {
  IBSTREAM_RETURN_IF_ERROR(fs::CreateDirs(fs, std::filesystem::path(path).parent_path().string()));
  return fs::WriteFileAtomically(fs, path, EncodePacerState(sends));
}

}  // namespace ibstream::recorder
