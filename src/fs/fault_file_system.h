// An in-memory FileSystem for crash tests, modelled on LevelDB's FaultInjectionTestEnv and
// SQLite's crash VFS.
//
// It tracks, per file, how many bytes have been synced and, per directory, which entries have
// been made durable by SyncDir. Crash() then does what a power cut may do: each file falls back
// to its synced length (optionally keeping a random prefix of the unsynced tail, optionally with
// one sector of that tail overwritten with garbage: a torn write), and directory entries that
// were never synced disappear (renames revert, new files vanish). Errors can be injected: ENOSPC
// or EIO on appends (a random prefix of the data is written first, like a torn write), EIO on
// syncs and reads, and "die after N mutating operations" (every later operation fails, as if the
// machine had stopped at that point).
//
// Thread-safe (one mutex); handles opened before a Crash() fail afterwards.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>

#include "fs/file_system.h"

namespace ibstream::fs {

class FaultFileSystem final : public FileSystem {
 public:
  FaultFileSystem();
  ~FaultFileSystem() override;

  // --- Fault controls ---
  // Appends fail with "No space left on device" after writing a random prefix.
  void SetNoSpace(bool on);
  // Limits SetNoSpace to files whose path contains `path_part` ("" = every file): a volume that
  // is full for one kind of file only.
  void SetNoSpaceOnly(std::string path_part);
  // Appends fail with EIO after writing a random prefix.
  void SetWriteError(bool on);
  // Sync and SyncDir fail with EIO.
  void SetSyncError(bool on);
  // Called with the file's path (as opened) at the start of every WritableFile::Sync, on the
  // syncing thread and without the file system's lock, so it may wait (a slow disk) while other
  // threads use the file system. An empty function clears it.
  void SetSyncHook(std::function<void(const std::string& path)> hook);
  // Reads of `path` fail with EIO ("" clears).
  void SetReadErrorPath(const std::string& path);
  // After `ops` more mutating operations, every operation fails ("the machine stopped").
  // A negative value disables the limit.
  void DieAfterOperations(int64_t ops);
  bool dead() const;
  void SetSpace(SpaceInfo space);

  struct CrashOptions {
    bool keep_unsynced_prefix = true;  // keep a random prefix of each file's unsynced tail
    bool garble_sector = true;         // overwrite one 512-byte sector of that kept tail
  };
  // Simulates a power cut and restart: see the class comment. Clears the "dead" state and
  // the injected errors. Deterministic for a given seed.
  void Crash(uint64_t seed, const CrashOptions& options);
  void Crash(uint64_t seed) { Crash(seed, CrashOptions{}); }

  // Test helpers.
  Status WriteRaw(const std::string& path, std::string_view data);  // create+write+sync+dirsync
  uint64_t mutating_operations() const;

  // --- FileSystem ---
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        bool exclusive) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& path) override;
  Result<bool> IsDirectory(const std::string& path) override;
  bool Exists(const std::string& path) override;
  Status CreateDir(const std::string& path) override;
  Status SyncDir(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status DeleteFile(const std::string& path) override;
  Status DeleteDir(const std::string& path) override;
  Status TruncateAndSync(const std::string& path, uint64_t size) override;
  Result<uint64_t> FileSize(const std::string& path) override;
  Result<SpaceInfo> GetSpace(const std::string& path) override;

 private:
  struct Inode {
    std::string data;
    uint64_t synced = 0;
  };
  struct Entry {
    bool is_dir = false;
    std::shared_ptr<Inode> inode;  // files only
  };
  class File;
  class Reader;

  static std::string Normalize(const std::string& path);
  // Counts a mutating operation; returns an error once the machine is "dead".
  Status BeginMutation();
  Status AppendTo(const std::shared_ptr<Inode>& inode, uint64_t epoch, const std::string& path,
                  std::string_view data);
  Status SyncInode(const std::shared_ptr<Inode>& inode, uint64_t epoch);
  bool ParentExists(const std::string& path) const;
  void RunSyncHook(const std::string& path);

  mutable std::mutex mu_;
  std::map<std::string, Entry> live_;     // the namespace as the running program sees it
  std::map<std::string, Entry> durable_;  // the namespace a crash falls back to
  uint64_t epoch_ = 0;
  int64_t ops_left_ = -1;
  bool dead_ = false;
  bool no_space_ = false;
  std::string no_space_only_;  // "" = every file
  bool write_error_ = false;
  bool sync_error_ = false;
  std::string read_error_path_;
  std::function<void(const std::string& path)> sync_hook_;
  uint64_t mutating_ops_ = 0;
  SpaceInfo space_{uint64_t{1} << 40, uint64_t{1} << 41};
  std::mt19937_64 torn_rng_{12345};
};

}  // namespace ibstream::fs
