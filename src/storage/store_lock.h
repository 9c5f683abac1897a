// The store's owner lock: one process at a time writes a store (the recorder, or the offline
// `ibstream backfill`). Readers (query, verify, gaps) never take it.
//
// File: <root>/LOCK, holding the owner's process id as decimal text (for the message a refused
// process prints). The lock itself is an advisory flock(LOCK_EX | LOCK_NB) on that file, held for
// the life of the StoreLock: the kernel releases it when the process ends in any way (kill -9
// included), so a stale file never blocks a restart. The file is left in place.
//
// flock is per open file description: a second StoreLock on the same root fails even within one
// process.
#pragma once

#include <string>

#include "common/status.h"

namespace ibstream::storage {

// "<root>/LOCK".
std::string StoreLockPath(const std::string& root);

class StoreLock {
 public:
  // Takes the lock of the store at `root` (the directory and the file are created when
  // missing).
  // FailedPrecondition when another holder has it: the message names the store and, when the file
  // says, the holder's process id. IoError when the file cannot be opened or locked.
  [[nodiscard]] static Result<StoreLock> Acquire(const std::string& root);

  StoreLock() = default;
  ~StoreLock();  // releases it
  StoreLock(StoreLock&& other) noexcept;
  StoreLock& operator=(StoreLock&& other) noexcept;
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

  bool held() const { return fd_ >= 0; }
  // Releases it now (idempotent).
  void Release();

 private:
  explicit StoreLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace ibstream::storage
