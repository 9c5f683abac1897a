#include "storage/store_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>

namespace ibstream::storage {
namespace {

// The holder's process id as its file says it ("" when unreadable or empty).
std::string ReadHolder(int fd) {
  char buffer[32] = {};
  const ssize_t n = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
  if (n <= 0) return "";
  std::string text(buffer, static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (char c : text) {
    if (c < '0' || c > '9') return "";
  }
  return text;
}

}  // namespace

std::string StoreLockPath(const std::string& root) { return root + "/LOCK"; }

Result<StoreLock> StoreLock::Acquire(const std::string& root) {
  std::error_code created;
  std::filesystem::create_directories(root, created);
  if (created) return IoError("cannot create the store " + root + ": " + created.message());
  const std::string path = StoreLockPath(root);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return IoError("cannot open the store's lock " + path + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const std::string holder = ReadHolder(fd);
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return FailedPrecondition("the store at " + root + " is in use by another process" +
                                (holder.empty() ? std::string() : " (pid " + holder + ")") +
                                ", a running recorder: stop it first (" + path + " is locked)");
    }
    return IoError("cannot lock " + path + ": " + std::strerror(error));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  // The pid is only for the message of a refused process: a failed write is harmless.
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] const ssize_t written = ::pwrite(fd, pid.data(), pid.size(), 0);
  }
  return StoreLock(fd);
}

StoreLock::~StoreLock() { Release(); }

StoreLock::StoreLock(StoreLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

StoreLock& StoreLock::operator=(StoreLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void StoreLock::Release() {
  if (fd_ < 0) return;
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace ibstream::storage
