#include "cluster/journal_tail.h"

#include <algorithm>
#include <charconv>
#include <tuple>

#include "storage/coding.h"
#include "storage/journal.h"
#include "storage/layout.h"
#include "storage/log_format.h"
#include "storage/log_reader.h"
#include "storage/tick_codec.h"

namespace ibstream::cluster {

namespace {

constexpr std::string_view kCursorMagic = "ibstream-nats-cursor 1";

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

class CountingReporter : public storage::log::Reader::Reporter {
 public:
  explicit CountingReporter(uint64_t* bytes) : bytes_(bytes) {}
  void Corruption(uint64_t bytes, const Status&) override { *bytes_ += bytes; }

 private:
  uint64_t* bytes_;
};

}  // namespace

std::string EncodeCursor(const PublishCursor& cursor) {
  std::string out(kCursorMagic);
  out.append("\n");
  if (cursor.started) {
    out.append("journal ").append(std::to_string(cursor.next.hour_ns));
    out.append(" ").append(std::to_string(cursor.next.generation));
    out.append(cursor.next.salvaged ? " s " : " n ").append(std::to_string(cursor.offset));
    out.append(" ").append(std::to_string(cursor.next.record)).append("\n");
  }
  for (const auto& [id, updated_ns] : cursor.gaps) {
    out.append("gap ").append(std::to_string(id)).append(" ");
    out.append(std::to_string(updated_ns)).append("\n");
  }
  out.append("end\n");
  return out;
}

Result<PublishCursor> DecodeCursor(std::string_view text) {
  PublishCursor cursor;
  size_t line_number = 0;
  bool ended = false;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    if (newline == std::string_view::npos) {
      return Corruption("cursor file: line " + std::to_string(line_number + 1) + " is cut short");
    }
    const std::string_view line = text.substr(0, newline);
    text = text.substr(newline + 1);
    ++line_number;
    auto bad = [&](std::string_view why) {
      return Corruption("cursor file: line " + std::to_string(line_number) + ": " +
                        std::string(why));
    };
    if (ended) return bad("text after \"end\"");
    if (line_number == 1) {
      if (line != kCursorMagic) return bad("not a cursor file of version 1");
      continue;
    }
    const std::vector<std::string_view> w = Words(line);
    if (w.size() == 1 && w[0] == "end") {
      ended = true;
    } else if (w.size() == 6 && w[0] == "journal" && !cursor.started) {
      if (!ParseNumber(w[1], &cursor.next.hour_ns) || !ParseNumber(w[2], &cursor.next.generation) ||
          (w[3] != "n" && w[3] != "s") || !ParseNumber(w[4], &cursor.offset) ||
          !ParseNumber(w[5], &cursor.next.record)) {
        return bad("malformed journal line");
      }
      cursor.next.salvaged = w[3] == "s";
      cursor.started = true;
    } else if (w.size() == 3 && w[0] == "gap") {
      uint64_t id = 0;
      int64_t updated_ns = 0;
      if (!ParseNumber(w[1], &id) || !ParseNumber(w[2], &updated_ns)) {
        return bad("malformed gap line");
      }
      cursor.gaps[id] = updated_ns;
    } else {
      return bad("unexpected line");
    }
  }
  if (!ended) return Corruption("cursor file has no \"end\" line (cut short)");
  return cursor;
}

Result<std::optional<PublishCursor>> LoadCursor(fs::FileSystem* fs, const std::string& path) {
  if (!fs->Exists(path)) return std::optional<PublishCursor>();
  auto text = fs::ReadFile(fs, path, 64 << 20);
  if (!text.ok()) return text.status();
  auto cursor = DecodeCursor(*text);
  if (!cursor.ok()) return cursor.status().WithContext(path);
  return std::optional<PublishCursor>(std::move(*cursor));
}

