#include "formats/v3_writer.h"

#include <algorithm>

#include "formats/v3_json.h"
#include "formats/v3_protobuf.h"
#include "formats/v3_reader.h"

namespace ibstream::formats {
namespace {

// The OS's message already names the path ("open <path>: ..."); this says what the writer was
// doing.
Status Failed(std::string_view what, const Status& status) { return status.WithContext(what); }

}  // namespace

V3Writer::V3Writer(V3WriterOptions options)
    : options_(std::move(options)),
      fs_(options_.file_system != nullptr ? options_.file_system : fs::PosixFileSystem()) {
  if (options_.max_open_files == 0) options_.max_open_files = 1;
}

V3Writer::~V3Writer() { Close().IgnoreError(); }

Status V3Writer::Append(const Tick& tick) {
  if (options_.base_dir.empty()) return InvalidArgument("v3 output: no base directory configured");
  if (tick.type == TickType::kDepth) {
    ++stats_.depth_skipped;
    return Status::Ok();
  }
  const StreamKey stream = tick.stream();
  const int64_t hour = V3HourEpoch(tick.exchange_time);
  Status result;
  bool wrote = false;
  if (options_.json) {
    scratch_.clear();
    AppendV3Json(tick, scratch_);
    IBSTREAM_RETURN_IF_ERROR(AppendRendered(
        {V3Format::kJson, stream.contract_id, stream.type, hour}, tick.exchange_time, scratch_));
    wrote = true;
  }
  if (options_.protobuf) {
    scratch_.clear();
    Status rendered = AppendV3Protobuf(tick, scratch_);
    if (rendered.ok()) {
      IBSTREAM_RETURN_IF_ERROR(
          AppendRendered({V3Format::kProtobuf, stream.contract_id, stream.type, hour},
                         tick.exchange_time, scratch_));
      wrote = true;
    } else {
      ++stats_.protobuf_skipped;
      result = rendered;
    }
  }
  if (wrote) ++stats_.ticks;
  return result;
}

Status V3Writer::AppendRendered(const FileKey& key, TimePoint ts, const std::string& bytes) {
  auto file = GetFile(key, ts);
  if (!file.ok()) return file.status();
  OpenFile& open = **file;
  open.last_use = ++use_counter_;
  open.buffer += bytes;
  if (open.buffer.size() < options_.buffer_bytes) return Status::Ok();
  Status written = WriteBuffer(open);
  if (!written.ok()) files_.erase(key);  // closes the file
  return written;
}

Result<V3Writer::OpenFile*> V3Writer::GetFile(const FileKey& key, TimePoint ts) {
  if (auto it = files_.find(key); it != files_.end()) return &it->second;
  if (files_.size() >= options_.max_open_files) IBSTREAM_RETURN_IF_ERROR(EvictLeastRecentlyUsed());
  OpenFile file;
  IBSTREAM_RETURN_IF_ERROR(OpenNew(key, ts, file));
  ++stats_.files_opened;
  return &files_.emplace(key, std::move(file)).first->second;
}

Status V3Writer::OpenNew(const FileKey& key, TimePoint ts, OpenFile& file) {
  file.path = options_.base_dir + "/" +
              V3RelativePath(key.format, StreamKey{key.contract_id, key.type}, ts);
  const std::string dir = fs::ParentDir(file.path);
  IBSTREAM_RETURN_IF_ERROR(MakeDirectories(dir));
  if (!fs_->Exists(file.path)) {
    auto created = fs_->NewWritableFile(file.path, /*exclusive=*/true);
    if (!created.ok()) return Failed("cannot create", created.status());
    file.file = std::move(*created);
    dirs_to_sync_.insert(dir);  // a new directory entry
    return Status::Ok();
  }
  IBSTREAM_RETURN_IF_ERROR(RepairTail(key.format, file));
  auto opened = fs_->NewAppendableFile(file.path);
  if (!opened.ok()) return Failed("cannot open", opened.status());
  file.file = std::move(*opened);
  return Status::Ok();
}

Status V3Writer::RepairTail(V3Format format, OpenFile& file) {
  auto reader = fs_->NewRandomAccessFile(file.path);
  if (!reader.ok()) return Failed("cannot open", reader.status());
  const uint64_t size = (*reader)->Size();
  if (size == 0) return Status::Ok();

  if (format == V3Format::kJson) {
    std::string last;
    Status read = (*reader)->Read(size - 1, 1, &last);
    if (!read.ok()) return Failed("cannot read", read);
    if (last != "\n") {
      file.buffer += '\n';
      ++stats_.json_tails_terminated;
    }
    return Status::Ok();
  }

  // Walk the length prefixes to the end of the last whole record.
  constexpr size_t kChunkBytes = 256 * 1024;
  std::string chunk;
  uint64_t chunk_start = 0;
  uint64_t pos = 0;
  while (size - pos >= kV3LengthPrefixBytes) {
    if (pos < chunk_start || pos + kV3LengthPrefixBytes > chunk_start + chunk.size()) {
      Status read = (*reader)->Read(pos, kChunkBytes, &chunk);
      if (!read.ok()) return Failed("cannot read", read);
      chunk_start = pos;
      if (chunk.size() < kV3LengthPrefixBytes) break;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(chunk.data() + (pos - chunk_start));
    const uint32_t length =
        (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
    if (length > kV3MaxRecordBytes) {
      return Corruption(file.path + ": length prefix " + std::to_string(length) + " at byte " +
                        std::to_string(pos) + " is not a v3 record; not appending to this file");
    }
    if (size - pos - kV3LengthPrefixBytes < length) break;  // the torn last record
    pos += kV3LengthPrefixBytes + length;
  }
  if (pos == size) return Status::Ok();
  reader->reset();
  Status truncated = fs_->TruncateAndSync(file.path, pos);
  if (!truncated.ok()) return Failed("cannot truncate the torn tail", truncated);
  ++stats_.protobuf_tails_truncated;
  return Status::Ok();
}

Status V3Writer::MakeDirectories(const std::string& dir) {
  auto is_dir = fs_->IsDirectory(dir);
  if (is_dir.ok()) {
    if (*is_dir) return Status::Ok();
    return IoError(dir + " exists and is not a directory");
  }
  const std::string parent = fs::ParentDir(dir);
  if (parent != dir) IBSTREAM_RETURN_IF_ERROR(MakeDirectories(parent));
  Status created = fs_->CreateDir(dir);
  if (!created.ok()) return Failed("cannot create directory", created);
  dirs_to_sync_.insert(parent);
  return Status::Ok();
}

Status V3Writer::WriteBuffer(OpenFile& file) {
  if (file.buffer.empty()) return Status::Ok();
  Status status = file.file->Append(file.buffer);
  if (status.ok()) stats_.bytes_written += file.buffer.size();
  file.buffer.clear();
  if (!status.ok()) return Failed("cannot write", status);
  return Status::Ok();
}

Status V3Writer::SyncAndClose(OpenFile& file) {
  Status status = WriteBuffer(file);
  if (status.ok()) {
    Status synced = file.file->Sync();
    if (!synced.ok()) {
      status = Failed("cannot fsync", synced);
    } else {
      ++stats_.fsyncs;
    }
  }
  Status closed = file.file->Close();
  if (!closed.ok() && status.ok()) status = Failed("cannot close", closed);
  file.file.reset();
  return status;
}

Status V3Writer::SyncDirectories() {
  Status first;
  for (const std::string& dir : dirs_to_sync_) {
    Status synced = fs_->SyncDir(dir);
    if (!synced.ok()) {
      if (first.ok()) first = Failed("cannot fsync directory", synced);
    } else {
      ++stats_.fsyncs;
    }
  }
  if (first.ok()) dirs_to_sync_.clear();
  return first;
}

Status V3Writer::Flush() {
  Status first;
  for (auto it = files_.begin(); it != files_.end();) {
    OpenFile& file = it->second;
    Status status = WriteBuffer(file);
    if (status.ok()) {
      Status synced = file.file->Sync();
      if (!synced.ok()) {
        status = Failed("cannot fsync", synced);
      } else {
        ++stats_.fsyncs;
      }
    }
    if (!status.ok()) {
      // After a failed fsync the kernel may have dropped the pages: start over from the file.
      it = files_.erase(it);  // closes the file
      if (first.ok()) first = status;
      continue;
    }
    ++it;
  }
  Status dirs = SyncDirectories();
  return first.ok() ? dirs : first;
}

Status V3Writer::CloseHoursBefore(int64_t hour_epoch) {
  Status first;
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->first.hour_epoch >= hour_epoch) {
      ++it;
      continue;
    }
    Status status = SyncAndClose(it->second);
    if (!status.ok() && first.ok()) first = status;
    it = files_.erase(it);
  }
  Status dirs = SyncDirectories();
  return first.ok() ? dirs : first;
}

Status V3Writer::Close() {
  Status first;
  for (auto& [key, file] : files_) {
    Status status = SyncAndClose(file);
    if (!status.ok() && first.ok()) first = status;
  }
  files_.clear();
  Status dirs = SyncDirectories();
  return first.ok() ? dirs : first;
}

Status V3Writer::EvictLeastRecentlyUsed() {
  auto oldest = std::min_element(files_.begin(), files_.end(), [](const auto& a, const auto& b) {
    return a.second.last_use < b.second.last_use;
  });
  if (oldest == files_.end()) return Status::Ok();
  Status status = SyncAndClose(oldest->second);
  files_.erase(oldest);
  return status;
}

}  // namespace ibstream::formats
