#include "export/v3_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "export/v3_json.h"
#include "export/v3_protobuf.h"
#include "export/v3_reader.h"

namespace ibstream {
namespace {

Status ErrnoError(std::string_view what, const std::string& path) {
  return IoError(std::string(what) + " " + path + ": " + std::strerror(errno));
}

std::string ParentOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Reads exactly `size` bytes at `offset` unless the file ends first; returns the count read.
Result<size_t> ReadAt(int fd, uint64_t offset, char* data, size_t size, const std::string& path) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, data + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cannot read", path);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

}  // namespace

V3Writer::V3Writer(V3WriterOptions options) : options_(std::move(options)) {
  if (options_.max_open_files == 0) options_.max_open_files = 1;
}

V3Writer::~V3Writer() { Close().IgnoreError(); }

Status V3Writer::Append(const Tick& tick) {
  if (options_.base_dir.empty()) return InvalidArgument("v3 output: no base directory configured");
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
  if (!written.ok()) {
    ::close(open.fd);
    files_.erase(key);
  }
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
  const std::string dir = ParentOf(file.path);
  IBSTREAM_RETURN_IF_ERROR(MakeDirectories(dir));
  file.fd = ::open(file.path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (file.fd >= 0) {
    dirs_to_sync_.insert(dir);  // a new directory entry
    return Status::Ok();
  }
  if (errno != EEXIST) return ErrnoError("cannot create", file.path);
  file.fd = ::open(file.path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (file.fd < 0) return ErrnoError("cannot open", file.path);
  Status repaired = RepairTail(key.format, file);
  if (!repaired.ok()) {
    ::close(file.fd);
    file.fd = -1;
  }
  return repaired;
}

Status V3Writer::RepairTail(V3Format format, OpenFile& file) {
  struct stat info {};
  if (::fstat(file.fd, &info) != 0) return ErrnoError("cannot stat", file.path);
  const auto size = static_cast<uint64_t>(info.st_size);
  if (size == 0) return Status::Ok();

  if (format == V3Format::kJson) {
    char last = '\n';
    auto n = ReadAt(file.fd, size - 1, &last, 1, file.path);
    if (!n.ok()) return n.status();
    if (last != '\n') {
      file.buffer += '\n';
      ++stats_.json_tails_terminated;
    }
    return Status::Ok();
  }

  // Walk the length prefixes to the end of the last whole record.
  std::string chunk(256 * 1024, '\0');
  uint64_t chunk_start = 0;
  size_t chunk_size = 0;
  uint64_t pos = 0;
  while (size - pos >= kV3LengthPrefixBytes) {
    if (pos < chunk_start || pos + kV3LengthPrefixBytes > chunk_start + chunk_size) {
      auto n = ReadAt(file.fd, pos, chunk.data(), chunk.size(), file.path);
      if (!n.ok()) return n.status();
      chunk_start = pos;
      chunk_size = *n;
      if (chunk_size < kV3LengthPrefixBytes) break;
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
  if (::ftruncate(file.fd, static_cast<off_t>(pos)) != 0) {
    return ErrnoError("cannot truncate the torn tail of", file.path);
  }
  ++stats_.protobuf_tails_truncated;
  return Status::Ok();
}

Status V3Writer::MakeDirectories(const std::string& dir) {
  struct stat info {};
  if (::stat(dir.c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode)) return Status::Ok();
    return IoError(dir + " exists and is not a directory");
  }
  const std::string parent = ParentOf(dir);
  if (parent != dir) IBSTREAM_RETURN_IF_ERROR(MakeDirectories(parent));
  if (::mkdir(dir.c_str(), 0755) != 0) {
    if (errno == EEXIST) return Status::Ok();
    return ErrnoError("cannot create directory", dir);
  }
  dirs_to_sync_.insert(parent);
  return Status::Ok();
}

Status V3Writer::WriteBuffer(OpenFile& file) {
  size_t done = 0;
  while (done < file.buffer.size()) {
    const ssize_t n = ::write(file.fd, file.buffer.data() + done, file.buffer.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status error = ErrnoError("cannot write", file.path);
      file.buffer.clear();
      return error;
    }
    done += static_cast<size_t>(n);
    stats_.bytes_written += static_cast<uint64_t>(n);
  }
  file.buffer.clear();
  return Status::Ok();
}

Status V3Writer::SyncAndClose(OpenFile& file) {
  Status status = WriteBuffer(file);
  if (status.ok()) {
    if (::fsync(file.fd) != 0) {
      status = ErrnoError("cannot fsync", file.path);
    } else {
      ++stats_.fsyncs;
    }
  }
  if (::close(file.fd) != 0 && status.ok()) status = ErrnoError("cannot close", file.path);
  file.fd = -1;
  return status;
}

Status V3Writer::SyncDirectories() {
  Status first;
  for (const std::string& dir : dirs_to_sync_) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      if (first.ok()) first = ErrnoError("cannot open directory", dir);
      continue;
    }
    if (::fsync(fd) != 0) {
      if (first.ok()) first = ErrnoError("cannot fsync directory", dir);
    } else {
      ++stats_.fsyncs;
    }
    ::close(fd);
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
      if (::fsync(file.fd) != 0) {
        status = ErrnoError("cannot fsync", file.path);
      } else {
        ++stats_.fsyncs;
      }
    }
    if (!status.ok()) {
      // After a failed fsync the kernel may have dropped the pages: start over from the file.
      ::close(file.fd);
      it = files_.erase(it);
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

}  // namespace ibstream
