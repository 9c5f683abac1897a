// The small file-system interface every durable file goes through (in the spirit of LevelDB's
// Env): the storage journal and hourly files, the gap ledger, the recorder's contract cache and
// run-time contract list, the v3 live output. Production uses PosixFileSystem(); crash tests use
// FaultFileSystem (fs/fault_file_system.h, library ibstream_fs_testing), which keeps track of
// what has been synced and can "crash", tear writes and fail on demand.
//
// Error codes: a full disk is ResourceExhausted (message contains "No space left"), any other
// operating-system failure is IoError, a missing path NotFound. Messages name the path.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ibstream::fs {

// A file opened for appending by one owner. Not thread-safe.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends all of `data` or returns an error; after an error an unknown prefix of `data` may
  // have reached the file (a torn write), so the owner must not append to it again.
  virtual Status Append(std::string_view data) = 0;
  // fdatasync: everything appended so far survives a machine crash once this returns OK.
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Bytes appended through this handle plus the size the file had when opened.
  virtual uint64_t Size() const = 0;
};

// Positional reads of an immutable (or append-only) file. Thread-safe.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to `n` bytes at `offset` into `out` (replacing its contents); fewer at end of file.
  virtual Status Read(uint64_t offset, size_t n, std::string* out) const = 0;
  virtual uint64_t Size() const = 0;
};

struct SpaceInfo {
  uint64_t available_bytes = 0;  // for an unprivileged writer (statvfs f_bavail)
  uint64_t total_bytes = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates `path`, or truncates it when it exists (exclusive=false); with exclusive=true an
  // existing file is an error (O_EXCL). The new directory entry is durable only after SyncDir.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                                bool exclusive) = 0;
  // Opens `path` for appending after its current contents, creating it (empty) when absent;
  // Size() starts at the file's current size. A created entry is durable only after SyncDir.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  // Names (not paths) of the entries of a directory, sorted; "." and ".." excluded.
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;
  virtual Result<bool> IsDirectory(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
  // Creates one directory; OK when it already exists.
  virtual Status CreateDir(const std::string& path) = 0;
  // Makes the directory's entries (creations, renames, deletions) durable.
  virtual Status SyncDir(const std::string& path) = 0;
  // Atomically replaces `to` (if present) with `from`.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status DeleteFile(const std::string& path) = 0;
  // Removes an empty directory.
  virtual Status DeleteDir(const std::string& path) = 0;
  // Shrinks (or extends with zeros) a file and syncs it.
  virtual Status TruncateAndSync(const std::string& path, uint64_t size) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  virtual Result<SpaceInfo> GetSpace(const std::string& path) = 0;
};

// The process-wide POSIX implementation.
FileSystem* PosixFileSystem();

// --- Helpers built on the interface -------------------------------------------------------

// "a/b" + "c" -> "a/b/c".
std::string JoinPath(std::string_view dir, std::string_view name);
// "a/b/c" -> "a/b"; "c" -> ".".
std::string ParentDir(std::string_view path);

// Creates `path` and any missing parents; each directory created is made durable by syncing
// its parent.
Status CreateDirs(FileSystem* fs, const std::string& path);

// The whole file, however large: for files this process wrote itself (storage recovery).
Result<std::string> ReadFileToString(FileSystem* fs, const std::string& path);

// The whole file, refusing one larger than `max_bytes` with ResourceExhausted naming the path
// and the limit (a damaged or foreign file is never read without bound). A file that reads
// longer than its reported size (one growing, a device such as /dev/zero) is read on only up to
// max_bytes + 1 bytes. NotFound when absent.
Result<std::string> ReadFile(FileSystem* fs, const std::string& path, uint64_t max_bytes);

// The rename protocol: writes `path`.tmp, syncs it, renames it over `path`, syncs the directory.
// A crash leaves either the old file or the new file, never a mix, and possibly a stray .tmp
// (ignored by readers; storage recovery deletes its own). Errors name `path` and the step that
// failed; after an error before the rename the .tmp is deleted (best effort) and `path` is
// unchanged.
Status WriteFileAtomically(FileSystem* fs, const std::string& path, std::string_view data);

// True for errors that mean the disk is full.
bool IsNoSpace(const Status& status);

}  // namespace ibstream::fs
