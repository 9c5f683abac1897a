// The contracts tracked and untracked at run time (HTTP API), kept across restarts and reloads.
//
// The configuration file stays the operator's list; run-time changes are kept beside the data in
// `<storage>/contracts/runtime.json` and applied on top of it at every start and every reload:
//
//   effective = the configuration's enabled contracts
//               - those untracked at run time
//               - those tracked again at run time (the run-time version replaces them)
//               + every contract tracked at run time
//
// Contracts are matched by their key (CacheKey: "con_711280073", "sym_ES_FUT_CME_USD"). A
// run-time contract is stored as the TOML text it was given with, so that its unset reliability
// fields keep following the configuration's [reliability] section.
//
// File (JSON, written durably):
//   {"format": 1,
//    "tracked":   [{"key": "con_1", "contract": "con_id = 1\n...", "at": "2025-08-11T14:00:00Z"}],
//    "untracked": [{"key": "sym_ES_FUT_CME_USD", "at": "..."}]}
#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"
#include "fs/file_system.h"

namespace ibstream::recorder {

inline constexpr char kRuntimeContractsFile[] = "runtime.json";

struct RuntimeContracts {
  struct Tracked {
    std::string key;
    std::string contract_toml;  // the keys of one [[contracts]] table
    TimePoint at;
    friend bool operator==(const Tracked&, const Tracked&) = default;
  };
  struct Untracked {
    std::string key;
    TimePoint at;
    friend bool operator==(const Untracked&, const Untracked&) = default;
  };
  std::vector<Tracked> tracked;
  std::vector<Untracked> untracked;

  bool empty() const { return tracked.empty() && untracked.empty(); }
  bool IsUntracked(const std::string& key) const;
  const Tracked* FindTracked(const std::string& key) const;
  // Records a run-time track (replacing an earlier one of the same key, ending an untrack).
  void Track(const std::string& key, std::string contract_toml, TimePoint at);
  // Records a run-time untrack: forgets a run-time track; hides a configured contract.
  void Untrack(const std::string& key, bool configured, TimePoint at);
  // Forgets untracks of contracts the configuration no longer lists (so that listing one again
  // later records it); returns the keys forgotten.
  std::vector<std::string> ForgetUntracksNotIn(const std::vector<std::string>& configured_keys);

  friend bool operator==(const RuntimeContracts&, const RuntimeContracts&) = default;
};

// The largest run-time contract list read back (thousands of contracts fit in a megabyte).
inline constexpr uint64_t kMaxRuntimeContractsFileBytes = 16 << 20;

// Reads `<dir>/runtime.json` through `fs`. Empty when the file does not exist; ParseError naming
// the file and the problem when it is damaged (the caller keeps the file for the operator and
// records from the configuration only); ResourceExhausted when it is larger than
// kMaxRuntimeContractsFileBytes; IoError when it cannot be read.
Result<RuntimeContracts> LoadRuntimeContracts(fs::FileSystem* fs, const std::string& dir);
// Replaces `<dir>/runtime.json` with fs::WriteFileAtomically (a crash leaves the old or the new
// list, never a mix).
Status SaveRuntimeContracts(fs::FileSystem* fs, const std::string& dir,
                            const RuntimeContracts& contracts);

struct EffectiveContract {
  config::ContractConfig config;
  std::string key;
  bool from_api = false;  // tracked at run time
};

struct EffectiveContracts {
  std::vector<EffectiveContract> contracts;
  // Run-time entries that no longer pass the configuration's checks (not applied; named).
  std::vector<std::string> errors;
};

// The list to record (see the top of this file). `reliability` is what unset reliability fields
// of run-time contracts follow.
EffectiveContracts MergeContracts(const std::vector<config::ContractConfig>& configured,
                                  const RuntimeContracts& runtime,
                                  const config::ReliabilityConfig& reliability);

}  // namespace ibstream::recorder
