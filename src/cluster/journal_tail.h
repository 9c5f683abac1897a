// Reading the local journal from a cursor, and the cursor file that keeps the publisher's place
// (docs/CLUSTER.md "Guarantees").
//
// The publisher reads tick records straight from the journal files of a store
// (storage/FORMAT.md §3), in (hour, generation, salvaged) order, and never writes to them. Its
// place is a PublishCursor: the journal file it is in, the block-area offset where reading resumes
// and the index of the next tick record in that file. Journal files are append-only and never
// rewritten in place (recovery only truncates an unsynced torn tail and starts a new generation),
// so a position names the same tick for as long as the file exists; the store keeps journals the
// cursor has not passed (StoreOptions::keep_journals_from).
//
// The cursor file is text, replaced atomically (fs::WriteFileAtomically):
//   ibstream-nats-cursor 1
//   journal <hour ns> <generation> <n|s> <offset> <record>
//   gap <id> <updated ns>          (one line per gap snapshot already published)
//   end
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/wire.h"
#include "common/clock.h"
#include "common/status.h"
#include "fs/file_system.h"
#include "model/tick.h"

namespace ibstream::cluster {

struct PublishCursor {
  // false: nothing was published yet; start at the oldest journal present.
  bool started = false;
  // The journal file being read (hour_ns, generation, salvaged) and the index of its next tick
  // record (`record`).
  JournalPosition next;
  // Block-area offset in that file where the next record starts (log::Reader's offset).
  uint64_t offset = 0;
  // Gap id -> updated_at (ns) of the last snapshot of that gap that JetStream acknowledged.
  std::map<uint64_t, int64_t> gaps;
  friend bool operator==(const PublishCursor&, const PublishCursor&) = default;
};

std::string EncodeCursor(const PublishCursor& cursor);
// Corruption (naming the line) for anything that is not a cursor file of version 1.
Result<PublishCursor> DecodeCursor(std::string_view text);
// nullopt when the file does not exist.
Result<std::optional<PublishCursor>> LoadCursor(fs::FileSystem* fs, const std::string& path);
// Replaces the file atomically (write, fsync, rename, fsync of the directory).
Status SaveCursor(fs::FileSystem* fs, const std::string& path, const PublishCursor& cursor);

// One journal file of a store.
struct JournalFileRef {
  int64_t hour_ns = 0;
  uint32_t generation = 0;
  bool salvaged = false;
  std::string path;
  // The order journals are read in (and written in: a new generation sorts after the others).
  auto key() const { return std::tuple(hour_ns, generation, salvaged); }
};
// Every journal under `root`, oldest first. A store without journals gives an empty list.
Result<std::vector<JournalFileRef>> ListJournals(fs::FileSystem* fs, const std::string& root);
// Whether `file` is the one the cursor is in, before it, or after it.
int CompareToCursor(const JournalFileRef& file, const PublishCursor& cursor);

// Tick records read from one journal file.
struct TailBatch {
  struct Entry {
    JournalPosition position;
    StreamKey stream;
    int64_t receive_ns = 0;
    size_t begin = 0;  // the record's bytes are data.substr(begin, size)
    size_t size = 0;
  };
  std::string data;
  std::vector<Entry> entries;
  uint64_t end_offset = 0;   // block-area offset just past the last record read
  uint64_t next_record = 0;  // index of the next tick record after the batch
  bool sealed = false;       // a SEAL record was read: nothing follows in this file
  uint64_t corrupt_bytes = 0;
  std::string_view record(const Entry& e) const {
    return std::string_view(data).substr(e.begin, e.size);
  }
  void Clear() {
    data.clear();
    entries.clear();
    sealed = false;
    corrupt_bytes = 0;
  }
};

// Reads at most `max_records` tick records of `file`, starting at block-area offset `offset`
// whose first tick record has index `first_record`. A record cut off at the end of the file (being
// written) ends the batch; damaged bytes are skipped and counted (log::Reader's rules). Records
// that do not decode as ticks are counted as corrupt and skipped (they still take an index, so
// indexes stay stable).
Status ReadJournalFrom(fs::FileSystem* fs, const JournalFileRef& file, uint64_t offset,
                       uint64_t first_record, size_t max_records, TailBatch* out);

}  // namespace ibstream::cluster
