// The gap ledger: durable records of stretches of a stream that were not recorded, and the
// state of their backfill (FORMAT.md §3.4).
//
// Stored as log files (log_format.h, magic "IBSGAPS1") under <root>/gaps/ledger.<N>.log whose
// records are full snapshots of one gap; the last snapshot of an id wins. Opening the ledger
// reads every generation and writes a compacted new generation (rename protocol), so a
// recovered file is never appended to. Every Add/Update is fdatasync'ed before it returns.
//
// Damage (a bad header, records that fail their checksum or do not decode, an incomplete record
// at the end of a file) is never compacted away silently: before anything is rewritten, Open
// copies each damaged generation to <root>/gaps/ledger.<N>.log.damaged-<YYYYMMDDTHHMMSSZ>
// (kept for forensics, never read back), logs it, counts it (LedgerDamage) and keeps every
// snapshot that could be read.
//
// A write that fails (ENOSPC) is returned as an error; the file it was appended to is never
// written again. The next Add/Update first writes a new compacted generation and drops the old
// one, so the ledger recovers by itself once the disk has room (a failed fdatasync stays fatal).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "model/tick.h"
#include "storage/generation_log.h"
#include "storage/journal.h"

namespace ibstream::storage {

enum class BackfillState : uint8_t { kPending = 0, kFilled = 1, kPartial = 2, kFailed = 3 };
std::string_view BackfillStateName(BackfillState state);  // "pending", "filled", ...

// How a filled gap was filled, as the recorder measured it (reliability/fill_time.h says what
// each figure means). Stored beside the snapshot that marks the gap filled (FORMAT.md §3.4,
// record kind 17), so an offline reader sees it too.
struct GapFill {
  TimePoint queued_at;           // the gap was queued for backfill
  TimePoint filled_at;           // its last tick was stored and the gap closed as filled
  uint32_t requests = 0;         // historical requests sent for it
  uint32_t requests_needed = 0;  // pages answered
  Duration pacing_minimum{0};    // the least time IB's pacing allows for requests_needed
  Duration round_trip{0};        // the fastest answered page's round trip (0: not measured)

  friend bool operator==(const GapFill&, const GapFill&) = default;
};

struct GapRecord {
  uint64_t id = 0;  // assigned by Add
  StreamKey stream;
  TimePoint start;    // IB time, inclusive
  TimePoint end;      // IB time, exclusive
  std::string cause;  // e.g. "disconnect", "disk_full", "queue_full", "stall"
  BackfillState state = BackfillState::kPending;
  std::string reason;  // why partial/failed, free text
  TimePoint updated_at;
  // How it was filled; only with the snapshot it was written with (a later snapshot of the id
  // without one clears it). Not part of the GAP record's bytes: a FILL record follows it.
  std::optional<GapFill> fill;

  friend bool operator==(const GapRecord&, const GapRecord&) = default;
};

// Encoding of one snapshot record (without the kind byte); exposed for golden tests. Leaves out
// `fill` (decoded: none).
std::string EncodeGapRecord(const GapRecord& gap);
Result<GapRecord> DecodeGapRecord(std::string_view bytes);

// Encoding of the FILL record (without the kind byte) of gap `id`; exposed for golden tests.
std::string EncodeGapFillRecord(uint64_t id, const GapFill& fill);
// The gap id and the fill of a FILL record. Bytes past the fields this version knows are
// ignored (room for later fields).
Result<std::pair<uint64_t, GapFill>> DecodeGapFillRecord(std::string_view bytes);

// What reading the ledger's generations found damaged (damaged_files holds the generations'
// file names), and the quarantine copies Open made of them.
struct LedgerDamage : log::LogDamage {
  std::vector<std::string> quarantined;  // Open: paths of the copies it made
};

// "ledger.3.log.damaged-20250821T140000Z": the quarantine copy of a damaged generation.
std::string LedgerQuarantineName(std::string_view ledger_name, TimePoint now);
bool IsLedgerQuarantineName(std::string_view name);

class GapLedger {
 public:
  // Reads the ledger under `root` (creating it if absent) and compacts it into a new file. A
  // damaged generation is first copied to its quarantine name (stamped with `now`); if that copy
  // cannot be made, nothing is rewritten and the error is returned. `damage` (may be null)
  // receives what was found.
  static Result<std::unique_ptr<GapLedger>> Open(fs::FileSystem* fs, const std::string& root,
                                                 TimePoint now, LedgerDamage* damage = nullptr);
  // Reads without writing anything (for the CLI on a live store). Damaged records are skipped
  // and described in *damage (may be null).
  static Result<std::vector<GapRecord>> ReadAllReporting(fs::FileSystem* fs,
                                                         const std::string& root,
                                                         LedgerDamage* damage);
  // As above, counting all damaged bytes (corrupt and truncated) in *corrupt_bytes (may be null).
  static Result<std::vector<GapRecord>> ReadAll(fs::FileSystem* fs, const std::string& root,
                                                uint64_t* corrupt_bytes);

  // Durably records a new gap; returns its id. Thread-safe.
  Result<uint64_t> Add(GapRecord gap);
  // Durably replaces the backfill state (and end, when given) of gap `id`, and its fill timing
  // with `fill` (none clears it).
  Status Update(uint64_t id, BackfillState state, std::string reason, TimePoint updated_at,
                std::optional<TimePoint> end = std::nullopt,
                std::optional<GapFill> fill = std::nullopt);
  // All gaps (of one contract when given), by id. Thread-safe; never waits for a write's fsync
  // (a gap being added or updated shows its previous state until the write is durable).
  std::vector<GapRecord> List(std::optional<int64_t> contract_id = std::nullopt) const;

 private:
  GapLedger(fs::FileSystem* fs, std::string root) : fs_(fs), root_(std::move(root)) {}
  Status WriteSnapshot(const GapRecord& gap);
  // Writes every gap into generation `generation` (temp file, fdatasync, rename) and appends
  // to it from then on. Caller holds write_mu_ (or is Open).
  Status StartGeneration(uint32_t generation);
  // After a failed append: a new generation replaces the current one. Caller holds write_mu_.
  Status RecoverFromWriteError();

  fs::FileSystem* fs_;
  std::string root_;
  // Writers take write_mu_ for the whole write (append and fdatasync) and mu_ only to read or
  // publish the in-memory state, so List() never waits on the disk.
  std::mutex write_mu_;
  std::unique_ptr<fs::WritableFile> file_;  // guarded by write_mu_
  std::unique_ptr<log::Writer> writer_;     // guarded by write_mu_
  bool failed_ = false;                     // guarded by write_mu_: an append failed
  bool fatal_ = false;                      // guarded by write_mu_: an fdatasync failed
  uint32_t generation_ = 0;                 // guarded by write_mu_: the one appended to
  mutable std::mutex mu_;
  std::map<uint64_t, GapRecord> gaps_;  // guarded by mu_
  uint64_t next_id_ = 1;                // guarded by mu_ (changed under write_mu_ as well)
};

}  // namespace ibstream::storage
