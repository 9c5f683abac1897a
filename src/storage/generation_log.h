// A directory of generation-numbered record logs: "<prefix>.<N>.log" files (log_format.h), each
// a file header with its own magic followed by checksummed records, read oldest generation
// first. The gap ledger (gaps/ledger.<N>.log) and the route log (routes/routes.<N>.log) are both
// stored this way; this is their one reader, so both find and report damage alike.
//
// Every record a writer of such a log appends starts with a one-byte kind; the reader hands
// the payload after it, of the kinds asked for, to a callback and skips other kinds (room for
// records a later version adds).
//
// Damage is never skipped silently: a bad file header, bytes a log::Reader drops (checksum or
// framing), a record the callback cannot decode and an incomplete record at the end of a file
// are each counted in a LogDamage and described by one line naming the file.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "fs/file_system.h"

namespace ibstream::storage::log {

// What reading one or more generation logs found damaged.
struct LogDamage {
  uint64_t corrupt_bytes = 0;    // dropped: bad headers, checksum or framing errors, bad records
  uint64_t truncated_bytes = 0;  // an incomplete record at the end of a file (cut short)
  std::vector<std::string> damaged_files;  // the labels of the damaged files
  std::vector<std::string> problems;       // one line per finding, naming the file

  bool clean() const { return corrupt_bytes == 0 && truncated_bytes == 0; }
};

// "<prefix>.<N>.log" -> N; nullopt for any other name (temporary files, quarantine copies).
std::optional<uint32_t> ParseGenerationName(std::string_view name, std::string_view prefix);
// "<prefix>.<N>.log".
std::string GenerationName(std::string_view prefix, uint32_t generation);

// The generation files in `dir` as (N, file name), oldest first. A missing directory has none;
// an error listing it is returned.
Result<std::vector<std::pair<uint32_t, std::string>>> ListGenerations(fs::FileSystem* fs,
                                                                      const std::string& dir,
                                                                      std::string_view prefix);

// Decodes one record's payload (the bytes after its kind byte, `kind`). A non-OK status means the
// record is damaged: it is counted and described, and reading goes on.
using GenerationRecordFn = std::function<Status(uint8_t kind, std::string_view payload)>;

struct GenerationReadOptions {
  std::string_view magic;  // the file header's magic, 8 bytes
  // The first bytes of the records to decode; records of other kinds are skipped.
  std::vector<uint8_t> record_kinds;
  // When not empty, every finding is also logged as an error "event=<log_event> path=<label>
  // ...", so an operator sees damage without asking for it.
  std::string_view log_event;
};

// Reads the generation file at `path`, handing every intact record of `options.record_kinds` to
// `on_record` in file order. `label` names the file in damage->problems and, when this file
// added a problem, in damage->damaged_files. A file whose header never became durable (no more
// than a header's bytes) holds nothing and is not damage. Errors: the file cannot be opened or
// read; damage is not an error.
Status ReadGenerationFile(fs::FileSystem* fs, const std::string& path, const std::string& label,
                          const GenerationReadOptions& options, const GenerationRecordFn& on_record,
                          LogDamage* damage);

}  // namespace ibstream::storage::log
