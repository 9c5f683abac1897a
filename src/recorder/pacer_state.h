// The historical pacer's recent requests, kept across a restart so that a recorder restarted
// within IB's 10-minute pacing window does not spend the budget again (IB counts the requests of
// the gateway session, not of the process).
//
// File: <root>/gaps/pacer.state, next to the gap ledger, replaced atomically after each
// historical request (fs::WriteFileAtomically, on a worker thread). Format, little-endian:
//
//   magic    4 bytes  "IBPS"
//   version  u8       1
//   count    u32      number of entries (at most kMaxPacerStateEntries)
//   entries  count x { at: i64 unix milliseconds, weight: u8 (2 for BID_ASK, else 1) }
//   crc      u32      CRC-32C of every byte before it
//
// A file that does not decode is damaged: the caller reports it, counts it, and assumes the
// budget spent for one pacing window (HistoricalPacer::AssumeSpent).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"

namespace ibstream::recorder {

inline constexpr uint32_t kMaxPacerStateEntries = 4096;

struct PacerSend {
  TimePoint at;
  int weight = 1;

  friend bool operator==(const PacerSend&, const PacerSend&) = default;
};

// "<root>/gaps/pacer.state".
std::string PacerStatePath(const std::string& storage_root);

// At most kMaxPacerStateEntries (the most recent); times at millisecond precision, weights
// clamped to 1..255.
std::string EncodePacerState(const std::vector<PacerSend>& sends);
// Corruption naming what is wrong (size, magic, version, count, checksum, weight).
[[nodiscard]] Result<std::vector<PacerSend>> DecodePacerState(std::string_view bytes);

// The entries of the file at `path`; empty when there is no file. Corruption (or an I/O error)
// when it cannot be read or decoded.
[[nodiscard]] Result<std::vector<PacerSend>> ReadPacerState(fs::FileSystem* fs,
                                                            const std::string& path);
// Replaces the file atomically (creating the directory when missing).
[[nodiscard]] Status WritePacerState(fs::FileSystem* fs, const std::string& path,
                                     const std::vector<PacerSend>& sends);

}  // namespace ibstream::recorder
