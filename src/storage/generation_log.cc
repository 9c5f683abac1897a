#include "storage/generation_log.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "storage/log_format.h"
#include "storage/log_reader.h"

namespace ibstream::storage::log {
namespace {

// Counts and describes what the log::Reader drops, and how much of it came after the last
// record read (so the incomplete-tail check does not count it twice).
class GenerationDamageReporter final : public Reader::Reporter {
 public:
  GenerationDamageReporter(const std::string& label, std::string_view log_event, LogDamage* damage)
      : label_(label), log_event_(log_event), damage_(damage) {}
  void Corruption(uint64_t bytes, const Status& reason) override {
    damage_->corrupt_bytes += bytes;
    since_last_record += bytes;
    damage_->problems.push_back(label_ + ": " + std::to_string(bytes) +
                                " bytes dropped: " + reason.message());
    if (!log_event_.empty()) {
      spdlog::error("event={} path={} bytes_dropped={} reason=\"{}\"", log_event_, label_, bytes,
                    reason.message());
    }
  }
  uint64_t since_last_record = 0;  // bytes reported after the last record read

 private:
  const std::string& label_;
  std::string_view log_event_;
  LogDamage* damage_;
};

}  // namespace

std::optional<uint32_t> ParseGenerationName(std::string_view name, std::string_view prefix) {
  // <prefix>.<N>.log
  constexpr std::string_view kSuffix = ".log";
  const size_t fixed = prefix.size() + 1 + kSuffix.size();
  if (name.size() <= fixed || name.substr(0, prefix.size()) != prefix ||
      name[prefix.size()] != '.' || name.substr(name.size() - kSuffix.size()) != kSuffix) {
    return std::nullopt;
  }
  const std::string_view digits = name.substr(prefix.size() + 1, name.size() - fixed);
  uint32_t n = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  return n;
}

std::string GenerationName(std::string_view prefix, uint32_t generation) {
  return std::string(prefix) + "." + std::to_string(generation) + ".log";
}

Result<std::vector<std::pair<uint32_t, std::string>>> ListGenerations(fs::FileSystem* fs,
                                                                      const std::string& dir,
                                                                      std::string_view prefix) {
  std::vector<std::pair<uint32_t, std::string>> out;
  if (!fs->Exists(dir)) return out;
  auto names = fs->ListDir(dir);
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    if (auto n = ParseGenerationName(name, prefix)) out.emplace_back(*n, name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status ReadGenerationFile(fs::FileSystem* fs, const std::string& path, const std::string& label,
                          const GenerationReadOptions& options, const GenerationRecordFn& on_record,
                          LogDamage* damage) {
  const size_t problems_before = damage->problems.size();
  auto file = fs->NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  std::string header_bytes;
  IBSTREAM_RETURN_IF_ERROR((*file)->Read(0, kFileHeaderSize, &header_bytes));
  auto header = DecodeFileHeader(header_bytes, options.magic);
  if (!header.ok()) {
    // A file whose header never became durable holds nothing; anything more is damage.
    if ((*file)->Size() > kFileHeaderSize) {
      if (!options.log_event.empty()) {
        spdlog::error("event={} path={} error=\"{}\"", options.log_event, label,
                      header.status().ToString());
      }
      damage->corrupt_bytes += (*file)->Size();
      damage->problems.push_back(label + ": unreadable header: " + header.status().message());
      damage->damaged_files.push_back(label);
    }
    return Status::Ok();
  }
  GenerationDamageReporter reporter(label, options.log_event, damage);
  Reader reader(file->get(), kFileHeaderSize, header->salt, &reporter);
  std::string scratch;
  std::string_view record;
  while (reader.ReadRecord(&record, &scratch)) {
    reporter.since_last_record = 0;
    if (record.empty()) continue;
    const auto kind = static_cast<uint8_t>(record[0]);
    if (std::find(options.record_kinds.begin(), options.record_kinds.end(), kind) ==
        options.record_kinds.end()) {
      continue;
    }
    Status decoded = on_record(kind, record.substr(1));
    if (!decoded.ok()) {
      damage->corrupt_bytes += record.size();
      damage->problems.push_back(label + ": record at offset " +
                                 std::to_string(reader.LastRecordOffset()) +
                                 " does not decode: " + decoded.message());
      if (!options.log_event.empty()) {
        spdlog::error("event={} path={} error=\"{}\"", options.log_event, label,
                      decoded.ToString());
      }
    }
  }
  // The reader takes a record cut off at end of file for the end of the input: bytes past the
  // last whole record that the reporter did not already count are an incomplete record (the
  // file was cut short), reported here.
  const uint64_t valid_end = kFileHeaderSize + reader.EndOfLastRecord();
  const uint64_t past_end = (*file)->Size() > valid_end ? (*file)->Size() - valid_end : 0;
  if (!reader.read_error() && past_end > reporter.since_last_record) {
    const uint64_t tail = past_end - reporter.since_last_record;
    damage->truncated_bytes += tail;
    damage->problems.push_back(label + ": truncated: " + std::to_string(tail) +
                               " bytes of an incomplete record at the end");
    if (!options.log_event.empty()) {
      spdlog::error("event={} path={} truncated_bytes={} reason=incomplete_last_record",
                    options.log_event, label, tail);
    }
  }
  if (damage->problems.size() > problems_before) damage->damaged_files.push_back(label);
  return Status::Ok();
}

}  // namespace ibstream::storage::log
