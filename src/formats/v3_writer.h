// Appends ticks to the original's v3 files (v3_layout.h), as the optional live v3 output and for
// exports into a v3 tree.
//
// Each (format, contract, tick type, hour of `ts`) has its own file, kept open with an in-memory
// buffer. A buffer that reaches `buffer_bytes` is written out; Flush() writes every buffer and
// fsyncs every open file and every directory created since the last Flush. So a tick is durable
// once the Flush after its Append returned OK; on a crash, the files end at the last write,
// possibly inside a record.
//
// Reopening a file (after Close, eviction or a restart) first checks its end: a JSON file whose
// last line has no '\n' gets one (the torn fragment stays as one malformed line, nothing is
// deleted); a protobuf file whose last record is cut short is truncated to its last whole record
// (that record was never acknowledged: it cannot be decoded, and appending after it would make
// every later record unreadable). A protobuf file whose framing is broken by something other than
// a torn tail is left untouched and Append returns Corruption for it.
//
// Not thread-safe: one owner calls every method. Every file and directory goes through the
// fs::FileSystem of the options (fs/file_system.h), so crash tests can run it on a fault file
// system.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "common/status.h"
#include "formats/v3_layout.h"
#include "fs/file_system.h"
#include "model/tick.h"

namespace ibstream::formats {

struct V3WriterOptions {
  // The original's IB_STREAM_STORAGE_PATH: files go to <base_dir>/v3/{json,protobuf}/...
  // Created if missing.
  std::string base_dir;
  bool json = true;
  bool protobuf = true;
  // Per open file; a full buffer is written out (without fsync).
  size_t buffer_bytes = 64 * 1024;
  // Beyond this many open files the least recently used one is flushed, fsynced and closed.
  size_t max_open_files = 64;
  // Where the files are written; null means fs::PosixFileSystem(). Not owned; must outlive the
  // writer.
  fs::FileSystem* file_system = nullptr;
};

struct V3WriterStats {
  uint64_t ticks = 0;             // Append calls that wrote at least one format
  uint64_t protobuf_skipped = 0;  // ticks the protobuf format cannot hold (conId > int32)
  uint64_t depth_skipped = 0;     // market-depth records: v3 has no shape for them (not written)
  uint64_t files_opened = 0;
  uint64_t json_tails_terminated = 0;     // JSON files reopened with an unterminated last line
  uint64_t protobuf_tails_truncated = 0;  // protobuf files reopened with a torn last record
  uint64_t bytes_written = 0;             // appended to the files
  uint64_t fsyncs = 0;
};

class V3Writer {
 public:
  explicit V3Writer(V3WriterOptions options);
  V3Writer(const V3Writer&) = delete;
  V3Writer& operator=(const V3Writer&) = delete;
  // Closes what is still open, ignoring errors: call Close() to see them.
  ~V3Writer();

  // Buffers `tick` for each enabled format. A market-depth record (TickType::kDepth) is skipped
  // deliberately and counted (stats().depth_skipped): the v3 formats have no fields for a book
  // change (operation, position, side, market maker), and the original never recorded depth; the
  // store and its readers (`query --book`) are where depth lives. Errors:
  //  * InvalidArgument: options.base_dir is empty (nothing is written to the root directory).
  //  * OutOfRange: the conId does not fit the protobuf int32; the tick went to JSON only (if
  //    enabled) and stats().protobuf_skipped counts it.
  //  * IoError: a directory or file could not be created, or a write failed. The file involved
  //    is closed and its buffer dropped (those ticks are lost); the next Append to it reopens it.
  //  * Corruption: the existing protobuf file's framing is broken (see above).
  [[nodiscard]] Status Append(const Tick& tick);

  // Writes every buffer, fsyncs every open file and new directory. On error the remaining files
  // are still flushed; the first error is returned and the failed file is closed.
  [[nodiscard]] Status Flush();

  // Flushes and closes the files of hours that start before `hour_epoch` (for example an hour
  // plus a grace period after the hour ended, since IB times arrive late).
  [[nodiscard]] Status CloseHoursBefore(int64_t hour_epoch);

  // Flush() and close everything. The writer can be used again afterwards.
  [[nodiscard]] Status Close();

  const V3WriterStats& stats() const { return stats_; }
  size_t open_files() const { return files_.size(); }

 private:
  struct FileKey {
    V3Format format;
    int64_t contract_id;
    TickType type;
    int64_t hour_epoch;
    friend auto operator<=>(const FileKey&, const FileKey&) = default;
  };
  struct OpenFile {
    std::unique_ptr<fs::WritableFile> file;
    std::string path;
    std::string buffer;
    uint64_t last_use = 0;
  };

  Status AppendRendered(const FileKey& key, TimePoint ts, const std::string& bytes);
  Result<OpenFile*> GetFile(const FileKey& key, TimePoint ts);
  Status OpenNew(const FileKey& key, TimePoint ts, OpenFile& file);
  // Ends an existing file at a whole record (see the top of this file) before it is reopened;
  // may add a '\n' to `file.buffer`.
  Status RepairTail(V3Format format, OpenFile& file);
  Status MakeDirectories(const std::string& dir);
  Status WriteBuffer(OpenFile& file);
  Status SyncAndClose(OpenFile& file);
  Status SyncDirectories();
  Status EvictLeastRecentlyUsed();

  V3WriterOptions options_;
  fs::FileSystem* fs_;
  V3WriterStats stats_;
  std::map<FileKey, OpenFile> files_;
  std::set<std::string> dirs_to_sync_;
  uint64_t use_counter_ = 0;
  std::string scratch_;
};

}  // namespace ibstream::formats
