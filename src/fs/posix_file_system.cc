// The POSIX implementation of FileSystem and the path helpers.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "fs/file_system.h"

namespace ibstream::fs {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  std::string message = what + " " + path + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return ResourceExhausted(std::move(message));
  if (err == ENOENT) return NotFound(std::move(message));
  return IoError(std::move(message));
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  PosixWritableFile(const PosixWritableFile&) = delete;
  PosixWritableFile& operator=(const PosixWritableFile&) = delete;

  Status Append(std::string_view data) override {
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", path_, errno);
      }
      p += n;
      left -= static_cast<size_t>(n);
      size_ += static_cast<uint64_t>(n);
    }
    return Status::Ok();
  }
  Status Sync() override {
    if (::fdatasync(fd_) != 0) return ErrnoStatus("fdatasync", path_, errno);
    return Status::Ok();
  }
  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    const int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return ErrnoStatus("close", path_, errno);
    return Status::Ok();
  }
  uint64_t Size() const override { return size_; }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }
  PosixRandomAccessFile(const PosixRandomAccessFile&) = delete;
  PosixRandomAccessFile& operator=(const PosixRandomAccessFile&) = delete;

  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    out->resize(n);
    size_t done = 0;
    while (done < n) {
      const ssize_t r =
          ::pread(fd_, out->data() + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("read", path_, errno);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    out->resize(done);
    return Status::Ok();
  }
  uint64_t Size() const override { return size_; }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
};

class PosixFs final : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        bool exclusive) override {
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_APPEND | (exclusive ? O_EXCL : O_TRUNC);
    const int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd, 0));
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_APPEND, 0644);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return ErrnoStatus("stat", path, err);
    }
    return std::unique_ptr<WritableFile>(
        new PosixWritableFile(path, fd, static_cast<uint64_t>(st.st_size)));
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return ErrnoStatus("stat", path, err);
    }
    return std::unique_ptr<RandomAccessFile>(
        new PosixRandomAccessFile(path, fd, static_cast<uint64_t>(st.st_size)));
  }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return ErrnoStatus("opendir", path, errno);
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(dir)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
  }
  Result<bool> IsDirectory(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path, errno);
    return S_ISDIR(st.st_mode);
  }
  bool Exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }
  Status CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus("mkdir", path, errno);
    }
    return Status::Ok();
  }
  Status SyncDir(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open directory", path, errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return ErrnoStatus("fsync directory", path, err);
    return Status::Ok();
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return ErrnoStatus("rename to " + to + " from", from, errno);
    }
    return Status::Ok();
  }
  Status DeleteFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("unlink", path, errno);
    return Status::Ok();
  }
  Status DeleteDir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) return ErrnoStatus("rmdir", path, errno);
    return Status::Ok();
  }
  Status TruncateAndSync(const std::string& path, uint64_t size) override {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    Status status;
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
      status = ErrnoStatus("ftruncate", path, errno);
    } else if (::fsync(fd) != 0) {
      status = ErrnoStatus("fsync", path, errno);
    }
    ::close(fd);
    return status;
  }
  Result<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }
  Result<SpaceInfo> GetSpace(const std::string& path) override {
    struct statvfs sv;
    if (::statvfs(path.c_str(), &sv) != 0) return ErrnoStatus("statvfs", path, errno);
    SpaceInfo info;
    info.available_bytes = static_cast<uint64_t>(sv.f_bavail) * sv.f_frsize;
    info.total_bytes = static_cast<uint64_t>(sv.f_blocks) * sv.f_frsize;
    return info;
  }
};

}  // namespace

FileSystem* PosixFileSystem() {
  static PosixFs fs;
  return &fs;
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (!out.empty() && out.back() != '/') out += '/';
  out += name;
  return out;
}

std::string ParentDir(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

Status CreateDirs(FileSystem* fs, const std::string& path) {
  if (path.empty() || path == "." || path == "/" || fs->Exists(path)) return Status::Ok();
  const std::string parent = ParentDir(path);
  IBSTREAM_RETURN_IF_ERROR(CreateDirs(fs, parent));
  IBSTREAM_RETURN_IF_ERROR(fs->CreateDir(path));
  return fs->SyncDir(parent);
}

Result<std::string> ReadFileToString(FileSystem* fs, const std::string& path) {
  auto file = fs->NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  std::string data;
  IBSTREAM_RETURN_IF_ERROR((*file)->Read(0, (*file)->Size(), &data));
  return data;
}

Result<std::string> ReadFile(FileSystem* fs, const std::string& path, uint64_t max_bytes) {
  auto file = fs->NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  const uint64_t size = (*file)->Size();
  if (size > max_bytes) {
    return ResourceExhausted(path + " is " + std::to_string(size) + " bytes, more than the " +
                             std::to_string(max_bytes) + " allowed; not reading it");
  }
  // One byte more than the size reported: a file that grew, or a device or pseudo-file that
  // reports size 0 (/dev/zero, /proc), yields it and is then read on in chunks, never past
  // max_bytes + 1.
  std::string data;
  IBSTREAM_RETURN_IF_ERROR((*file)->Read(0, static_cast<size_t>(size) + 1, &data));
  constexpr uint64_t kChunk = 64 * 1024;
  while (data.size() > size && data.size() <= max_bytes) {
    std::string more;
    const uint64_t room = max_bytes - data.size() + 1;
    IBSTREAM_RETURN_IF_ERROR(
        (*file)->Read(data.size(), static_cast<size_t>(std::min(kChunk, room)), &more));
    if (more.empty()) break;
    data += more;
  }
  if (data.size() > max_bytes) {
    return ResourceExhausted(path + " is more than the " + std::to_string(max_bytes) +
                             " bytes allowed; not reading it");
  }
  return data;
}

Status WriteFileAtomically(FileSystem* fs, const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  const std::string context = "cannot write " + path + " atomically";
  Status status;
  {
    auto file = fs->NewWritableFile(tmp, /*exclusive=*/false);
    if (!file.ok()) return file.status().WithContext(context);
    status = (*file)->Append(data);
    if (status.ok()) status = (*file)->Sync();
    if (status.ok()) status = (*file)->Close();
    if (status.ok()) status = fs->Rename(tmp, path);
  }
  if (!status.ok()) {
    fs->DeleteFile(tmp).IgnoreError();  // best effort: the old `path` is untouched
    return status.WithContext(context);
  }
  status = fs->SyncDir(ParentDir(path));
  if (!status.ok()) return status.WithContext(context);
  return Status::Ok();
}

bool IsNoSpace(const Status& status) { return status.code() == StatusCode::kResourceExhausted; }

}  // namespace ibstream::fs
