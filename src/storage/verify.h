// Integrity check of every file of a store (`ibstream verify`), with room for extra checks
// (for example a completeness comparison against what a simulator sent).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "fs/file_system.h"

namespace ibstream::storage {

struct VerifiedFile {
  enum class Severity { kOk, kWarning, kError };
  std::string path;
  std::string kind;  // "journal", "closed", "ledger", "quarantine", "routes"
  Severity severity = Severity::kOk;
  uint64_t ticks = 0;
  std::string detail;  // what is wrong (empty when fine)
};

// A pluggable check run after the file checks. It reads the store itself (e.g. with
// QueryTicks) and reports findings; a non-OK status means the check could not run.
class VerifyCheck {
 public:
  virtual ~VerifyCheck() = default;
  virtual std::string name() const = 0;
  virtual Status Run(fs::FileSystem* fs, const std::string& root,
                     std::vector<std::string>* problems) = 0;
};

struct VerifyReport {
  std::vector<VerifiedFile> files;
  uint64_t ticks = 0;
  uint64_t errors = 0;
  uint64_t warnings = 0;
  struct CheckResult {
    std::string name;
    Status status;
    std::vector<std::string> problems;
  };
  std::vector<CheckResult> checks;

  bool ok() const;
};

// Reads every journal, closed file and ledger under `root` and checks every checksum and
// structural rule; a torn journal tail is a warning (the normal result of a crash, repaired at
// the next start), damage elsewhere an error: a file where a date or hour directory should be,
// any damage in a gap ledger or route log generation (one cut short included) and a quarantined
// copy of a damaged ledger generation are errors. `progress(done, total)` is called per file.
Result<VerifyReport> VerifyStore(fs::FileSystem* fs, const std::string& root,
                                 const std::vector<VerifyCheck*>& checks,
                                 const std::function<void(size_t, size_t)>& progress);

}  // namespace ibstream::storage