Status SaveCursor(fs::FileSystem* fs, const std::string& path, const PublishCursor& cursor) {
  return fs::WriteFileAtomically(fs, path, EncodeCursor(cursor));
}

Result<std::vector<JournalFileRef>> ListJournals(fs::FileSystem* fs, const std::string& root) {
  std::vector<JournalFileRef> out;
  const std::string journal_root = storage::JournalRoot(root);
  if (!fs->Exists(journal_root)) return out;
  auto dates = fs->ListDir(journal_root);
  if (!dates.ok()) return dates.status();
  for (const std::string& date : *dates) {
    const std::string dir = fs::JoinPath(journal_root, date);
    auto is_dir = fs->IsDirectory(dir);
    if (!is_dir.ok() || !*is_dir) continue;
    auto names = fs->ListDir(dir);
    if (!names.ok()) return names.status();
    for (const std::string& name : *names) {
      auto parsed = storage::ParseJournalName(name);
      if (!parsed.has_value()) continue;
      auto hour = storage::ParseHour(date, parsed->hour_name);
      if (!hour.has_value()) continue;
      out.push_back(JournalFileRef{ToUnixNanos(*hour), parsed->generation, parsed->salvaged,
                                   fs::JoinPath(dir, name)});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const JournalFileRef& a, const JournalFileRef& b) { return a.key() < b.key(); });
  return out;
}

int CompareToCursor(const JournalFileRef& file, const PublishCursor& cursor) {
  const auto at = std::tuple(cursor.next.hour_ns, cursor.next.generation, cursor.next.salvaged);
  if (file.key() < at) return -1;
  return file.key() == at ? 0 : 1;
}

Status ReadJournalFrom(fs::FileSystem* fs, const JournalFileRef& file, uint64_t offset,
                       uint64_t first_record, size_t max_records, TailBatch* out) {
  out->Clear();
  out->end_offset = offset;
  out->next_record = first_record;
  auto handle = fs->NewRandomAccessFile(file.path);
  if (!handle.ok()) return handle.status();
  std::string header_bytes;
  IBSTREAM_RETURN_IF_ERROR((*handle)->Read(0, storage::log::kFileHeaderSize, &header_bytes));
  if (header_bytes.size() < storage::log::kFileHeaderSize) return Status::Ok();  // being created
  auto header = storage::log::DecodeFileHeader(header_bytes, storage::kJournalMagic);
  if (!header.ok()) return header.status().WithContext(file.path);

  CountingReporter reporter(&out->corrupt_bytes);
  storage::log::Reader reader(handle->get(), storage::log::kFileHeaderSize, header->salt, &reporter,
                              offset);
  std::string scratch;
  std::string_view record;
  Tick tick;
  while (out->entries.size() < max_records && reader.ReadRecord(&record, &scratch)) {
    out->end_offset = reader.EndOfLastRecord();
    if (record.empty()) continue;
    const auto kind = static_cast<uint8_t>(record[0]);
    if (kind == static_cast<uint8_t>(storage::JournalRecordKind::kSeal)) {
      out->sealed = true;
      continue;
    }
    if (kind != static_cast<uint8_t>(storage::JournalRecordKind::kTick)) {
      out->corrupt_bytes += record.size();
      continue;
    }
    const uint64_t index = out->next_record++;
    const std::string_view body = record.substr(1);
    auto used = storage::DecodeTick(body, &tick);
    if (!used.ok() || *used != body.size()) {
      out->corrupt_bytes += record.size();
      continue;
    }
    TailBatch::Entry entry;
    entry.position = JournalPosition{file.hour_ns, file.generation, file.salvaged, index};
    entry.stream = StreamKey{tick.contract_id, tick.type};
    entry.receive_ns = ToUnixNanos(tick.receive_time);
    entry.begin = out->data.size();
    entry.size = body.size();
    out->data.append(body);
    out->entries.push_back(entry);
  }
  return Status::Ok();
}

}  // namespace ibstream::cluster
